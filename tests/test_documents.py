"""Documents (DOCX, HTML, SRT, WebVTT) translated through the real fixture engine: inline codes
land around the words the fixture model's known (word-for-word, diagonal) alignment gives,
every code of the source appears exactly once, and everything that is not text is unchanged.

The documents are built here (python-docx, lxml on the OOXML parts, plain text)."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import fixture_model
from aligner.documents import placed_paragraphs
from aligner.errors import InputError
from aligner.formats import format_for_path, get_format
from aligner.glossary import load_glossaries
from aligner.documents.codes import Builder, mt_source, place_paragraph, sentence_spans
from aligner.translate.documents import translate_rich
from aligner.translate.engine import Engine

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def engine(fixture_packages):
    return Engine.load("en", "zh", packages_dir=fixture_packages["en-zh"].parent)


@pytest.fixture(scope="module")
def ref(fixture_packages):
    """What the fixture model makes of an English phrase (no CTranslate2 involved)."""
    sp = fixture_packages["en-zh"] / "sentencepiece.model"
    return lambda text: fixture_model.reference_translation(text, "en-zh", sp)


# --- inline codes ---------------------------------------------------------------------------

def _show(node) -> str:
    if isinstance(node, str):
        return node
    inner = "".join(_show(c) for c in node.children)
    if node.code is None:
        return inner
    if node.code.is_atom:
        return f"[{node.code.data or 'protected'}:{inner}]"
    return f"<{node.code.data}>{inner}</{node.code.data}>"


def _translate_paragraph(engine, par, lang="en"):
    spans = sentence_spans(par, lang)
    sources = [mt_source(par, a, b, lang)[0] for a, b in spans]
    trs = engine.translate(sources, return_attention=True)
    return sources, place_paragraph(par, spans, [t.text for t in trs], trs, lang, "zh")


def test_codes_land_around_the_aligned_words_and_protected_spans_pass_unchanged(engine, ref):
    b = Builder()
    b.text("He was ")
    b.open("b")
    b.text("stripped of his position")
    b.close()
    b.text(" in 1999. See ")
    b.open("a")
    b.text("the ")
    b.open("i")
    b.text("statement")
    b.close()
    b.close()
    b.text(" at http://example.com/a?b=1 for reasons.")
    b.atom("img")
    par = b.build()
    sources, placed = _translate_paragraph(engine, par)
    assert sources == ["He was stripped of his position in 1999.", "See the statement at for reasons."]
    out = _show(placed.tree())
    assert out == (f"{ref('He was')}<b>{ref('stripped of his position')}</b>{ref('in 1999.')}"
                   f"{ref('See')}<a>{ref('the')}<i>{ref('statement')}</i></a>{ref('at')}"
                   f"[protected:http://example.com/a?b=1]{ref('for reasons.')}[img:]")
    assert placed.fallbacks == 0
    for tag in ("b", "a", "i"):
        assert out.count(f"<{tag}>") == 1 and out.count(f"</{tag}>") == 1


def test_without_attention_the_fallback_keeps_every_code_and_the_nesting(engine):
    b = Builder()
    b.text("He said ")
    b.open("b")
    b.text("nothing")
    b.close()
    b.text(" and ")
    b.open("i")
    b.text("warned")
    b.close()
    b.text(" the media.")
    b.atom("fn")
    par = b.build()
    spans = sentence_spans(par, "en")
    placed = place_paragraph(par, spans, ["他说无和警告该媒体。"], None, "en", "zh")
    out = _show(placed.tree())
    assert out.count("<b>") == out.count("<i>") == out.count("[fn:]") == 1
    assert re.sub(r"<.*?>|\[.*?\]", "", out) == "他说无和警告该媒体。"
    assert placed.fallbacks == 2
    etree.fromstring(f"<p>{out.replace('[fn:]', '<fn/>')}</p>")  # nests


def test_a_url_is_never_cut_into_two_sentences():
    b = Builder()
    b.text("Read www.example.com. Then go. Mail a.b@example.org now.")
    par = b.build()
    literals = [par.literal(c) for c in par.codes]
    assert literals == ["www.example.com", "a.b@example.org"]
    spans = sentence_spans(par, "en")
    assert [par.text[a:b] for a, b in spans] == ["Read www.example.com.", "Then go.",
                                                 "Mail a.b@example.org now."]


# --- DOCX ------------------------------------------------------------------------------------

FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W_NS}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>
<w:r><w:t xml:space="preserve"> The authorities warned him.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def _el(tag, attrs=None, text=None, children=()):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    e = OxmlElement(tag)
    for k, v in (attrs or {}).items():
        e.set(qn(k), v)
    if text is not None:
        e.text = text
        e.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for c in children:
        e.append(c)
    return e


def _bold_run(text, rsid):
    r = _el("w:r", {"w:rsidR": rsid}, children=[_el("w:rPr", children=[_el("w:b")]), _el("w:t", text=text)])
    return r


def build_docx(path: Path) -> Path:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    d = docx.Document()
    p = d.add_paragraph("He was ")
    p.add_run("stripped of his position").bold = True
    p.add_run(" in 1999. The ")
    p.add_run("media").italic = True
    p.add_run(" said.")
    # a hyperlink in mid-sentence
    p = d.add_paragraph("See ")
    rid = d.part.relate_to("http://example.com/statement", RT.HYPERLINK, is_external=True)
    link = _el("w:hyperlink", {"r:id": rid}, children=[
        _el("w:r", children=[_el("w:rPr", children=[_el("w:u", {"w:val": "single"})]),
                             _el("w:t", text="the statement")])])
    p._p.append(link)
    p.add_run(" for reasons.")
    # a word cut in two by a spell-check mark, each half a bold run of its own session
    p = d.add_paragraph("The ")
    p._p.append(_bold_run("state", "00A1B2C3"))
    p._p.append(_el("w:proofErr", {"w:type": "spellStart"}))
    p._p.append(_bold_run("ment", "00D4E5F6"))
    p._p.append(_el("w:proofErr", {"w:type": "spellEnd"}))
    p.add_run(" was issued.")
    d.add_paragraph("The media said", style="List Number")
    d.add_paragraph("He became a resident", style="List Number")
    # an image inside a sentence, and a footnote reference after it
    p = d.add_paragraph("He enlisted ")
    p.add_run().add_picture(io.BytesIO(PNG))
    p.add_run(" in 1981.")
    p._p.append(_el("w:r", children=[_el("w:rPr", children=[_el("w:vertAlign", {"w:val": "superscript"})]),
                                      _el("w:footnoteReference", {"w:id": "1"})]))
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Former Officer"
    t.cell(0, 1).text = "Gu Xiaohua"
    d.sections[0].header.paragraphs[0].text = "The Epoch Times"
    d.sections[0].footer.paragraphs[0].text = "Updated"
    d.core_properties.language = "en-US"
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                FOOTNOTES.encode(), d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    d.save(str(path))
    return path


def _runs(p):
    """(text, bold, italic, underline) of each text run of a w:p, hyperlink runs included."""
    out = []
    for r in p.iter(W + "r"):
        text = "".join(t.text or "" for t in r.iter(W + "t"))
        if not text:
            continue
        rpr = r.find(W + "rPr")
        has = (lambda tag: rpr is not None and rpr.find(W + tag) is not None)
        out.append((text, has("b"), has("i"), has("u")))
    return out


def _paragraph_texts(root):
    return ["".join(t.text or "" for t in p.iter(W + "t")) for p in root.iter(W + "p")]


@pytest.fixture
def translated_docx(tmp_path, engine):
    src = build_docx(tmp_path / "article.en.docx")
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    bitext, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "article.zh.docx"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    return src, out, doc, bitext


def test_docx_segments_see_whole_sentences_across_formatting(translated_docx):
    _, _, doc, bitext = translated_docx
    texts = [s.text for s in doc.segments]
    assert texts[:6] == ["He was stripped of his position in 1999.", "The media said.",
                         "See the statement for reasons.", "The statement was issued.",
                         "The media said", "He became a resident"]
    assert "He enlisted in 1981." in texts
    assert {"Former Officer", "Gu Xiaohua", "The Epoch Times", "Updated",
            "The authorities warned him."} <= set(texts)
    for s in doc.segments:
        assert doc.text[s.start:s.end] == s.text
    assert len(bitext.beads) == len(doc.segments)
    assert [bitext.target.segments[b.tgt[0]].text for b in bitext.beads][0] == "他被撤销的他的职务在1999。"


def test_docx_inline_codes_land_on_the_right_words_exactly_once(translated_docx, ref):
    _, out, _, _ = translated_docx
    z = zipfile.ZipFile(out)
    body = etree.fromstring(z.read("word/document.xml"))
    paras = list(body.iter(W + "p"))
    assert _runs(paras[0]) == [(ref("He was"), False, False, False),
                               (ref("stripped of his position"), True, False, False),
                               (ref("in 1999.") + ref("The"), False, False, False),
                               (ref("media"), False, True, False), (ref("said."), False, False, False)]
    links = list(body.iter(W + "hyperlink"))
    assert len(links) == 1 and links[0].get(f"{{{R_NS}}}id")
    assert _runs(links[0]) == [(ref("the statement"), False, False, True)]
    assert _paragraph_texts(body)[1] == ref("See the statement for reasons.")
    # the word cut by a spell-check mark is one bold run, around its translation
    assert _runs(paras[2]) == [(ref("The"), False, False, False), (ref("statement"), True, False, False),
                               (ref("was issued."), False, False, False)]
    assert not list(paras[2].iter(W + "proofErr"))
    # the image and the footnote reference are still there, once, in their sentence
    assert len(list(body.iter(W + "drawing"))) == 1
    assert len(list(body.iter(W + "footnoteReference"))) == 1
    img_para = next(p for p in paras if list(p.iter(W + "drawing")))
    kinds = [("drawing" if list(r.iter(W + "drawing")) else "fn" if list(r.iter(W + "footnoteReference"))
              else "".join(t.text for t in r.iter(W + "t"))) for r in img_para.iter(W + "r")]
    assert kinds == [ref("He enlisted"), "drawing", ref("in 1981."), "fn"]
    # numbered list: its numbering properties untouched
    numbered = [p for p in paras if p.find(f"{W}pPr/{W}pStyle") is not None
                and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "ListNumber"]
    assert [_paragraph_texts(p)[0] for p in numbered] == [ref("The media said"), ref("He became a resident")]
    table = body.find(f".//{W}tbl")
    assert _paragraph_texts(table) == [ref("Former Officer"), ref("Gu Xiaohua")]
    header = etree.fromstring(z.read("word/header1.xml"))
    footer = etree.fromstring(z.read("word/footer1.xml"))
    notes = etree.fromstring(z.read("word/footnotes.xml"))
    assert _paragraph_texts(header) == [ref("The Epoch Times")]
    assert _paragraph_texts(footer) == [ref("Updated")]
    assert " " + ref("The authorities warned him.") in _paragraph_texts(notes)  # its space kept
    assert len(list(notes.iter(W + "footnoteRef"))) == 1


def test_docx_everything_that_is_not_text_is_unchanged(translated_docx):
    src, out, _, _ = translated_docx
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    text_parts = {"word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footnotes.xml",
                  "word/styles.xml", "docProps/core.xml"}
    changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed == text_parts
    assert any(n.startswith("word/media/") for n in a.namelist())  # the image, byte for byte
    # in the changed parts only text and language changed: paragraph properties are equal
    for name in ("word/document.xml", "word/footnotes.xml"):
        pa, pb = (etree.fromstring(z.read(name)) for z in (a, b))
        props = lambda root: [etree.tostring(p) for p in root.iter(W + "pPr")]
        assert props(pa) == props(pb)
        assert [etree.tostring(e) for e in pa.iter(W + "drawing", W + "sectPr")] == \
               [etree.tostring(e) for e in pb.iter(W + "drawing", W + "sectPr")]
    styles = etree.fromstring(b.read("word/styles.xml"))
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(W + "eastAsia") == "zh-CN"
    assert b"<dc:language>zh-CN</dc:language>" in b.read("docProps/core.xml")


def test_docx_glossary_holds_inside_formatting(tmp_path, engine):
    import docx

    d = docx.Document()
    p = d.add_paragraph("He became a ")
    p.add_run("cadre").bold = True
    p.add_run(" in Nanjing.")
    src = tmp_path / "cadre.docx"
    d.save(str(src))
    fmt = get_format("docx")
    doc = fmt.read_document(src)
    news = load_glossaries(["glossaries/news.tsv"])
    bitext, translations = translate_rich(engine, doc, "zh", glossary=news)
    fmt.write_document(doc, translations, tmp_path / "cadre.zh.docx", tgt_lang="zh")
    body = etree.fromstring(zipfile.ZipFile(tmp_path / "cadre.zh.docx").read("word/document.xml"))
    runs = _runs(next(body.iter(W + "p")))
    text = "".join(r[0] for r in runs)
    assert "干部" in text and "南京" in text and "骨干" not in text and "南金" not in text
    assert [r[0] for r in runs if r[1]] == ["干部"]  # the bold is on the enforced rendering
    assert {t["status"] for t in bitext.beads[0].meta["terms"]} == {"enforced"}


@pytest.mark.parametrize("data, message", [
    (b"", "not a zip"), (b"PK\x03\x04garbage", "not a zip"),
    ("zip-without-document", "no word/document.xml"), ("entities", "declares XML entities"),
    ("broken-xml", "not well-formed"),
])
def test_docx_bad_input_is_one_clear_error(tmp_path, data, message):
    path = tmp_path / "bad.docx"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            if data == "entities":
                z.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                           f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
                           '</w:body></w:document>')
            elif data == "broken-xml":
                z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body><w:p>')
    with pytest.raises(InputError) as e:
        get_format("docx").read_document(path)
    assert message in str(e.value) and "bad.docx" in str(e.value)


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(not _soffice() or not shutil.which("pdftotext"),
                    reason="LibreOffice (soffice) or pdftotext is not installed: "
                           "apt-get install libreoffice-writer-nogui poppler-utils")
def test_translated_docx_opens_in_libreoffice_with_the_text_in_order(translated_docx, tmp_path, ref):
    _, out, _, _ = translated_docx
    pdf_dir = tmp_path / "pdf"
    subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), str(out)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run(["pdftotext", str(pdf_dir / "article.zh.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    expected = [ref("He was stripped of his position in 1999."), ref("See the statement for reasons."),
                ref("The statement was issued."), ref("Former Officer")]
    positions = [flat.find(re.sub(r"\s+", "", e)) for e in expected]
    assert -1 not in positions, (expected, flat)
    assert positions == sorted(positions)


# --- HTML ------------------------------------------------------------------------------------

PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The statement</title>
<script>var s = "He was stripped of his position";</script>
<style>p { color: red }</style></head>
<body><h1>Former Officer</h1>
<p>He was <b>stripped of his position</b> in 1999. See <a href="http://example.com/s" title="The statement">the statement</a> for reasons.<img src="a.png" alt="The media"></p>
<p>Call <code>warned()</code> at http://example.com/x now.</p>
<pre>He was stripped</pre>
<ul><li>The <i>media</i> said</li></ul>
</body></html>"""


