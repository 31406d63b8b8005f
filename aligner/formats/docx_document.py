"""Word documents (DOCX) as documents to translate, with lxml on the OOXML parts.

Translated: every paragraph (w:p) of the body, tables, headers, footers, footnotes, endnotes
and text boxes. A paragraph is read as its text with inline codes (`aligner.documents.codes`):

* runs are first merged when they differ only in spell-check or revision-session markup
  (w:proofErr, w:noProof, w:lang, the w:rsid* attributes), so a word that Word cut in two
  because of a spelling mark is one word again;
* the run properties most of the paragraph's text has are its base; a stretch with other
  properties (bold, italic, a character style) is a pair code, and so are hyperlinks,
  tracked insertions, smart tags and simple fields, which hold runs;
* whatever is not text is an atom and is written back as it was: images (w:drawing, w:pict),
  footnote references, tabs, breaks, field codes, bookmarks, deleted text, equations, inline
  content controls (whose text is left untranslated).

Written back: the same package, every member byte for byte except the parts whose
paragraphs changed; in those only the paragraphs' runs are rebuilt (paragraph properties,
numbering, styles untouched), and the language: w:lang of the runs and of the document
defaults, dc:language of the core properties.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from aligner.documents import (finish_document, open_zip, placed_paragraphs, read_member,
                               read_paragraph_parts, rewrite_zip, safe_xml)
from aligner.errors import InputError
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes
from aligner.text.xml import properties_key

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")

# Elements that hold runs and are kept around the words they held (pair codes).
CONTAINERS = {W + t for t in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "dir", "bdo",
                              "moveTo")}
# Spell-check marks: dropped, so the runs around them merge.
DROP = {W + "proofErr", W + "lastRenderedPageBreak"}
# Run content that is not text: the literal it shows in the paragraph's text.
RUN_ATOMS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "\u2011"}
# Run properties that say nothing about formatting (spell-check state, language).
IGNORED_PROPS = frozenset({W + "noProof", W + "lang", W + "proofErr"})


def _key(rpr) -> bytes:
    """Run properties as a comparable key, without spell-check, language and revision marks."""
    return properties_key(rpr, drop_children=IGNORED_PROPS, drop_attribute=lambda name: "rsid" in name)


class DocxDocument:
    """The DOCX document format's reading and writing of documents (aligner.formats.docx mixes it in)."""


    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        where = str(path)
        zf, _ = open_zip(path, "a Word document (.docx)")
        names = [n for n in zf.namelist() if PARTS.match(n)]
        if "word/document.xml" not in names:
            raise InputError("not a Word document: the package has no word/document.xml", path=where,
                             hint="Give a .docx file (an .odt, .pptx or .epub is another kind of file).")
        names.sort(key=lambda n: (n != "word/document.xml", n))
        parts, paragraphs = read_paragraph_parts(zf, names, where, (W + "p",), self._paragraph)
        return finish_document(paragraphs, lang, where, {"zip": zf, "parts": parts}, "docx")

    # --- one paragraph --------------------------------------------------------------------

    def _items(self, el) -> list[tuple]:
        """The paragraph's content in order: ("t", key, rPr, text), ("rc", key, rPr, child,
        literal), ("e", element), ("c", element, items)."""
        items: list[tuple] = []
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in DROP:
                if not isinstance(tag, str):
                    items.append(("e", child))
                continue
            if tag == W + "pPr":
                continue
            if tag == W + "r":
                rpr = child.find(W + "rPr")
                key = _key(rpr)
                for rc in child:
                    if rc.tag == W + "rPr" or rc.tag in DROP:
                        continue
                    if rc.tag == W + "t":
                        if rc.text:
                            items.append(("t", key, rpr, rc.text))
                        continue
                    literal = RUN_ATOMS.get(rc.tag, "")
                    if rc.tag == W + "br" and rc.get(W + "type") in ("page", "column"):
                        literal = "\n"
                    items.append(("rc", key, rpr, rc, literal))
            elif tag in CONTAINERS:
                items.append(("c", child, self._items(child)))
            else:
                items.append(("e", child))
        return items

    def _paragraph(self, p, part: str) -> Paragraph | None:
        items = self._items(p)
        counts: dict[bytes, int] = {}
        rprs: dict[bytes, Any] = {}

        def count(its):
            for it in its:
                if it[0] == "t":
                    counts[it[1]] = counts.get(it[1], 0) + len(it[3])
                    rprs.setdefault(it[1], it[2])
                elif it[0] == "c":
                    count(it[2])
        count(items)
        if not counts:
            return None  # no text at all
        base = max(counts, key=counts.__getitem__)
        b = Builder()
        state = {"run": None}  # the key of the open run code

        def close_run():
            if state["run"] is not None:
                b.close()
                state["run"] = None

        def feed(its):
            for it in its:
                kind = it[0]
                if kind == "t":
                    _, key, rpr, text = it
                    if key == base:
                        close_run()
                    elif state["run"] != key:
                        close_run()
                        b.open(("run", rpr))
                        state["run"] = key
                    b.text(text)
                elif kind == "rc":
                    _, key, rpr, child, literal = it
                    if state["run"] is not None and state["run"] != key:
                        close_run()
                    b.atom(("rc", rpr, child), literal)
                elif kind == "e":
                    b.atom(("e", it[1]))
                else:
                    close_run()
                    b.open(("c", it[1]))
                    feed(it[2])
                    close_run()
                    b.close()
        feed(items)
        close_run()
        return b.build(data=(part, p, rprs.get(base)))

    # --- writing ---------------------------------------------------------------------------

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang))

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        """The translated package's bytes (the parts read by read_document change in place)."""
        from lxml import etree

        layout = doc.layout
        zf = layout["zip"]
        placed = placed_paragraphs(doc, translations, tgt_lang)
        changed: set[str] = set()
        for par, pl in zip(doc.paragraphs, placed):
            if pl is None:
                continue
            part, p, base_rpr = par.data
            for child in list(p):
                if child.tag != W + "pPr":
                    p.remove(child)
            self._emit(pl.tree(), p, base_rpr, tgt_lang)
            changed.add(part)
        replaced = {}
        for name in changed:
            replaced[name] = etree.tostring(layout["parts"][name], xml_declaration=True,
                                            encoding="UTF-8", standalone=True)
        replaced.update(self._language_parts(zf, doc, tgt_lang))
        return rewrite_zip(zf, replaced)

    def _emit(self, node: Node, into, rpr, tgt_lang: str) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child:
                    into.append(_run(into, rpr, child, tgt_lang))
                continue
            code = child.code
            data = code.data
            if code.is_atom:
                if data is None:  # protected text (a URL): a run like the text around it
                    into.append(_run(into, rpr, child.text(), tgt_lang))
                elif data[0] == "rc":
                    r = into.makeelement(W + "r", {})
                    if data[1] is not None:
                        r.append(_lang(copy.deepcopy(data[1]), tgt_lang))
                    r.append(data[2])
                    into.append(r)
                else:
                    data[1].tail = None
                    into.append(data[1])
            elif data[0] == "run":
                self._emit(child, into, data[1], tgt_lang)
            else:
                el = data[1]
                new = el.makeelement(el.tag, dict(el.attrib))
                for sub in el:  # a field's or smart tag's properties stay first
                    if sub.tag in (W + "fldSimplePr", W + "smartTagPr", W + "customXmlPr"):
                        new.append(copy.deepcopy(sub))
                into.append(new)
                self._emit(child, new, rpr, tgt_lang)

    def _language_parts(self, zf, doc, tgt_lang: str) -> dict[str, bytes]:
        """styles.xml (document defaults) and docProps/core.xml (dc:language) say the target
        language, where they say a language at all."""
        from lxml import etree

        out = {}
        names = set(zf.namelist())
        where = doc.path or "document"
        if "word/styles.xml" in names:
            root = safe_xml(read_member(zf, "word/styles.xml", where), where, "word/styles.xml")
            hit = False
            for lang in root.iterfind(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang"):
                _set_lang(lang, tgt_lang)
                hit = True
            if hit:
                out["word/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                        standalone=True)
        if "docProps/core.xml" in names:
            root = safe_xml(read_member(zf, "docProps/core.xml", where), where, "docProps/core.xml")
            hit = False
            for el in root.iterfind("{http://purl.org/dc/elements/1.1/}language"):
                el.text = "zh-CN" if tgt_lang.startswith("zh") else "en-US"
                hit = True
            if hit:
                out["docProps/core.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                          standalone=True)
        return out


def _set_lang(lang_el, tgt_lang: str) -> None:
    if tgt_lang.startswith("zh"):
        lang_el.set(W + "eastAsia", "zh-CN")
    else:
        lang_el.set(W + "val", "en-US")


def _lang(rpr, tgt_lang: str):
    for lang in rpr.iterfind(W + "lang"):
        _set_lang(lang, tgt_lang)
    return rpr


def _run(parent, rpr, text: str, tgt_lang: str):
    r = parent.makeelement(W + "r", {})
    if rpr is not None:
        r.append(_lang(copy.deepcopy(rpr), tgt_lang))
    t = r.makeelement(W + "t", {})
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(XML_SPACE, "preserve")
    r.append(t)
    return r
