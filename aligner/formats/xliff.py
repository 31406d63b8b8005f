"""XLIFF 1.2, the bilingual format most CAT tools import for review and post-editing.

Writing: one <file> per bitext, one <trans-unit> per bead. The target's state says what
a reviewer has to do: human translations (aligned, imported, edited) are approved="yes"
and "translated"; machine output is "needs-review-translation" with state-qualifier
"mt-suggestion" and not approved, as are low-score beads, glossary violations and terms
the translation did not apply (review.review_reasons); an untranslated source sentence
gets an empty target in state "needs-translation". Score, origin and glossary terms are
<note>s.

Reading, XLIFF 1.x (including segmented <seg-source> files from Trados/memoQ): one
unit per <trans-unit>, or per <mrk mtype="seg"> in a segmented one; languages from
source-/target-language. Units marked translate="no" and header units are skipped
(counted); inline codes become placeholders (aligner.formats.inline). XLIFF 2.0 files
are read by aligner.formats.xliff2.
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

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Which state-qualifier tells a CAT tool where a target came from.
_QUALIFIERS = {"mt": "leveraged-mt", "import": "leveraged-tm", "tm": "leveraged-tm"}


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# The facts note our own export writes on every unit.
_FACTS = re.compile(r"^aligner: origin=(\S+) bead=\S+(?: score=(\S+))?$")


class XliffFormat(UnitFormat):
    name = "xliff"
    extensions = (".xlf", ".xliff")
    # Trados and memoQ name their XLIFF 1.2 files so.
    read_extensions = (".xlf", ".xliff", ".sdlxliff", ".mqxliff")
    mime_types = ("application/x-xliff+xml",)
    binary = True
    description = "XLIFF 1.2 (CAT tools: review, post-editing)"

    def _parse_units(self, data: bytes, name: str, src_lang: str | None, tgt_lang: str | None) -> Memory:
        return parse_xliff(data, name, src_lang, tgt_lang)

    def _write(self, bitexts: list[Bitext], f: IO[bytes], options: WriteOptions) -> None:
        f.write(etree.tostring(build_xliff(bitexts, options.low_score, options.lang_tags), xml_declaration=True,
                               encoding="UTF-8", pretty_print=True))

    # A CAT tool's XLIFF (1.2 or 2.0) to pre-translate: aligner.formats.xliff_document.
    def read_document(self, path, *, lang: str | None = None, **options: Any):
        from aligner.formats.xliff_document import read_xliff_document

        return read_xliff_document(path, lang)

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        from aligner.formats.xliff_document import render_xliff_document
        from aligner.io.atomic import atomic_write_bytes

        atomic_write_bytes(dest, render_xliff_document(doc, translations, tgt_lang, options.get("bitext")))


def bead_state(bead, low_score: float) -> tuple[str, list[str]]:
    reasons = review_reasons(bead, low_score)
    if not bead.tgt:
        return "needs-translation", reasons
    return ("needs-review-translation" if reasons else "translated"), reasons


def target_attributes(bead, low_score: float) -> tuple[dict[str, str], list[str]]:
    """The <target>'s state attributes and the reasons a reviewer should look.

    A human translation (aligned, imported, edited) with nothing to check is approved
    and "translated": translate-toolkit (pocount, xliff2po) and CAT tools count it as
    done, not fuzzy. Machine output is "needs-review-translation" with the qualifier
    "mt-suggestion", never approved; so is anything else a reviewer should look at."""
    state, reasons = bead_state(bead, low_score)
    attrs = {"state": state}
    if bead.origin == "mt" and bead.tgt:
        attrs["state-qualifier"] = "mt-suggestion"
    elif bead.origin in _QUALIFIERS and bead.tgt:
        attrs["state-qualifier"] = _QUALIFIERS[bead.origin]
    return attrs, reasons


def unit_approved(bead, state: str) -> bool:
    return state == "translated" and bead.origin != "mt"


def build_xliff(bitexts: list[Bitext], low_score: float, lang_tags=None) -> etree._Element:
    root = etree.Element(_q("xliff"), version="1.2", nsmap={None: NS})
    used_names: set[str] = set()
    for k, bt in enumerate(bitexts):
        src_tag, tgt_tag = bitext_tags(bt, lang_tags)
        name = xml_safe(document_name(bt, k))[0]
        original, n = name, 2
        while original in used_names:  # CAT tools key files by `original`
            original, n = f"{name} ({n})", n + 1
        used_names.add(original)
        file_el = etree.SubElement(root, _q("file"), {
            "original": original,
            "source-language": src_tag,
            "target-language": tgt_tag,
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
            attrs, reasons = target_attributes(bead, low_score)
            tu = etree.SubElement(body, _q("trans-unit"), {"id": unit_id, XML_SPACE: "preserve"})
            if unit_approved(bead, attrs["state"]):
                tu.set("approved", "yes")
            codes = bead.meta.get("inline") if isinstance(bead.meta.get("inline"), dict) else {}
            fill(etree.SubElement(tu, _q("source"), {XML_LANG: src_tag}), src, codes.get("source"), "xliff", NS)
            target = etree.SubElement(tu, _q("target"), {XML_LANG: tgt_tag, **attrs})
            fill(target, tgt, codes.get("target"), "xliff", NS)
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
            for alt in (bead.meta.get("tm") or {}).get("matches") or []:  # translation-memory matches
                alt_el = etree.SubElement(tu, _q("alt-trans"), {"match-quality": str(alt.get("score", "")),
                                                                "origin": "aligner tm"})
                etree.SubElement(alt_el, _q("source")).text = xml_safe(str(alt.get("source", "")))[0]
                etree.SubElement(alt_el, _q("target"), {XML_LANG: alt.get("lang") or tgt_tag}
                                 ).text = xml_safe(str(alt.get("target", "")))[0]
    return root


# --- reading ----------------------------------------------------------------------------

def _unit_notes(tu, s: str, t: str, meta: dict, score_holder: list) -> tuple[str, str]:
    for note in children(tu, "note"):
        text = note.text or ""
        if text.startswith(CONTROL_NOTE_PREFIX):
            s, t = restore_controls(text, s, t)
            continue
        m = _FACTS.match(text)
        if m:
            meta["origin"] = m.group(1)
            if m.group(2):
                try:
                    score_holder[0] = float(m.group(2))
                except ValueError:
                    pass
        elif text.startswith("review: "):
            continue  # written by our own export; recomputed whenever it matters
        else:
            meta.setdefault("notes", []).append(text)
    return s, t


def parse_xliff(data: bytes, name: str, src: str | None, tgt: str | None) -> Memory:
    root = parse_xml_safely(data, name)
    if local_name(root) != "xliff":
        raise InputError(f"not an XLIFF file: the root element is <{local_name(root)}>, not <xliff>", path=name,
                         line=root.sourceline, hint="Pass --format if the file name does not say what it is.")
    version = root.get("version", "")
    if version.startswith("2") or ":2." in (etree.QName(root).namespace or ""):
        from aligner.formats.xliff2 import parse_xliff2
        return parse_xliff2(root, name, src, tgt)
    files = children(root, "file")
    if not files:
        raise InputError("no <file> element: this XLIFF holds no translation units", path=name)
    src_tag = src or files[0].get("source-language")
    tgt_tag = tgt or files[0].get("target-language")
    units: list[Unit] = []
    skipped = 0
    found_tags: dict[str, str] = {}
    for file_el in files:
        if src is None and base_lang(file_el.get("source-language")) != base_lang(src_tag):
            raise InputError(f"<file original=\"{file_el.get('original')}\"> is in "
                             f"{file_el.get('source-language')}, the first file in {src_tag}",
                             path=name, line=file_el.sourceline,
                             hint="Import one language pair at a time, or pass --from and --to.")
        if tgt is None and file_el.get("target-language") and tgt_tag \
                and base_lang(file_el.get("target-language")) != base_lang(tgt_tag):
            raise InputError(f"<file original=\"{file_el.get('original')}\"> translates into "
                             f"{file_el.get('target-language')}, the first file into {tgt_tag}",
                             path=name, line=file_el.sourceline,
                             hint="Import one language pair at a time, or pass --from and --to.")
        document = file_el.get("original")
        for side, attr in (("source", "source-language"), ("target", "target-language")):
            if file_el.get(attr):
                found_tags.setdefault(side, file_el.get(attr))
        for tu in file_el.iter("{*}trans-unit"):
            if not isinstance(tu.tag, str):
                continue
            if not translatable(tu):
                skipped += 1
                continue
            source = next(iter(children(tu, "source")), None)
            target = next(iter(children(tu, "target")), None)
            seg_source = next(iter(children(tu, "seg-source")), None)
            base_meta: dict[str, Any] = {"id": tu.get("id")}
            if document:
                base_meta["document"] = document
            if target is not None and target.get("state"):
                base_meta["state"] = target.get("state")
            pairs: list[tuple[str, str]]
            seg_mrks = [m for m in seg_source.iter("{*}mrk") if m.get("mtype") == "seg"] \
                if seg_source is not None else []
            if seg_mrks:
                # Segmented XLIFF (Trados, memoQ): one bead per <mrk mtype="seg" mid=...>.
                tgt_mrks = {m.get("mid"): m for m in target.iter("{*}mrk") if m.get("mtype") == "seg"} \
                    if target is not None else {}
                elements = [(m, tgt_mrks.get(m.get("mid"))) for m in seg_mrks]
            else:
                elements = [(source, target)]
            pairs = []
            for s_el, t_el in elements:
                s, s_codes = extract(s_el, "xliff") if s_el is not None else ("", [])
                t, t_codes = extract(t_el, "xliff", numbers_of(s_codes)) if t_el is not None else ("", [])
                pairs.append((s, t, {"source": s_codes, "target": t_codes} if s_codes or t_codes else None))
            for s, t, codes in pairs:
                meta = dict(base_meta)
                if codes:
                    meta["inline"] = codes
                holder: list[float | None] = [None]
                s, t = _unit_notes(tu, s, t, meta, holder)
                units.append(Unit(s, t, holder[0], meta, tu.sourceline))
    if not units and skipped:
        raise InputError(f"all {skipped} units of this XLIFF are marked as not to translate "
                         "(translate=\"no\" or a header unit)", path=name,
                         hint="Check that you gave the right file.")
    return Memory(units, src_tag, tgt_tag, tags=found_tags, not_translatable=skipped)


# Units a CAT tool keeps for itself: PO headers (po2xliff), and anything marked translate="no".
_HEADER_RESTYPES = {"x-gettext-domain-header"}


def translatable(tu) -> bool:
    """Whether an XLIFF 1.2 <trans-unit> is one to translate: not translate="no" (on it
    or on an enclosing <group>), not a header unit."""
    if tu.get("restype") in _HEADER_RESTYPES:
        return False
    node = tu
    while node is not None and local_name(node) in ("trans-unit", "group"):
        if (node.get("translate") or "").lower() == "no":
            return False
        node = node.getparent()
    return True
