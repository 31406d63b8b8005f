"""Documents a translator gets (Word, web pages, subtitles): read into paragraphs with inline
codes, translate sentence by sentence, write back in the same layout.

A document format (aligner.formats.html_document, docx_document, odf, epub, subtitles, ...) reads a file into a
`RichDocument`: an ordinary `Document` (its text is the paragraphs, one blank line apart;
its segments are their sentences, found on each paragraph's whole text) that also keeps
the paragraphs (`aligner.documents.codes.Paragraph`, text plus codes) and the parsed file
(`layout`), which is all its writer needs. `aligner.translate.documents.translate_rich`
translates the segments (with the decoder's attention, which places the inline codes, and
the glossary), and gives the bitext and the per-segment translations the writer takes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from aligner.errors import InputError
from aligner.documents.codes import Paragraph, Placed, mt_source, place_paragraph, sentence_spans
from aligner.model import Document

__all__ = ["RichDocument", "make_document", "finish_document", "placed_paragraphs",
           "target_document", "mt_sources", "needs_attention", "SegmentTranslation", "safe_xml", "open_zip", "read_paragraph_parts"]

# Limits for hostile input: a zip member or XML part larger than this is refused (a zip bomb).
MAX_PART_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 20000


@dataclass
class RichDocument(Document):
    """A Document read from a formatted file: `paragraphs[k]` is paragraph k with its
    codes, `spans[k]` its sentences (offsets into the paragraph), `layout` the format's
    parsed file. Segment i of paragraph k is sentence j of `spans[k]`, in order."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)
    layout: Any = None
    format: str = ""
    placed_cache: Any = field(default=None, repr=False, compare=False)


@dataclass
class SegmentTranslation:
    """A segment's final text, and the engine result it came from (for its attention)."""
    text: str
    translation: Any = None


def make_document(paragraphs: Sequence[Paragraph], lang: str, path: str | None, layout: Any,
                  format: str) -> RichDocument:
    """The RichDocument of paragraphs: sentences found on each paragraph's whole text; a
    paragraph without a word to translate has no segment (and is written back untouched)."""
    doc = RichDocument(lang=lang, text="", path=path, paragraphs=list(paragraphs), layout=layout,
                       format=format)
    parts: list[str] = []
    pos = 0
    para = 0
    for par in doc.paragraphs:
        spans = [s for s in sentence_spans(par, lang) if mt_source(par, s[0], s[1], lang)[0].strip()]
        doc.spans.append(spans)
        if not spans:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        flat, where = _display(par.text)
        parts.append(flat)
        for a, b in spans:
            doc.segments.append(_segment(doc, pos + where[a], pos + where[b], flat[where[a]:where[b]], para))
        pos += len(flat)
        para += 1
    doc.text = "".join(parts)
    return doc


def finish_document(paragraphs: Sequence[Paragraph], lang: str | None, path: str | Path | None,
                    layout: Any, format: str) -> RichDocument:
    """`make_document`, with the language detected from the text when `lang` is None (or
    normalised: en-US -> en), and InputError for a document without a word to translate."""
    from aligner.io.text import detect_language, normalize_lang

    spath = str(path) if path is not None else None
    if not any(p.text.strip() for p in paragraphs):
        raise InputError(f"no text to translate in this {format} file", path=spath,
                         hint="Check that you gave the right file.")
    if lang:
        code = normalize_lang(lang, spath)
    else:
        code = detect_language("\n".join(p.text for p in paragraphs), spath)
    doc = make_document(paragraphs, code, spath, layout, format)
    if not doc.segments:
        raise InputError(f"no text to translate in this {format} file", path=spath,
                         hint="Check that you gave the right file.")
    return doc


def _display(text: str) -> tuple[str, list[int]]:
    """The paragraph as the bitext shows it: runs of spaces, tabs and line breaks (where an
    image or a break was) as one space; and where each offset 0..len(text) went."""
    out: list[str] = []
    where = [0] * (len(text) + 1)
    for i, ch in enumerate(text):
        where[i] = len(out)
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
    where[len(text)] = len(out)
    return "".join(out), where


def _segment(doc, a, b, text, para):
    from aligner.model import Segment
    return Segment(len(doc.segments), a, b, text, para)


def mt_sources(doc: RichDocument) -> list[str]:
    """What the model translates for each segment: the sentence without its atoms (URLs,
    e-mail addresses, code, images), in segment order."""
    return [mt_source(par, a, b, doc.lang)[0]
            for par, spans in zip(doc.paragraphs, doc.spans) for a, b in spans]


def _as_pair(item: Any) -> tuple[str, Any]:
    if isinstance(item, str):
        return item, None
    if isinstance(item, SegmentTranslation):
        return item.text, item.translation
    if isinstance(item, tuple):
        return item[0], item[1]
    return item.text, item  # an engine Translation


