"""Web pages (HTML and XHTML) as documents to translate, with lxml.

What is translated: the text of every block (p, li, td, h1, div, title, ...) with its inline
elements (b, i, a, span, ...) as inline codes, so a sentence across a link is one segment and
the link lands on the right words; the attributes people read (alt, title, placeholder,
aria-label, and the content of <meta name="description">). What never is: <script>,
<style>, <pre>, <code>, <kbd>, <samp>, <textarea>, <svg>, <math>, <template>, anything marked
translate="no" or class="notranslate" (inline ones stay in their sentence as atoms). The
output's `lang` (and `xml:lang`) say the target language. Everything that was not text is
written back byte for byte: the translation is patched into the original bytes
(aligner.documents.patch: only the runs' text and inline markup, the attributes' values and
`lang` change); where a change cannot be placed safely in the original, the page is
re-serialised by lxml instead (the same elements and attributes, but quoting and character
references may be spelled differently).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aligner.documents import finish_document, placed_paragraphs
from aligner.errors import InputError
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

INLINE = frozenset("""a abbr acronym b bdi bdo big cite data dfn em font i ins del label mark q
    ruby rb rt rp s small span strong sub sup time u button""".split())
# Inline elements kept whole, not translated: their text stays in the sentence as an atom.
INLINE_OPAQUE = frozenset("code kbd samp tt var".split())
# Inline elements with no text of their own (or none to translate).
INLINE_EMPTY = frozenset("""br wbr img input select textarea svg math object embed iframe video
    audio canvas picture source track map area script style noscript template meter progress""".split())
# Blocks whose content is never translated.
SKIP = frozenset("script style pre code textarea svg math template noscript".split())
ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")


def _local(tag: Any) -> str | None:
    if not isinstance(tag, str):
        return None  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def _untranslatable(el) -> bool:
    return (el.get("translate", "").lower() == "no"
            or "notranslate" in (el.get("class") or "").split())


@dataclass
class Run:
    """A stretch of inline content of a block: el.text (start None) or a block child's tail,
    and the inline nodes up to the next block child."""
    el: Any
    start: Any            # None: el.text; else the block child whose tail begins the run
    nodes: list[Any]


class HtmlDocument:
    """The HTML/XHTML document format's reading and writing of documents (aligner.formats.html mixes it in)."""


    # --- reading -----------------------------------------------------------------------

    def parse(self, data: bytes, where: str, xhtml: bool | None = None):
        from lxml import etree, html

        if xhtml is None:
            head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
            xhtml = head.startswith(b"<?xml") or where.lower().endswith(".xhtml")
        if not data.strip():
            raise InputError("the file is empty", path=where)
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError("this looks like a binary file, not a web page", path=where,
                             hint="Give an .html or .xhtml file.")
        if xhtml:
            from aligner.text.xml import parse_xml_safely

            return parse_xml_safely(data, where).getroottree(), True
        # A page that declares no charset is read as UTF-8 when it is valid UTF-8 (lxml would
        # take it as Latin-1 and turn Chinese into mojibake); a declared charset or BOM wins.
        encoding = None
        if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) \
                and b"charset" not in data[:4096].lower():
            try:
                data.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            parser = html.HTMLParser(no_network=True, remove_comments=False, encoding=encoding)
            return etree.ElementTree(html.document_fromstring(data, parser=parser)), False
        except (etree.XMLSyntaxError, etree.ParserError, ValueError) as e:
            raise InputError(f"cannot parse the page ({e})", path=where,
                             hint="Check that it is an HTML or XHTML file.") from None

    def read_document(self, path: str | Path, *, lang: str | None = None, data: bytes | None = None,
                      **options: Any):
        where = str(path)
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError as e:
                raise InputError(f"cannot read the file: {e.strerror or e}", path=where) from None
        tree, xhtml = self.parse(data, where)
        paragraphs = self.paragraphs(tree.getroot())
        if lang is None:
            declared = tree.getroot().get("lang") or tree.getroot().get(XML_LANG)
            if declared and declared.split("-")[0].lower() in ("en", "zh"):
                lang = declared
        return finish_document(paragraphs, lang, where, {"tree": tree, "xhtml": xhtml,
                                                         "encoding": tree.docinfo.encoding, "source": data},
                               "html")

    def paragraphs(self, root) -> list[Paragraph]:
        out: list[Paragraph] = []
        self._block(root, out)
        return out

    def _block(self, el, out: list[Paragraph]) -> None:
        tag = _local(el.tag)
        if tag in SKIP or _untranslatable(el):
            return
        if tag == "meta":
            if (el.get("name") or "").lower() in ("description", "keywords"):
                self._attribute(el, "content", out)
            return
        self._attributes(el, out)
        runs: list[Run] = [Run(el, None, [])]
        blocks = []
        for child in el:
            ctag = _local(child.tag)
            if ctag is not None and ctag not in INLINE and ctag not in INLINE_OPAQUE \
                    and ctag not in INLINE_EMPTY:
                blocks.append(child)
                runs.append(Run(el, child, []))
            else:
                runs[-1].nodes.append(child)
        if tag in ("html", "head", "table", "tbody", "thead", "tfoot", "tr", "ul", "ol", "dl",
                   "select", "colgroup"):
            runs = []  # structure: any text there is whitespace
        for run in runs:
            b = Builder()
            b.text(el.text if run.start is None else run.start.tail)
            inner: list[Paragraph] = []  # attributes and blocks inside the run: after its text
            for node in run.nodes:
                self._inline(node, b, inner)
            par = b.build(data=("run", run))
            if par.text.strip():
                out.append(par)
            out.extend(inner)
        for child in blocks:
            self._block(child, out)

    def _inline(self, node, b: Builder, out: list[Paragraph]) -> None:
        tag = _local(node.tag)
        if tag is None:
            b.atom(node)  # a comment
        elif tag in INLINE_OPAQUE or _untranslatable(node):
            b.atom(node, node.text_content() if hasattr(node, "text_content") else "".join(node.itertext()))
            self._attributes(node, out)
        elif tag in INLINE_EMPTY:
            b.atom(node, "\n" if tag == "br" else "")
            if tag not in SKIP:
                self._attributes(node, out)
        elif tag in INLINE:
            self._attributes(node, out)
            b.open(node)
            b.text(node.text)
            for child in node:
                self._inline(child, b, out)
            b.close()
        else:  # a block inside an inline element: kept in place, translated as a block of its own
            b.atom(node)
            self._block(node, out)
        b.text(node.tail)

    def _attributes(self, el, out: list[Paragraph]) -> None:
        for name in ATTRIBUTES:
            self._attribute(el, name, out)

    def _attribute(self, el, name: str, out: list[Paragraph]) -> None:
        value = el.get(name)
        if value and value.strip():
            b = Builder()
            b.text(value)
            out.append(b.build(data=("attr", el, name)))

    # --- writing -----------------------------------------------------------------------

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang))

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        """The translated page's bytes (the tree read by read_document is changed in place:
        read the file again to translate it twice)."""

        layout = doc.layout
        tree = layout["tree"]
        source = layout.get("source")
        before = self.serialize(tree, layout["xhtml"], layout.get("encoding")) if source else None
        self.apply(doc.paragraphs, placed_paragraphs(doc, translations, tgt_lang))
        self._set_lang(tree.getroot(), doc.lang, tgt_lang, layout["xhtml"])
        after = self.serialize(tree, layout["xhtml"], layout.get("encoding"))
        if source is None:
            return after
        return self.patched(source, before, after, layout["xhtml"], doc.path or "page", layout.get("encoding"))

    def patched(self, source: bytes, before: bytes, after: bytes, xhtml: bool, where: str,
                encoding: str | None) -> bytes:
        """The original bytes with only the text and the translatable attributes changed
        (aligner.documents.patch); the re-serialised page `after` when a change cannot be
        placed in the original, or when the patched page does not read back as `after`."""
        from aligner.documents.patch import patch

        result = patch(source, before, after)
        if result is None:
            return after
        try:
            again = self.serialize(self.parse(result, where, xhtml)[0], xhtml, encoding)
        except InputError:
            return after
        return result if again == after else after

    def apply(self, paragraphs, placed) -> None:
        """Put placed translations into the parsed page(s) the paragraphs came from."""
        pairs = [(par, p) for par, p in zip(paragraphs, placed) if p is not None]
        # attributes first: the inline elements of a run are copied when the run is written
        for par, p in pairs:
            if par.data[0] == "attr":
                _, el, name = par.data
                el.set(name, p.text)
        for par, p in pairs:
            if par.data[0] == "run":
                self._write_run(par.data[1], p.tree(), p.text)

    @staticmethod
    def serialize(tree, xhtml: bool, encoding: str | None = None) -> bytes:
        from lxml import etree

        encoding = encoding or "utf-8"
        if xhtml:
            return etree.tostring(tree, xml_declaration=True, encoding=encoding,
                                  doctype=tree.docinfo.doctype or None)
        return etree.tostring(tree, method="html", encoding=encoding, doctype=tree.docinfo.doctype)

    @staticmethod
    def _set_lang(root, src: str, tgt: str, xhtml: bool) -> None:
        code = "zh" if tgt.startswith("zh") else tgt
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for key in ("lang", XML_LANG):
                v = el.get(key)
                if v is not None and v.split("-")[0].lower() == src:
                    el.set(key, code)
        if xhtml:
            root.set(XML_LANG, code)
            root.set("lang", code)
        else:
            root.set("lang", code)

    def _write_run(self, run: Run, tree: Node, text: str) -> None:
        el = run.el
        # take the run's old content out: its leading text and its inline nodes
        if run.start is None:
            el.text = None
        else:
            run.start.tail = None
        anchor = run.start  # new nodes go after this child (None: at the start of el)
        for node in run.nodes:
            if node.getparent() is el:
                node.tail = None
                el.remove(node)
        sink = _Sink(el, anchor)
        self._emit(tree, sink)

    def _emit(self, node: Node, sink: "_Sink") -> None:
        for child in node.children:
            if isinstance(child, str):
                sink.text(child)
                continue
            code = child.code
            if code.is_atom:
                if code.data is None:
                    sink.text(child.text())
                else:
                    code.data.tail = None
                    sink.element(code.data)
                continue
            orig = code.data
            new = orig.makeelement(orig.tag, dict(orig.attrib))
            sink.element(new)
            self._emit(child, _Sink(new, None, append=True))


class _Sink:
    """Appends text and elements to an element in document order, after `anchor` (a child
    of `el`; None: from the very start), before whatever follows it."""

    def __init__(self, el, anchor, append: bool = False):
        self.el = el
        self.last = anchor
        self.append = append

    def text(self, s: str) -> None:
        if not s:
            return
        if self.last is None:
            self.el.text = (self.el.text or "") + s
        else:
            self.last.tail = (self.last.tail or "") + s

    def element(self, e) -> None:
        if self.append:
            self.el.append(e)
        elif self.last is None:
            self.el.insert(0, e)
        else:
            self.last.addnext(e)
        # addnext moves the anchor's tail onto e in lxml; the anchor's tail is ours, already
        self.last = e
