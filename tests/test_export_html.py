"""HTML review page: escaped text, terms highlighted, problems flagged, a summary; and
what headless Chromium actually renders (DOM dump and a screenshot).

Chromium (Debian package `chromium`) is installed by .ci/run; the rendering tests skip
only when it is missing. ALIGNER_UPDATE_SCREENSHOT=1 also writes the screenshot of the
corpus article to docs/review.png (the one in the README)."""

from __future__ import annotations

import os
import shutil

import lxml.html
import pytest

from aligner.export import export_bitexts
from aligner.export.html import render_html
from aligner.export.base import ExportOptions
from test_export_support import REPO, chromium, corpus_bitext, make_bitext, read_png, run_chromium

HOSTILE = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'
TERM = {"source": "Zhu Zhiqiang", "target": "朱志强", "status": "ok"}
FAILED = {"source": "CCP", "target": "中共", "status": "failed", "forbidden": ["共产党"]}


def review_bitext():
    return make_bitext(
        [("Zhu Zhiqiang quit the CCP.", "朱志强退出了共产党。"), (HOSTILE, "<b>不是粗体</b>"),
         ("A low-scoring pair.", "一个低分的句对。"), ("Left untranslated.", None),
         ("Fine and aligned.", "对齐良好。")],
        origins={0: "mt"}, scores={0: 0.91, 2: 0.12, 4: 0.97},
        metas={0: {"terms": [TERM, FAILED], "violations": ["CCP should be translated as 中共"]}})


def _page(bitexts, **options) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html(bitexts, ExportOptions(**options)))


def test_everything_is_escaped():
    html = render_html([review_bitext()], ExportOptions(title="<i>title</i>"))
    page = lxml.html.fromstring(html)
    assert page.xpath("//script") == [] and page.xpath("//img") == [] and page.xpath("//b") == []
    assert page.xpath("//i") == []
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    row = page.get_element_by_id("b1-1")
    assert row.find_class("src")[0].text_content() == HOSTILE
    assert row.find_class("tgt")[0].text_content() == "<b>不是粗体</b>"
    assert page.findtext(".//title") == "<i>title</i>"


def test_terms_flags_and_summary():
    page = _page([review_bitext()])
    rows = page.xpath("//tbody/tr")
    assert len(rows) == 5
    classes = [set(r.get("class").split()) for r in rows]
    assert {"review", "mt", "violation"} <= classes[0]
    assert "review" not in classes[1]
    assert {"review", "low"} <= classes[2]
    assert "review" in classes[3]  # untranslated
    assert "review" not in classes[4]
    src, tgt = rows[0].find_class("src")[0], rows[0].find_class("tgt")[0]
    assert [(m.text, m.get("class")) for m in src.xpath(".//mark")] == \
        [("Zhu Zhiqiang", "term"), ("CCP", "term problem")]
    assert [m.text for m in tgt.xpath(".//mark")] == ["朱志强"]
    assert "forbidden rendering used: 共产党" in src.xpath(".//mark")[1].get("title")
    assert tgt.xpath(".//ul[@class='violations']/li/text()") == ["CCP should be translated as 中共"]
    assert src.get("lang") == "en" and tgt.get("lang") == "zh-CN"
    stats = {dt.text_content(): dd.text_content() for dt, dd in
             zip(page.xpath("//dl[@class='stats']//dt"), page.xpath("//dl[@class='stats']//dd"))}
    assert stats["Beads"] == "5"
    assert stats["To review"] == "3"
    assert stats["Machine translated"] == "1"
    assert stats["Score below 0.5"] == "1"
    assert stats["Glossary violations"] == "1"
    assert stats["Glossary terms"] == "2"
    # A stricter threshold flags more.
    stats = _page([review_bitext()], low_score=0.98).xpath("//dl[@class='stats']//dd/text()")
    assert stats[1] == "4"


def test_glossary_parameter_highlights_terms_and_forbidden_renderings():
    glossary_mod = pytest.importorskip("aligner.glossary")
    glossary = glossary_mod.Glossary([glossary_mod.Term("Zhu Zhiqiang", "朱志强", aliases=["Zhu"]),
                                      glossary_mod.Term("Zhu Zhiqiang", "朱智强", status="forbidden"),
                                      glossary_mod.Term("Nanjing", "南京")])
    bt = make_bitext([("Zhu of Nanjing.", "南京的朱智强。")])
    page = _page([bt], glossary=glossary)
    src, tgt = page.xpath("//td[@class='src']")[0], page.xpath("//td[@class='tgt']")[0]
    assert [m.text for m in src.xpath(".//mark")] == ["Zhu", "Nanjing"]
    assert [(m.text, m.get("class")) for m in tgt.xpath(".//mark")] == [("南京", "term"), ("朱智强", "term problem")]
    assert "use 朱志强" in tgt.xpath(".//mark")[1].get("title")


