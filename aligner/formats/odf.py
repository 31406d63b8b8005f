"""OpenDocument text and presentations (ODT, ODP) as documents to translate, with lxml on
content.xml and styles.xml.

Every text:p and text:h is a paragraph: body text, headings, list items, table cells, text
boxes and slides' frames (content.xml), headers and footers (styles.xml), footnotes and
endnotes (their text:note-body, translated where it is). Inline: text:span and text:a are
pair codes (adjacent spans with the same style are merged first, as LibreOffice often
splits them); spaces (text:s), tabs, line breaks, frames (images), notes' citations,
bookmarks, fields and annotations are atoms written back as they were.

Written back: every member of the package byte for byte except content.xml and styles.xml
where their paragraphs changed, and the language: the default style's and the paragraph
styles' fo:language/fo:country (or style:language-asian/style:country-asian for Chinese)
where a language was set, and meta.xml's dc:language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aligner.documents import (finish_document, open_zip, placed_paragraphs, read_member,
                               read_paragraph_parts, rewrite_zip, safe_xml)
from aligner.errors import InputError
from aligner.formats.base import Format
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes
from aligner.text.xml import append_text

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
PAIRS = {TEXT + "span", TEXT + "a"}
PARTS = ("content.xml", "styles.xml")


def _merge_spans(p) -> None:
    """Join neighbouring text:span elements with equal attributes and nothing between them."""
    for el in [p] + list(p.iter(TEXT + "span", TEXT + "a")):
        i = 0
        while i + 1 < len(el):
            prev, cur = el[i], el[i + 1]
            if prev.tag == cur.tag == TEXT + "span" and not prev.tail \
                    and dict(prev.attrib) == dict(cur.attrib):
                if len(prev):
                    prev[-1].tail = (prev[-1].tail or "") + (cur.text or "")
                else:
                    prev.text = (prev.text or "") + (cur.text or "")
                for c in list(cur):
                    prev.append(c)
                prev.tail = cur.tail
                el.remove(cur)
            else:
                i += 1


class OdfFormat(Format):
    name = "odt"
    extensions = (".odt", ".odp")
    mime_types = ("application/vnd.oasis.opendocument.text",
                  "application/vnd.oasis.opendocument.presentation")
    binary = True
    description = "OpenDocument text or presentation (LibreOffice)"

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        where = str(path)
        zf, _ = open_zip(path, "an OpenDocument file (.odt, .odp)")
        names = set(zf.namelist())
        if "content.xml" not in names:
            raise InputError("not an OpenDocument file: the package has no content.xml", path=where,
                             hint="Give an .odt or .odp file.")
        parts, paragraphs = read_paragraph_parts(zf, [n for n in PARTS if n in names], where,
                                                 (TEXT + "p", TEXT + "h"), self._paragraph, _merge_spans)
        return finish_document(paragraphs, lang, where, {"zip": zf, "parts": parts}, self.name)

    def _paragraph(self, p, part: str) -> Paragraph | None:
        b = Builder()

        def walk(el) -> None:
            b.text(el.text)
            for child in el:
                tag = child.tag
                if tag in PAIRS:
                    b.open(child)
                    walk(child)
                    b.close()
                elif tag == TEXT + "s":
                    b.atom(child, " " * int(child.get(TEXT + "c", "1") or 1))
                elif tag == TEXT + "tab":
                    b.atom(child, "\t")
                elif tag == TEXT + "line-break":
                    b.atom(child, "\n")
                else:  # frames, notes, bookmarks, fields, annotations, comments
                    b.atom(child)
                b.text(child.tail)
        walk(p)
        par = b.build(data=(part, p))
        return par if par.text.strip() else None

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang))

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        from lxml import etree

        layout = doc.layout
        placed = placed_paragraphs(doc, translations, tgt_lang)
        changed: set[str] = set()
        for par, pl in zip(doc.paragraphs, placed):
            if pl is None:
                continue
            part, p = par.data
            p.text = None
            for child in list(p):
                child.tail = None
                p.remove(child)
            _emit(pl.tree(), p)
            changed.add(part)
        for name, root in layout["parts"].items():
            if _set_language(root, tgt_lang):
                changed.add(name)
        replaced = {n: etree.tostring(layout["parts"][n], xml_declaration=True, encoding="UTF-8")
                    for n in changed}
        zf = layout["zip"]
        if "meta.xml" in zf.namelist():
            where = doc.path or "document"
            meta = safe_xml(read_member(zf, "meta.xml", where), where, "meta.xml")
            hit = False
            for el in meta.iter(DC + "language"):
                el.text = "zh-CN" if tgt_lang.startswith("zh") else "en-US"
                hit = True
            if hit:
                replaced["meta.xml"] = etree.tostring(meta, xml_declaration=True, encoding="UTF-8")
        return rewrite_zip(zf, replaced)


def _set_language(root, tgt_lang: str) -> bool:
    hit = False
    for props in root.iter(STYLE + "text-properties"):
        if tgt_lang.startswith("zh"):
            if props.get(STYLE + "language-asian") is not None:
                props.set(STYLE + "language-asian", "zh")
                props.set(STYLE + "country-asian", "CN")
                hit = True
        elif props.get(FO + "language") is not None:
            props.set(FO + "language", "en")
            props.set(FO + "country", "US")
            hit = True
    return hit


def _emit(node: Node, into) -> None:
    def text(s: str) -> None:
        append_text(into, s)

    for child in node.children:
        if isinstance(child, str):
            text(child)
        elif child.code.is_atom:
            if child.code.data is None:
                text(child.text())
            else:
                child.code.data.tail = None
                into.append(child.code.data)
        else:
            orig = child.code.data
            new = orig.makeelement(orig.tag, dict(orig.attrib))
            into.append(new)
            _emit(child, new)
