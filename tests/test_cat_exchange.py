"""What CAT tools need from our exports and imports (issue 11), item by item, through the
real writers and readers: translation memories hold human translations only, XLIFF
states, language tags, concept-oriented TBX, translatable units and inline codes, XLIFF
2.0, the glossary check in review exports, and the DOCX review table.

The same behaviour checked with the tools themselves (OmegaT, translate-toolkit's
commands, LibreOffice) is in test_cat_tools.py."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from click.testing import CliRunner

from aligner.cli import main
from aligner.errors import InputError
from aligner.export import export, export_bitexts
from aligner.formats import get_format
from aligner.glossary import load_glossaries
from aligner.glossary.formats import get_format as glossary_format, read_glossary
from aligner.glossary.model import Glossary, Term
from aligner.io.bitext_jsonl import read_bitext, write_bitext
from aligner.io.tm_import import import_tm

from test_export_support import SCHEMAS, _LocalSchemas, assert_valid_tmx, assert_valid_xliff, make_bitext

X1 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _bytes(fmt: str, bitexts, **options) -> bytes:
    buf = io.BytesIO()
    get_format(fmt).write_bitexts(bitexts, buf, **options)
    return buf.getvalue()


_xliff2 = None


def assert_valid_xliff2(data: bytes) -> etree._Element:
    """Valid against the OASIS XLIFF 2.0 core schema (tests/schemas/xliff_core_2.0.xsd)."""
    global _xliff2
    if _xliff2 is None:
        parser = etree.XMLParser(no_network=True)
        parser.resolvers.add(_LocalSchemas())
        _xliff2 = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff_core_2.0.xsd"), parser))
    root = etree.fromstring(data, etree.XMLParser(no_network=True, load_dtd=False))
    assert _xliff2.validate(root), _xliff2.error_log.filter_from_errors()
    return root


def mixed_bitext():
    """Human 1-1 beads, a 1-0 (source left untranslated), a 0-1 and a machine translation."""
    return make_bitext([("He lives in Nanjing.", None), (None, "多出来的一句。"), ("Hello.", "你好。"),
                        ("The cadre resigned.", "干部辞职了。"), ("Machine output.", "机器输出。")],
                       origins={4: "mt"})


# --- 1. beads with an empty side are not TMX units ---------------------------------------

def test_tmx_has_no_unit_with_an_empty_side_and_the_summary_counts_them(tmp_path):
    root = assert_valid_tmx(_bytes("tmx", [mixed_bitext()], include_mt=True))
    segs = [[tuv.findtext("seg") for tuv in tu.findall("tuv")] for tu in root.iter("tu")]
    assert segs == [["Hello.", "你好。"], ["The cadre resigned.", "干部辞职了。"], ["Machine output.", "机器输出。"]]
    assert all(s and t for s, t in segs)
    # export reports them; the command's summary line says so
    report = export([mixed_bitext()], "tmx", tmp_path / "m.tmx")
    assert (report.written, report.left_out) == (2, {"empty side": 2, "machine translation": 1})
    write_bitext(mixed_bitext(), tmp_path / "m.jsonl")
    result = CliRunner().invoke(main, ["export", str(tmp_path / "m.jsonl"), "-o", str(tmp_path / "cli.tmx")])
    assert result.exit_code == 0, result.output
    assert "2 units, left out: 2 empty side, 1 machine translation (--include-mt writes them)" in result.output


# --- 2. machine translation only when asked, marked ---------------------------------------

def test_tmx_holds_human_units_by_default_and_marks_mt_when_asked():
    root = assert_valid_tmx(_bytes("tmx", [mixed_bitext()]))
    assert "Machine output." not in etree.tostring(root, encoding="unicode")
    root = assert_valid_tmx(_bytes("tmx", [mixed_bitext()], include_mt=True))
    [mt] = [tu for tu in root.iter("tu") if tu.find("prop[@type='x-origin']").text == "mt"]
    assert (mt.get("creationid"), mt.get("changeid")) == ("MT!", "MT!")
    target = mt.findall("tuv")[1]
    assert (target.get("creationid"), target.get("changeid")) == ("MT!", "MT!")
    human = [tu for tu in root.iter("tu") if tu is not mt]
    assert all(tu.get("creationid") is None for tu in human)


# --- 3. XLIFF states ---------------------------------------------------------------------

def test_xliff_human_units_are_approved_and_translated_mt_needs_review():
    root = assert_valid_xliff(_bytes("xliff", [mixed_bitext()]))
    units = {u.findtext(f"{{{X1}}}source"): u for u in root.iter(f"{{{X1}}}trans-unit")}
    for text in ("Hello.", "The cadre resigned."):
        u = units[text]
        assert u.get("approved") == "yes"
        assert u.find(f"{{{X1}}}target").get("state") == "translated"
    mt = units["Machine output."]
    assert mt.get("approved") is None
    target = mt.find(f"{{{X1}}}target")
    assert (target.get("state"), target.get("state-qualifier")) == ("needs-review-translation", "mt-suggestion")


# --- 4. language tags --------------------------------------------------------------------

TW_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x"
 adminlang="en" srclang="en-US" datatype="plaintext"/>
<body><tu><tuv xml:lang="en-US"><seg>The cadre resigned.</seg></tuv><tuv xml:lang="zh-TW"><seg>幹部辭職了。</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Taipei.</seg></tuv><tuv xml:lang="zh-TW"><seg>台北。</seg></tuv></tu></body></tmx>
"""


