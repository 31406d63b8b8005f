"""Glossary file formats, one small module each behind `GlossaryFormat`, chosen by name
(`--format tbx`) or by the file's suffix.

    fmt = get_format(path="terms.tbx")        # TbxFormat
    g = read_glossary("glossaries/news.tsv")
    write_glossary(g, "news.tbx")             # atomically
"""

from __future__ import annotations

from pathlib import Path

from aligner.errors import InputError, UsageError
from aligner.glossary.formats.base import GlossaryFormat, Parsed, Problem
from aligner.glossary.formats.csv import CsvFormat
from aligner.glossary.formats.jsonl import JsonlFormat
from aligner.glossary.formats.tbx import TbxFormat
from aligner.glossary.formats.tsv import TsvFormat
from aligner.glossary.model import Glossary

FORMATS: dict[str, GlossaryFormat] = {f.name: f for f in (TsvFormat(), CsvFormat(), TbxFormat(),
                                                           JsonlFormat())}

__all__ = ["FORMATS", "GlossaryFormat", "Parsed", "Problem", "get_format", "read_glossary",
           "write_glossary"]


def get_format(name: str | None = None, path: str | Path | None = None) -> GlossaryFormat:
    if name:
        fmt = FORMATS.get(name.lower())
        if fmt is None:
            raise UsageError(f"unknown glossary format {name!r}",
                             hint=f"Use one of: {', '.join(FORMATS)}.")
        return fmt
    if path is not None and Path(path).is_dir():  # an input problem, before the name's
        raise InputError("is a directory, expected a glossary file", path=str(path))
    suffix = Path(str(path or "")).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    raise UsageError(f"cannot tell the glossary format from the name (suffix {suffix or 'none'!r})",
                     path=str(path) if path else None,
                     hint=f"Name it .tsv, .csv, .tbx or .jsonl, or give --format ({', '.join(FORMATS)}).")


def read_glossary(path: str | Path, format: str | None = None) -> Glossary:
    if Path(path).is_dir():
        raise InputError("is a directory, expected a glossary file", path=str(path))
    return get_format(format, path).read(path)


def write_glossary(glossary: Glossary, path: str | Path, format: str | None = None) -> None:
    get_format(format, path).write(glossary, path)