def placed_paragraphs(doc: RichDocument, translations: Sequence[Any], tgt_lang: str
                      ) -> list[Placed | None]:
    """Each paragraph translated with its codes placed (None: nothing to translate in it).
    `translations`: one per segment, a string, a SegmentTranslation or an engine
    Translation (with attention the codes land on the right words; without, the fallback)."""
    if len(translations) != len(doc.segments):
        raise ValueError(f"{len(doc.segments)} translations are needed, got {len(translations)}")
    cache = getattr(doc, "placed_cache", None)
    if cache is not None and cache[0] is translations:
        return cache[1]  # translate_rich placed them already, for the bitext
    out: list[Placed | None] = []
    k = 0
    for par, spans in zip(doc.paragraphs, doc.spans):
        if not spans:
            out.append(None)
            continue
        pairs = [_as_pair(t) for t in translations[k:k + len(spans)]]
        k += len(spans)
        out.append(place_paragraph(par, spans, [p[0] for p in pairs], [p[1] for p in pairs],
                                   doc.lang, tgt_lang))
    if isinstance(doc, RichDocument):
        doc.placed_cache = (translations, out)
    return out


def needs_attention(doc: RichDocument) -> list[bool]:
    """For each segment, whether it holds a code (only those need the decoder's attention)."""
    out = []
    for par, spans in zip(doc.paragraphs, doc.spans):
        for a, b in spans:
            out.append(any(c.start < b and a < c.end or (c.is_atom and a <= c.start <= b)
                           for c in par.codes))
    return out


def target_document(doc: RichDocument, placed: Sequence[Placed | None], tgt_lang: str,
                    path: str | None = None) -> Document:
    """The translation as a plain Document (paragraphs a blank line apart, one segment per
    source segment), for the bitext."""
    target = Document(lang=tgt_lang, text="", path=path)
    parts: list[str] = []
    pos = 0
    para = 0
    for p in placed:
        if p is None:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        flat, where = _display(p.text)
        parts.append(flat)
        for a, b in p.sentences:
            target.segments.append(_segment(target, pos + where[a], pos + where[b],
                                            flat[where[a]:where[b]], para))
        pos += len(flat)
        para += 1
    target.text = "".join(parts)
    return target


# --- hostile input -------------------------------------------------------------------------

def safe_xml(data: bytes, where: str, part: str):
    """Parse an XML part of a package with the project's safe parser (no DTD, no entity,
    no network); InputError naming the file and the part when it is not well-formed."""
    from aligner.text.xml import parse_xml_safely

    return parse_xml_safely(data, f"{where} ({part})")


def open_zip(path: str | Path, what: str) -> tuple[zipfile.ZipFile, bytes]:
    """The file's bytes opened as a zip (a DOCX, an EPUB); InputError when it is not one, or
    when a member is too large to be a document (a zip bomb)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError(f"is a directory, expected {what}", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(f"not {what}: the file is not a zip package", path=path,
                         hint="It may be damaged, or an older .doc/.ppt binary file: save it again "
                              "as .docx/.pptx/.odt.") from None
    if len(infos) > MAX_MEMBERS or any(i.file_size > MAX_PART_BYTES for i in infos):
        raise InputError(f"refusing {what} with a part over {MAX_PART_BYTES >> 20} MB or over "
                         f"{MAX_MEMBERS} parts", path=path, hint="It is not a document (a zip bomb?).")
    return zf, data


def read_paragraph_parts(zf: zipfile.ZipFile, names: Sequence[str], where: str, tags: Sequence[str],
                         paragraph, prepare=None) -> tuple[dict[str, Any], list]:
    """The named XML parts of a package (DOCX, PPTX, ODF), each parsed safely, and the
    paragraphs `paragraph(element, part)` reads from their elements with `tags`, in document
    order (`prepare(element)` first, where a format tidies its markup): all a zip-based
    format's writer and segmenter need."""
    parts: dict[str, Any] = {}
    paragraphs = []
    for name in names:
        root = safe_xml(read_member(zf, name, where), where, name)
        parts[name] = root
        for p in list(root.iter(*tags)):
            if prepare is not None:
                prepare(p)
            par = paragraph(p, name)
            if par is not None:
                paragraphs.append(par)
    return parts, paragraphs


def read_member(zf: zipfile.ZipFile, name: str, where: str) -> bytes:
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise InputError(f"cannot read {name} from the package ({e})", path=where,
                         hint="The file is damaged: open it in its application and save it again.") from None
    except KeyError:
        raise InputError(f"the package has no {name}", path=where) from None


def rewrite_zip(zf: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    """The package with some members replaced; every other member copied byte for byte, in
    the same order, with the same names, dates and compression."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in zf.infolist():
            data = replaced.get(info.filename)
            if data is None:
                data = zf.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zi.create_system = info.create_system
            zi.comment = info.comment
            zi.extra = info.extra
            out.writestr(zi, data)
    return buf.getvalue()