def test_a_zh_tw_memory_comes_back_as_zh_tw_in_every_format(tmp_path):
    path = tmp_path / "tw.tmx"
    path.write_text(TW_TMX, encoding="utf-8")
    bt = import_tm(path)
    assert (bt.src_lang, bt.tgt_lang) == ("en", "zh")  # the model's languages stay the base ones
    assert bt.meta["lang_tags"] == {"source": "en-US", "target": "zh-TW"}
    write_bitext(bt, tmp_path / "tw.jsonl")
    bt = read_bitext(tmp_path / "tw.jsonl")  # the tags survive the bitext file
    tmx = assert_valid_tmx(_bytes("tmx", [bt]))
    assert {tuv.get(XML_LANG) for tuv in tmx.iter("tuv")} == {"en-US", "zh-TW"}
    x1 = assert_valid_xliff(_bytes("xliff", [bt]))
    f = x1.find(f"{{{X1}}}file")
    assert (f.get("source-language"), f.get("target-language")) == ("en-US", "zh-TW")
    x2 = assert_valid_xliff2(_bytes("xliff2", [bt]))
    assert (x2.get("srcLang"), x2.get("trgLang")) == ("en-US", "zh-TW")
    html = _bytes_text("html", [bt])
    assert 'lang="zh-TW"' in html
    d = _docx_lang_values(tmp_path, bt)
    assert "zh-TW" in d and "en-US" in d


def _bytes_text(fmt, bitexts, **options) -> str:
    buf = io.StringIO()
    get_format(fmt).write_bitexts(bitexts, buf, **options)
    return buf.getvalue()


def _docx_lang_values(tmp_path, bt) -> set[str]:
    out = tmp_path / "tags.docx"
    export_bitexts([bt], "docx", out)
    xml = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    return {el.get(f"{W}val") for el in xml.iter(f"{W}lang")} | {el.get(f"{W}eastAsia") for el in xml.iter(f"{W}lang")}


