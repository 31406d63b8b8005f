"""Existing translation memories -> a bitext: the command-level API of `aligner import`.

TMX (any version CAT tools write), XLIFF 1.x (including segmented <seg-source> files
from Trados/memoQ) and TSV/CSV become one bitext whose beads have origin "import";
`glossary check` and `glossary extract` then work on them like on any bitext. The
readers live with their writers in aligner.formats (tmx, xliff, tsv), the units and
their conversion in aligner.formats.units, the safe XML parser in aligner.text.xml;
this module keeps the names existing callers use (import_tm, parse_tm, Memory, Unit,
format_for_tm, parse_xml_safely).
"""

from __future__ import annotations

from pathlib import Path

from aligner import formats as _formats
from aligner.errors import InputError, UsageError
from aligner.formats.base import read_source
from aligner.formats.units import Memory, Unit, units_to_bitext
from aligner.model import Bitext
from aligner.text import xml as _xml

__all__ = ["import_tm", "parse_tm", "IMPORT_FORMATS", "format_for_tm", "parse_xml_safely", "Memory", "Unit"]

# extension -> format, for the formats that read translation units.
IMPORT_FORMATS = {ext: f.name for f in _formats.formats("memory") for ext in f.suffixes_for("read")}

_prolog_declares_entities = _xml.prolog_declares_entities


def parse_xml_safely(data: bytes, name: str):
    """aligner.text.xml.parse_xml_safely (with this module's prolog scan, which tests replace)."""
    return _xml.parse_checked(data, name, _prolog_declares_entities)


def format_for_tm(path: str | Path) -> str | None:
    return _formats.format_for_path(path, want="memory")


def parse_tm(data: bytes, name: str, fmt: str, src_lang: str | None = None,
             tgt_lang: str | None = None) -> Memory:
    if not data.strip():
        raise InputError("empty file", path=name, hint="Check that you gave the right file.")
    try:
        reader = _formats.get_format(fmt, "memory")
    except InputError:
        raise InputError(f"unknown translation-memory format {fmt!r}", path=name,
                         hint="Formats: tmx, xliff, tsv, csv.") from None
    return reader.read_units(data, name, src_lang, tgt_lang)


def import_tm(path: str | Path, *, fmt: str | None = None, src_lang: str | None = None,
              tgt_lang: str | None = None, data: bytes | None = None, lang_tags=None) -> Bitext:
    """Read a translation memory (TMX, XLIFF, TSV, CSV) into a bitext.

    `path` "-" reads stdin (then `fmt` is required). `src_lang`/`tgt_lang` override the
    languages the file names or the text suggests; `lang_tags` (BCP 47, e.g. ["zh-TW"])
    replace the file's language tags in the bitext's meta. Raises InputError for unreadable,
    malformed, hostile or empty files, naming the file and line.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    fmt = fmt or format_for_tm(path)
    if fmt is None:
        raise UsageError("cannot tell the format from the file name", path=name,
                         hint="Pass --format tmx, xliff, tsv or csv.")
    if data is None:
        data = read_source(path, name, "a translation memory file")[0]
    memory = parse_tm(data, name, fmt, src_lang, tgt_lang)
    return units_to_bitext(memory, name, None if str(path) == "-" else str(path), fmt, lang_tags)