def test_html_translated_with_codes_script_untouched_and_lang_set(tmp_path, engine, ref):
    src = tmp_path / "page.en.html"
    src.write_bytes(PAGE)
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    assert "var s" not in doc.text and "He was stripped\n" not in doc.text
    bitext, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "page.zh.html"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    from lxml import html

    page = html.fromstring(out.read_bytes())
    assert page.get("lang") == "zh"
    assert page.findtext(".//title") == ref("The statement")
    assert page.findtext(".//script") == 'var s = "He was stripped of his position";'
    assert page.findtext(".//style") == "p { color: red }"
    assert page.findtext(".//pre") == "He was stripped"
    p = page.findall(".//p")[0]
    assert p.findtext("b") == ref("stripped of his position")
    a = p.find("a")
    assert a.text == ref("the statement") and a.get("href") == "http://example.com/s"
    assert a.get("title") == ref("The statement")
    assert p.find("img").get("alt") == ref("The media") and p.find("img").get("src") == "a.png"
    assert p.text_content() == ref("He was stripped of his position in 1999.") + \
        ref("See the statement for reasons.")
    code_p = page.findall(".//p")[1]
    assert code_p.findtext("code") == "warned()"
    assert "http://example.com/x" in code_p.text_content()
    assert page.find(".//li/i").text == ref("media")
    assert [e.tag for e in page.iter()] == [e.tag for e in html.fromstring(PAGE).iter()]


