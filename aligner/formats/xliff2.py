"""XLIFF 2.0 (OASIS, 2014), the bilingual format newer CAT tools and localisation
platforms exchange (Okapi, memoQ, Trados 2019+, Weblate, Angular).

Writing: one <file> per bitext, one <unit> with one <segment> per bead. The segment's
state says what a reviewer has to do: human translations (aligned, imported, edited)
are "translated"; machine output stays "initial" with subState "aligner:mt" (XLIFF 2
has no "needs review": an initial target is a suggestion), as does anything else to
review (the reasons go in a note). An untranslated sentence has no <target>. All
bitexts share the document's srcLang/trgLang, as XLIFF 2 requires.

Reading: every <segment> of every <unit> (units, groups or files with translate="no"
are skipped and counted; <ignorable> is not text to translate). Inline codes (<ph/>,
<pc>, <sc/>/<ec/>, <mrk>, <sm/>/<em/>) become placeholders, see aligner.formats.inline.
"""

from __future__ import annotations

import re
from typing import IO, Any

from lxml import etree

from aligner import __version__
from aligner.errors import InputError
from aligner.formats.base import WriteOptions
from aligner.formats.common import (CONTROL_NOTE_PREFIX, base_lang, bitext_tags, control_note, document_name,
                                    restore_controls, xml_safe)
from aligner.formats.inline import extract, fill, numbers_of
from aligner.formats.review import review_reasons, term_notes, violations
from aligner.formats.units import Memory, Unit, UnitFormat
from aligner.model import Bitext
from aligner.text.xml import children, local_name, parse_xml_safely

NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MT_SUBSTATE = "aligner:mt"
_FACTS = re.compile(r"^aligner: origin=(\S+) bead=\S+(?: score=(\S+))?$")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _nmtoken(text: str) -> str:
    return re.sub(r"[^\w.\-:]", "_", text) or "_"


class Xliff2Format(UnitFormat):
    name = "xliff2"
    # .xlf files are XLIFF 1.2 when written unless --format xliff2 says otherwise; when
    # read, the xliff reader sees the version and hands 2.0 files to this module.
    extensions = (".xlf", ".xliff")
    mime_types = ("application/xliff+xml",)
    binary = True
    description = "XLIFF 2.0 (newer CAT tools and localisation platforms)"

    def _parse_units(self, data: bytes, name: str, src_lang: str | None, tgt_lang: str | None) -> Memory:
        root = parse_xml_safely(data, name)
        if local_name(root) != "xliff" or etree.QName(root).namespace != NS:
            raise InputError("not an XLIFF 2.0 file: expected <xliff> in the namespace " + NS, path=name,
                             line=root.sourceline, hint="Pass --format xliff for XLIFF 1.2 files.")
        return parse_xliff2(root, name, src_lang, tgt_lang)

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: WriteOptions) -> None:
        root = build_xliff2(bitexts, options.low_score, options.lang_tags)
        f.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def build_xliff2(bitexts: list[Bitext], low_score: float, lang_tags=None) -> etree._Element:
    tags = {bitext_tags(bt, lang_tags) for bt in bitexts}
    if len(tags) > 1:
        raise InputError("XLIFF 2.0 holds one language pair per file, these bitexts have "
                         + ", ".join(f"{a}->{b}" for a, b in sorted(tags)),
                         hint="Export each language pair to its own file, or use --format xliff (1.2).")
    src_tag, tgt_tag = tags.pop()
    root = etree.Element(_q("xliff"), {"version": "2.0", "srcLang": src_tag, "trgLang": tgt_tag}, nsmap={None: NS})
    used: set[str] = set()
    for k, bt in enumerate(bitexts):
        name = xml_safe(document_name(bt, k))[0]
        original, n = name, 2
        while original in used:
            original, n = f"{name} ({n})", n + 1
        used.add(original)
        file_el = etree.SubElement(root, _q("file"), {"id": f"f{k + 1}", "original": original})
        notes = etree.SubElement(etree.SubElement(file_el, _q("notes")), _q("note"), category="aligner")
        notes.text = f"written by aligner {__version__}"
        seen: set[str] = set()
        for i, bead in enumerate(bt.beads):
            unit_id = _nmtoken(f"u{bead.id}")
            if unit_id in seen:
                unit_id = _nmtoken(f"u{bead.id}-{i}")
            seen.add(unit_id)
            src, src_ctl = xml_safe(bt.src_text(bead))
            tgt, tgt_ctl = xml_safe(bt.tgt_text(bead))
            reasons = review_reasons(bead, low_score)
            unit = etree.SubElement(file_el, _q("unit"), {"id": unit_id, XML_SPACE: "preserve"})
            facts = f"aligner: origin={bead.origin} bead={bead.kind}"
            if bead.score is not None:
                facts += f" score={bead.score:.4f}"
            lines = [facts] + (["review: " + ", ".join(reasons)] if reasons else [])
            lines += term_notes(bead) + [f"glossary violation: {v}" for v in violations(bead)]
            ctl = control_note(src_ctl, tgt_ctl)
            if ctl:
                lines.append(ctl)
            notes_el = etree.SubElement(unit, _q("notes"))
            for line in lines:
                etree.SubElement(notes_el, _q("note"), category="aligner").text = xml_safe(line)[0]
            segment = etree.SubElement(unit, _q("segment"), id="s1")
            if bead.tgt and not reasons:
                segment.set("state", "translated")
            else:
                segment.set("state", "initial")
                if bead.origin == "mt" and bead.tgt:
                    segment.set("subState", MT_SUBSTATE)
            codes = bead.meta.get("inline") if isinstance(bead.meta.get("inline"), dict) else {}
            fill(etree.SubElement(segment, _q("source")), src, codes.get("source"), "xliff2", NS)
            if bead.tgt:
                fill(etree.SubElement(segment, _q("target")), tgt, codes.get("target"), "xliff2", NS)
    return root


