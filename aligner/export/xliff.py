"""XLIFF 1.2, the bilingual format most CAT tools import for review and post-editing.

One <file> per bitext, one <trans-unit> per bead. The target's state says what a
reviewer has to do: "translated" for aligned (human) translations, and
"needs-review-translation" for machine output, low-score beads, glossary
violations and terms the translation did not apply (review.review_reasons); an untranslated source sentence gets an empty
target in state "needs-translation". Score, origin and glossary terms are <note>s.
"""

from __future__ import annotations

from typing import IO

from lxml import etree

from aligner import __version__
from aligner.export.base import Exporter, ExportOptions, register
from aligner.export.review import (control_note, document_name, lang_tag, review_reasons, term_notes,
                                   violations, xml_safe)
from aligner.model import Bitext

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Which state-qualifier tells a CAT tool where a target came from.
_QUALIFIERS = {"mt": "leveraged-mt", "import": "leveraged-tm"}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@register
class XliffExporter(Exporter):
    name = "xliff"
    suffix = ".xlf"
    suffixes = (".xlf", ".xliff")
    binary = True
    description = "XLIFF 1.2 (CAT tools: review, post-editing)"

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: ExportOptions) -> None:
        f.write(etree.tostring(build_xliff(bitexts, options.low_score), xml_declaration=True,
                               encoding="UTF-8", pretty_print=True))


def bead_state(bead, low_score: float) -> tuple[str, list[str]]:
    reasons = review_reasons(bead, low_score)
    if not bead.tgt:
        return "needs-translation", reasons
    return ("needs-review-translation" if reasons else "translated"), reasons


def build_xliff(bitexts: list[Bitext], low_score: float) -> etree._Element:
    root = etree.Element(_q("xliff"), version="1.2", nsmap={None: NS})
    used_names: set[str] = set()
    for k, bt in enumerate(bitexts):
        name = xml_safe(document_name(bt, k))[0]
        original, n = name, 2
        while original in used_names:  # CAT tools key files by `original`
            original, n = f"{name} ({n})", n + 1
        used_names.add(original)
        file_el = etree.SubElement(root, _q("file"), {
            "original": original,
            "source-language": lang_tag(bt.src_lang),
            "target-language": lang_tag(bt.tgt_lang),
            "datatype": "plaintext",
            "tool-id": "aligner",
        })
        header = etree.SubElement(file_el, _q("header"))
        etree.SubElement(header, _q("tool"), {"tool-id": "aligner", "tool-name": "aligner",
                                              "tool-version": __version__})
        body = etree.SubElement(file_el, _q("body"))
        seen_ids: set[str] = set()
        for i, bead in enumerate(bt.beads):
            unit_id = str(bead.id) if str(bead.id) not in seen_ids else f"{bead.id}-{i}"
            seen_ids.add(unit_id)
            src, src_ctl = xml_safe(bt.src_text(bead))
            tgt, tgt_ctl = xml_safe(bt.tgt_text(bead))
            tu = etree.SubElement(body, _q("trans-unit"), {"id": unit_id, XML_SPACE: "preserve"})
            etree.SubElement(tu, _q("source"), {XML_LANG: lang_tag(bt.src_lang)}).text = src
            state, reasons = bead_state(bead, low_score)
            target = etree.SubElement(tu, _q("target"), {XML_LANG: lang_tag(bt.tgt_lang), "state": state})
            if bead.origin in _QUALIFIERS and bead.tgt:
                target.set("state-qualifier", _QUALIFIERS[bead.origin])
            target.text = tgt
            facts = f"aligner: origin={bead.origin} bead={bead.kind}"
            if bead.score is not None:
                facts += f" score={bead.score:.4f}"
            notes = [facts]
            if reasons:
                notes.append("review: " + ", ".join(reasons))
            notes += term_notes(bead) + [f"glossary violation: {v}" for v in violations(bead)]
            ctl = control_note(src_ctl, tgt_ctl)
            if ctl:
                notes.append(ctl)
            for note in notes:
                etree.SubElement(tu, _q("note"), {"from": "aligner"}).text = xml_safe(note)[0]
    return root