@pytest.mark.parametrize("tag", ["zh-CN", "zh-TW", "zh-Hans", "zh-Hant", "zh-HK", "zh-SG"])
def test_the_user_gives_the_tag_and_every_format_writes_it(tmp_path, tag):
    bt = make_bitext([("Hello.", "你好。")])
    tmx = assert_valid_tmx(_bytes("tmx", [bt], lang_tags=[tag]))
    assert [tuv.get(XML_LANG) for tuv in tmx.iter("tuv")] == ["en", tag]
    x1 = assert_valid_xliff(_bytes("xliff", [bt], lang_tags=[tag.lower().replace("-", "_")]))  # any case, _ or -
    assert x1.find(f"{{{X1}}}file").get("target-language") == tag
    assert assert_valid_xliff2(_bytes("xliff2", [bt], lang_tags=[tag])).get("trgLang") == tag
    g = Glossary([Term("cadre", "干部")])
    tbx = etree.fromstring(glossary_format("tbx").dumps(g, lang_tags=[tag]))
    assert [ls.get(XML_LANG) for ls in tbx.iter("langSet")] == ["en", tag]
    # on import, too: the tag is kept for the next export
    (tmp_path / "m.tmx").write_bytes(_bytes("tmx", [bt]))
    assert import_tm(tmp_path / "m.tmx", lang_tags=[tag]).meta["lang_tags"]["target"] == tag


def test_tbx_tmx_and_xliff_agree_on_the_default_tag():
    bt = make_bitext([("Hello.", "你好。")])
    tmx_tag = assert_valid_tmx(_bytes("tmx", [bt])).findall(".//tuv")[1].get(XML_LANG)
    xliff_tag = assert_valid_xliff(_bytes("xliff", [bt])).find(f"{{{X1}}}file").get("target-language")
    tbx = etree.fromstring(glossary_format("tbx").dumps(Glossary([Term("cadre", "干部")])))
    assert tmx_tag == xliff_tag == [ls.get(XML_LANG) for ls in tbx.iter("langSet")][1] == "zh-CN"


def test_a_bad_tag_is_refused_by_the_commands(tmp_path):
    write_bitext(make_bitext([("Hello.", "你好。")]), tmp_path / "b.jsonl")
    result = CliRunner().invoke(main, ["export", str(tmp_path / "b.jsonl"), "-o", str(tmp_path / "b.tmx"),
                                       "--lang-tag", "Chinese (Taiwan)"])
    assert result.exit_code == 2
    assert "BCP 47" in result.output
    assert not (tmp_path / "b.tmx").exists()


# --- 5. concept-oriented TBX ------------------------------------------------------------

def concept_glossary() -> Glossary:
    return Glossary([Term("cadre", "干部", note="party official"),
                     Term("cadre", "骨干", status="forbidden", note="means backbone"),
                     Term("cadre", "官员", note="party official"),
                     Term("Epoch Times", "大纪元时报")])


def test_tbx_has_one_entry_per_concept_with_every_term_and_its_status():
    tbx = etree.fromstring(glossary_format("tbx").dumps(concept_glossary()))
    entries = list(tbx.iter("termEntry"))
    assert len(entries) == 2
    zh = [ls for ls in entries[0].iter("langSet") if ls.get(XML_LANG) == "zh-CN"][0]
    terms = [(tig.findtext("term"), tig.findtext("termNote[@type='administrativeStatus']")) for tig in zh.iter("tig")]
    assert terms == [("干部", "preferredTerm-admn-sts"), ("官员", "admittedTerm-admn-sts"),
                     ("骨干", "deprecatedTerm-admn-sts")]
    # translate-toolkit reads the preferred form as the entry's target
    from translate.storage import tbx as tt_tbx
    store = tt_tbx.tbxfile.parsestring(glossary_format("tbx").dumps(concept_glossary()))
    assert [(u.source, u.target) for u in store.units] == [("cadre", "干部"), ("Epoch Times", "大纪元时报")]


def test_tbx_concepts_read_back_as_the_same_rows(tmp_path):
    g = concept_glossary()
    path = tmp_path / "c.tbx"
    glossary_format("tbx").write(g, path)
    back = read_glossary(path)
    key = lambda t: (t.source, t.target, t.status, t.note)  # noqa: E731
    assert sorted(map(key, back.terms)) == sorted(map(key, g.terms))


OLD_SHAPE_TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry id="t1"><langSet xml:lang="en"><tig><term>cadre</term></tig></langSet>
 <langSet xml:lang="zh"><tig><term>干部</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig></langSet></termEntry>
