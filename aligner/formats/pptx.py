"""PowerPoint presentations (PPTX) as documents to translate, with lxml on the slide parts.

Translated: every DrawingML paragraph (a:p) of the slides (text boxes, placeholders, shapes,
tables, grouped shapes) and of the speaker notes. Runs are merged when they differ only in
spell-check or language marks (err, dirty, noProof, smtClean, lang, altLang); the run
properties most of the paragraph has are its base, other runs are pair codes (hyperlinks
live in the run properties, so a link is one too); line breaks and fields (slide numbers,
dates) are atoms. Written back: every member byte for byte except the slides and notes
whose text changed; there only the paragraphs' runs are rebuilt (paragraph properties and
the end-of-paragraph properties kept) and the runs' `lang` is the target language.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from aligner.documents import finish_document, open_zip, placed_paragraphs, read_paragraph_parts, rewrite_zip
from aligner.errors import InputError
from aligner.formats.base import Format
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes
from aligner.text.xml import properties_key

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PARTS = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml$")
IGNORED = frozenset(("lang", "altLang", "err", "dirty", "noProof", "smtClean", "smtId"))
LANG_CODES = {"zh": "zh-CN", "en": "en-US"}


def _key(rpr) -> bytes:
    return properties_key(rpr, drop_attribute=IGNORED.__contains__)


def _slide_number(name: str) -> tuple:
    m = re.search(r"(\d+)\.xml$", name)
    return (name.startswith("ppt/notesSlides"), int(m.group(1)) if m else 0)


class PptxFormat(Format):
    name = "pptx"
    extensions = (".pptx",)
    mime_types = ("application/vnd.openxmlformats-officedocument.presentationml.presentation",)
    binary = True
    description = "PowerPoint presentation"

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        where = str(path)
        zf, _ = open_zip(path, "a PowerPoint presentation (.pptx)")
        names = sorted((n for n in zf.namelist() if PARTS.match(n)), key=_slide_number)
        if "ppt/presentation.xml" not in zf.namelist():
            raise InputError("not a PowerPoint presentation: the package has no ppt/presentation.xml",
                             path=where, hint="Give a .pptx file.")
        parts, paragraphs = read_paragraph_parts(zf, names, where, (A + "p",), self._paragraph)
        return finish_document(paragraphs, lang, where, {"zip": zf, "parts": parts}, self.name)

    def _paragraph(self, p, part: str) -> Paragraph | None:
        items = []
        for child in p:
            if child.tag == A + "r":
                rpr = child.find(A + "rPr")
                text = "".join(t.text or "" for t in child.iter(A + "t"))
                if text:
                    items.append(("t", _key(rpr), rpr, text))
            elif child.tag in (A + "br", A + "fld"):
                rpr = child.find(A + "rPr")
                items.append(("a", _key(rpr), child, "\n" if child.tag == A + "br" else ""))
        counts: dict[bytes, int] = {}
        rprs: dict[bytes, Any] = {}
        for it in items:
            if it[0] == "t":
                counts[it[1]] = counts.get(it[1], 0) + len(it[3])
                rprs.setdefault(it[1], it[2])
        if not counts:
            return None
        base = max(counts, key=counts.__getitem__)
        b = Builder()
        open_key = None
        for it in items:
            kind, key = it[0], it[1]
            if kind == "t":
                if key == base:
                    if open_key is not None:
                        b.close()
                        open_key = None
                elif key != open_key:
                    if open_key is not None:
                        b.close()
                    b.open(("run", it[2]))
                    open_key = key
                b.text(it[3])
            else:
                if open_key is not None and open_key != key:
                    b.close()
                    open_key = None
                b.atom(("el", it[2]), it[3])
        if open_key is not None:
            b.close()
        return b.build(data=(part, p, rprs.get(base)))

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang))

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        from lxml import etree

        layout = doc.layout
        placed = placed_paragraphs(doc, translations, tgt_lang)
        code = LANG_CODES.get(tgt_lang, tgt_lang)
        changed: set[str] = set()
        for par, pl in zip(doc.paragraphs, placed):
            if pl is None:
                continue
            part, p, base_rpr = par.data
            end = p.find(A + "endParaRPr")
            for child in list(p):
                if child.tag not in (A + "pPr", A + "endParaRPr"):
                    p.remove(child)
            new: list[Any] = []
            _emit(pl.tree(), new, base_rpr, code, p)
            for el in new:
                if end is not None:
                    end.addprevious(el)
                else:
                    p.append(el)
            if end is not None and end.get("lang") is not None:
                end.set("lang", code)
            changed.add(part)
        replaced = {n: etree.tostring(layout["parts"][n], xml_declaration=True, encoding="UTF-8",
                                      standalone=True) for n in changed}
        return rewrite_zip(layout["zip"], replaced)


def _emit(node: Node, out: list, rpr, code: str, p) -> None:
    for child in node.children:
        if isinstance(child, str):
            if child:
                out.append(_run(p, rpr, child, code))
        elif child.code.is_atom:
            data = child.code.data
            if data is None:
                out.append(_run(p, rpr, child.text(), code))
            else:
                el = data[1]
                el.tail = None
                out.append(el)
        else:
            _emit(child, out, child.code.data[1], code, p)


def _run(p, rpr, text: str, code: str):
    r = p.makeelement(A + "r", {})
    if rpr is not None:
        c = copy.deepcopy(rpr)
        c.set("lang", code)
        for name in ("err", "dirty"):
            c.attrib.pop(name, None)
        r.append(c)
    else:
        r.append(p.makeelement(A + "rPr", {"lang": code}))
    t = r.makeelement(A + "t", {})
    t.text = text
    r.append(t)
    return r
