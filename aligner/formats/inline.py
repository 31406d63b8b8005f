"""Inline codes of TMX and XLIFF segments (<ph>, <bpt>/<ept>, <it>, <hi>, <x/>, <g>, <bx/>/<ex/>,
XLIFF 2 <ph/>, <pc>, <sc/>/<ec/>, <mrk>/<sm/>/<em/>) as placeholders in a bead's text.

A CAT tool's segment "Press <ph x="1">&lt;b/&gt;</ph> to quit." becomes the bead text
"Press ⟨1/⟩ to quit." and meta["inline"]["source"] records the code behind "⟨1/⟩"
(its element, attributes and native content, in the format it came from). Paired
codes are "⟨1⟩ ... ⟨/1⟩". On export (`fill`) each recorded placeholder is written back
as the element it was, or, into another format, as that format's equivalent, so a TMX
or XLIFF survives import and export with its tags. Only the placeholders a bead
records are replaced: text that merely looks like one stays text.

The brackets are U+27E8/U+27E9 (mathematical angle brackets): they do not occur in
ordinary prose, unlike {1} (ICU messages) or <x1/> (OmegaT's own tag text).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from aligner.text.xml import local_name

OPEN, CLOSE = "\u27e8", "\u27e9"

# How each element behaves: "ph" standalone code, "open"/"close" half of a pair,
# "wrap" an element that wraps text (<g>, <hi>, <pc>, <mrk>).
_KIND = {
    "tmx": {"ph": "ph", "ut": "ph", "it": "ph", "bpt": "open", "ept": "close", "hi": "wrap"},
    "xliff": {"x": "ph", "ph": "ph", "it": "ph", "bx": "open", "ex": "close", "bpt": "open", "ept": "close",
              "g": "wrap", "mrk": "wrap"},
    "xliff2": {"ph": "ph", "sc": "open", "ec": "close", "sm": "open", "em": "close", "pc": "wrap", "mrk": "wrap"},
}
# Elements whose content is native code (not translatable text).
_NATIVE = {"ph", "ut", "it", "bpt", "ept", "sub"}


def _token(n: int, kind: str, closing: bool = False) -> str:
    if kind == "ph":
        return f"{OPEN}{n}/{CLOSE}"
    return f"{OPEN}/{n}{CLOSE}" if closing else f"{OPEN}{n}{CLOSE}"


def _shell(el) -> str:
    """The element alone, without its children, text or tail (for <g>, <pc>, <hi>)."""
    copy = etree.Element(el.tag, dict(el.attrib), nsmap=None)
    return etree.tostring(copy, encoding="unicode")


def _whole(el) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


def _key(el) -> str | None:
    """What ties a code in the source to the same code in the target."""
    for attr in ("x", "id", "i", "startRef", "rid"):
        if el.get(attr):
            return f"{local_name(el)}:{attr}={el.get(attr)}"
    return None


def extract(el, fmt: str, numbers: dict[str, int] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(text with placeholders, the codes) of a TMX <seg> or XLIFF <source>/<target>/<mrk>.

    `numbers` maps a code's key to the number it had in the other side (pass the
    source's to the target, so the same code gets the same placeholder)."""
    kinds = _KIND[fmt]
    codes: list[dict[str, Any]] = []
    parts: list[str] = []
    used: set[int] = set()
    numbers = numbers if numbers is not None else {}
    pairs: dict[str, int] = {}  # open codes waiting for their close (by i / id / rid)

    def number(child) -> int:
        key = _key(child)
        n = numbers.get(key) if key else None
        if n is None or n in used:
            n = max(used | set(numbers.values()) | {0}) + 1
            if key:
                numbers[key] = n
        used.add(n)
        return n

    def walk(node) -> None:
        parts.append(node.text or "")
        for child in node:
            if not isinstance(child.tag, str):  # comment, processing instruction
                parts.append(child.tail or "")
                continue
            name = local_name(child)
            kind = kinds.get(name)
            if kind is None:
                walk(child)  # unknown markup: keep its text
            elif kind == "wrap" and not (fmt == "xliff" and name == "mrk" and child.get("mtype") == "seg"):
                n = number(child)
                codes.append({"token": _token(n, "open"), "kind": "open", "fmt": fmt, "tag": name,
                              "xml": _shell(child), "wrap": True})
                parts.append(codes[-1]["token"])
                walk(child)
                codes.append({"token": _token(n, "open", closing=True), "kind": "close", "fmt": fmt, "tag": name,
                              "wrap": True})
            elif kind == "open":
                pair = child.get("i") or child.get("rid") or child.get("id")
                n = number(child)
                if pair:
                    pairs[pair] = n
                codes.append({"token": _token(n, "open"), "kind": "open", "fmt": fmt, "tag": name,
                              "xml": _whole(child)})
            elif kind == "close":
                pair = child.get("i") or child.get("rid") or child.get("startRef") or child.get("id")
                n = pairs.pop(pair, None) if pair else None
                if n is None:
                    n = number(child)
                    kind_here = "ph"  # an isolated end code stands alone
                    token = _token(n, "ph")
                else:
                    kind_here = "close"
                    token = _token(n, "open", closing=True)
                codes.append({"token": token, "kind": kind_here, "fmt": fmt, "tag": name, "xml": _whole(child)})
            else:
                n = number(child)
                codes.append({"token": _token(n, "ph"), "kind": "ph", "fmt": fmt, "tag": name,
                              "xml": _whole(child)})
            if kind is not None:
                parts.append(codes[-1]["token"])
            parts.append(child.tail or "")

    walk(el)
    return "".join(parts), codes


