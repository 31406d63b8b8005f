"""The export interface: one Exporter per format, chosen by name from a registry.

An exporter turns bitexts into one file. `Exporter.write` takes a path (written
atomically: an interrupted export never leaves a partial or clobbered file) or an open
stream (stdout); subclasses only implement `_write(bitexts, stream, options)`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, Iterable

from aligner.errors import InputError, OutputError
from aligner.io.atomic import atomic_open
from aligner.model import Bitext

# Beads whose score is below this are flagged for review (XLIFF state, HTML, DOCX).
# Scores are the aligner's / translator's confidence in [0, 1].
DEFAULT_LOW_SCORE = 0.5


@dataclass
class ExportOptions:
    low_score: float = DEFAULT_LOW_SCORE
    glossary: Any = None  # an aligner.glossary.Glossary (anything with .find(text, lang))
    title: str | None = None


class Exporter:
    """One export format. `name` is what --format takes, `suffix` the file extension
    (`suffixes` all the extensions that choose this format when --format is left out)."""

    name: ClassVar[str] = ""
    suffix: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    binary: ClassVar[bool] = False  # writes bytes (XML with declaration, DOCX) rather than text
    description: ClassVar[str] = ""

    def write(self, bitexts: Bitext | list[Bitext], dest: str | Path | IO, **options: Any) -> None:
        """Write `bitexts` to `dest`: a path ("-" is stdout) or an open stream
        (a binary one for binary formats)."""
        if isinstance(bitexts, Bitext):
            bitexts = [bitexts]
        bitexts = list(bitexts)
        if not bitexts:
            raise InputError("nothing to export: no bitext was given")
        opts = ExportOptions(**options)
        try:
            self._write_to(bitexts, dest, opts)
        except UnicodeEncodeError as e:
            # Only lone surrogates get here (from a bitext file with "\udc80" escapes).
            raise InputError(f"a bitext holds characters that cannot be written as UTF-8 ({e.reason})",
                             hint="Nothing was written. Re-create the bitext from its source files.") from None

    def _write_to(self, bitexts: list[Bitext], dest: str | Path | IO, opts: ExportOptions) -> None:
        if isinstance(dest, (str, Path)) and str(dest) != "-":
            path = Path(dest)
            if path.is_dir():
                raise OutputError("is a directory; give the name of the file to write", path=path,
                                  hint=f"For example -o {path / ('bitext' + self.suffix)}")
            with atomic_open(path, "wb" if self.binary else "w", newline=None if self.binary else "") as f:
                self._write(bitexts, f, opts)
            return
        if isinstance(dest, (str, Path)):  # "-"
            stream = sys.stdout.buffer if self.binary else sys.stdout
        else:
            stream = dest
        self._write(bitexts, stream, opts)
        stream.flush()

    def _write(self, bitexts: list[Bitext], f: IO, options: ExportOptions) -> None:
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: make an exporter available by its name."""
    EXPORTERS[cls.name] = cls()
    return cls


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name.lower()]
    except KeyError:
        raise InputError(f"unknown export format {name!r}",
                         hint="Formats: " + ", ".join(sorted(EXPORTERS))) from None


def format_for_path(path: str | Path) -> str | None:
    """The format an output file name asks for (review.html -> "html"), or None."""
    suffix = Path(str(path)).suffix.lower()
    for exporter in EXPORTERS.values():
        if suffix in exporter.suffixes:
            return exporter.name
    return None


def export_bitexts(bitexts: Bitext | Iterable[Bitext], fmt: str | None, out: str | Path | IO, *,
                   low_score: float = DEFAULT_LOW_SCORE, glossary: Any = None,
                   title: str | None = None) -> str:
    """Write `bitexts` as `fmt` (None: chosen from `out`'s extension) to `out`.

    Returns the format's name. Raises InputError for an unknown format, OutputError when
    the file cannot be written (nothing partial is left behind).
    """
    if fmt is None:
        fmt = format_for_path(out) if isinstance(out, (str, Path)) else None
        if fmt is None:
            raise InputError(f"cannot tell the export format from the name {str(out)!r}",
                             hint="Pass --format (" + ", ".join(sorted(EXPORTERS)) + ").")
    exporter = get_exporter(fmt)
    exporter.write(list(bitexts) if not isinstance(bitexts, Bitext) else [bitexts], out,
                   low_score=low_score, glossary=glossary, title=title)
    return exporter.name
