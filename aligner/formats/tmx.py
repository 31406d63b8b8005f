"""TMX: the translation memory format every CAT tool reads and writes.

Writing, TMX 1.4b: one <tu> per bead, with a <tuv xml:lang> per language (en, zh-CN).
Bead facts go in <prop type="x-..."> (origin, score, document, bead kind), glossary
terms and violations in <note>. Many bitexts go into one TMX. Characters XML 1.0 cannot
carry are written as U+FFFD with a note saying what they were (common.xml_safe), so no
segment is ever dropped; the reader restores them.

Reading, any TMX version CAT tools write: the source language as the file says (header
srclang, else the units' srclang, else the first variant), the target the most frequent
other language; our own props and notes come back as score, origin and metadata.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import IO, Any

from lxml import etree

from aligner import __version__
from aligner.errors import InputError
from aligner.formats.base import WriteOptions
from aligner.formats.common import (CONTROL_NOTE_PREFIX, base_lang, control_note, document_name, lang_tag,
                                    restore_controls, xml_safe)
from aligner.formats.review import term_notes, violations
from aligner.formats.units import Memory, Unit, UnitFormat, segment_text
from aligner.model import Bitext
from aligner.text.xml import children, local_name, parse_xml_safely

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'


class TmxFormat(UnitFormat):
    name = "tmx"
    extensions = (".tmx",)
    mime_types = ("application/x-tmx+xml",)
    binary = True
    description = "TMX 1.4b translation memory (CAT tools)"

    def _parse_units(self, data: bytes, name: str, src_lang: str | None, tgt_lang: str | None) -> Memory:
        return parse_tmx(data, name, src_lang, tgt_lang)

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: WriteOptions) -> None:
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


# --- reading ----------------------------------------------------------------------------

def parse_tmx(data: bytes, name: str, src: str | None, tgt: str | None) -> Memory:
    root = parse_xml_safely(data, name)
    if local_name(root) != "tmx":
        raise InputError(f"not a TMX file: the root element is <{local_name(root)}>, not <tmx>", path=name,
                         line=root.sourceline, hint="Pass --format if the file name does not say what it is.")
    header = next(iter(children(root, "header")), None)
    header_src = header.get("srclang") if header is not None else None
    if header_src and header_src.strip() == "*all*":
        header_src = None
    tus = [tu for body in children(root, "body") for tu in children(body, "tu")]
    # Which languages are in the memory: the source as the file says, the target the
    # most frequent other language.
    langs: Counter[str] = Counter()
    tu_src: Counter[str] = Counter()
    variants = []
    for tu in tus:
        vs = []
        for tuv in children(tu, "tuv"):
            lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
            seg = next(iter(children(tuv, "seg")), None)
            vs.append((base_lang(lang), lang, segment_text(seg) if seg is not None else ""))
            langs[base_lang(lang)] += 1
        if tu.get("srclang") and tu.get("srclang") != "*all*":
            tu_src[base_lang(tu.get("srclang"))] += 1
        variants.append(vs)
    src_tag = src or header_src or (tu_src.most_common(1)[0][0] if tu_src else None) \
        or next((v[0][1] for v in variants if v), None)
    src_base = base_lang(src_tag)
    if tgt is None:
        others = [(n, lang) for lang, n in langs.items() if lang != src_base]
        tgt_tag = max(others)[1] if others else None
    else:
        tgt_tag = tgt
    tgt_base = base_lang(tgt_tag)
    units = []
    for tu, vs in zip(tus, variants):
        s = next((text for b, _, text in vs if b == src_base), "")
        t = next((text for b, _, text in vs if b == tgt_base), "")
        meta: dict[str, Any] = {}
        score = None
        for prop in children(tu, "prop"):
            kind, value = prop.get("type", ""), prop.text or ""
            if kind == "x-score":
                try:
                    score = float(value)
                except ValueError:
                    meta.setdefault("props", {})[kind] = value
            elif kind == "x-origin":
                meta["origin"] = value
            elif kind == "x-document":
                meta["document"] = value
            elif kind != "x-bead":
                meta.setdefault("props", {})[kind] = value
        for note in children(tu, "note"):
            text = note.text or ""
            if text.startswith(CONTROL_NOTE_PREFIX):
                s, t = restore_controls(text, s, t)
            else:
                meta.setdefault("notes", []).append(text)
        if tu.get("tuid"):
            meta["tuid"] = tu.get("tuid")
        units.append(Unit(s, t, score, meta, tu.sourceline))
    return Memory(units, src_tag, tgt_tag)
