"""`aligner export` as a library call: bitexts -> one file, over the format registry.

This is the command-level API (export_bitexts, get_exporter, EXPORTERS); the formats
themselves, readers and writers, live in aligner.formats. An "exporter" is a
`aligner.formats.base.Format` that can write bitexts (`name`, `suffix`, `binary`,
`write(bitexts, path_or_stream, **options)`).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Iterable

from aligner import formats as _formats
from aligner.errors import InputError
from aligner.formats.base import DEFAULT_LOW_SCORE, Format, WriteOptions, WriteReport
from aligner.model import Bitext

__all__ = ["DEFAULT_LOW_SCORE", "EXPORTERS", "Exporter", "ExportOptions", "export", "export_bitexts",
           "format_for_path", "get_exporter", "register"]

Exporter = Format
ExportOptions = WriteOptions

# name -> the format object, for every format that can write bitexts.
EXPORTERS: dict[str, Format] = {f.name: f for f in sorted(_formats.formats("write"), key=lambda f: f.name)}


def register(cls: type[Format]) -> type[Format]:
    """Class decorator: make a writer available by its name (here and in aligner.formats)."""
    _formats.register(cls)
    EXPORTERS[cls.name] = _formats.get_format(cls.name)
    return cls


def get_exporter(name: str) -> Format:
    """The format `name` for writing; InputError listing the formats when there is none."""
    return _formats.get_format(name, "write")


def format_for_path(path: str | Path) -> str | None:
    """The format an output file name asks for (review.html -> "html"), or None."""
    return _formats.format_for_path(path, want="write")


def export_bitexts(bitexts: Bitext | Iterable[Bitext], fmt: str | None, out: str | Path | IO, *,
                   low_score: float = DEFAULT_LOW_SCORE, glossary: Any = None,
                   title: str | None = None, **options: Any) -> str:
    """Write `bitexts` as `fmt` (None: chosen from `out`'s extension) to `out`.
    Returns the format's name (`export` returns what was written and left out).
    `options` are the other WriteOptions: include_mt (TMX), lang_tags (BCP 47 tags such
    as ["zh-TW"]), columns (bead id and score in HTML/DOCX). Raises InputError for an
    unknown format, OutputError when the file cannot be written (nothing partial is
    left behind).
    """
    return export(bitexts, fmt, out, low_score=low_score, glossary=glossary, title=title, **options).format


def export(bitexts: Bitext | Iterable[Bitext], fmt: str | None, out: str | Path | IO, *,
           low_score: float = DEFAULT_LOW_SCORE, glossary: Any = None, title: str | None = None,
           **options: Any) -> WriteReport:
    """`export_bitexts`, returning the WriteReport: units written, and what was left out
    and why (a TMX leaves out beads with an empty side, and machine translation unless
    include_mt)."""
    if fmt is None:
        fmt = format_for_path(out) if isinstance(out, (str, Path)) else None
        if fmt is None:
            raise InputError(f"cannot tell the export format from the name {str(out)!r}",
                             hint="Pass --format (" + ", ".join(sorted(_formats.names("write"))) + ").")
    exporter = get_exporter(fmt)
    return exporter.write_bitexts(list(bitexts) if not isinstance(bitexts, Bitext) else [bitexts], out,
                                  low_score=low_score, glossary=glossary, title=title, **options)
