"""TSV and CSV: one row per bead, for spreadsheets and scripts.

Columns: source, target, score, id, origin, document (a header row names them, so
`aligner import` reads the file back). Spreadsheet-safe: fields are quoted when they
hold the delimiter, quotes or line breaks, and a cell that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) is written with a leading
apostrophe, the usual guard against CSV formula injection; `aligner import` removes it
again (see `escape_cell` / `unescape_cell`). CSV starts with a UTF-8 byte-order mark so
that Excel reads Chinese correctly; TSV is plain UTF-8 for scripts.
"""

from __future__ import annotations

import csv
import re
from typing import IO

from aligner.export.base import Exporter, ExportOptions, register
from aligner.export.review import document_name
from aligner.model import Bitext

COLUMNS = ["source", "target", "score", "id", "origin", "document"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_cell(text: str) -> str:
    """Guard a cell against formula injection, reversibly: text starting with a formula
    character, or with an apostrophe followed by one (or by another apostrophe), gets
    one more apostrophe in front."""
    if text.startswith(FORMULA_START) or (text.startswith("'") and text[1:2] in (*FORMULA_START, "'")):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    if text.startswith("'") and text[1:2] in (*FORMULA_START, "'"):
        return text[1:]
    return text


def _cell(text: str) -> str:
    # Lone surrogates (from undecodable file names) cannot be written as UTF-8.
    return escape_cell(_SURROGATE.sub("\ufffd", text))


class _DelimitedExporter(Exporter):
    delimiter = "\t"
    bom = False

    def _write(self, bitexts: list[Bitext], f: IO[str], options: ExportOptions) -> None:
        if self.bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=self.delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for k, bt in enumerate(bitexts):
            doc = document_name(bt, k)
            for bead, src, tgt in bt.pairs():
                score = "" if bead.score is None else f"{bead.score:.4f}"
                writer.writerow([_cell(src), _cell(tgt), score, str(bead.id), _cell(bead.origin), _cell(doc)])


@register
class TsvExporter(_DelimitedExporter):
    name = "tsv"
    suffix = ".tsv"
    suffixes = (".tsv", ".tab")
    description = "tab-separated: source, target, score, id, origin, document"
    delimiter = "\t"


@register
class CsvExporter(_DelimitedExporter):
    name = "csv"
    suffix = ".csv"
    suffixes = (".csv",)
    description = "comma-separated (Excel-ready, UTF-8 with BOM): same columns as tsv"
    delimiter = ","
    bom = True