<termEntry id="t2"><note>wrong</note><langSet xml:lang="en"><tig><term>cadre</term></tig></langSet>
 <langSet xml:lang="zh"><tig><term>骨干</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet></termEntry>
</body></text></martif>"""


def test_tbx_of_one_entry_per_row_is_still_read(tmp_path):
    path = tmp_path / "old.tbx"
    path.write_text(OLD_SHAPE_TBX, encoding="utf-8")
    assert [(t.source, t.target, t.status, t.note) for t in read_glossary(path).terms] == [
        ("cadre", "干部", "preferred", ""), ("cadre", "骨干", "forbidden", "wrong")]


# --- 6. import: what is translatable, inline codes, empty TMX, XLIFF 2.0 ------------------

CAT_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="ui.po" source-language="en" target-language="zh-CN" datatype="po">
  <body>
   <trans-unit id="hdr" restype="x-gettext-domain-header" approved="no"><source>Project-Id-Version: x</source>
     <target>Project-Id-Version: x</target></trans-unit>
   <trans-unit id="brand" translate="no"><source>ACME</source></trans-unit>
   <trans-unit id="1"><source>Press <x id="1" ctype="x-key"/> to quit.</source><target>按<x id="1" ctype="x-key"/>退出。</target></trans-unit>
   <trans-unit id="2"><source>Click <g id="2" ctype="bold">Save</g> now.</source><target>立即点击<g id="2" ctype="bold">保存</g>。</target></trans-unit>
   <trans-unit id="3"><source>Open <bpt id="3">&lt;a href="x"&gt;</bpt>the link<ept id="3">&lt;/a&gt;</ept>.</source><target>打开<bpt id="3">&lt;a href="x"&gt;</bpt>链接<ept id="3">&lt;/a&gt;</ept>。</target></trans-unit>
   <trans-unit id="4"><source>Fill in <ph id="4">%s</ph>.</source><target>填写<ph id="4">%s</ph>。</target></trans-unit>
  </body>
 </file>
</xliff>
"""

CODES_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x"
 adminlang="en" srclang="en" datatype="html"/>