def test_several_bitexts_and_control_characters(tmp_path):
    a = make_bitext([("Bell\x07.", "响\x00铃。")], src_path="a.en.txt")
    b = make_bitext([("南京。", "Nanjing.")], src_lang="zh", tgt_lang="en", src_path="b.zh.txt")
    out = tmp_path / "r.html"
    export_bitexts([a, b], None, out)
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert [s.get("id") for s in page.xpath("//section")] == ["doc-1", "doc-2"]
    assert page.xpath("//td[@class='src']")[0].text_content() == "Bell\u2407."
    assert page.xpath("//td[@class='tgt']")[0].text_content() == "响\u2400铃。"
    assert page.xpath("//td[@class='src']")[1].get("lang") == "zh-CN"


# --- rendered by a real browser -----------------------------------------------------------

needs_chromium = pytest.mark.skipif(chromium() is None,
                                    reason="chromium is not installed (apt-get install -y chromium; .ci/run does)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The review fixture and the corpus article (gold alignment), rendered once."""
    root = tmp_path_factory.mktemp("chromium")
    corpus = corpus_bitext()
    # Terms as translation records them, for the highlights in the corpus screenshot.
    for bead in corpus.beads:
        src, tgt = corpus.src_text(bead), corpus.tgt_text(bead)
        terms = [{"source": s, "target": t, "status": "ok"} for s, t in
                 (("Zhu Zhiqiang", "朱志强"), ("Nanjing", "南京"), ("Jiangsu Province", "江苏省"),
                  ("Chinese Communist Party", "中国共产党"), ("Epoch Times", "大纪元时报"))
                 if s in src and t in tgt]
        if terms:
            bead.meta["terms"] = terms
    page = root / "review.html"
    export_bitexts([review_bitext(), corpus], "html", page, title="Review: two documents")
    dom = run_chromium(["--dump-dom", page.as_uri()], root / "profile-dom").stdout.decode("utf-8")
    shot = root / "review.png"
    run_chromium([f"--screenshot={shot}", "--window-size=1280,900", page.as_uri()], root / "profile-png")
    if os.environ.get("ALIGNER_UPDATE_SCREENSHOT"):
        # What `aligner export article.jsonl -o review.html --glossary glossaries/news.tsv` shows.
        from aligner.glossary import load_glossaries
        single = root / "article.html"
        export_bitexts([corpus_bitext()], "html", single, title="Review: corpus/article.en.txt",
                       glossary=load_glossaries([REPO / "glossaries" / "news.tsv"]))
        docs_png = root / "article.png"
        run_chromium([f"--screenshot={docs_png}", "--window-size=1280,900", single.as_uri()], root / "profile-doc")
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(docs_png, REPO / "docs" / "review.png")
    return dom, shot


@needs_chromium
def test_chromium_dom_shows_both_columns_and_the_highlights(rendered):
    dom, _ = rendered
    page = lxml.html.fromstring(dom)
    assert page.xpath("//script") == []  # the article's <script> stayed text
    sections = page.xpath("//section")
    assert len(sections) == 2
    corpus_rows = sections[1].xpath(".//tbody/tr")
    assert len(corpus_rows) == 20  # the gold beads of the seed article
    first = corpus_rows[3]
    assert first.find_class("src")[0].text_content().startswith("48 year-old Chinese Communist Party")
    assert first.find_class("tgt")[0].text_content().startswith("现年48岁的中国共产党")
    marks = [m.text_content() for m in sections[1].xpath(".//mark")]
    assert "Zhu Zhiqiang" in marks and "朱志强" in marks
    assert HOSTILE in page.get_element_by_id("b1-1").text_content()


@needs_chromium
def test_chromium_screenshot_shows_two_columns_of_text_and_highlights(rendered):
    _, shot = rendered
    image = read_png(shot)
    assert image.size == (1280, 900)
    pixels = image.load()
    w, h = image.size

    def count(x0, x1, y0, y1, test):
        return sum(1 for x in range(x0, x1, 2) for y in range(y0, y1, 2) if test(pixels[x, y]))

    def ink(p):  # text, anti-aliased edges included (the page background sums to about 750)
        return sum(p) < 450

    def term_yellow(p):  # --term: #fff0a6
        return abs(p[0] - 0xff) < 6 and abs(p[1] - 0xf0) < 6 and abs(p[2] - 0xa6) < 10

    def review_tint(p):  # --review: #fff8eb
        return abs(p[0] - 0xff) < 3 and abs(p[1] - 0xf8) < 3 and abs(p[2] - 0xeb) < 3

    top = 300  # below the summary
    # Text in the source column (left half of the table) and in the target column (Chinese
    # glyphs, or at worst boxes where a machine has no Chinese font).
    assert count(90, 560, top, h, ink) > 300
    assert count(600, 1070, top, h, ink) > 300
    assert count(0, w, 0, h, term_yellow) > 100
    assert count(0, w, top, h, review_tint) > 100
