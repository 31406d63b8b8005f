"""TMX 1.4b to and from memory units, keeping every field a unit has.

The bitext TMX (aligner.export / aligner.io.tm_import) is about beads and drops what only
a memory has: the language variant of each <tuv> (zh-TW), the dates and author of each
<tu>, and its context. Here:
  <tu tuid creationdate changedate creationid srclang>  -> id, created, changed, author
  <note>                                                -> notes
  <prop type="x-origin">                                -> origin
  <prop type="x-document"> (also "file", "x-file")      -> file
  <prop type="prev"> / <prop type="next"> (as OmegaT)   -> the source context (101 matches)
  other <prop>s                                         -> meta["props"]
  <tuv xml:lang>                                        -> src_lang / tgt_lang with variant
Dates are TMX's YYYYMMDDThhmmssZ in the file, ISO 8601 in the memory.
The file is read safely (aligner.text.xml.parse_xml_safely) and written atomically.
"""

from __future__ import annotations

import re
from typing import Iterable

from lxml import etree

from aligner import __version__
from aligner.errors import InputError
from aligner.io.atomic import atomic_open
from aligner.text.xml import parse_xml_safely
from aligner.memory import match as M
from aligner.memory.base import Unit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NATIVE_CODES = {"bpt", "ept", "ph", "it", "ut"}
_BEAD_ORIGINS = {"import": "imported", "gold": "aligned", "tm": "imported", "approved": "approved-mt"}
_KNOWN_PROPS = {"x-origin", "x-document", "x-file", "file", "prev", "next", "x-prev", "x-next", "x-bead",
                "x-score"}
# XML 1.0 cannot carry these characters at all; a memory never holds them from a TMX.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def tmx_date(iso: str | None) -> str | None:
    if not iso:
        return None
    d = re.sub(r"[-:]", "", iso)
    return d if re.fullmatch(r"\d{8}T\d{6}Z", d) else None


def iso_date(tmx: str | None) -> str | None:
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z", (tmx or "").strip())
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}Z" if m else None


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _seg_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and _local(child) not in _NATIVE_CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_tmx_units(data: bytes, name: str, *, src_lang: str | None = None, tgt_lang: str | None = None,
                   origin: str | None = None) -> list[Unit]:
    """Every unit of a TMX file: one per <tu> and target language (a multilingual <tu> gives
    one unit per language other than the source)."""
    root = parse_xml_safely(data, name)
    if _local(root) != "tmx":
        raise InputError(f"not a TMX file: the root element is <{_local(root)}>, not <tmx>", path=name,
                         line=root.sourceline)
    header = next((c for c in root if _local(c) == "header"), None)
    header_src = header.get("srclang") if header is not None else None
    if header_src and header_src.strip() == "*all*":
        header_src = None
    units: list[Unit] = []
    for body in (c for c in root if _local(c) == "body"):
        for tu in (c for c in body if _local(c) == "tu"):
            tuvs = []
            for tuv in (c for c in tu if _local(c) == "tuv"):
                lang = M.canonical_tag(tuv.get(XML_LANG) or tuv.get("lang") or "")
                seg = next((c for c in tuv if _local(c) == "seg"), None)
                tuvs.append((lang, _seg_text(seg) if seg is not None else ""))
            if len(tuvs) < 2:
                continue
            want_src = src_lang or (tu.get("srclang") if tu.get("srclang") not in (None, "*all*") else None) \
                or header_src or tuvs[0][0]
            src = next((t for t in tuvs if M.base(t[0]) == M.base(want_src)), None)
            if src is None:
                continue
            props: dict[str, str] = {}
            for p in (c for c in tu if _local(c) == "prop"):
                props.setdefault(p.get("type", ""), p.text or "")
            notes = [n.text or "" for n in tu if _local(n) == "note"]
            unit_origin = origin or props.get("x-origin") or "imported"
            unit_origin = _BEAD_ORIGINS.get(unit_origin, unit_origin)
            other = {k: v for k, v in props.items() if k not in _KNOWN_PROPS}
            meta: dict = {"props": other} if other else {}
            if tu.get("tuid"):
                meta["tuid"] = tu.get("tuid")
            for tgt in tuvs:
                if tgt is src or M.base(tgt[0]) == M.base(src[0]):
                    continue
                if tgt_lang and M.base(tgt[0]) != M.base(tgt_lang):
                    continue
                units.append(Unit(
                    source=src[1], target=tgt[1],
                    src_lang=M.canonical_tag(src_lang) if src_lang and "-" in src_lang else src[0],
                    tgt_lang=M.canonical_tag(tgt_lang) if tgt_lang and "-" in tgt_lang else tgt[0],
                    origin=unit_origin,
                    file=props.get("x-document") or props.get("file") or props.get("x-file"),
                    created=iso_date(tu.get("creationdate")), changed=iso_date(tu.get("changedate")),
                    author=tu.get("changeid") or tu.get("creationid"),
                    notes=notes, meta=dict(meta),
                    prev=props.get("prev", props.get("x-prev")), next=props.get("next", props.get("x-next"))))
    return units


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write_tmx(units: Iterable[Unit], path: str) -> int:
    """Write units as TMX 1.4b (streamed: a memory of millions of units is never held in
    memory), atomically. Returns how many were written."""
    count = 0
    with atomic_open(path, "wb", encoding=None) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        with etree.xmlfile(f, encoding="UTF-8") as xf:
            with xf.element("tmx", version="1.4"):
                xf.write("\n")
                header = etree.Element("header", {
                    "creationtool": "aligner", "creationtoolversion": __version__, "segtype": "sentence",
                    "o-tmf": "aligner translation memory", "adminlang": "en", "srclang": "*all*",
                    "datatype": "plaintext"})
                header.tail = "\n"
                xf.write(header)
                with xf.element("body"):
                    xf.write("\n")
                    for u in units:
                        xf.write(_tu(u))
                        count += 1
                xf.write("\n")
    return count


def _tu(u: Unit) -> etree._Element:
    attrs = {"srclang": u.src_lang}
    tuid = u.meta.get("tuid") or u.id  # the file's own tuid survives a round trip
    if tuid is not None:
        attrs["tuid"] = _clean(str(tuid))
    for key, value in (("creationdate", tmx_date(u.created)), ("changedate", tmx_date(u.changed)),
                       ("creationid", u.author)):
        if value:
            attrs[key] = _clean(value)
    tu = etree.Element("tu", attrs)
    for note in u.notes:  # the DTD wants notes and props before the variants
        etree.SubElement(tu, "note").text = _clean(note)
    props = [("x-origin", u.origin)]
    if u.file:
        props.append(("x-document", u.file))
    if u.prev is not None:
        props.append(("prev", u.prev))
    if u.next is not None:
        props.append(("next", u.next))
    props += sorted((u.meta.get("props") or {}).items())
    for kind, value in props:
        etree.SubElement(tu, "prop", type=kind).text = _clean(str(value))
    for lang, text in ((u.src_lang, u.source), (u.tgt_lang, u.target)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = _clean(text)
    tu.tail = "\n"
    return tu