<body>
<tu tuid="1"><tuv xml:lang="en"><seg>Press <ph x="1">&lt;br/&gt;</ph> to quit.</seg></tuv><tuv xml:lang="zh-CN"><seg>按<ph x="1">&lt;br/&gt;</ph>退出。</seg></tuv></tu>
<tu tuid="2"><tuv xml:lang="en"><seg>Click <bpt i="1" x="2">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> now.</seg></tuv><tuv xml:lang="zh-CN"><seg>立即点击<bpt i="1" x="2">&lt;b&gt;</bpt>保存<ept i="1">&lt;/b&gt;</ept>。</seg></tuv></tu>
</body></tmx>
"""


def test_xliff_units_not_to_translate_are_skipped_and_codes_kept(tmp_path):
    path = tmp_path / "ui.xlf"
    path.write_text(CAT_XLIFF, encoding="utf-8")
    bt = import_tm(path)
    assert [b.meta["id"] for b in bt.beads] == ["1", "2", "3", "4"]
    assert bt.meta["import"]["not_translatable"] == 2
    pairs = [(s, t) for _, s, t in bt.pairs()]
    assert pairs[0] == ("Press \u27e81/\u27e9 to quit.", "按\u27e81/\u27e9退出。")  # no double space
    assert pairs[1] == ("Click \u27e81\u27e9Save\u27e8/1\u27e9 now.", "立即点击\u27e81\u27e9保存\u27e8/1\u27e9。")
    assert all("  " not in s for s, _ in pairs)
    assert bt.beads[0].meta["inline"]["source"][0]["xml"].startswith("<x ")


def _inline_xml(root, tag: str, ns: str | None) -> list[str]:
    """The serialised <source>/<seg> children of every unit, without namespaces."""
    out = []
    for el in root.iter(f"{{{ns}}}{tag}" if ns else tag):
        s = etree.tostring(el, encoding="unicode", with_tail=False)
        out.append(s.replace(f' xmlns="{ns}"', "") if ns else s)
    return out


def test_xliff_survives_import_and_export_with_its_tags(tmp_path):
    path = tmp_path / "ui.xlf"
    path.write_text(CAT_XLIFF, encoding="utf-8")
    bt = import_tm(path)
    out = assert_valid_xliff(_bytes("xliff", [bt]))
    original = etree.fromstring(CAT_XLIFF.encode())
    want = [etree.tostring(u.find(f"{{{X1}}}source"), encoding="unicode", with_tail=False)
            for u in original.iter(f"{{{X1}}}trans-unit") if u.get("id") in "1234"]
    got = [etree.tostring(u.find(f"{{{X1}}}source"), encoding="unicode", with_tail=False)
           for u in out.iter(f"{{{X1}}}trans-unit")]
    strip = lambda x: x.replace(' xml:lang="en"', "").replace(f' xmlns="{X1}"', "")  # noqa: E731
    assert [strip(g) for g in got] == [strip(w) for w in want]
    got_t = [etree.tostring(u.find(f"{{{X1}}}target"), encoding="unicode", with_tail=False)
             for u in out.iter(f"{{{X1}}}trans-unit")]
    assert '<g id="2" ctype="bold">保存</g>' in got_t[1]
    assert '<bpt id="3">&lt;a href="x"&gt;</bpt>链接<ept id="3">&lt;/a&gt;</ept>' in got_t[2]


def test_tmx_survives_import_and_export_with_its_tags(tmp_path):
    path = tmp_path / "codes.tmx"
    path.write_text(CODES_TMX, encoding="utf-8")
    bt = import_tm(path)
    assert bt.src_text(bt.beads[0]) == "Press \u27e81/\u27e9 to quit."
    out = assert_valid_tmx(_bytes("tmx", [bt]))
    segs = [etree.tostring(s, encoding="unicode", with_tail=False) for s in out.iter("seg")]
    want = [etree.tostring(s, encoding="unicode", with_tail=False)
            for s in etree.fromstring(CODES_TMX.encode()).iter("seg")]
    assert segs == want
    # and into XLIFF: TMX codes become XLIFF codes, with their native content
    x = assert_valid_xliff(_bytes("xliff", [bt]))
    src = [etree.tostring(s, encoding="unicode", with_tail=False) for s in x.iter(f"{{{X1}}}source")]
    assert '<ph id="1">&lt;br/&gt;</ph>' in src[0]
    assert '<bpt id="1" rid="1">&lt;b&gt;</bpt>Save<ept id="1" rid="1">&lt;/b&gt;</ept>' in src[1]
    assert_valid_xliff2(_bytes("xliff2", [bt]))


def test_an_empty_tmx_gets_a_message_about_tmx(tmp_path):
    path = tmp_path / "empty.tmx"
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body/></tmx>', encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_tm(path)
    assert "no translation units" in e.value.message and "<tu>" in e.value.message
    assert "column" not in str(e.value)


def test_xliff_2_is_written_valid_and_read_back(tmp_path):
    bt = mixed_bitext()
    data = _bytes("xliff2", [bt])
    root = assert_valid_xliff2(data)
    segs = list(root.iter(f"{{{X2}}}segment"))
    assert [s.get("state") for s in segs] == ["initial", "initial", "translated", "translated", "initial"]
    assert segs[4].get("subState") == "aligner:mt"
    assert segs[0].find(f"{{{X2}}}target") is None  # an untranslated sentence has no target
    path = tmp_path / "v2.xlf"
    path.write_bytes(data)
    back = import_tm(path)
    assert [(s, t) for _, s, t in back.pairs()] == [(s, t) for _, s, t in bt.pairs()]
    assert back.beads[4].meta["origin"] == "mt"


XLIFF2_CODES = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="zh-CN">
 <file id="f1"><unit id="1"><segment state="final"><source>Press <ph id="1"/> or <pc id="2">Save</pc> <sc id="3"/>now<ec startRef="3"/>.</source>
 <target>按<ph id="1"/>或<pc id="2">保存</pc><sc id="3"/>现在<ec startRef="3"/>。</target></segment></unit>
 <unit id="2" translate="no"><segment><source>ACME</source></segment></unit></file></xliff>
"""