# --- reading ----------------------------------------------------------------------------

def _translatable(el) -> bool:
    node = el
    while node is not None and local_name(node) in ("unit", "group", "file"):
        if (node.get("translate") or "").lower() == "no":
            return False
        node = node.getparent()
    return True


def parse_xliff2(root, name: str, src: str | None, tgt: str | None) -> Memory:
    """The units of a parsed XLIFF 2.0 document."""
    src_tag = src or root.get("srcLang")
    tgt_tag = tgt or root.get("trgLang")
    files = children(root, "file")
    if not files:
        raise InputError("no <file> element: this XLIFF holds no translation units", path=name)
    units: list[Unit] = []
    skipped = 0
    for file_el in files:
        document = file_el.get("original")
        for unit in file_el.iter(_q("unit")):
            if not _translatable(unit):
                skipped += 1
                continue
            meta_base: dict[str, Any] = {"id": unit.get("id")}
            if document:
                meta_base["document"] = document
            score = None
            notes: list[str] = []
            control = None
            for notes_el in children(unit, "notes"):
                for note in children(notes_el, "note"):
                    text = note.text or ""
                    m = _FACTS.match(text)
                    if m:
                        meta_base["origin"] = m.group(1)
                        if m.group(2):
                            try:
                                score = float(m.group(2))
                            except ValueError:
                                pass
                    elif text.startswith(CONTROL_NOTE_PREFIX):
                        control = text
                    elif not text.startswith("review: "):
                        notes.append(text)
            if notes:
                meta_base["notes"] = notes
            for segment in children(unit, "segment"):
                source = next(iter(children(segment, "source")), None)
                target = next(iter(children(segment, "target")), None)
                s, s_codes = extract(source, "xliff2") if source is not None else ("", [])
                t, t_codes = extract(target, "xliff2", numbers_of(s_codes)) if target is not None else ("", [])
                if control:
                    s, t = restore_controls(control, s, t)
                meta = dict(meta_base)
                if segment.get("state"):
                    meta["state"] = segment.get("state")
                if s_codes or t_codes:
                    meta["inline"] = {"source": s_codes, "target": t_codes}
                units.append(Unit(s, t, score, meta, segment.sourceline))
    if not units and skipped:
        raise InputError(f"all {skipped} units of this XLIFF are marked translate=\"no\"", path=name,
                         hint="Check that you gave the right file.")
    tags = {side: tag for side, tag in (("source", root.get("srcLang")), ("target", root.get("trgLang")))
            if tag and base_lang(tag)}
    return Memory(units, src_tag, tgt_tag, tags=tags, not_translatable=skipped)