# --- subtitles -------------------------------------------------------------------------------

SRT = ("1\r\n00:00:01,000 --> 00:00:04,000\r\nHe was <i>stripped</i> of his\r\nposition in 1999 by the\r\n"
       "Communist Party.\r\n\r\n2\r\n00:00:05,000 --> 00:00:06,500\r\nThe media said.\r\n")


def test_srt_three_line_cue_joined_translated_rewrapped_timings_untouched(tmp_path, engine, ref):
    src = tmp_path / "talk.en.srt"
    src.write_bytes(SRT.encode())
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    assert [s.text for s in doc.segments] == [
        "He was stripped of his position in 1999 by the Communist Party.", "The media said."]
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "talk.zh.srt"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    data = out.read_bytes().decode()
    blocks = data.split("\r\n\r\n")
    assert blocks[0].split("\r\n")[:2] == ["1", "00:00:01,000 --> 00:00:04,000"]
    assert blocks[1].split("\r\n")[:2] == ["2", "00:00:05,000 --> 00:00:06,500"]
    lines = blocks[0].split("\r\n")[2:]
    assert all(len(re.sub(r"<.*?>", "", ln)) <= 16 for ln in lines) and len(lines) >= 2
    cue = "".join(lines)
    assert cue.count("<i>") == 1 and f"<i>{ref('stripped')}</i>" in cue
    assert re.sub(r"<.*?>", "", cue) == ref("He was stripped of his position in 1999 by the Communist Party.")
    assert data.endswith("\r\n")