def test_xliff_2_codes_survive_import_and_export(tmp_path):
    path = tmp_path / "codes.xlf"
    path.write_text(XLIFF2_CODES, encoding="utf-8")
    bt = import_tm(path)
    assert len(bt.beads) == 1 and bt.meta["import"]["not_translatable"] == 1
    root = assert_valid_xliff2(_bytes("xliff2", [bt]))
    got = etree.tostring(root.find(f".//{{{X2}}}source"), encoding="unicode", with_tail=False)
    want = etree.tostring(etree.fromstring(XLIFF2_CODES.encode()).find(f".//{{{X2}}}source"),
                          encoding="unicode", with_tail=False)
    assert got == want


# --- 7. the glossary check in the review page and DOCX ----------------------------------

def _checked_bitext():
    # The model got 朱志强 right; 干部 was put there by enforcement; 中共 is missing.
    return make_bitext([("Zhu Zhiqiang, a CCP cadre, resigned.", "朱志强，一名共产党干部，辞职了。"),
                        ("The cadre met Zhu Zhiqiang.", "干部见了朱志强。")],
                       origins={0: "mt", 1: "mt"},
                       metas={0: {"terms": [
                           {"source": "Zhu Zhiqiang", "target": "朱志强", "status": "ok", "method": "model"},
                           {"source": "cadre", "target": "干部", "status": "enforced", "method": "attention"}]}})


def test_review_page_shows_every_term_the_glossary_check_finds(tmp_path):
    from aligner.glossary.check import check_bitext
    news = load_glossaries(["glossaries/news.tsv"])
    bt = _checked_bitext()
    expected = check_bitext(bt, news).violations
    assert expected  # the check finds something here
    html = _bytes_text("html", [bt], glossary=news)
    for v in expected:
        assert f"{v.term}: expected {v.expected}" in html
    assert "Zhu Zhiqiang \u2192 朱志强: right from the model" in html
    assert "cadre \u2192 干部: put there by enforcement (attention)" in html
    assert f'<dt>Terms missing or forbidden</dt><dd>{len(expected)}</dd>' in html


def test_docx_shows_every_term_the_glossary_check_finds(tmp_path):
    import docx
    from aligner.glossary.check import check_bitext
    news = load_glossaries(["glossaries/news.tsv"])
    bt = _checked_bitext()
    expected = check_bitext(bt, news).violations
    out = tmp_path / "r.docx"
    export_bitexts([bt], "docx", out, glossary=news)
    text = "\n".join(c.text for row in docx.Document(str(out)).tables[0].rows for c in row.cells)
    for v in expected:
        assert f"{v.term}: expected {v.expected}" in text
    assert "put there by enforcement (attention)" in text and "right from the model" in text


# --- 8. the DOCX review table ------------------------------------------------------------

def test_docx_rows_do_not_split_runs_say_their_language_and_id_score_columns(tmp_path):
    import docx
    bt = make_bitext([("Hello.", "你好。"), ("Bye.", "再见。")], scores={0: 0.875})
    out = tmp_path / "r.docx"
    export_bitexts([bt], "docx", out)
    xml = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    rows = list(xml.iter(f"{W}tr"))
    assert len(rows) == 3 and all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    runs = {r.findtext(f"{W}t"): r.find(f"{W}rPr/{W}lang") for r in xml.iter(f"{W}r")}
    assert runs["Hello."].get(f"{W}val") == "en-US"
    assert (runs["你好。"].get(f"{W}val"), runs["你好。"].get(f"{W}eastAsia")) == ("zh-CN", "zh-CN")
    table = docx.Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["#", "English", "中文", "Score"]
    assert [c.text for c in table.rows[1].cells] == ["0", "Hello.", "你好。", "0.88"]
    assert table.rows[2].cells[3].text == "\u2013"