def numbers_of(codes: list[dict[str, Any]]) -> dict[str, int]:
    """The key -> number map of a side's codes (see `extract`)."""
    out = {}
    for c in codes:
        xml = c.get("xml")
        if not xml or c.get("kind") == "close" and c.get("wrap"):
            continue
        el = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        key = _key(el)
        m = re.match(rf"{OPEN}/?(\d+)", c["token"])
        if key and m:
            out[key] = int(m.group(1))
    return out


# --- writing ------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _recorded(code: dict[str, Any]):
    try:
        return etree.fromstring(code["xml"], _PARSER)
    except (etree.XMLSyntaxError, KeyError, TypeError, ValueError):
        return None


def _num(code: dict[str, Any]) -> str:
    m = re.match(rf"{OPEN}/?(\d+)", code["token"])
    return m.group(1) if m else "1"


def _native(el) -> str:
    return "".join(el.itertext()) if el is not None and local_name(el) in _NATIVE else ""


def _convert(code: dict[str, Any], to: str, ns: str | None):
    """The element (and whether it wraps text) that writes `code` in format `to`."""
    src = _recorded(code) if code.get("xml") else None
    q = (lambda t: f"{{{ns}}}{t}") if ns else (lambda t: t)
    n = _num(code)
    kind = code["kind"]
    if code.get("fmt") == to and src is not None:
        el = etree.Element(q(local_name(src)), {k: v for k, v in src.attrib.items()})
        el.text = src.text
        for child in src:  # e.g. <sub> inside <bpt>
            el.append(_requalify(child, ns))
        return el, bool(code.get("wrap"))
    native = _native(src)
    if to == "tmx":
        if code.get("wrap"):
            return etree.Element("hi", x=n), True
        if kind == "open":
            el = etree.Element("bpt", i=n, x=n)
        elif kind == "close":
            el = etree.Element("ept", i=n)
        else:
            el = etree.Element("ph", x=n)
        el.text = native or None
        return el, False
    if to == "xliff":
        if code.get("wrap"):
            return etree.Element(q("g"), id=n), True
        if kind == "open":
            el = etree.Element(q("bpt"), id=n, rid=n) if native else etree.Element(q("bx"), id=n, rid=n)
        elif kind == "close":
            el = etree.Element(q("ept"), id=n, rid=n) if native else etree.Element(q("ex"), id=n, rid=n)
        else:
            el = etree.Element(q("ph"), id=n) if native else etree.Element(q("x"), id=n)
        if native:
            el.text = native
        return el, False
    # XLIFF 2.0 core: native code content would go to <originalData>; the code itself is kept.
    if code.get("wrap"):
        return etree.Element(q("pc"), id=n), True
    if kind == "open":
        return etree.Element(q("sc"), id=n), False
    if kind == "close":
        return etree.Element(q("ec"), startRef=n), False
    return etree.Element(q("ph"), id=n), False


def _requalify(el, ns: str | None):
    copy = etree.fromstring(etree.tostring(el, with_tail=False))
    if ns:
        for node in copy.iter():
            if isinstance(node.tag, str) and not etree.QName(node).namespace:
                node.tag = f"{{{ns}}}{local_name(node)}"
    return copy


def fill(parent, text: str, codes: list[dict[str, Any]] | None, fmt: str, ns: str | None = None) -> None:
    """Set `parent`'s content to `text`, writing each placeholder of `codes` found in it
    back as an inline element of `fmt` ("tmx", "xliff", "xliff2"; `ns` the namespace
    of the elements to make). Without codes this is `parent.text = text`."""
    tokens = {c["token"]: c for c in codes or [] if isinstance(c, dict) and isinstance(c.get("token"), str)}
    if not tokens:
        parent.text = text
        return
    pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)))
    stack = [parent]
    last = {id(parent): None}  # the last child appended to each container, for tails

    def add_text(s: str) -> None:
        if not s:
            return
        box = stack[-1]
        child = last.get(id(box))
        if child is None:
            box.text = (box.text or "") + s
        else:
            child.tail = (child.tail or "") + s

    pos = 0
    for m in pattern.finditer(text):
        add_text(text[pos:m.start()])
        pos = m.end()
        code = tokens[m.group()]
        if code.get("wrap") and code["kind"] == "close":
            if len(stack) > 1:
                stack.pop()
            continue
        el, wraps = _convert(code, fmt, ns)
        stack[-1].append(el)
        last[id(stack[-1])] = el
        if wraps:
            stack.append(el)
            last[id(el)] = None
    add_text(text[pos:])
