"""JSONL export (the project's own bitext, several merged into one) and the DOCX
bilingual review table, read back with python-docx."""

from __future__ import annotations

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from aligner.errors import InputError
from aligner.export import export_bitexts
from aligner.io.bitext_jsonl import dumps_bitext, read_bitext
from test_export_support import corpus_bitext, make_bitext


def test_jsonl_of_one_bitext_is_the_bitext_file(tmp_path):
    bt = corpus_bitext()
    out = tmp_path / "a.jsonl"
    export_bitexts([bt], None, out)
    assert out.read_text(encoding="utf-8") == dumps_bitext(bt)


def test_jsonl_merges_bitexts_of_one_language_pair(tmp_path):
    a = make_bitext([("One.", "一。"), ("Two.", None)], scores={0: 0.5}, src_path="a.en.txt")
    b = make_bitext([(None, "额外。"), ("Three.", "三。")], src_path="b.en.txt", metas={1: {"x": 1}})
    out = tmp_path / "m.jsonl"
    export_bitexts([a, b], "jsonl", out)
    merged = read_bitext(out)
    assert [(bd.kind, s, t) for bd, s, t in merged.pairs()] == \
        [(bd.kind, s, t) for bt in (a, b) for bd, s, t in bt.pairs()]
    assert [bd.id for bd in merged.beads] == [0, 1, 2, 3]
    assert [bd.meta["document"] for bd in merged.beads] == ["a.en.txt", "a.en.txt", "b.en.txt", "b.en.txt"]
    assert merged.beads[3].meta["x"] == 1 and merged.beads[0].score == 0.5
    for doc in (merged.source, merged.target):
        assert all(doc.text[s.start:s.end] == s.text for s in doc.segments)

    c = make_bitext([("中文。", "English.")], src_lang="zh", tgt_lang="en")
    with pytest.raises(InputError, match="different language pairs"):
        export_bitexts([a, c], "jsonl", tmp_path / "bad.jsonl")
    assert not (tmp_path / "bad.jsonl").exists()


def test_docx_is_a_two_column_review_table(tmp_path):
    bt = make_bitext([("Zhu Zhiqiang quit.", "朱志强退出了。"), ("Machine output.", "机器输出。"),
                      ("Bell\x07 inside.", "响铃。")],
                     origins={1: "mt"}, scores={1: 0.3},
                     metas={0: {"terms": [{"source": "Zhu Zhiqiang", "target": "朱志强", "status": "ok"}]}})
    out = tmp_path / "review.docx"
    export_bitexts([bt], None, out, title="Client review", columns=False)  # without id and score columns
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "Client review"
    assert len(d.tables) == 1
    table = d.tables[0]
    assert len(table.columns) == 2
    assert [c.text for c in table.rows[0].cells] == ["English", "中文"]
    assert [table.rows[i + 1].cells[0].text for i in range(3)] == ["Zhu Zhiqiang quit.", "Machine output.",
                                                                   "Bell\u2407 inside."]
    assert table.rows[1].cells[1].paragraphs[0].text == "朱志强退出了。"
    highlighted = [r.text for cell in table.rows[1].cells for p in cell.paragraphs for r in p.runs
                   if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert highlighted == ["Zhu Zhiqiang", "朱志强"]
    flagged = table.rows[2].cells[1].paragraphs
    assert flagged[0].text == "机器输出。"
    assert flagged[1].text == "Check: machine translation, low score 0.30"
    # nothing to check there; the term the model got right is said so
    assert [p.text for p in table.rows[1].cells[1].paragraphs][1:] == ["Zhu Zhiqiang \u2192 朱志强: right from the model"]


def test_docx_of_several_bitexts_has_a_table_each(tmp_path):
    out = tmp_path / "two.docx"
    export_bitexts([make_bitext([("A.", "甲。")], src_path="a.en.txt"),
                    make_bitext([("B.", "乙。"), ("C.", "丙。")], src_path="b.en.txt")], "docx", out)
    d = docx.Document(str(out))
    assert [len(t.rows) for t in d.tables] == [2, 3]
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 2"] == ["a.en.txt", "b.en.txt"]
