"""A CAT tool's XLIFF (1.2 or 2.0) as a document to translate: `aligner translate file.xlf`.

Each untranslated unit is a paragraph (XLIFF 1.2: a <trans-unit> without a target, or with
an empty one; 2.0: a <segment>), its <source>'s inline codes are inline codes
(aligner.documents.codes) and are put back around the words they belonged to with the engine's
attention, as for DOCX:

* wrapping codes (<g>, <mrk>, 2.0 <pc>, <mrk>, and any element this module does not know)
  are pair codes, written back as the same element around the translated words;
* a paired start and end (<bx/>...<ex/>, <bpt>...<ept>, 2.0 <sc/>...<ec/>, <sm/>...<em/>)
  is one pair code when the two sit in the same element and nest with the codes around
  them: the start goes before and the end after the translated words; otherwise each is
  a standalone code;
* standalone codes (<x/>, <ph>, <it>, 2.0 <ph/>, isolated halves, comments) are atoms,
  written back as they were after the target words of the source words before them.

The documented fallback (aligner.documents.codes: a code the attention cannot place wraps the
sentence, a standalone code goes at its end) never drops a code, and the target nests as
the source did, so the file stays valid against its schema.

The new target says what it is: XLIFF 1.2 state="needs-review-translation" with
state-qualifier="mt-suggestion" for machine translation (never approved), a memory's
exact match "translated" / "exact-match", its applied fuzzy match
"needs-review-translation" / "fuzzy-match"; XLIFF 2.0 state="initial" with subState
"aligner:mt" (or "aligner:tm"), an exact memory match "translated". Units already
translated and units marked translate="no" (on the unit, a group or the file) are left as
they were. A segmented 1.2 unit (<seg-source> with <mrk mtype="seg">, Trados and memoQ) is
translated segment by segment: each segment whose <mrk> in the target is missing or empty
gets its translation there (a missing target is made as a copy of the <seg-source>, as
those tools do), the others are left alone.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from lxml import etree

from aligner.documents import finish_document, placed_paragraphs
from aligner.errors import InputError
from aligner.formats.base import read_source
from aligner.formats.common import base_lang, lang_tag
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.text.xml import append_text, children, local_name, parse_xml_safely

NS1 = "urn:oasis:names:tc:xliff:document:1.2"
NS2 = "urn:oasis:names:tc:xliff:document:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MT_SUBSTATE = "aligner:mt"
TM_SUBSTATE = "aligner:tm"

# How each inline element behaves (the rest wrap text, and are kept as pair codes).
_STANDALONE = {"x", "ph", "it", "sub"}
_OPENS = {"bx", "bpt", "sc", "sm"}
_CLOSES = {"ex", "ept", "ec", "em"}


def _is2(root) -> bool:
    return root.get("version", "").startswith("2") or ":2." in (etree.QName(root).namespace or "")


def _empty(el) -> bool:
    return el is None or (not (el.text or "").strip() and len(el) == 0)


def _open_key(el) -> str | None:
    return el.get("rid") or el.get("i") or el.get("id")


def _close_key(el) -> str | None:
    return el.get("rid") or el.get("i") or el.get("startRef") or el.get("id")


def _pairs(el) -> dict[int, int]:
    """Start codes among `el`'s children matched with their end code (by id), where the
    two nest with the other paired codes between them (a stack): {start index: end index}
    (positions in `el`; lxml's element proxies have no stable identity)."""
    out: dict[int, int] = {}
    stack: list[tuple[int, Any]] = []
    for i, child in enumerate(el):
        if not isinstance(child.tag, str) or child.get("isolated") == "yes":
            continue
        name = local_name(child)
        if name in _OPENS:
            stack.append((i, child))
        elif name in _CLOSES:
            key = _close_key(child)
            if key is not None and any(_open_key(s) == key for _, s in stack):
                # the starts above it cross it: they stand alone
                while _open_key(stack[-1][1]) != key:
                    stack.pop()
                out[stack.pop()[0]] = i
    return out


def source_paragraph(source, data: Any) -> Paragraph:
    """A <source>'s text and inline codes as a Paragraph (see the module)."""
    b = Builder()

    def walk(el) -> None:
        b.text(el.text)
        pairs = _pairs(el)
        ends = set(pairs.values())
        for i, child in enumerate(el):
            if not isinstance(child.tag, str):  # comment, processing instruction
                b.atom(("code", child))
            else:
                name = local_name(child)
                if i in pairs:
                    b.open(("pair", child, el[pairs[i]]))
                elif i in ends:
                    b.close()
                elif name in _STANDALONE or name in _OPENS or name in _CLOSES:
                    b.atom(("code", child))
                else:  # <g>, <mrk>, <pc>, unknown markup: wraps its text
                    b.open(("wrap", child))
                    walk(child)
                    b.close()
            b.text(child.tail)
    walk(source)
    return b.build(data=data)


def _units(root, is2: bool):
    """(holder, source, target) of each unit to translate: the <trans-unit> (1.2) or the
    <segment> (2.0) whose target is missing or empty."""
    from aligner.formats.xliff import translatable

    if is2:
        from aligner.formats.xliff2 import _translatable

        for unit in root.iter(f"{{{NS2}}}unit"):
            if not _translatable(unit):
                continue
            for segment in children(unit, "segment"):
                source = next(iter(children(segment, "source")), None)
                target = next(iter(children(segment, "target")), None)
                if source is not None and _empty(target):
                    yield segment, source, target
        return
    for file_el in children(root, "file"):
        if (file_el.get("translate") or "").lower() == "no":
            continue
        for tu in file_el.iter(f"{{{NS1}}}trans-unit", "trans-unit"):
            source = next(iter(children(tu, "source")), None)
            target = next(iter(children(tu, "target")), None)
            if source is None or not translatable(tu):
                continue
            seg_source = next(iter(children(tu, "seg-source")), None)
            if seg_source is not None:
                yield from _segments(tu, seg_source, target)
            elif _empty(target):
                yield tu, source, target


def _seg_marks(el) -> list:
    return [m for m in el.iter("{*}mrk", "mrk") if m.get("mtype") == "seg"] if el is not None else []


def _segments(tu, seg_source, target):
    """A segmented unit's (Trados, memoQ: <seg-source> with <mrk mtype="seg" mid=...>) segments
    to translate: each one whose <mrk> in the target is missing or empty. The target of a unit
    without one is made as a copy of the <seg-source> when it is written."""
    marks = _seg_marks(seg_source)
    if target is not None and not _empty(target):
        done = {m.get("mid"): m for m in _seg_marks(target)}
        for m in marks:
            t = done.get(m.get("mid"))
            if t is not None and _empty(t):
                yield tu, m, ("mrk", t)
        return
    for m in marks:
        yield tu, m, ("mrk", None)


def nothing_to_translate(path: str | Path) -> bool:
    """Whether an XLIFF file is readable and every unit in it has a target or is not to be
    translated (False for a file that cannot be read: reading it says why)."""
    try:
        raw, label, _ = read_source(path, None, "an XLIFF file")
        root = parse_xml_safely(raw, label)
    except InputError:
        return False
    if local_name(root) != "xliff":
        return False
    return not any(_has_text(source) for _, source, _ in _units(root, _is2(root)))


def _has_text(source) -> bool:
    return bool("".join(source.itertext()).strip())


def read_xliff_document(path: str | Path, lang: str | None = None):
    """The RichDocument of an XLIFF's untranslated units (one paragraph each)."""
    raw, label, _ = read_source(path, None, "an XLIFF file")
    root = parse_xml_safely(raw, label)
    if local_name(root) != "xliff":
        raise InputError(f"not an XLIFF file: the root element is <{local_name(root)}>, not <xliff>", path=label,
                         line=root.sourceline, hint="Give the XLIFF file your CAT tool exported.")
    is2 = _is2(root)
    if is2:
        src_tag = root.get("srcLang")
    else:
        files = children(root, "file")
        if not files:
            raise InputError("no <file> element: this XLIFF holds no translation units", path=label)
        src_tag = files[0].get("source-language")
    paragraphs = [source_paragraph(source, (holder, source, target)) for holder, source, target in _units(root, is2)]
    if not any(p.text.strip() for p in paragraphs):
        raise InputError("nothing to translate in this XLIFF: every unit has a target already or is marked "
                         "translate=\"no\"", path=label,
                         hint="Check that you gave the file exported for translation.")
    return finish_document(paragraphs, lang or src_tag or None, label,
                           {"root": root, "is2": is2}, "xliff")


def _emit(node: Node, into) -> None:
    """Write a placed paragraph's tree into the <target> element `into`."""
    def text(s: str) -> None:
        append_text(into, s)

    def append(el) -> None:
        el = copy.deepcopy(el)
        el.tail = None
        into.append(el)

    for child in node.children:
        if isinstance(child, str):
            text(child)
        elif child.code.is_atom:
            if child.code.data is None:  # a protected span (URL, e-mail address): its text
                text(child.text())
            else:
                append(child.code.data[1])
        elif child.code.data[0] == "pair":
            append(child.code.data[1])
            _emit(child, into)
            append(child.code.data[2])
        else:
            orig = child.code.data[1]
            new = orig.makeelement(orig.tag, dict(orig.attrib))
            into.append(new)
            _emit(child, new)


def _origin(beads: list[Any]) -> str:
    """"exact" (every segment from the memory, exact or in context), "fuzzy" (a fuzzy match
    applied, the rest from the memory) or "mt"."""
    if not beads or any(getattr(b, "origin", "mt") != "tm" for b in beads):
        return "mt"
    if any((b.meta.get("tm") or {}).get("review") or (b.meta.get("tm") or {}).get("match") not in ("100", "101")
           for b in beads):
        return "fuzzy"
    return "exact"


def _target_tag(current: str | None, tgt_lang: str, where: str) -> str:
    if current:
        if base_lang(current) != base_lang(tgt_lang):
            raise InputError(f"this XLIFF is to be translated into {current}, not {tgt_lang}", path=where,
                             hint=f"Pass --to {base_lang(current)}, or export the file for {tgt_lang} "
                                  "from the CAT tool.")
        return current
    return lang_tag(tgt_lang)


def render_xliff_document(doc, translations, tgt_lang: str, bitext=None) -> bytes:
    """The XLIFF with a target in every unit that was read as a paragraph (see the module)."""
    layout = doc.layout
    root, is2 = layout["root"], layout["is2"]
    where = doc.path or "XLIFF"
    placed = placed_paragraphs(doc, translations, tgt_lang)
    beads = {b.src[0]: b for b in bitext.beads if b.src} if bitext is not None else {}
    if is2:
        root.set("trgLang", _target_tag(root.get("trgLang"), tgt_lang, where))
    else:
        for file_el in children(root, "file"):
            file_el.set("target-language", _target_tag(file_el.get("target-language"), tgt_lang, where))
    k = 0
    for par, spans, pl in zip(doc.paragraphs, doc.spans, placed):
        seg_ids = list(range(k, k + len(spans)))
        k += len(spans)
        if pl is None:
            continue  # only codes, nothing to translate: left as it was
        holder, source, target = par.data
        if isinstance(target, tuple):  # a segment of a segmented unit: its <mrk> in the target
            target = _target_mark(holder, source, target[1])
            par.data = (holder, source, ("mrk", target))
            seg_target = target
            target = target
            while local_name(target) != "target":
                target = target.getparent()
        else:
            seg_target = None
        if seg_target is None and (target is None or target.getparent() is None):
            ns = etree.QName(source).namespace
            target = source.makeelement(f"{{{ns}}}target" if ns else "target", {})
            source.addnext(target)
            target.tail, source.tail = source.tail, source.tail
            par.data = (holder, source, target)  # a second render reuses it
        box = seg_target if seg_target is not None else target
        box.text = None
        for child in list(box):
            box.remove(child)
        _emit(pl.tree(), box)
        origin = _origin([beads[i] for i in seg_ids if i in beads]) if beads else "mt"
        if is2:
            if origin == "exact":
                holder.set("state", "translated")
                holder.attrib.pop("subState", None)
            else:
                holder.set("state", "initial")
                holder.set("subState", TM_SUBSTATE if origin == "fuzzy" else MT_SUBSTATE)
            continue
        for attr in list(target.attrib):
            if attr != XML_LANG:
                del target.attrib[attr]
        target.set(XML_LANG, _file_lang(holder) or lang_tag(tgt_lang))
        if origin == "exact":
            target.set("state", "translated")
            target.set("state-qualifier", "exact-match")
        else:
            target.set("state", "needs-review-translation")
            target.set("state-qualifier", "fuzzy-match" if origin == "fuzzy" else "mt-suggestion")
        if holder.get("approved") == "yes":
            holder.set("approved", "no")
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _target_mark(tu, mark, found):
    """The target <mrk mtype="seg"> of segment `mark`: `found`, else the one of the same mid in
    the unit's target, made (the whole target, as a copy of the <seg-source>) when missing."""
    if found is not None and found.getparent() is not None:
        return found
    target = next(iter(children(tu, "target")), None)
    if target is None or _empty(target):
        seg_source = next(iter(children(tu, "seg-source")))
        if target is None:
            target = seg_source.makeelement(etree.QName(seg_source).text.replace("seg-source", "target"), {})
            seg_source.addnext(target)
            target.tail, seg_source.tail = seg_source.tail, seg_source.tail
        target.text = seg_source.text
        for child in seg_source:
            target.append(copy.deepcopy(child))
    mid = mark.get("mid")
    return next(m for m in _seg_marks(target) if m.get("mid") == mid)


def _file_lang(tu) -> str | None:
    node = tu.getparent()
    while node is not None and local_name(node) != "file":
        node = node.getparent()
    return node.get("target-language") if node is not None else None
