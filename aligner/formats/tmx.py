"""TMX: the translation memory format every CAT tool reads and writes.

Writing, TMX 1.4b: a translation memory holds translations, so one <tu> per bead with
both sides; beads with an empty side (1-0, 0-1) are left out, and machine translation
too unless asked for (include_mt; then marked creationid/changeid "MT!"), both counted in
the WriteReport. A <tuv xml:lang> per language, with the bitext's tags (en, zh-CN, or the
variant it keeps, see common.bitext_tags). Bead facts go in <prop type="x-..."> (origin,
score, document, bead kind), glossary terms and violations in <note>; inline codes a
bead recorded on import are written back as TMX codes (aligner.formats.inline). Many
bitexts go into one TMX. Characters XML 1.0 cannot carry are written as U+FFFD with a
note saying what they were (common.xml_safe); the reader restores them.

Reading, any TMX version CAT tools write: the source language as the file says (header
srclang, else the units' srclang, else the first variant), the target the most frequent
other language, the tags as written (kept for export); inline codes become placeholders;
our own props and notes come back as score, origin and metadata. A TMX without units
is refused with a message that says so.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import IO, Any

from lxml import etree

from aligner import __version__
from aligner.errors import InputError
from aligner.formats.base import WriteOptions
from aligner.formats.common import (CONTROL_NOTE_PREFIX, base_lang, bitext_tags, control_note, document_name,
                                    restore_controls, xml_safe)
from aligner.formats.inline import extract, fill, numbers_of
from aligner.formats.review import term_notes, violations
from aligner.formats.units import Memory, Unit, UnitFormat
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
        root = build_tmx(bitexts, include_mt=options.include_mt, lang_tags=options.lang_tags,
                         report=options.report)
        f.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE))


# The creation/change id TMX gives machine translation: the "MT!" convention of CAT tools
# for machine-made units. OmegaT 3.6 does not read it (it auto-inserts any 100% match
# under tm/auto/), so docs/cat-tools.md says to put such a TMX under tm/mt/ instead.
MT_ID = "MT!"
LEFT_OUT_EMPTY = "empty side"
LEFT_OUT_MT = "machine translation"


def tm_unit_reason(bead, include_mt: bool) -> str | None:
    """Why a bead is not a translation-memory unit, or None when it is one: a memory holds
    translations, so a bead with an empty side (1-0, 0-1) is none (a CAT tool would insert
    its empty side as a 100% match); machine output is one only when asked for."""
    if not bead.src or not bead.tgt:
        return LEFT_OUT_EMPTY
    if bead.origin == "mt" and not include_mt:
        return LEFT_OUT_MT
    return None


def build_tmx(bitexts: list[Bitext], *, include_mt: bool = False, lang_tags=None, report=None) -> etree._Element:
    tags = [bitext_tags(bt, lang_tags) for bt in bitexts]
    src_tags = {t[0] for t in tags}
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "aligner",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "aligner bitext",
        "adminlang": "en",
        # One source language for all units, or "*all*" (TMX: any language may be source).
        "srclang": src_tags.pop() if len(src_tags) == 1 else "*all*",
        "datatype": "plaintext",
        "creationdate": now,
    })
    body = etree.SubElement(root, "body")
    many = len(bitexts) > 1
    for k, bt in enumerate(bitexts):
        doc = document_name(bt, k)
        src_tag, tgt_tag = tags[k]
        for bead in bt.beads:
            why = tm_unit_reason(bead, include_mt)
            if why:
                if report is not None:
                    report.leave_out(why)
                continue
            src, src_ctl = xml_safe(bt.src_text(bead))
            tgt, tgt_ctl = xml_safe(bt.tgt_text(bead))
            attrs = {"tuid": f"{k + 1}-{bead.id}" if many else str(bead.id), "srclang": src_tag}
            mt = bead.origin == "mt"
            if mt:
                attrs.update(creationid=MT_ID, changeid=MT_ID)
            tu = etree.SubElement(body, "tu", attrs)
            notes = term_notes(bead) + [f"glossary violation: {v}" for v in violations(bead)]
            if mt:
                notes.insert(0, "machine translation, not reviewed")
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
            codes = bead.meta.get("inline") if isinstance(bead.meta.get("inline"), dict) else {}
            for tag, text, side in ((src_tag, src, "source"), (tgt_tag, tgt, "target")):
                tuv = etree.SubElement(tu, "tuv", {XML_LANG: tag})
                if mt and side == "target":
                    tuv.set("creationid", MT_ID)
                    tuv.set("changeid", MT_ID)
                fill(etree.SubElement(tuv, "seg"), text, codes.get(side), "tmx")
            if report is not None:
                report.written += 1
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
    if not tus:
        raise InputError("this TMX holds no translation units (no <tu> in its <body>)", path=name,
                         line=root.sourceline, hint="Export the memory again from your CAT tool, "
                         "with its translated segments.")
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
            vs.append((base_lang(lang), lang, seg))
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
    file_tags: dict[str, Counter[str]] = {"source": Counter(), "target": Counter()}
    for tu, vs in zip(tus, variants):
        s_seg = next(((seg, tag) for b, tag, seg in vs if b == src_base), (None, None))
        t_seg = next(((seg, tag) for b, tag, seg in vs if b == tgt_base), (None, None))
        meta: dict[str, Any] = {}
        s, s_codes = extract(s_seg[0], "tmx") if s_seg[0] is not None else ("", [])
        t, t_codes = extract(t_seg[0], "tmx", numbers_of(s_codes)) if t_seg[0] is not None else ("", [])
        if s_codes or t_codes:
            meta["inline"] = {"source": s_codes, "target": t_codes}
        for side, (_, tag) in (("source", s_seg), ("target", t_seg)):
            if tag:
                file_tags[side][tag] += 1
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
    # The tags as the file writes them (zh-TW, zh-Hant, en-GB), to be written again on export.
    tags = {side: c.most_common(1)[0][0] for side, c in file_tags.items() if c}
    return Memory(units, src_tag, tgt_tag, tags=tags)
