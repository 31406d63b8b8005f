"""The one safe XML parser for files from outside (TMX, XLIFF, TBX, ...).

Untrusted XML is dangerous through its DTD: external entities read local files or
touch the network, nested entities expand exponentially ("billion laughs"). So the
parser never loads a DTD, never resolves or expands an entity and never touches the
network, and a document that declares entities is refused outright: first by a scan
of the prolog (before any parsing), then, should a declaration slip past the scan, by
looking at the DTD the parser kept.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from lxml import etree

from aligner.errors import InputError

__all__ = ["ENTITY_HINT", "children", "declares_entities", "local_name", "parse_xml_safely",
           "prolog_declares_entities", "safe_parser"]

ENTITY_HINT = ("aligner does not read XML entity declarations: they are how XML files read local files "
               "(external entities) or exhaust memory (nested entities). Export the memory again from "
               "your CAT tool, or remove the <!DOCTYPE ...[...]> block.")
_REFUSED = "the file declares XML entities (<!ENTITY ...>) and is refused"


def prolog_declares_entities(data: bytes) -> bool:
    """Whether the bytes before the root element hold an <!ENTITY declaration."""
    head = data[:4 << 20]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")  # ASCII-compatible encodings: markup bytes are ASCII
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    root = re.search(r"<[A-Za-z_:]", text)
    return "<!ENTITY" in (text[:root.start()] if root else text)


def safe_parser(**options: Any) -> etree.XMLParser:
    """An lxml parser that loads no DTD, expands no entity and touches no network
    (`options` add to these, e.g. remove_pis=True)."""
    settings = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                    dtd_validation=False)
    settings.update(options)
    return etree.XMLParser(**settings)


def declares_entities(root: etree._Element) -> bool:
    """Whether the parsed document's internal DTD declares entities."""
    dtd = root.getroottree().docinfo.internalDTD
    return dtd is not None and any(True for _ in dtd.iterentities())


def parse_xml_safely(data: bytes, name: str) -> etree._Element:
    """The root element of untrusted XML, or InputError naming `name`. No entity is ever
    expanded, no DTD loaded, no network touched; documents declaring entities are refused."""
    return parse_checked(data, name, prolog_declares_entities)


def parse_checked(data: bytes, name: str, scan: Callable[[bytes], bool]) -> etree._Element:
    """`parse_xml_safely` with the prolog scan given (tests replace it to show that the
    parser refuses entities on its own)."""
    if scan(data):
        raise InputError(_REFUSED, path=name, hint=ENTITY_HINT)
    try:
        root = etree.fromstring(data, safe_parser(remove_blank_text=False))
    except etree.XMLSyntaxError as e:
        if "entit" in (e.msg or "").lower() and b"<!ENTITY" in data.replace(b"\x00", b""):
            raise InputError(_REFUSED, path=name, hint=ENTITY_HINT) from None
        hint = ("Its bytes do not match the encoding it declares (UTF-8 when it declares none): "
                "save it as UTF-8, or declare its encoding in <?xml ... encoding=\"...\"?>."
                if "encoding" in (e.msg or "").lower() else "The file may be truncated or not XML at all.")
        raise InputError(f"not well-formed XML: {e.msg}", path=name, line=e.lineno or None,
                         hint=hint) from None
    if declares_entities(root):
        raise InputError(_REFUSED, path=name, hint=ENTITY_HINT)
    return root


def local_name(el: Any) -> str:
    """The tag without its namespace; "" for comments and processing instructions."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def children(el: Any, name: str) -> list:
    """The child elements of `el` whose local name is `name`."""
    return [c for c in el if local_name(c) == name]


def append_text(el: Any, s: str) -> None:
    """Add `s` at the end of `el`'s content: after its last child (that child's tail), else
    its own text (how lxml keeps mixed content)."""
    if not s:
        return
    if len(el):
        el[-1].tail = (el[-1].tail or "") + s
    else:
        el.text = (el.text or "") + s


def properties_key(props: Any, *, drop_children: frozenset = frozenset(),
                   drop_attribute: Callable[[str], bool] = lambda name: False) -> bytes:
    """Formatting properties (a Word <w:rPr>, a DrawingML <a:rPr>) as a comparable key.

    Two runs whose keys are equal look the same, so a reader joins them into one: marks that
    do not change the look (spell-check state, language, revision ids) are dropped first,
    otherwise every edit session would split a sentence into runs."""
    if props is None:
        return b""
    import copy

    c = copy.deepcopy(props)
    for child in list(c):
        if child.tag in drop_children:
            c.remove(child)
    for name in list(c.attrib):
        if drop_attribute(name):
            del c.attrib[name]
    if not len(c) and not c.attrib:
        return b""
    return etree.tostring(c, method="c14n")
