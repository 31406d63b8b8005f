"""EPUB books as documents to translate: the XHTML documents of the spine (in reading order),
the navigation document and the NCX table of contents, read and written by the HTML format
(aligner.formats.html_document), and the package document's language.

Written back: every member byte for byte (mimetype first and stored, as EPUB requires)
except the XHTML, NCX and package documents whose text or language changed.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aligner.documents import (finish_document, open_zip, placed_paragraphs, read_member,
                               rewrite_zip, safe_xml)
from aligner.formats.html_document import HtmlDocument
from aligner.errors import InputError
from aligner.formats.base import Format
from aligner.documents.codes import Builder, Paragraph
from aligner.io.atomic import atomic_write_bytes

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML_TYPES = ("application/xhtml+xml", "text/html")


class EpubFormat(Format):
    name = "epub"
    extensions = (".epub",)
    mime_types = ("application/epub+zip",)
    binary = True
    description = "EPUB book"

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        where = str(path)
        zf, _ = open_zip(path, "an EPUB book")
        names = set(zf.namelist())
        if "META-INF/container.xml" not in names:
            raise InputError("not an EPUB book: the package has no META-INF/container.xml", path=where)
        container = safe_xml(read_member(zf, "META-INF/container.xml", where), where, "META-INF/container.xml")
        rootfile = container.find(f".//{CONTAINER}rootfile")
        opf_name = rootfile.get("full-path") if rootfile is not None else None
        if not opf_name or opf_name not in names:
            raise InputError("the EPUB's container.xml names no package document it holds", path=where)
        opf = safe_xml(read_member(zf, opf_name, where), where, opf_name)
        base = posixpath.dirname(opf_name)
        items = {}
        for item in opf.iter(OPF + "item"):
            href = unquote(item.get("href", ""))
            items[item.get("id")] = (posixpath.normpath(posixpath.join(base, href)),
                                     item.get("media-type", ""), item.get("properties", ""))
        order: list[str] = []
        for ref in opf.iter(OPF + "itemref"):
            it = items.get(ref.get("idref"))
            if it and it[1] in XHTML_TYPES and it[0] not in order:
                order.append(it[0])
        for name, media, props in items.values():  # the navigation document, when not in the spine
            if "nav" in props.split() and name not in order:
                order.append(name)
        html = HtmlDocument()
        trees: dict[str, Any] = {}
        paragraphs: list[Paragraph] = []
        for name in order:
            if name not in names:
                raise InputError(f"the package document lists {name}, which the EPUB does not hold",
                                 path=where, hint="The book is damaged: rebuild it in its editor.")
            tree, _ = html.parse(read_member(zf, name, where), f"{where} ({name})", xhtml=True)
            trees[name] = tree
            paragraphs.extend(html.paragraphs(tree.getroot()))
        ncx_name = next((n for n, media, _ in items.values() if media == "application/x-dtbncx+xml"), None)
        ncx = None
        if ncx_name and ncx_name in names:
            ncx = safe_xml(read_member(zf, ncx_name, where), where, ncx_name)
            for text in ncx.iter(NCX + "text"):
                if text.text and text.text.strip():
                    b = Builder()
                    b.text(text.text)
                    paragraphs.append(b.build(data=("text", text)))
        if lang is None:
            declared = opf.findtext(f".//{DC}language")
            if declared and declared.split("-")[0].lower() in ("en", "zh"):
                lang = declared
        layout = {"zip": zf, "opf": (opf_name, opf), "trees": trees, "ncx": (ncx_name, ncx)}
        return finish_document(paragraphs, lang, where, layout, self.name)

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang))

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        from lxml import etree

        layout = doc.layout
        code = "zh" if tgt_lang.startswith("zh") else tgt_lang
        placed = placed_paragraphs(doc, translations, tgt_lang)
        html = HtmlDocument()
        html.apply(doc.paragraphs, placed)
        for par, p in zip(doc.paragraphs, placed):
            if p is not None and par.data[0] == "text":
                par.data[1].text = p.text
        replaced = {}
        for name, tree in layout["trees"].items():
            html._set_lang(tree.getroot(), doc.lang, tgt_lang, True)
            replaced[name] = html.serialize(tree, True, tree.docinfo.encoding)
        ncx_name, ncx = layout["ncx"]
        if ncx is not None:
            if ncx.get(XML_LANG) is not None:
                ncx.set(XML_LANG, code)
            replaced[ncx_name] = etree.tostring(ncx, xml_declaration=True, encoding="UTF-8")
        opf_name, opf = layout["opf"]
        langs = list(opf.iter(DC + "language"))
        if langs:
            langs[0].text = code
        else:
            meta = opf.find(OPF + "metadata")
            if meta is not None:
                el = etree.SubElement(meta, DC + "language")
                el.text = code
        if opf.get(XML_LANG) is not None:
            opf.set(XML_LANG, code)
        replaced[opf_name] = etree.tostring(opf, xml_declaration=True, encoding="UTF-8")
        return rewrite_zip(layout["zip"], replaced)
