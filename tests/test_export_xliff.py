"""XLIFF export: valid against the XLIFF 1.2 strict schema, read back by translate-toolkit
file by file and unit by unit, with the states a reviewer works from."""

from __future__ import annotations

import io

from translate.storage.xliff import xlifffile

from aligner.export import export_bitexts, get_exporter
from aligner.io.tm_import import import_tm
from test_export_support import assert_valid_xliff, corpus_bitext, make_bitext

NS = "{urn:oasis:names:tc:xliff:document:1.2}"


def _xliff_bytes(bitexts, **options) -> bytes:
    buf = io.BytesIO()
    get_exporter("xliff").write(bitexts, buf, **options)
    return buf.getvalue()


def test_corpus_xliff_is_valid_and_translate_toolkit_reads_every_unit(tmp_path):
    bt = corpus_bitext()
    out = tmp_path / "article.xlf"
    assert export_bitexts([bt], None, out) == "xliff"
    data = out.read_bytes()
    root = assert_valid_xliff(data)
    assert root.get("version") == "1.2"
    files = root.findall(f"{NS}file")
    assert len(files) == 1
    assert (files[0].get("source-language"), files[0].get("target-language")) == ("en", "zh-CN")

    store = xlifffile.parsestring(data)
    assert store.getfilenames() == ["article.en.txt"]
    units = store.getunits()
    assert len(units) == len(bt.beads)
    for unit, (bead, src, tgt) in zip(units, bt.pairs()):
        assert unit.source == src and unit.target == tgt
        assert not unit.isreview()  # gold beads are translated, not waiting for review
    assert store.units[0].getid().endswith("0")


def test_one_file_per_bitext_and_states_for_review():
    a = make_bitext([("Aligned and sure.", "对齐且可信。"), ("Machine output.", "机器输出。"),
                     ("Aligned but doubtful.", "对齐但可疑。"), ("Violates the glossary.", "违反术语表。"),
                     ("Left untranslated.", None), (None, "多出来的译文。")],
                    origins={1: "mt"}, scores={0: 0.97, 1: 0.9, 2: 0.2, 3: 0.95},
                    metas={3: {"violations": [{"source": "CCP", "target": "中共", "found": "共产党"}]}})
    b = make_bitext([("Second document.", "第二个文件。")])  # same file name: made unique
    c = make_bitext([("第三个。", "The third.")], src_lang="zh", tgt_lang="en", src_path="c.zh.txt")
    data = _xliff_bytes([a, b, c])
    root = assert_valid_xliff(data)
    files = root.findall(f"{NS}file")
    assert [f.get("original") for f in files] == ["doc.en.txt", "doc.en.txt (2)", "c.zh.txt"]
    assert [(f.get("source-language"), f.get("target-language")) for f in files] == \
        [("en", "zh-CN"), ("en", "zh-CN"), ("zh-CN", "en")]
    units = files[0].findall(f"{NS}body/{NS}trans-unit")
    states = [u.find(f"{NS}target").get("state") for u in units]
    assert states == ["translated", "needs-review-translation", "needs-review-translation",
                      "needs-review-translation", "needs-translation", "needs-review-translation"]
    assert units[1].find(f"{NS}target").get("state-qualifier") == "mt-suggestion"
    notes = [n.text for n in units[3].findall(f"{NS}note")]
    assert "glossary violation: CCP should be translated as 中共 (found 共产党)" in notes
    assert "review: glossary violation" in notes

    store = xlifffile.parsestring(data)
    assert store.getfilenames() == ["doc.en.txt", "doc.en.txt (2)", "c.zh.txt"]
    tt_units = store.getunits()
    assert len(tt_units) == 8
    assert [u.isreview() for u in tt_units[:4]] == [False, True, True, True]
    assert tt_units[4].source == "Left untranslated." and not tt_units[4].target
    assert tt_units[7].source == "第三个。" and tt_units[7].target == "The third."


def test_memory_matches_without_a_language_take_the_bitext_s_target_language():
    # A bitext edited by hand or written by another tool may keep fuzzy matches without a
    # "lang": the alt-trans is still written (in the target language), never a crash.
    bt = make_bitext([("The party published a budget.", "该党公布了预算。")], origins={0: "mt"},
                     metas={0: {"tm": {"matches": [{"score": 85, "source": "The party published a new budget.",
                                                    "target": "该党公布了新预算。"}]}}})
    root = assert_valid_xliff(_xliff_bytes([bt]))
    alt = root.find(f"{NS}file/{NS}body/{NS}trans-unit/{NS}alt-trans")
    assert alt.get("match-quality") == "85"
    target = alt.find(f"{NS}target")
    assert (target.text, target.get("{http://www.w3.org/XML/1998/namespace}lang")) == ("该党公布了新预算。", "zh-CN")


def test_low_score_threshold_decides_the_state():
    bt = make_bitext([("A.", "甲。")], scores={0: 0.6})
    for low, state in ((0.5, "translated"), (0.7, "needs-review-translation")):
        root = assert_valid_xliff(_xliff_bytes([bt], low_score=low))
        assert root.find(f"{NS}file/{NS}body/{NS}trans-unit/{NS}target").get("state") == state


def test_control_characters_are_valid_xliff_and_come_back(tmp_path):
    pairs = [("Escape\x1b and form feed\x0c.", "换页\x0c符。"), ("Fine.", "好。")]
    bt = make_bitext(pairs)
    out = tmp_path / "ctl.xliff"
    export_bitexts([bt], None, out)
    data = out.read_bytes()
    root = assert_valid_xliff(data)
    assert len(root.findall(f".//{NS}trans-unit")) == 2
    assert len(xlifffile.parsestring(data).getunits()) == 2
    back = import_tm(out)
    assert [(s, t) for _, s, t in back.pairs()] == pairs


def test_round_trip_through_xliff_keeps_segments_languages_and_scores(tmp_path):
    bt = make_bitext([("One.", "一。"), ("Two.", None), ("Three.", "三。")], scores={0: 0.5, 2: 0.125},
                     origins={2: "mt"})
    out = tmp_path / "rt.xlf"
    export_bitexts([bt], "xliff", out)
    back = import_tm(out)
    assert (back.src_lang, back.tgt_lang) == ("en", "zh")
    assert [(b.kind, s, t) for b, s, t in back.pairs()] == [(b.kind, s, t) for b, s, t in bt.pairs()]
    assert [b.score for b in back.beads] == [0.5, None, 0.125]
    assert back.beads[2].meta["origin"] == "mt"
    assert back.beads[2].meta["state"] == "needs-review-translation"


def test_a_glossary_term_the_translation_missed_needs_review():
    failed = {"source": "cadre", "target": "干部", "status": "failed"}
    applied = {"source": "Nanjing", "target": "南京", "status": "enforced"}
    bt = make_bitext([("A cadre spoke.", "一名官员发言。"), ("In Nanjing.", "在南京。")], scores={0: 0.99, 1: 0.99},
                     metas={0: {"terms": [failed]}, 1: {"terms": [applied]}})
    units = assert_valid_xliff(_xliff_bytes([bt])).findall(f".//{NS}trans-unit")
    assert [u.find(f"{NS}target").get("state") for u in units] == ["needs-review-translation", "translated"]
    assert "review: glossary term not applied" in [n.text for n in units[0].findall(f"{NS}note")]
    assert "glossary term: cadre = 干部 (failed)" in [n.text for n in units[0].findall(f"{NS}note")]
