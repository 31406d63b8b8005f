"""TSV and CSV: one row per bead, for spreadsheets and scripts.

Columns: source, target, score, id, origin, document (a header row names them, so
the reader reads the file back). Spreadsheet-safe: fields are quoted when they
hold the delimiter, quotes or line breaks, and a cell that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) is written with a leading
apostrophe, the usual guard against CSV formula injection; the reader removes it
again (see `escape_cell` / `unescape_cell`). CSV starts with a UTF-8 byte-order mark so
that Excel reads Chinese correctly; TSV is plain UTF-8 for scripts.

Reading: a header row naming `source` and `target` columns (other columns are kept as
bead metadata, `score` as the bead's score) or, without one, the first two columns.
CSV's delimiter (, ; or tab) is read from the first record.
"""

from __future__ import annotations

import csv
import io
import re
from typing import IO, Any

from aligner.errors import InputError
from aligner.formats.base import WriteOptions
from aligner.formats.common import document_name
from aligner.formats.units import Memory, Unit, UnitFormat
from aligner.io.text import decode_bytes
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


# Header names of the source and target columns the reader recognises.
_SOURCE_ALIASES = ("source", "src", "source text", "source_text")
_TARGET_ALIASES = ("target", "tgt", "translation", "target text", "target_text")


class DelimitedFormat(UnitFormat):
    delimiter = "\t"
    bom = False

    def _parse_units(self, data: bytes, name: str, src_lang: str | None, tgt_lang: str | None) -> Memory:
        return parse_delimited(data, name, self.name, src_lang, tgt_lang)

    def _write(self, bitexts: list[Bitext], f: IO[str], options: WriteOptions) -> None:
        if self.bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=self.delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for k, bt in enumerate(bitexts):
            doc = document_name(bt, k)
            for bead, src, tgt in bt.pairs():
                score = "" if bead.score is None else f"{bead.score:.4f}"
                writer.writerow([_cell(src), _cell(tgt), score, str(bead.id), _cell(bead.origin), _cell(doc)])


class TsvFormat(DelimitedFormat):
    name = "tsv"
    extensions = (".tsv", ".tab")
    read_extensions = (".tsv", ".tab", ".txt")
    mime_types = ("text/tab-separated-values",)
    description = "tab-separated: source, target, score, id, origin, document"
    delimiter = "\t"


class CsvFormat(DelimitedFormat):
    name = "csv"
    extensions = (".csv",)
    mime_types = ("text/csv",)
    description = "comma-separated (Excel-ready, UTF-8 with BOM): same columns as tsv"
    delimiter = ","
    bom = True


# --- reading ----------------------------------------------------------------------------

def _csv_delimiter(text: str) -> str:
    """, ; or tab, read from the first record: the one whose header names the source and
    target columns, else the one that splits it into the most fields (a comma on a tie).
    (csv.Sniffer guesses from character counts over the whole sample, so a tab or a
    semicolon inside quoted text misleads it.)"""
    best, best_key = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        names = {c.strip().lower() for c in first}
        key = (bool(names & set(_SOURCE_ALIASES)) + bool(names & set(_TARGET_ALIASES)), len(first))
        if key > best_key:
            best, best_key = delimiter, key
    return best


def parse_delimited(data: bytes, name: str, fmt: str, src: str | None, tgt: str | None) -> Memory:
    text = decode_bytes(data, name)
    # A unit may hold a whole document: no field limit below the file's own size.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    delimiter = _csv_delimiter(text) if fmt == "csv" else "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1  # the line a record begins on (a quoted field may span lines)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"malformed {fmt.upper()}: {e}", path=name, line=start,
                         hint="Check the quoting on that line.") from None
    if not rows:
        raise InputError("no rows in this file", path=name)
    first = [c.strip().lower() for c in rows[0][1]]
    src_col = next((first.index(a) for a in _SOURCE_ALIASES if a in first), None)
    tgt_col = next((first.index(a) for a in _TARGET_ALIASES if a in first), None)
    header: list[str] | None = None
    if src_col is not None and tgt_col is not None:
        header = [c.strip() for c in rows[0][1]]
        rows = rows[1:]
    else:
        src_col, tgt_col = 0, 1
    sep_name = "a tab" if delimiter == "\t" else repr(delimiter)
    units = []
    for line, row in rows:
        if len(row) <= max(src_col, tgt_col) and any("\n" in cell for cell in row):
            raise InputError(f"a quoted field that starts here is never closed (it runs to line "
                             f"{line + sum(c.count(chr(10)) for c in row)})", path=name, line=line,
                             hint="Close the quote, or double a quote inside a field (\"\").")
        if len(row) <= max(src_col, tgt_col):
            raise InputError(f"expected at least {max(src_col, tgt_col) + 1} columns, found {len(row)}",
                             path=name, line=line,
                             hint=f"Separate the source and target with {sep_name}"
                                  + (" (the header row names the columns)." if header else
                                     ", or start the file with a header row naming the source and target columns."))
        meta: dict[str, Any] = {}
        score = None
        for i, cell in enumerate(row):
            if i in (src_col, tgt_col):
                continue
            key = header[i] if header and i < len(header) and header[i] else f"column {i + 1}"
            value = unescape_cell(cell.strip())
            if key.lower() == "score":
                try:
                    score = float(value) if value else None
                    continue
                except ValueError:
                    pass
            if value:
                meta[key] = value
        units.append(Unit(unescape_cell(row[src_col].strip()), unescape_cell(row[tgt_col].strip()),
                          score, meta, line))
    return Memory(units, src, tgt)