# Traditional script must not come out as zh-CN (issue 11, item 4): a Big5 article aligned
# with its English is tagged zh-Hant in every export, a Simplified one keeps zh-CN.
TRADITIONAL = "朱志強是一位幹部。他在南京工作了三十年。這是他的聲明，他說他沒有錯。\n"
SIMPLIFIED = "朱志强是一位干部。他在南京工作了三十年。这是他的声明，他说他没有错。\n"
ENGLISH = ("Zhu Zhiqiang is a cadre. He worked in Nanjing for thirty years. "
           "This is his statement, and he says he did nothing wrong.\n")


@pytest.mark.parametrize("text, encoding, tag", [(TRADITIONAL, "big5", "zh-Hant"), (SIMPLIFIED, "gb18030", "zh-CN")])
def test_traditional_chinese_input_is_tagged_as_such_in_every_export(tmp_path, text, encoding, tag):
    (tmp_path / "a.en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "a.zh.txt").write_bytes(text.encode(encoding))
    out = tmp_path / "a.en-zh.jsonl"
    r = CliRunner().invoke(main, ["align", str(tmp_path / "a.en.txt"), str(tmp_path / "a.zh.txt"), "--encoding",
                                  encoding, "--no-embedding", "-o", str(out), "-f", "tmx", "-f", "xliff", "-q"])
    assert r.exit_code == 0, r.output
    bitext = read_bitext(out)
    assert bitext.target.text.strip() == text.strip()
    tmx = etree.parse(str(tmp_path / "a.en-zh.tmx"))
    langs = {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tmx.iter("tuv")}
    assert langs == {"en", tag} or langs == {"en-US", tag}, langs
    xlf = etree.parse(str(tmp_path / "a.en-zh.xlf"))
    assert {f.get("target-language") for f in xlf.iter(f"{{{X1}}}file")} == {tag}


def test_script_tag_shortcut_agrees_with_hanzidentifier():
    # a text with one of SIMPLIFIED_ONLY is answered without hanzidentifier: none of them may
    # be a Traditional character, or a Traditional text holding it would lose its zh-Hant tag
    import hanzidentifier
    from hanzidentifier import helpers

    from aligner.text.language import SIMPLIFIED_ONLY, chinese_script_tag

    assert SIMPLIFIED_ONLY and not set(SIMPLIFIED_ONLY) & helpers.TRADITIONAL_CHARACTERS
    assert set(SIMPLIFIED_ONLY) <= helpers.SIMPLIFIED_CHARACTERS
    for text in (TRADITIONAL, SIMPLIFIED, TRADITIONAL + "这", "幹部" * 50, ENGLISH, "一二三"):
        want = "zh-Hant" if hanzidentifier.identify(text) == hanzidentifier.TRADITIONAL else None
        assert chinese_script_tag(text) == want, text
    assert chinese_script_tag(TRADITIONAL) == "zh-Hant" and chinese_script_tag(SIMPLIFIED) is None


def test_a_tbx_in_zh_tw_keeps_its_tag_when_read_and_written_again(tmp_path):
    src = tmp_path / "terms.tbx"
    src.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<martif type="TBX-Basic" xml:lang="en"><text><body>'
        '<termEntry id="c1"><langSet xml:lang="en"><tig><term>cadre</term></tig></langSet>'
        '<langSet xml:lang="zh-TW"><tig><term>幹部</term></tig></langSet></termEntry>'
        '</body></text></martif>\n', encoding="utf-8")
    out = tmp_path / "again.tbx"
    r = CliRunner().invoke(main, ["glossary", "convert", str(src), str(out)])
    assert r.exit_code == 0, r.output
    root = etree.parse(str(out)).getroot()
    tags = {el.get("{http://www.w3.org/XML/1998/namespace}lang") for el in root.iter() if el.tag in ("langSet", "langSec")}
    assert tags == {"en", "zh-TW"}, tags
