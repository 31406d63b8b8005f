"""Glossaries as CSV (RFC 4180: commas, double-quoted fields), the same columns as TSV.

Spreadsheets and most CAT tools import and export this; fields may hold commas, quotes
and line breaks.
"""

from __future__ import annotations

import csv
import io

from aligner.glossary.formats.base import (GlossaryFormat, Parsed, Problem, check_header, decode,
                                           header_cells, output_columns, read_header, term_values)
from aligner.glossary.model import Glossary


class CsvFormat(GlossaryFormat):
    name = "csv"
    suffixes = (".csv",)
    description = "comma-separated values with a header row (spreadsheets)"

    def parse(self, data: bytes, path: str, keep_raw: bool = True) -> Parsed:
        text = decode(data, path)
        parsed = Parsed([], [], [], [])
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = None
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                # The record began at `start`: an unclosed quote there runs to the end.
                parsed.problems.append(Problem(start, "csv", f"malformed CSV ({e})",
                                               hint="Check the quotes on this line: a quoted field "
                                                    "must end with a closing quote."))
                break
            line = start
            start = reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if header is None:
                found = read_header(row)
                header = parsed.columns = found.columns
                parsed.src_lang, parsed.tgt_lang = found.src_lang, found.tgt_lang
                parsed.labels = found.labels
                parsed.problems += check_header(header, line)
                if any(p.severity == "error" for p in parsed.problems):
                    return parsed
                if not found.absent:
                    continue
            if len(row) > len(header):
                parsed.problems.append(Problem(line, "columns", f"{len(row)} fields but the header "
                                               f"has {len(header)} columns",
                                               hint="Quote fields that contain commas."))
                continue
            values = dict(zip(header, row + [""] * (len(header) - len(row))))
            parsed.add_row(line, values)
        if header is None and not parsed.problems:
            parsed.problems.append(Problem(None, "header", "no header row"))
        return parsed

    def dumps(self, glossary: Glossary) -> bytes:
        cols = output_columns(glossary)
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header_cells(glossary, cols))
        for t in glossary.terms:
            v = term_values(t)
            w.writerow([v.get(c, "") for c in cols])
        return buf.getvalue().encode("utf-8")
