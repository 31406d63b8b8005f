"""Translate formatted documents (DOCX, HTML, subtitles, ...): the document format reads a
RichDocument, the engine translates its segments with attention (which places the inline
codes on the right words) and the glossary, the format writes the file back.
"""

from __future__ import annotations

from typing import Any

from aligner.documents import (RichDocument, SegmentTranslation, mt_sources,
                               placed_paragraphs, target_document)
from aligner.errors import InputError
from aligner.model import Bead, Bitext
from aligner.translate.pipeline import _confidence

__all__ = ["translate_rich"]


def translate_rich(engine, doc: RichDocument, tgt_lang: str | None = None, *, glossary: Any = None,
                   term_counts: Any = None, meta: dict | None = None,
                   target_path: str | None = None, progress=None
                   ) -> tuple[Bitext, list[SegmentTranslation]]:
    """Translate a RichDocument's segments in one batched pass, with attention (to place the
    inline codes) and the glossary (`aligner.glossary.enforce`); the bitext (one bead per
    segment, origin "mt") and the translations `write_document` takes."""
    tgt_lang = tgt_lang or engine.to_code
    if doc.lang != engine.from_code:
        raise InputError(f"the text is {doc.lang}, but the model translates from {engine.from_code}",
                         path=doc.path)
    sources = mt_sources(doc)
    # One batched pass, with the attention that places the inline codes (its cost is small
    # next to decoding: bench/documents.py).
    results = engine.translate(sources, return_attention=True, progress=progress)
    texts = [r.text for r in results]
    terms: list[Any] = [None] * len(sources)
    if glossary is not None:
        from aligner.glossary.enforce import enforce_translations

        enforced = enforce_translations(engine, sources, results, glossary, engine.from_code, tgt_lang)
        texts = [e.text for e in enforced]
        terms = [list(e.terms) for e in enforced]
        if term_counts is not None:
            for t in terms:
                term_counts.add(t)
    seg_tr = [SegmentTranslation(t, r) for t, r in zip(texts, results)]
    placed = placed_paragraphs(doc, seg_tr, tgt_lang)
    target = target_document(doc, placed, tgt_lang, target_path)
    beads = []
    for i, r in enumerate(results):
        bead_meta = {"terms": terms[i]} if terms[i] is not None else {}
        beads.append(Bead(src=[i], tgt=[i], score=_confidence(r), origin="mt", id=i, meta=bead_meta))
    return Bitext(doc, target, beads, meta=dict(meta or {})), seg_tr


