"""TSV/CSV export: columns, quoting, formula-injection guard, and reading back."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from aligner.export import export_bitexts
from aligner.export.tsv import COLUMNS, FORMULA_START, escape_cell, unescape_cell
from aligner.io.tm_import import import_tm
from test_export_support import make_bitext

HOSTILE = [("=HYPERLINK(\"http://x\",\"click\")", "+1+1"), ("-2+3", "@SUM(A1:A9)"),
           ("'=already quoted", "\ttab first"), ("Quote \"inside\", comma", "换行\n在中间"),
           ("A plain sentence.", "一句普通的话。")]


def _rows(path, delimiter):
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_tsv_has_the_columns_and_one_row_per_bead(tmp_path):
    bt = make_bitext([("One.", "一。"), ("Two.", None)], scores={0: 0.875}, origins={0: "mt"})
    out = tmp_path / "a.tsv"
    export_bitexts([bt], None, out)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # TSV is for scripts: no BOM
    rows = _rows(out, "\t")
    assert rows[0] == COLUMNS == ["source", "target", "score", "id", "origin", "document"]
    assert rows[1] == ["One.", "一。", "0.8750", "0", "mt", "doc.en.txt"]
    assert rows[2] == ["Two.", "", "", "1", "aligned", "doc.en.txt"]


def test_csv_is_spreadsheet_safe_and_reads_back(tmp_path):
    bt = make_bitext(HOSTILE)
    out = tmp_path / "a.csv"
    export_bitexts([bt], "csv", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 Chinese only with a BOM
    rows = _rows(out, ",")
    cells = [c for row in rows[1:] for c in row[:2]]
    assert len(rows) == 1 + len(HOSTILE)
    # No cell a spreadsheet would evaluate.
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert rows[1][0] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert rows[3][0] == "''=already quoted"
    assert rows[4][1] == "换行\n在中间"  # quoted, not split into two rows
    back = import_tm(out)
    assert [(s, t) for _, s, t in back.pairs()] == HOSTILE


def test_tsv_quotes_tabs_and_line_breaks(tmp_path):
    pairs = [("tab\tinside", "引号\"在内"), ("line\nbreak", "普通")]
    out = tmp_path / "q.tsv"
    export_bitexts([make_bitext(pairs)], "tsv", out)
    rows = _rows(out, "\t")
    assert [tuple(r[:2]) for r in rows[1:]] == pairs
    assert [(s, t) for _, s, t in import_tm(out).pairs()] == pairs


@given(st.text())
def test_formula_guard_is_reversible_and_complete(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(FORMULA_START)