def test_vtt_header_notes_and_settings_kept(tmp_path, engine, ref):
    src = tmp_path / "talk.vtt"
    src.write_text("WEBVTT\n\nNOTE The media said\n\nc1\n00:01.000 --> 00:04.000 align:start\n"
                   "<v Gu>The <b>statement</b> was issued.</v>\n", encoding="utf-8")
    fmt = get_format("vtt")
    doc = fmt.read_document(src)
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "talk.zh.vtt"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    assert out.read_text(encoding="utf-8") == (
        "WEBVTT\n\nNOTE The media said\n\nc1\n00:01.000 --> 00:04.000 align:start\n"
        f"<v Gu>{ref('The')}<b>{ref('statement')}</b>{ref('was issued.')}</v>\n")


def test_a_plain_string_translation_uses_the_fallback_but_drops_nothing(tmp_path):
    src = tmp_path / "page.html"
    src.write_bytes(b"<html><body><p>He was <b>stripped</b> of <i>it</i>.</p></body></html>")
    fmt = get_format("html")
    doc = fmt.read_document(src, lang="en")
    placed = placed_paragraphs(doc, ["他被撤销。"], "zh")
    tree = placed[0].tree()
    assert [c.code.data.tag for c in tree.children if not isinstance(c, str)] == ["b", "i"]
    assert tree.text() == "他被撤销。"


# --- Markdown --------------------------------------------------------------------------------

MARKDOWN = """# The statement

> He was stripped of his position. The media
> said so.

- See [the statement](http://example.com/a "The title") and **his position** here.
- The _media_ said `x = 1` at <http://example.com/auto>.

```
He was stripped
```
"""


def test_markdown_links_keep_urls_emphasis_and_quotes_survive(tmp_path, engine, ref):
    src = tmp_path / "notes.en.md"
    src.write_text(MARKDOWN, encoding="utf-8")
    fmt = get_format(format_for_path(src, want="document"))
    assert fmt.name == "markdown"
    doc = fmt.read_document(src)
    assert [s.text for s in doc.segments] == [
        "The statement", "He was stripped of his position.", "The media said so.",
        "See the statement and his position here.", "The media said `x = 1` at <http://example.com/auto>."]
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "notes.zh.md"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "# " + ref("The statement")
    assert lines[2] == "> " + ref("He was stripped of his position.") + ref("The media said so.")
    assert lines[4] == (f"- {ref('See')}[{ref('the statement')}](http://example.com/a \"The title\")"
                        f"{ref('and')}**{ref('his position')}**{ref('here.')}")
    # `_` emphasis is written with `*` in Chinese (no word boundaries there)
    assert lines[5] == f"- {ref('The')}*{ref('media')}*{ref('said')}`x = 1`{ref('at')}<http://example.com/auto>{ref('.')}"
    assert "\n".join(lines[6:]) == "\n```\nHe was stripped\n```\n"


