"""A CAT tool's XLIFF pre-translated by `aligner translate` (issue 12): every untranslated unit
gets a target in the machine-translation state, units already translated or marked
translate="no" are left alone, the file stays valid against its schema and translate-toolkit
reads it, and the inline codes land around the words the fixture model's known (word for
word) alignment gives -- through the real CLI and the fixture models."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import etree

import fixture_model
from aligner.cli import main
from aligner.io.bitext_jsonl import read_bitext
from test_cat_exchange import assert_valid_xliff2
from test_export_support import assert_valid_xliff

X1 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"

CAT_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="news.html" source-language="en-US" target-language="zh-CN" datatype="html">
  <body>
   <trans-unit id="done" approved="yes"><source>Zhu Zhiqiang is a cadre.</source><target state="final">朱志强是干部。</target></trans-unit>
   <trans-unit id="brand" translate="no"><source>Epoch Times</source></trans-unit>
   <group id="g" translate="no"><trans-unit id="ingroup"><source>The media said.</source></trans-unit></group>
   <trans-unit id="bold"><source>He was <g id="1" ctype="bold">stripped of his position</g> in 1999.</source></trans-unit>
   <trans-unit id="pair"><source>He was <bx id="2" rid="r1"/>stripped of his position<ex id="3" rid="r1"/> in 1999.</source><target state="new"/></trans-unit>
   <trans-unit id="ph"><source>He lives in Nanjing.<x id="4"/> The media said <ph id="5">&lt;br/&gt;</ph>nothing.</source></trans-unit>
  </body>
 </file>
</xliff>
"""

CAT_XLIFF2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="zh-CN">
 <file id="f1">
  <unit id="done"><segment state="final"><source>Zhu Zhiqiang is a cadre.</source><target>朱志强是干部。</target></segment></unit>
  <unit id="brand" translate="no"><segment><source>Epoch Times</source></segment></unit>
  <unit id="pc"><segment><source>He was <pc id="1">stripped of his position</pc> in 1999.</source></segment></unit>
  <unit id="sc"><segment><source>He was <sc id="2"/>stripped of his position<ec startRef="2"/> in 1999.</source></segment>
   <segment><source>He lives in Nanjing.<ph id="3"/></source></segment></unit>
 </file>
</xliff>
"""


@pytest.fixture(scope="module")
def ref(fixture_packages):
    sp = fixture_packages["en-zh"] / "sentencepiece.model"
    return lambda text: fixture_model.reference_translation(text, "en-zh", sp)


def _units(data: bytes, ns: str, tag: str) -> dict[str, etree._Element]:
    return {u.get("id"): u for u in etree.fromstring(data).iter(f"{{{ns}}}{tag}")}


def _inner(el) -> str:
    """An element's content as XML, without the namespace declarations."""
    text = (el.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in el)
    return text.replace(f' xmlns="{X1}"', "").replace(f' xmlns="{X2}"', "")


def _translate(tmp_path, name: str, text: str, *extra: str):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--out", str(out), "-q", *extra])
    return r, src, out


