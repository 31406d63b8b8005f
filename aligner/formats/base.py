"""The format interface: one `Format` per file format, owning both of its directions.

A bitext format reads files into bitexts (`read_bitexts`) and/or writes bitexts into
one file (`write_bitexts`); a document format (DOCX, HTML, ...) reads a document to
translate (`read_document`) and writes its translation back in the same layout
(`write_document`). A format implements the ones it can; `can_read_bitexts`,
`can_write_bitexts` and `is_document` say which, from what the class overrides.

Writers only implement `_write(bitexts, stream, options)`: `write_bitexts` writes a
path atomically (an interrupted write never leaves a partial or clobbered file), "-"
to stdout, or into an open stream.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, Iterable

from aligner.errors import InputError, OutputError
from aligner.io.atomic import atomic_open
from aligner.formats import DEFAULT_LOW_SCORE  # noqa: F401  (the formats' shared default)
from aligner.model import Bitext, Document

# What a format can do, as `names(kind=...)` and `format_for_path(want=...)` take it:
# read bitexts, write bitexts, read translation units (a translation memory: TMX,
# XLIFF, TSV, CSV), translate a document.
KINDS = ("read", "write", "memory", "document")


@dataclass
class WriteOptions:
    """What `write_bitexts(..., **options)` takes."""
    low_score: float = DEFAULT_LOW_SCORE
    glossary: Any = None  # an aligner.glossary.Glossary (anything with .find(text, lang))
    title: str | None = None
    # BCP 47 tags that replace the default tag of their base language (["zh-TW"] writes
    # zh-TW wherever a zh side is written); see common.bitext_tags.
    lang_tags: Any = None
    # Translation memories (TMX) hold human translations only unless this is set; see
    # formats/tmx.py for how machine translation is then marked.
    include_mt: bool = False
    # Review exports (HTML, DOCX): bead id and score columns.
    columns: bool = True
    report: Any = None  # the WriteReport the writer counts into (set by write_bitexts)


@dataclass
class WriteReport:
    """What a writer wrote: how many units, and what it left out and why (e.g. {"empty
    side": 2, "machine translation": 20} for a TMX)."""
    format: str
    written: int = 0
    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, why: str) -> None:
        self.left_out[why] = self.left_out.get(why, 0) + 1


class Format:
    """One file format. `name` is what --format takes; `extensions` choose it from a file
    name when writing (the first is the default suffix), `read_extensions` when reading
    (default: the same)."""

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    read_extensions: ClassVar[tuple[str, ...]] = ()
    mime_types: ClassVar[tuple[str, ...]] = ()
    binary: ClassVar[bool] = False  # writes bytes (XML with a declaration, DOCX) rather than text
    description: ClassVar[str] = ""

    # --- what this format can do --------------------------------------------------------

    @property
    def can_read_bitexts(self) -> bool:
        return type(self).read_bitexts is not Format.read_bitexts

    @property
    def can_write_bitexts(self) -> bool:
        return type(self)._write is not Format._write or type(self).write_bitexts is not Format.write_bitexts

    @property
    def reads_units(self) -> bool:
        """Reads translation units (a translation memory), see aligner.formats.units."""
        return callable(getattr(self, "read_units", None))

    @property
    def is_document(self) -> bool:
        return type(self).read_document is not Format.read_document

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(k for k, yes in (("read", self.can_read_bitexts), ("write", self.can_write_bitexts),
                                          ("memory", self.reads_units), ("document", self.is_document)) if yes)

    def suffixes_for(self, want: str = "write") -> tuple[str, ...]:
        """The file extensions that choose this format for `want` ("write", "read", ...)."""
        if want == "write":
            return self.extensions
        return self.read_extensions or self.extensions

    # The names aligner.export callers use (an Exporter had `suffix`, `suffixes`, `write`).
    @property
    def suffix(self) -> str:
        return self.extensions[0] if self.extensions else ""

    @property
    def suffixes(self) -> tuple[str, ...]:
        return self.extensions

    def __repr__(self) -> str:
        return f"<format {self.name}>"

    # --- bitexts --------------------------------------------------------------------------

    def read_bitexts(self, source: str | Path | bytes, *, name: str | None = None, src_lang: str | None = None,
                     tgt_lang: str | None = None, **options: Any) -> list[Bitext]:
        """The bitexts in `source`: a path ("-" is stdin) or the file's bytes (`name`
        then names it in messages). Raises InputError for unreadable or malformed input."""
        raise NotImplementedError(f"{self.name} files cannot be read as bitexts")

    def write_bitexts(self, bitexts: Bitext | Iterable[Bitext], dest: str | Path | IO,
                      **options: Any) -> "WriteReport":
        """Write `bitexts` to `dest`: a path (written atomically; "-" is stdout) or an
        open stream (a binary one for binary formats). `options` are WriteOptions.
        Returns a WriteReport (units written, what was left out)."""
        if isinstance(bitexts, Bitext):
            bitexts = [bitexts]
        bitexts = list(bitexts)
        if not bitexts:
            raise InputError("nothing to export: no bitext was given")
        opts = WriteOptions(**options)
        report = WriteReport(self.name)
        opts.report = report
        try:
            self._write_to(bitexts, dest, opts)
        except UnicodeEncodeError as e:
            # Only lone surrogates get here (from a bitext file with "\udc80" escapes).
            raise InputError(f"a bitext holds characters that cannot be written as UTF-8 ({e.reason})",
                             hint="Nothing was written. Re-create the bitext from its source files.") from None
        if not report.written and not report.left_out:
            report.written = sum(len(bt.beads) for bt in bitexts)
        return report

    def write(self, bitexts: Bitext | Iterable[Bitext], dest: str | Path | IO, **options: Any) -> None:
        """`write_bitexts` under the name aligner.export's Exporter had."""
        return self.write_bitexts(bitexts, dest, **options)

    def _write_to(self, bitexts: list[Bitext], dest: str | Path | IO, opts: WriteOptions) -> None:
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

    def _write(self, bitexts: list[Bitext], f: IO, options: WriteOptions) -> None:
        raise NotImplementedError(f"{self.name} files cannot be written from bitexts")

    # --- documents (the document formats implement these) --------------------------------

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any) -> Document:
        """The text of a document to translate, segmented, with what `write_document`
        needs to rebuild the file."""
        raise NotImplementedError(f"{self.name} files cannot be read as documents")

    def write_document(self, doc: Document, translations: Any, dest: str | Path | IO, *, tgt_lang: str,
                       **options: Any) -> None:
        """`doc` (from `read_document`) in the same layout with `translations` of its
        segments, written atomically to `dest`."""
        raise NotImplementedError(f"{self.name} files cannot be written as documents")


def read_source(source: str | Path | bytes, name: str | None, what: str) -> tuple[bytes, str, str | None]:
    """(bytes, the name for messages, the path to record) of a reader's `source`: a path,
    "-" for stdin, or bytes. `what` ends the message for a directory ("a TMX file")."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "<bytes>"
        return bytes(source), label, name
    if str(source) == "-":
        label = name or "<stdin>"
        return sys.stdin.buffer.read(), label, None
    label = name or str(source)
    try:
        data = Path(source).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=label) from None
    except IsADirectoryError:
        raise InputError(f"is a directory, expected {what}", path=label) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=label) from None
    return data, label, str(source)