# --- ODT -------------------------------------------------------------------------------------

ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3"')


def build_odt(path: Path) -> Path:
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {ODF_NS}><office:automatic-styles>
<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles><office:body><office:text>
<text:h text:outline-level="1">Former Officer</text:h>
<text:p>He was <text:span text:style-name="T1">stripped of his </text:span><text:span text:style-name="T1">position</text:span> in 1999.<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>The authorities warned him.</text:p></text:note-body></text:note> See <text:a xlink:type="simple" xlink:href="http://example.com/s">the statement</text:a> for reasons.</text:p>
<text:p>He enlisted <draw:frame draw:name="img1" svg:width="1cm" svg:height="1cm"><draw:image xlink:href="Pictures/a.png" xlink:type="simple"/></draw:frame> in 1981.</text:p>
<table:table table:name="T"><table:table-row><table:table-cell><text:p>Gu Xiaohua</text:p></table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>"""
    styles = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {ODF_NS}><office:styles><style:default-style style:family="paragraph">
<style:text-properties fo:language="en" fo:country="US" style:language-asian="zh" style:country-asian="CN"/>
</style:default-style></office:styles><office:master-styles><style:master-page style:name="Standard">
<style:header><text:p>The Epoch Times</text:p></style:header><style:footer><text:p>Updated</text:p></style:footer>
</style:master-page></office:master-styles></office:document-styles>"""
    meta = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {ODF_NS} xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><dc:language>en-US</dc:language></office:meta></office:document-meta>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Pictures/a.png" manifest:media-type="image/png"/>
</manifest:manifest>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, data in (("content.xml", content), ("styles.xml", styles), ("meta.xml", meta),
                           ("META-INF/manifest.xml", manifest), ("Pictures/a.png", PNG)):
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_odt_spans_links_notes_frames_and_styles(tmp_path, engine, ref):
    src = build_odt(tmp_path / "memo.odt")
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    assert "He was stripped of his position in 1999." in [s.text for s in doc.segments]
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "memo.zh.odt"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist() and b.namelist()[0] == "mimetype"
    assert {n for n in a.namelist() if a.read(n) != b.read(n)} == {"content.xml", "styles.xml", "meta.xml"}
    T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    content = etree.fromstring(b.read("content.xml"))
    spans = list(content.iter(T + "span"))
    assert [s.text for s in spans] == [ref("stripped of his position")]  # the two spans merged
    assert [x.text for x in content.iter(T + "a")] == [ref("the statement")]
    assert len(list(content.iter(T + "note"))) == 1
    assert len(list(content.iter("{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame"))) == 1
    texts = ["".join(p.itertext()) for p in content.iter(T + "p", T + "h")]
    assert ref("The authorities warned him.") in texts and ref("Gu Xiaohua") in texts
    styles = b.read("styles.xml").decode()
    assert ref("The Epoch Times") in styles and ref("Updated") in styles
    assert "<dc:language>zh-CN</dc:language>" in b.read("meta.xml").decode()


# --- EPUB ------------------------------------------------------------------------------------

def _epubcheck() -> list[str] | None:
    path = shutil.which("epubcheck")
    if path is None:
        return None
    with open(path, "rb") as f:  # Debian installs the jar itself as /usr/bin/epubcheck
        is_jar = f.read(2) == b"PK"
    if is_jar:
        return [shutil.which("java"), "-jar", path] if shutil.which("java") else None
    return [path]


