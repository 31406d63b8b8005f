"""The one data model every command passes along: Document, Segment, Bitext, Bead.

read -> Document -> segment -> Document.segments -> translate / align -> Bitext(beads)
-> glossary annotations -> export.  The JSONL bitext (see `aligner.io.bitext_jsonl`)
is their file form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


@dataclass
class Segment:
    """A sentence (or a line, with --presplit) of a document.

    `start`/`end` are character offsets into `Document.text`: the text between
    segments (spaces, newlines, Markdown markers) stays in the document, so the
    original can always be rebuilt exactly.
    """

    id: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass
class Document:
    lang: str  # ISO 639-1: "en" or "zh"
    text: str
    path: str | None = None
    segments: list[Segment] = field(default_factory=list)

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else "-"

    def segment_texts(self) -> list[str]:
        return [s.text for s in self.segments]

    def add_segment(self, start: int, end: int, paragraph: int = 0) -> Segment:
        seg = Segment(len(self.segments), start, end, self.text[start:end], paragraph)
        self.segments.append(seg)
        return seg

    @classmethod
    def from_sentences(cls, lang: str, sentences: Iterable[str], path: str | None = None,
                       separator: str = "\n") -> "Document":
        """A document whose text is the sentences joined by `separator`, one segment each.

        Used for inputs that have no running text of their own (TMX, TSV, presplit lines).
        """
        text = TextBuilder()
        for i, s in enumerate(sentences):
            if i:
                text.add(separator)
            text.add_segment(s, paragraph=i)
        return text.document(lang, path)


class TextBuilder:
    """A document's text built piece by piece, with the offsets of its segments.

    The one way the project assembles text plus offsets: sentences joined into a document
    (`Document.from_sentences`), an article rebuilt from its translations
    (`aligner.translate.pipeline.rebuild`), documents concatenated into one (merged bitexts).

        text = TextBuilder()
        text.add("# ")                      # text between segments
        text.add_segment("Title", paragraph=0)
        text.document("en", path)           # Document(text="# Title", segments=[0: 2-7])
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._segments: list[tuple[int, int, str, int]] = []  # start, end, text, paragraph
        self.length = 0

    def add(self, text: str) -> None:
        """Text that belongs to no segment (spaces, blank lines, Markdown markers)."""
        self._parts.append(text)
        self.length += len(text)

    def add_segment(self, text: str, paragraph: int = 0) -> None:
        self._segments.append((self.length, self.length + len(text), text, paragraph))
        self.add(text)

    def add_document(self, doc: "Document", paragraph_offset: int = 0) -> None:
        """All of `doc`: its text, and its segments moved to where the text lands."""
        base = self.length
        for s in doc.segments:
            self._segments.append((base + s.start, base + s.end, s.text, paragraph_offset + s.paragraph))
        self.add(doc.text)

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    @property
    def last_paragraph(self) -> int | None:
        return self._segments[-1][3] if self._segments else None

    def document(self, lang: str, path: str | None = None) -> "Document":
        doc = Document(lang=lang, text="".join(self._parts), path=path)
        doc.segments = [Segment(i, a, b, text, para) for i, (a, b, text, para) in enumerate(self._segments)]
        return doc


@dataclass
class Bead:
    """A minimal pair of source and target segments that translate each other.

    1-1 beads are most common; 1-2, 2-1, 1-0 (a source sentence left untranslated)
    and 0-1 occur in real translations. `origin` tells where the pairing came
    from: "mt" (aligner translated it), "aligned" (the sentence aligner), "import"
    (a translation memory) or "gold".
    """

    src: list[int]
    tgt: list[int]
    score: float | None = None
    origin: str = "aligned"
    id: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass
class Bitext:
    source: Document
    target: Document
    beads: list[Bead] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def src_lang(self) -> str:
        return self.source.lang

    @property
    def tgt_lang(self) -> str:
        return self.target.lang

    def src_text(self, bead: Bead, sep: str | None = None) -> str:
        return _join(self.source, bead.src, sep)

    def tgt_text(self, bead: Bead, sep: str | None = None) -> str:
        return _join(self.target, bead.tgt, sep)

    def pairs(self) -> Iterable[tuple[Bead, str, str]]:
        for b in self.beads:
            yield b, self.src_text(b), self.tgt_text(b)


def _join(doc: Document, ids: list[int], sep: str | None) -> str:
    """Text of consecutive segments; by default joined as in the document itself,
    with a space for English and nothing for Chinese when they were on separate lines."""
    if not ids:
        return ""
    if sep is None:
        sep = "" if doc.lang == "zh" else " "
    return sep.join(doc.segments[i].text for i in ids)