def test_translate_xliff_12_fills_the_untranslated_units_with_codes_on_the_right_words(tmp_path, argos_dir, ref):
    r, src, out = _translate(tmp_path, "news.en.xlf", CAT_XLIFF)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["news.en-zh.jsonl", "news.zh.xlf"]
    data = (out / "news.zh.xlf").read_bytes()
    root = assert_valid_xliff(data)
    before, after = _units(src.read_bytes(), X1, "trans-unit"), _units(data, X1, "trans-unit")
    for uid in ("done", "brand", "ingroup"):  # left alone
        assert etree.tostring(after[uid]) == etree.tostring(before[uid])
    for uid in ("bold", "pair", "ph"):
        target = after[uid].find(f"{{{X1}}}target")
        assert (target.get("state"), target.get("state-qualifier")) == ("needs-review-translation", "mt-suggestion")
        assert target.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
        assert after[uid].get("approved") is None
    t = lambda uid: _inner(after[uid].find(f"{{{X1}}}target"))  # noqa: E731
    # around the right words, not around the sentence
    assert t("bold") == f'{ref("He was")}<g id="1" ctype="bold">{ref("stripped of his position")}</g>{ref("in 1999.")}'
    assert t("pair") == (f'{ref("He was")}<bx id="2" rid="r1"/>{ref("stripped of his position")}<ex id="3" rid="r1"/>'
                         f'{ref("in 1999.")}')
    assert t("ph") == (f'{ref("He lives in Nanjing.")}<x id="4"/>{ref("The media said")}<ph id="5">&lt;br/&gt;</ph>'
                       f'{ref("nothing.")}')
    assert root.find(f"{{{X1}}}file").get("target-language") == "zh-CN"
    # translate-toolkit reads it: the done unit translated, the new ones fuzzy (to review)
    from translate.storage import xliff as tt_xliff
    store = tt_xliff.xlifffile.parsestring(data)
    got = {u.getid().split("\x04")[-1]: (u.isfuzzy(), u.gettarget()) for u in store.units if u.istranslatable()}
    assert got["done"] == (False, "朱志强是干部。")
    assert {uid: got[uid][0] for uid in ("bold", "pair", "ph")} == {"bold": True, "pair": True, "ph": True}
    # the bitext beside it holds the new translations
    bitext = read_bitext(out / "news.en-zh.jsonl")
    assert [bitext.src_text(b) for b in bitext.beads] == [
        "He was stripped of his position in 1999.", "He was stripped of his position in 1999.",
        "He lives in Nanjing.", "The media said nothing."]
    assert all(b.origin == "mt" for b in bitext.beads)
    # a second run finds it current
    r = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--out", str(out)])
    assert r.exit_code == 0 and "1 file already up to date" in r.output


def test_translate_xliff_2_keeps_it_schema_valid_with_pc_sc_ec_and_ph_placed(tmp_path, argos_dir, ref):
    r, src, out = _translate(tmp_path, "news.xlf", CAT_XLIFF2)
    assert r.exit_code == 0, r.output
    data = (out / "news.zh.xlf").read_bytes()
    assert_valid_xliff2(data)
    before, after = _units(src.read_bytes(), X2, "unit"), _units(data, X2, "unit")
    for uid in ("done", "brand"):
        assert etree.tostring(after[uid]) == etree.tostring(before[uid])
    segs = [s for uid in ("pc", "sc") for s in after[uid].iter(f"{{{X2}}}segment")]
    assert [(s.get("state"), s.get("subState")) for s in segs] == [("initial", "aligner:mt")] * 3
    targets = [_inner(s.find(f"{{{X2}}}target")) for s in segs]
    assert targets == [
        f'{ref("He was")}<pc id="1">{ref("stripped of his position")}</pc>{ref("in 1999.")}',
        f'{ref("He was")}<sc id="2"/>{ref("stripped of his position")}<ec startRef="2"/>{ref("in 1999.")}',
        f'{ref("He lives in Nanjing.")}<ph id="3"/>']


def test_xliff_without_attention_falls_back_but_keeps_every_code_and_stays_valid(tmp_path, fixture_packages):
    """Translations given as plain text (no attention): the documented fallback wraps the
    sentence, and nothing is dropped."""
    from aligner.formats import get_format

    src = tmp_path / "a.xlf"
    src.write_text(CAT_XLIFF, encoding="utf-8")
    fmt = get_format("xliff")
    doc = fmt.read_document(src)
    assert doc.lang == "en" and len(doc.segments) == 4
    fmt.write_document(doc, ["他被撤职了。", "他被撤职了。", "他住在南京。", "媒体说没什么。"], tmp_path / "a.zh.xlf",
                       tgt_lang="zh")
    after = _units((tmp_path / "a.zh.xlf").read_bytes(), X1, "trans-unit")
    assert_valid_xliff((tmp_path / "a.zh.xlf").read_bytes())
    assert _inner(after["bold"].find(f"{{{X1}}}target")) == '<g id="1" ctype="bold">他被撤职了。</g>'
    pair = _inner(after["pair"].find(f"{{{X1}}}target"))
    assert pair.count("<bx ") == pair.count("<ex ") == 1 and "撤职" in pair
    ph = _inner(after["ph"].find(f"{{{X1}}}target"))
    assert ph.count('<x id="4"/>') == 1 and ph.count('<ph id="5">') == 1