def test_epub_spine_toc_and_package_language(tmp_path, engine, ref):
    src = tmp_path / "book.en.epub"
    build_epub(src)
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "book.zh.epub"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert b.namelist() == a.namelist() and b.infolist()[0].compress_type == zipfile.ZIP_STORED
    assert b.read("OEBPS/a.png") == a.read("OEBPS/a.png")
    chapter = etree.fromstring(b.read("OEBPS/chapter.xhtml"))
    X = "{http://www.w3.org/1999/xhtml}"
    assert chapter.get("lang") == "zh"
    assert chapter.find(f".//{X}em").text == ref("stripped of his position")
    assert chapter.find(f".//{X}img").get("alt") == ref("The media")
    assert ref("Former Officer") in b.read("OEBPS/toc.ncx").decode()
    assert ref("Former Officer") in b.read("OEBPS/nav.xhtml").decode()
    assert "<dc:language>zh</dc:language>" in b.read("OEBPS/package.opf").decode()
    check = _epubcheck()
    if check is None:
        pytest.skip("epubcheck is not installed (apt-get install epubcheck): structural checks only")
    result = subprocess.run(check + [str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def build_epub(path: Path) -> Path:
    chapter = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>Former Officer</title></head>
<body><h1>Former Officer</h1>
<p>He was <em>stripped of his position</em> in 1999. <a href="chapter.xhtml">The statement</a> said.</p>
<p><img src="a.png" alt="The media"/></p>
</body></html>"""
    nav = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>The statement</title></head>
<body><nav epub:type="toc" id="toc"><h1>The statement</h1><ol><li><a href="chapter.xhtml">Former Officer</a></li></ol></nav></body></html>"""
    opf = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="en">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="id">urn:uuid:12345678-1234-1234-1234-123456789abc</dc:identifier>
<dc:title>The statement</dc:title><dc:language>en</dc:language>
<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="c1" href="chapter.xhtml" media-type="application/xhtml+xml"/>
<item id="img" href="a.png" media-type="image/png"/>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
</manifest>
<spine toc="ncx"><itemref idref="c1"/></spine>
</package>"""
    ncx = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">
<head><meta name="dtb:uid" content="urn:uuid:12345678-1234-1234-1234-123456789abc"/></head>
<docTitle><text>The statement</text></docTitle>
<navMap><navPoint id="p1" playOrder="1"><navLabel><text>Former Officer</text></navLabel><content src="chapter.xhtml"/></navPoint></navMap>
</ncx>"""
    container = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""
    png = PNG
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in (("META-INF/container.xml", container), ("OEBPS/package.opf", opf),
                           ("OEBPS/nav.xhtml", nav), ("OEBPS/chapter.xhtml", chapter),
                           ("OEBPS/toc.ncx", ncx), ("OEBPS/a.png", png)):
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


# --- the commands ----------------------------------------------------------------------------

def test_cli_translate_docx_writes_the_document_and_the_bitext(tmp_path, argos_dir, ref):
    from click.testing import CliRunner

    from aligner.cli import main
    from aligner.io.bitext_jsonl import read_bitext

    src = build_docx(tmp_path / "report.en.docx")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["report.en-zh.jsonl", "report.zh.docx"]
    body = etree.fromstring(zipfile.ZipFile(out / "report.zh.docx").read("word/document.xml"))
    assert _runs(next(body.iter(W + "p")))[1] == (ref("stripped of his position"), True, False, False)
    bitext = read_bitext(out / "report.en-zh.jsonl")
    assert bitext.src_text(bitext.beads[0]) == "He was stripped of his position in 1999."
    assert bitext.tgt_text(bitext.beads[0]) == ref("He was stripped of his position in 1999.")
    # a re-run finds it current
    r = CliRunner().invoke(main, ["translate", str(src), "--to", "zh", "--out", str(out)])
    assert r.exit_code == 0 and "1 file already up to date" in r.output


def test_cli_unknown_kind_refused_by_name_and_folder_lists_skipped_files(tmp_path, argos_dir):
    from click.testing import CliRunner

    from aligner.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\x00\x01\x02\x03 binary \x00")
    (folder / "note.en.txt").write_text("The media said.\n", encoding="utf-8")
    (folder / "page.html").write_bytes(b"<html><body><p>The media said.</p></body></html>")
    r = CliRunner().invoke(main, ["translate", str(folder / "scan.pdf"), "--to", "zh", "--out", str(tmp_path / "o1")])
    assert r.exit_code == 3
    assert "scan.pdf: cannot translate a file of this kind (.pdf)" in r.output
    assert ".docx" in r.output and ".srt" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o1").exists() or not any((tmp_path / "o1").iterdir())
    r = CliRunner().invoke(main, ["translate", str(folder), "--to", "zh", "--out", str(tmp_path / "o2")])
    assert r.exit_code == 0, r.output
    assert "translated 2 files" in r.output
    assert "skipped 1 file of the folders:" in r.output and "scan.pdf: unknown kind (.pdf)" in r.output
    assert sorted(p.name for p in (tmp_path / "o2").iterdir()) == [
        "note.en-zh.jsonl", "note.zh.txt", "page.en-zh.jsonl", "page.zh.html"]
    # Into the folder itself, twice: the second run's list of skipped files is the same, not
    # swollen with the bitexts and exports the first run wrote there.
    for _ in range(2):
        r = CliRunner().invoke(main, ["translate", str(folder), "--to", "zh", "--out", str(folder),
                                      "--format", "tmx", "--format", "xliff"])
        assert r.exit_code == 0, r.output
        assert "skipped 1 file of the folders:" in r.output and "scan.pdf: unknown kind (.pdf)" in r.output
        assert r.output.count("unknown kind") == 1, r.output
    assert "2 files already up to date" in r.output


def test_cli_align_docx_pair_with_paragraphs_as_hard_boundaries(tmp_path):
    import docx
    from click.testing import CliRunner

    from aligner.cli import main
    from aligner.io.bitext_jsonl import read_bitext

    en = [p for p in (fixture_model.REPO_CORPUS / "article.en.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    zh = [p for p in (fixture_model.REPO_CORPUS / "article.zh.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert len(en) == len(zh)
    a, b = docx.Document(), docx.Document()
    for p in en:  # formatting in the English only: the readers see the same sentences anyway
        words = p.split(" ")
        para = a.add_paragraph(" ".join(words[:2]) + " ")
        para.add_run(" ".join(words[2:4])).bold = True
        para.add_run(" " + " ".join(words[4:]))
    for p in zh:
        b.add_paragraph(p)
    a.save(str(tmp_path / "article.en.docx"))
    b.save(str(tmp_path / "article.zh.docx"))
    out = tmp_path / "article.en-zh.jsonl"
    r = CliRunner().invoke(main, ["align", str(tmp_path / "article.en.docx"), str(tmp_path / "article.zh.docx"),
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    bitext = read_bitext(out)
    assert bitext.meta["paragraphs"].startswith("hard boundaries")
    para_of = lambda doc, ids: {doc.segments[i].paragraph for i in ids}  # noqa: E731
    for bead in bitext.beads:  # no bead crosses a paragraph boundary
        if bead.src and bead.tgt:
            assert para_of(bitext.source, bead.src) == para_of(bitext.target, bead.tgt)
    covered = sorted(i for bd in bitext.beads for i in bd.src)
    assert covered == list(range(len(bitext.source.segments)))


# --- PPTX ------------------------------------------------------------------------------------

def test_pptx_slides_notes_bold_and_links(tmp_path, engine, ref):
    pptx = pytest.importorskip("pptx", reason="python-pptx (the test extra) builds the presentation")
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Former Officer"
    p = slide.placeholders[1].text_frame.paragraphs[0]
    for text, bold, link in (("He was ", False, None), ("stripped of his position", True, None),
                             (" in 1999. See ", False, None), ("the statement", False, "http://example.com/s"),
                             (" for reasons.", False, None)):
        r = p.add_run()
        r.text = text
        if bold:
            r.font.bold = True
        if link:
            r.hyperlink.address = link
    slide.notes_slide.notes_text_frame.text = "The media said."
    src = tmp_path / "deck.en.pptx"
    prs.save(str(src))
    fmt = get_format(format_for_path(src, want="document"))
    doc = fmt.read_document(src)
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "deck.zh.pptx"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    assert {n for n in a.namelist() if a.read(n) != b.read(n)} == {"ppt/slides/slide1.xml",
                                                                    "ppt/notesSlides/notesSlide1.xml"}
    got = pptx.Presentation(str(out))
    shapes = list(got.slides[0].shapes)
    assert shapes[0].text_frame.text == ref("Former Officer")
    runs = [(r.text, bool(r.font.bold), r.hyperlink.address) for r in shapes[1].text_frame.paragraphs[0].runs]
    assert runs == [(ref("He was"), False, None), (ref("stripped of his position"), True, None),
                    (ref("in 1999.") + ref("See"), False, None), (ref("the statement"), False, "http://example.com/s"),
                    (ref("for reasons."), False, None)]
    assert got.slides[0].notes_slide.notes_text_frame.text == ref("The media said.")


@pytest.mark.parametrize("name, data, message", [
    ("empty.html", b"", "the file is empty"),
    ("binary.html", b"\x00\x01\x02\xff\xfe" * 50, "binary file, not a web page"),
    ("script-only.html", b"<html><body><script>var x;</script></body></html>", "no text to translate"),
    ("broken.xhtml", b"<?xml version='1.0'?><html><body><p>unclosed</body></html>", "not well-formed XML"),
    ("cue.srt", b"1\nnot a timing\nHello there.\n", "a block without a timing line"),
    ("headless.vtt", b"00:01.000 --> 00:02.000\nHello\n", "starts with the line WEBVTT"),
    ("book.epub", b"PK\x03\x04junk", "not an EPUB book"),
    ("memo.odt", b"", "not an OpenDocument file"),
    ("deck.pptx", b"hello", "not a PowerPoint presentation"),
])
def test_bad_documents_are_one_clear_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    fmt = get_format(format_for_path(path, want="document"))
    with pytest.raises(InputError) as e:
        fmt.read_document(path)
    assert message in str(e.value) and name in str(e.value)


def test_translated_html_renders_in_headless_chromium(tmp_path, engine, ref):
    from test_export_support import chromium, run_chromium

    if chromium() is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does)")
    src = tmp_path / "page.en.html"
    src.write_bytes(PAGE)
    fmt = get_format("html")
    doc = fmt.read_document(src)
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "page.zh.html"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    dom = run_chromium(["--dump-dom", out.as_uri()], tmp_path / "profile").stdout.decode("utf-8")
    from lxml import html

    page = html.fromstring(dom)
    assert page.get("lang") == "zh"
    assert page.findall(".//p")[0].findtext("b") == ref("stripped of his position")
    assert page.findall(".//p")[0].text_content() == ref("He was stripped of his position in 1999.") + \
        ref("See the statement for reasons.")


def test_markdown_image_alt_text_is_translated_and_its_url_untouched(tmp_path, engine, ref):
    src = tmp_path / "pics.en.md"
    src.write_text('# Pictures\n\n![The media said](img/a_b.png "The title")\n\n'
                   'He was stripped of his position ![](x.png) in 1999.\n', encoding="utf-8")
    fmt = get_format("markdown")
    doc = fmt.read_document(src)
    assert [s.text for s in doc.segments] == ["Pictures", "The media said", "He was stripped of his position in 1999."]
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "pics.zh.md"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[2] == f'![{ref("The media said")}](img/a_b.png "The title")'
    assert lines[4].count("![](x.png)") == 1 and "x.png" not in ref("He was stripped of his position in 1999.")
    assert lines[4].replace("![](x.png)", "") == ref("He was stripped of his position in 1999.")


SRT_RUN_ON = ("1\n00:00:01,000 --> 00:00:03,000\nHe was stripped of his position\n\n"
              "2\n00:00:03,500 --> 00:00:05,000\nin 1999 by the <i>Communist Party</i>.\n\n"
              "3\n00:00:06,000 --> 00:00:07,000\nThe media said.\n")


def test_srt_sentence_across_cues_is_one_segment_distributed_back_by_attention(tmp_path, engine, ref):
    src = tmp_path / "run.en.srt"
    src.write_text(SRT_RUN_ON, encoding="utf-8")
    fmt = get_format("srt")
    doc = fmt.read_document(src)
    assert [s.text for s in doc.segments] == ["He was stripped of his position in 1999 by the Communist Party.",
                                              "The media said."]
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "run.zh.srt"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    blocks = out.read_text(encoding="utf-8").split("\n\n")
    assert [b.split("\n")[:2] for b in blocks] == [  # numbers and timings untouched
        ["1", "00:00:01,000 --> 00:00:03,000"], ["2", "00:00:03,500 --> 00:00:05,000"],
        ["3", "00:00:06,000 --> 00:00:07,000"]]
    # each cue holds the translation of its own words (the fixture model's alignment)
    assert "".join(blocks[0].split("\n")[2:]) == ref("He was stripped of his position")
    assert "".join(blocks[1].split("\n")[2:]) == f"{ref('in 1999 by the')}<i>{ref('Communist Party')}</i>{ref('.')}"
    assert "".join(blocks[2].split("\n")[2:]) == ref("The media said.")


def test_srt_run_on_sentence_without_attention_is_cut_in_proportion_and_no_cue_is_empty(tmp_path):
    src = tmp_path / "run.en.srt"
    src.write_text(SRT_RUN_ON, encoding="utf-8")
    fmt = get_format("srt")
    doc = fmt.read_document(src)
    out = tmp_path / "run.zh.srt"
    fmt.write_document(doc, ["他被撤职了1999年由共产党。", "媒体说。"], out, tgt_lang="zh")
    blocks = out.read_text(encoding="utf-8").split("\n\n")
    cues = ["".join(b.split("\n")[2:]) for b in blocks]
    assert all(re.sub(r"<.*?>", "", c) for c in cues)  # no cue left empty
    assert re.sub(r"<.*?>", "", cues[0] + cues[1]) == "他被撤职了1999年由共产党。"  # nothing lost, "1999" not cut
    assert (cues[0] + cues[1]).count("<i>") in (1, 2) and cues[0].count("<i>") == cues[0].count("</i>")
    assert cues[1].count("<i>") == cues[1].count("</i>")  # a tag cut by the cue boundary is closed and reopened


HTML_SPELLED = (b"<!doctype html>\n<!-- kept as it is -->\n<HTML lang=en>\n<head><meta charset=utf-8>"
                b"<title>The statement</title>\n<style>p { color: red }</style></head>\n<BODY>\n"
                b"<p class=lead id='p1'>He was <b>stripped of his position</b> in 1999.</p>\n"
                b"<img src='a.png' alt='The media' width=10><br>\n"
                b"<p>The&nbsp;media &amp; <a href=\"/s?a=1&amp;b=2\">the statement</a></p>\n"
                b"<script>var s = '<p>He was</p>';</script>\n</BODY></HTML>\n")


def test_html_everything_that_is_not_text_stays_byte_for_byte(tmp_path, engine, ref):
    src = tmp_path / "page.html"
    src.write_bytes(HTML_SPELLED)
    fmt = get_format("html")
    doc = fmt.read_document(src)
    _, translations = translate_rich(engine, doc, "zh")
    out = tmp_path / "page.zh.html"
    fmt.write_document(doc, translations, out, tgt_lang="zh")
    data = out.read_bytes()
    # the translated pieces, as the fixture model gives them
    assert f"<b>{ref('stripped of his position')}</b>".encode() in data
    assert f"alt='{ref('The media')}'".encode() in data
    # what was not text, byte for byte: take out the text runs, the alt value and lang
    def skeleton(page: bytes) -> bytes:
        page = re.sub(rb"<HTML lang=\w+>", b"<HTML lang=?>", page)
        page = re.sub(rb"alt='[^']*'", b"alt=?", page)
        page = re.sub(rb"<title>[^<]*</title>", b"<title>?</title>", page)
        page = re.sub(rb"<p class=lead id='p1'>.*?</p>", b"<p1>", page)
        return re.sub(rb"\n<p>.*?</p>\n", b"\n<p2>\n", page, flags=re.S)
    assert skeleton(data) == skeleton(HTML_SPELLED)
    assert b"<!doctype html>\n<!-- kept as it is -->\n<HTML lang=zh>" in data
    assert b"<script>var s = '<p>He was</p>';</script>" in data and b"<img src='a.png'" in data
    assert b'<a href="/s?a=1&amp;b=2">' in data


def test_html_a_change_that_cannot_be_placed_falls_back_to_the_re_serialised_page():
    from aligner.documents.patch import patch

    # `before` has an element the original lacks (lxml adds <html><body>): a change there
    assert patch(b"<p>Hi</p>", b"<html><body><p>Hi</p></body></html>",
                 b"<html lang=\"zh\"><body><p>Hi</p></body></html>") is None
    assert patch(b"<P class=a>Hi</P>", b'<p class="a">Hi</p>', b'<p class="a">\xe4\xbd\xa0\xe5\xa5\xbd</p>') == \
        b"<P class=a>\xe4\xbd\xa0\xe5\xa5\xbd</P>"
