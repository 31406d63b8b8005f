"""TMX 1.4b: the translation memory format every CAT tool imports.

One <tu> per bead, with a <tuv xml:lang> per language (en, zh-CN). Bead facts go in
<prop type="x-..."> (origin, score, document, bead kind), glossary terms and
violations in <note>. Many bitexts go into one TMX. Characters XML 1.0 cannot carry
are written as U+FFFD with a note saying what they were (see review.xml_safe), so no
segment is ever dropped; `aligner import` restores them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import IO

from lxml import etree

from aligner import __version__
from aligner.export.base import Exporter, ExportOptions, register
from aligner.export.review import (control_note, document_name, lang_tag, term_notes, violations,
                                   xml_safe)
from aligner.model import Bitext

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'


@register
class TmxExporter(Exporter):
    name = "tmx"
    suffix = ".tmx"
    suffixes = (".tmx",)
    binary = True
    description = "TMX 1.4b translation memory (CAT tools)"

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: ExportOptions) -> None:
        f.write(etree.tostring(build_tmx(bitexts), xml_declaration=True, encoding="UTF-8",
                               pretty_print=True, doctype=DOCTYPE))


def build_tmx(bitexts: list[Bitext]) -> etree._Element:
    src_langs = {bt.src_lang for bt in bitexts}
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "aligner",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "aligner bitext",
        "adminlang": "en",
        # One source language for all units, or "*all*" (TMX: any language may be source).
        "srclang": lang_tag(src_langs.pop()) if len(src_langs) == 1 else "*all*",
        "datatype": "plaintext",
        "creationdate": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
    })
    body = etree.SubElement(root, "body")
    many = len(bitexts) > 1
    for k, bt in enumerate(bitexts):
        doc = document_name(bt, k)
        for bead in bt.beads:
            src, src_ctl = xml_safe(bt.src_text(bead))
            tgt, tgt_ctl = xml_safe(bt.tgt_text(bead))
            tu = etree.SubElement(body, "tu", tuid=f"{k + 1}-{bead.id}" if many else str(bead.id),
                                  srclang=lang_tag(bt.src_lang))
            notes = term_notes(bead) + [f"glossary violation: {v}" for v in violations(bead)]
            ctl = control_note(src_ctl, tgt_ctl)
            if ctl:
                notes.append(ctl)
            for note in notes:  # the DTD wants notes and props before the variants
                etree.SubElement(tu, "note").text = xml_safe(note)[0]
            props = [("x-document", doc), ("x-bead", bead.kind), ("x-origin", bead.origin)]
            if bead.score is not None:
                props.append(("x-score", f"{bead.score:.4f}"))
            for kind, value in props:
                etree.SubElement(tu, "prop", type=kind).text = xml_safe(value)[0]
            for lang, text in ((bt.src_lang, src), (bt.tgt_lang, tgt)):
                tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang_tag(lang)})
                etree.SubElement(tuv, "seg").text = text
    return root