def test_xliff_folder_batch_and_nothing_to_translate_is_one_clear_error(tmp_path, argos_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlf").write_text(CAT_XLIFF, encoding="utf-8")
    (folder / "b.xliff").write_text(CAT_XLIFF2, encoding="utf-8")
    (folder / "note.en.txt").write_text("The media said.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["translate", str(folder), "--to", "zh", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "translated 3 files" in r.output
    assert {"a.zh.xlf", "b.zh.xliff", "note.zh.txt"} <= {p.name for p in out.iterdir()}
    assert_valid_xliff((out / "a.zh.xlf").read_bytes())
    assert_valid_xliff2((out / "b.zh.xliff").read_bytes())
    # an XLIFF with nothing left to translate is skipped in a folder (listed), refused when named
    (folder / "done.xlf").write_bytes((out / "a.zh.xlf").read_bytes())
    r = CliRunner().invoke(main, ["translate", str(folder), "--to", "zh", "--out", str(tmp_path / "again")])
    assert r.exit_code == 0, r.output
    assert "translated 3 files" in r.output and "done.xlf: XLIFF with nothing left to translate" in r.output
    done = tmp_path / "done.xlf"
    done.write_bytes((out / "a.zh.xlf").read_bytes())
    r = CliRunner().invoke(main, ["translate", str(done), "--to", "zh", "--out", str(tmp_path / "o2")])
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert "done.xlf: nothing to translate in this XLIFF" in r.output
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())
    wrong = tmp_path / "de.xlf"
    wrong.write_text(CAT_XLIFF.replace('target-language="zh-CN"', 'target-language="de-DE"'), encoding="utf-8")
    r = CliRunner().invoke(main, ["translate", str(wrong), "--to", "zh", "--out", str(tmp_path / "o3")])
    assert r.exit_code == 3 and "translated into de-DE, not zh" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o3" / "de.zh.xlf").exists()


def test_xliff_states_follow_where_each_translation_came_from(tmp_path, fixture_packages):
    """A unit the translation memory answered exactly is "translated"/"exact-match", an applied
    fuzzy match is to review ("fuzzy-match"), machine translation "mt-suggestion" (the beads'
    origins, as aligner.translate.reuse sets them)."""
    from aligner.formats import get_format
    from aligner.translate.documents import translate_rich
    from aligner.translate.engine import Engine

    engine = Engine.load("en", "zh", packages_dir=fixture_packages["en-zh"].parent)
    src = tmp_path / "a.xlf"
    src.write_text(CAT_XLIFF, encoding="utf-8")
    fmt = get_format("xliff")
    doc = fmt.read_document(src)
    bitext, translations = translate_rich(engine, doc, "zh")
    bitext.beads[0].origin, bitext.beads[0].meta["tm"] = "tm", {"match": "100", "score": 100}
    bitext.beads[1].origin, bitext.beads[1].meta["tm"] = "tm", {"match": "fuzzy", "score": 80, "review": True}
    fmt.write_document(doc, translations, tmp_path / "a.zh.xlf", tgt_lang="zh", bitext=bitext)
    data = (tmp_path / "a.zh.xlf").read_bytes()
    assert_valid_xliff(data)
    after = _units(data, X1, "trans-unit")
    states = {uid: (after[uid].find(f"{{{X1}}}target").get("state"),
                    after[uid].find(f"{{{X1}}}target").get("state-qualifier")) for uid in ("bold", "pair", "ph")}
    assert states == {"bold": ("translated", "exact-match"), "pair": ("needs-review-translation", "fuzzy-match"),
                      "ph": ("needs-review-translation", "mt-suggestion")}


SEGMENTED = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="memo.docx" source-language="en-US" target-language="zh-CN" datatype="x-sdlfilterframework2">
  <body>
   <trans-unit id="u1"><source>He was stripped of his position. The media said.</source>
    <seg-source><mrk mtype="seg" mid="1">He was <g id="5">stripped of his position</g>.</mrk> <mrk mtype="seg" mid="2">The media said.</mrk></seg-source>
   </trans-unit>
   <trans-unit id="u2"><source>He lives in Nanjing. The media said.</source>
    <seg-source><mrk mtype="seg" mid="3">He lives in Nanjing.</mrk> <mrk mtype="seg" mid="4">The media said.</mrk></seg-source>
    <target><mrk mtype="seg" mid="3">他住在南京。</mrk> <mrk mtype="seg" mid="4"/></target>
   </trans-unit>
  </body>
 </file>
</xliff>
"""


def test_segmented_xliff_from_trados_or_memoq_is_translated_segment_by_segment(tmp_path, argos_dir, ref):
    r, src, out = _translate(tmp_path, "memo.en.sdlxliff", SEGMENTED)
    assert r.exit_code == 0, r.output
    data = (out / "memo.zh.sdlxliff").read_bytes()
    assert_valid_xliff(data)
    units = _units(data, X1, "trans-unit")
    marks = lambda uid: {m.get("mid"): _inner(m) for m in units[uid].find(f"{{{X1}}}target")  # noqa: E731
                         .iter(f"{{{X1}}}mrk")}
    assert marks("u1") == {"1": f'{ref("He was")}<g id="5">{ref("stripped of his position")}</g>{ref(".")}',
                           "2": ref("The media said.")}
    assert marks("u2") == {"3": "他住在南京。", "4": ref("The media said.")}  # the translated one left alone
    for uid in ("u1", "u2"):
        target = units[uid].find(f"{{{X1}}}target")
        assert target.get("state") == "needs-review-translation"
        assert etree.tostring(units[uid].find(f"{{{X1}}}seg-source")) == etree.tostring(
            _units(src.read_bytes(), X1, "trans-unit")[uid].find(f"{{{X1}}}seg-source"))
    # our own reader sees the segments with their translations
    from aligner.formats import get_format
    memory = get_format("xliff").read_units(data, "memo.zh.sdlxliff")
    assert [(u.source, u.target) for u in memory.units][1:3] == [
        ("The media said.", ref("The media said.")), ("He lives in Nanjing.", "他住在南京。")]


def test_xliff_glossary_holds_inside_the_codes(tmp_path, argos_dir):
    text = CAT_XLIFF.replace("<source>He was <g id=\"1\" ctype=\"bold\">stripped of his position</g> in 1999.</source>",
                             "<source>He became a <g id=\"1\" ctype=\"bold\">cadre</g> in Nanjing.</source>")
    r, src, out = _translate(tmp_path, "cadre.xlf", text, "--glossary", "glossaries/news.tsv")
    assert r.exit_code == 0, r.output
    data = (out / "cadre.zh.xlf").read_bytes()
    assert_valid_xliff(data)
    target = _units(data, X1, "trans-unit")["bold"].find(f"{{{X1}}}target")
    assert [("".join(g.itertext()), g.get("id")) for g in target] == [("干部", "1")]  # the code on the enforced term
    assert "南京" in "".join(target.itertext())
    bitext = read_bitext(out / "cadre.en-zh.jsonl")
    assert {t["status"] for t in bitext.beads[0].meta["terms"]} == {"enforced"}


def test_translate_xliff_with_a_memory_takes_its_exact_match_in_the_exact_match_state(tmp_path, argos_dir):
    """`translate file.xlf --tm` (issues 12 and 13 together): a unit the memory holds exactly gets
    the memory's target as "translated"/"exact-match", the others machine translation."""
    tsv = tmp_path / "old.tsv"
    tsv.write_text("source\ttarget\nThe media said.\t媒体早就说过了。\n", encoding="utf-8")
    memory = tmp_path / "tm.db"
    r = CliRunner().invoke(main, ["tm", "import", str(tsv), "--tm", str(memory), "--from", "en", "--to", "zh", "-q"])
    assert r.exit_code == 0, r.output
    xliff = CAT_XLIFF.replace('<trans-unit id="bold">', '<trans-unit id="said"><source>The media said.</source>'
                              '</trans-unit><trans-unit id="bold">')
    r, src, out = _translate(tmp_path, "news.xlf", xliff, "--tm", str(memory))
    assert r.exit_code == 0, r.output
    data = (out / "news.zh.xlf").read_bytes()
    assert_valid_xliff(data)
    units = _units(data, X1, "trans-unit")
    said = units["said"].find(f"{{{X1}}}target")
    assert (said.text, said.get("state"), said.get("state-qualifier")) == \
        ("媒体早就说过了。", "translated", "exact-match")
    bold = units["bold"].find(f"{{{X1}}}target")
    assert (bold.get("state"), bold.get("state-qualifier")) == ("needs-review-translation", "mt-suggestion")
