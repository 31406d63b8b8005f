"""TMX export: valid TMX 1.4b that translate-toolkit (the library CAT tools and Weblate
rely on) reads back unit for unit; control characters never crash or vanish; the round
trip bitext -> TMX -> import keeps every segment and language."""

from __future__ import annotations

import io

from lxml import etree
from translate.storage.tmx import tmxfile

from aligner.export import export_bitexts, get_exporter
from aligner.io.tm_import import import_tm
from test_export_support import assert_valid_tmx, corpus_bitext, make_bitext

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _tmx_bytes(bitexts, **options) -> bytes:
    buf = io.BytesIO()
    get_exporter("tmx").write(bitexts, buf, **options)
    return buf.getvalue()


def test_corpus_tmx_is_valid_and_translate_toolkit_reads_every_unit(tmp_path):
    bt = corpus_bitext()
    out = tmp_path / "article.tmx"
    assert export_bitexts([bt], None, out) == "tmx"
    data = out.read_bytes()
    root = assert_valid_tmx(data)
    header = root.find("header")
    for attr in ("creationtool", "creationtoolversion", "srclang", "adminlang", "o-tmf", "datatype"):
        assert header.get(attr), attr
    assert header.get("segtype") == "sentence"
    assert header.get("srclang") == "en"
    assert data.startswith(b"<?xml") and b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data

    store = tmxfile(io.BytesIO(data))
    assert len(store.units) == len(bt.beads) == 20  # the gold beads of the seed article
    for unit, (bead, src, tgt) in zip(store.units, bt.pairs()):
        assert unit.source == src
        assert unit.target == tgt
        assert [etree.QName(n).localname for n in unit.getlanguageNodes()] == ["tuv", "tuv"]
        assert [n.get(XML_LANG) for n in unit.getlanguageNodes()] == ["en", "zh-CN"]
    # translate-toolkit finds units by text and language, as a CAT tool's TM lookup would.
    assert store.translate(bt.src_text(bt.beads[3]), "en", "zh-CN") == bt.tgt_text(bt.beads[3])


def test_many_bitexts_go_into_one_tmx_with_origin_score_and_terms():
    a = make_bitext([("The cadre resigned.", "干部辞职了。"), ("Zhu Zhiqiang spoke.", "朱志强发言。")],
                    origins={0: "mt"}, scores={0: 0.31, 1: 0.93},
                    metas={1: {"terms": [{"source": "Zhu Zhiqiang", "target": "朱志强", "status": "ok"}],
                               "violations": ["CCP should be 中共"]}})
    b = make_bitext([("南京是江苏的省会。", "Nanjing is the capital of Jiangsu.")], src_lang="zh", tgt_lang="en",
                    src_path="other.zh.txt", tgt_path="other.en.txt")
    data = _tmx_bytes([a, b], include_mt=True)
    root = assert_valid_tmx(data)
    assert root.find("header").get("srclang") == "*all*"
    tus = root.findall("body/tu")
    assert len(tus) == 3
    assert [tu.get("srclang") for tu in tus] == ["en", "en", "zh-CN"]
    assert len({tu.get("tuid") for tu in tus}) == 3
    props = {p.get("type"): p.text for p in tus[0].findall("prop")}
    assert props == {"x-document": "doc.en.txt", "x-bead": "1-1", "x-origin": "mt", "x-score": "0.3100"}
    notes = [n.text for n in tus[1].findall("note")]
    assert "glossary term: Zhu Zhiqiang = 朱志强 (ok)" in notes
    assert "glossary violation: CCP should be 中共" in notes
    assert {p.get("type"): p.text for p in tus[2].findall("prop")}["x-document"] == "other.zh.txt"

    store = tmxfile(io.BytesIO(data))
    assert [u.source for u in store.units] == ["The cadre resigned.", "Zhu Zhiqiang spoke.", "南京是江苏的省会。"]
    assert "glossary term: Zhu Zhiqiang = 朱志强 (ok)" in store.units[1].getnotes()
    # The zh->en unit names its own source language.
    assert [n.get(XML_LANG) for n in store.units[2].getlanguageNodes()] == ["zh-CN", "en"]


def test_control_characters_never_crash_nor_drop_a_segment(tmp_path):
    pairs = [("Bell\x07 here\x1b[0m.", "响铃\x07。"), ("NUL\x00 and \ufffe and lone \ud800.", "正常。"),
             ("Plain.", "普通。"), ("Tab\tand\r\nCRLF stay.", "制表\t符。")]
    bt = make_bitext(pairs)
    out = tmp_path / "ctl.tmx"
    export_bitexts([bt], "tmx", out)
    data = out.read_bytes()
    root = assert_valid_tmx(data)
    tus = root.findall("body/tu")
    assert len(tus) == 4  # nothing dropped
    first = tus[0].findall("tuv/seg")
    assert first[0].text == "Bell\ufffd here\ufffd[0m."
    note = [n.text for n in tus[0].findall("note")][0]
    assert "source U+0007 at 4" in note and "source U+001B at 10" in note and "target U+0007 at 2" in note
    assert tus[3].findall("tuv/seg")[0].text == "Tab\tand\r\nCRLF stay."
    assert len(tmxfile(io.BytesIO(data)).units) == 4

    back = import_tm(out)
    assert [(s, t) for _, s, t in back.pairs()] == pairs  # restored from the notes


def test_round_trip_keeps_every_segment_language_and_score(tmp_path):
    bt = make_bitext([("One.", "一。"), ("Two left untranslated.", None), (None, "多出来的一句。"),
                      ("  Spaces kept  ", "  空格  "), ("Score.", "分数。")],
                     origins={0: "mt", 4: "aligned"}, scores={0: 0.25, 4: 0.875})
    out = tmp_path / "rt.tmx"
    export_bitexts([bt], "tmx", out, include_mt=True)
    back = import_tm(out)
    assert (back.src_lang, back.tgt_lang) == ("en", "zh")
    # Beads with an empty side are not translation units (issue 11): the others come back.
    units = [(b.kind, s, t) for b, s, t in bt.pairs() if b.kind == "1-1"]
    assert [(b.kind, s, t) for b, s, t in back.pairs()] == units
    assert [b.score for b in back.beads] == [0.25, None, 0.875]
    assert {b.origin for b in back.beads} == {"import"}
    assert back.beads[0].meta["origin"] == "mt"
    # The imported bitext is a bitext like any other: it survives the JSONL file.
    from aligner.io.bitext_jsonl import read_bitext, write_bitext
    write_bitext(back, tmp_path / "rt.jsonl")
    again = read_bitext(tmp_path / "rt.jsonl")
    assert [(s, t) for _, s, t in again.pairs()] == [(s, t) for _, s, t in back.pairs()]


def test_zh_to_en_round_trip_and_empty_bitext(tmp_path):
    bt = make_bitext([("朱志强宣布退党。", "Zhu Zhiqiang announced he quit the Party.")], src_lang="zh", tgt_lang="en")
    out = tmp_path / "zh.tmx"
    export_bitexts(bt, "tmx", out)
    back = import_tm(out)
    assert (back.src_lang, back.tgt_lang) == ("zh", "en")
    assert back.src_text(back.beads[0]) == "朱志强宣布退党。"

    empty = make_bitext([])
    root = assert_valid_tmx(_tmx_bytes([empty]))
    assert root.findall("body/tu") == []
