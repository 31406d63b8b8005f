"""Align a formatted document with its translation (DOCX, HTML, ODT, EPUB, SRT, VTT): both
are read by the same document readers `translate` uses (aligner.formats), so the sentences
are those of each paragraph's whole text, formatting aside.

Paragraphs as hard boundaries: when the two documents have the same paragraph structure --
as many paragraphs (headings, list items, table cells, cues...) on both sides, and no
paragraph whose length is far out of line with the documents' overall length ratio -- each
paragraph is aligned with its counterpart on its own (`aligner.align.core.align_documents`
per paragraph), so no bead crosses a paragraph boundary. Otherwise the two documents are
aligned as one sequence of sentences, with the paragraph structure as soft evidence (the
paragraph signal, aligner.align.signals.paragraph: boundaries that agree end beads, a bead
across a paragraph is less likely); bitext meta "paragraphs" says which way was taken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from aligner.errors import InputError
from aligner.model import Bead, Bitext, Document

# How far a paragraph's target/source length ratio may be from the documents' before the
# paragraph structures are taken not to match (a factor either way).
RATIO_SPREAD = 3.0
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")


def document_format(path: str | Path) -> Any:
    """The format that reads `path` as a formatted document; None for text (.txt, .md, which
    aligner.align.files reads) and unknown suffixes."""
    from aligner.formats import format_for_path, get_format

    if str(path) == "-" or Path(str(path)).suffix.lower() in TEXT_SUFFIXES:
        return None
    name = format_for_path(path, want="document")
    # A CAT tool's XLIFF is a document to pre-translate, not one to align (its untranslated
    # units only): aligned bitexts come from it through `aligner import`.
    return get_format(name) if name and name != "xliff" else None


def is_document(path: str | Path | None) -> bool:
    return path is not None and document_format(path) is not None


def read_for_alignment(path: str | Path, lang: str | None, encoding: str | None = None) -> Document:
    """A document's sentences (a RichDocument for a formatted one, else the text reader's)."""
    fmt = document_format(path)
    if fmt is None:
        from aligner.io.text import read_document

        return read_document(path, lang, encoding)
    return fmt.read_document(path, lang=lang, encoding=encoding)


def _paragraph_groups(doc: Document) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for s in doc.segments:
        groups.setdefault(s.paragraph, []).append(s.id)
    return [groups[k] for k in sorted(groups)]


def same_structure(src: Document, tgt: Document) -> bool:
    """Same number of paragraphs, none far out of line with the overall length ratio."""
    a, b = _paragraph_groups(src), _paragraph_groups(tgt)
    if len(a) != len(b) or len(a) < 2:
        return False
    length = lambda doc, ids: sum(len(doc.segments[i].text) for i in ids) or 1  # noqa: E731
    ratio = sum(length(tgt, g) for g in b) / sum(length(src, g) for g in a)
    for ga, gb in zip(a, b):
        r = length(tgt, gb) / length(src, ga)
        if length(src, ga) + length(tgt, gb) > 40 and not (ratio / RATIO_SPREAD <= r <= ratio * RATIO_SPREAD):
            return False
    return True


def align_document_files(src: str | Path, tgt: str | Path, *, src_lang: str | None = None,
                         tgt_lang: str | None = None, encoding: str | None = None,
                         translation: str | Path | None = None, mt: bool = False, glossary: Any = None,
                         signals: Iterable[Any] | None = None, weights: dict[str, float] | None = None,
                         max_bead: int = 6, progress: Callable[[str], None] | None = None) -> Bitext:
    """Align two documents, at least one of them formatted (see the module docstring)."""
    from aligner.errors import UsageError

    if translation is not None and mt:
        raise UsageError("give --translation FILE or --mt, not both")
    src_doc, tgt_doc, trans = prepare_document_files(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang,
                                                     encoding=encoding, translation=translation)
    return align_prepared_documents(src_doc, tgt_doc, trans, translation, mt=mt, glossary=glossary,
                                    signals=signals, weights=weights, max_bead=max_bead, progress=progress)


def prepare_document_files(src: str | Path, tgt: str | Path, *, src_lang: str | None = None,
                           tgt_lang: str | None = None, encoding: str | None = None,
                           translation: str | Path | None = None) -> tuple[Document, Document, list[str] | None]:
    """Read both documents (and the translation file, if any), checked, before any work: what a
    batch does for every pair first."""
    from aligner.align.files import read_translation
    from aligner.io.text import normalize_lang, other_language

    src_lang = normalize_lang(src_lang) if src_lang else None
    tgt_lang = normalize_lang(tgt_lang) if tgt_lang else None
    if src_lang and not tgt_lang:
        tgt_lang = other_language(src_lang)
    if tgt_lang and not src_lang:
        src_lang = other_language(tgt_lang)
    src_doc = read_for_alignment(src, src_lang, encoding)
    tgt_doc = read_for_alignment(tgt, tgt_lang, encoding)
    if src_doc.lang == tgt_doc.lang:
        raise InputError(f"both texts are in the same language ({src_doc.lang})", path=str(tgt),
                         hint="Align a text with its translation; give --from/--to if a language was misdetected.")
    trans = None
    if translation is not None:
        trans = read_translation(translation, len(src_doc.segments), src_doc.name, encoding)
    return src_doc, tgt_doc, trans


def align_prepared_documents(src_doc: Document, tgt_doc: Document, trans: list[str] | None,
                             translation: str | Path | None = None, *, mt: bool = False, glossary: Any = None,
                             signals: Iterable[Any] | None = None, weights: dict[str, float] | None = None,
                             max_bead: int = 6, progress: Callable[[str], None] | None = None) -> Bitext:
    """Align two documents read by `prepare_document_files` (see the module docstring)."""
    from aligner.align.core import align_documents
    from aligner.align.files import machine_translation

    if trans is None and mt:
        if progress:
            progress("translating the source")
        trans = machine_translation(src_doc, tgt_doc.lang)
    options = dict(glossary=glossary, signals=signals, weights=weights, max_bead=max_bead)
    if not same_structure(src_doc, tgt_doc):
        bitext = align_documents(src_doc, tgt_doc, translation=trans, progress=progress, **options)
        bitext.meta["paragraphs"] = ("soft evidence (the documents' paragraph structures differ)"
                                     if "paragraph" in bitext.meta.get("aligner", {}).get("signals", {})
                                     else "not used (the documents' paragraph structures differ)")
    else:
        beads: list[Bead] = []
        meta: dict[str, Any] = {}
        for ga, gb in zip(_paragraph_groups(src_doc), _paragraph_groups(tgt_doc)):
            sub_src = Document.from_sentences(src_doc.lang, [src_doc.segments[i].text for i in ga])
            sub_tgt = Document.from_sentences(tgt_doc.lang, [tgt_doc.segments[i].text for i in gb])
            part = align_documents(sub_src, sub_tgt, translation=[trans[i] for i in ga] if trans else None,
                                   **options)
            meta = meta or part.meta
            for b in part.beads:
                beads.append(Bead(src=[ga[i] for i in b.src], tgt=[gb[i] for i in b.tgt], score=b.score,
                                  origin=b.origin, id=len(beads), meta=b.meta))
        bitext = Bitext(src_doc, tgt_doc, beads, meta=dict(meta))
        bitext.meta["paragraphs"] = "hard boundaries (same paragraph structure)"
    if translation is not None:
        bitext.meta["translation"] = str(translation)
    elif mt:
        bitext.meta["translation"] = "mt"
    return bitext
