"""Translate formatted documents (DOCX, HTML, subtitles, ...): the document format reads a
RichDocument, the engine translates its segments with attention (which places the inline
codes on the right words) and the glossary, the format writes the file back.
"""

from __future__ import annotations

import time
from typing import Any

from aligner.documents import (RichDocument, SegmentTranslation, mt_sources,
                               placed_paragraphs, target_document)
from aligner.errors import InputError
from aligner.model import Bead, Bitext

__all__ = ["translate_rich"]


def translate_rich(engine, doc: RichDocument, tgt_lang: str | None = None, *, glossary: Any = None,
                   term_counts: Any = None, meta: dict | None = None,
                   target_path: str | None = None, progress=None, decisions=None, tm_counts=None
                   ) -> tuple[Bitext, list[SegmentTranslation]]:
    """Translate a RichDocument's segments in one batched pass, with attention (to place the
    inline codes) and the glossary (`aligner.glossary.enforce`); the bitext (one bead per
    segment, origin "mt") and the translations `write_document` takes.

    `decisions`: a translation memory's, one per segment of mt_sources(doc)
    (aligner.translate.reuse.MemoryReuse.decide): the segments it answers take its target
    (origin "tm", codes placed as for a translation without attention, glossary checked)
    and only the others go to the engine; `tm_counts` (ReuseCounts) adds the engine's time."""
    from aligner.translate.pipeline import _confidence  # pipeline imports this module

    tgt_lang = tgt_lang or engine.to_code
    if doc.lang != engine.from_code:
        raise InputError(f"the text is {doc.lang}, but the model translates from {engine.from_code}",
                         path=doc.path)
    sources = mt_sources(doc)
    mt_idx = list(range(len(sources)))
    if decisions is not None:
        from aligner.translate.reuse import mt_indexes

        if len(decisions) != len(sources):
            raise ValueError(f"{len(sources)} memory decisions are needed, got {len(decisions)}")
        mt_idx = mt_indexes(decisions)
    # One batched pass, with the attention that places the inline codes (its cost is small
    # next to decoding: bench/documents.py).
    started = time.perf_counter()
    results = engine.translate([sources[i] for i in mt_idx], return_attention=True,
                               progress=progress) if mt_idx else []
    if tm_counts is not None:
        tm_counts.mt_seconds += time.perf_counter() - started
    texts = [r.text for r in results]
    terms: list[Any] = [None] * len(mt_idx)
    if glossary is not None and mt_idx:
        from aligner.glossary.enforce import enforce_translations

        enforced = enforce_translations(engine, [sources[i] for i in mt_idx], results, glossary,
                                        engine.from_code, tgt_lang)
        texts = [e.text for e in enforced]
        terms = [list(e.terms) for e in enforced]
        if term_counts is not None:
            for t in terms:
                term_counts.add(t)
    seg_tr = [SegmentTranslation(d.target, None) if d.target is not None else None
              for d in decisions] if decisions is not None else [None] * len(sources)
    for i, t, r in zip(mt_idx, texts, results):
        seg_tr[i] = SegmentTranslation(t, r)
    placed = placed_paragraphs(doc, seg_tr, tgt_lang)
    target = target_document(doc, placed, tgt_lang, target_path)
    if decisions is None:
        beads = [Bead(src=[i], tgt=[i], score=_confidence(r), origin="mt", id=i,
                      meta={"terms": terms[i]} if terms[i] is not None else {})
                 for i, r in enumerate(results)]
        return Bitext(doc, target, beads, meta=dict(meta or {})), seg_tr
    from aligner.translate.reuse import check_memory_targets, memory_bead

    by_index = {i: (r, t) for i, r, t in zip(mt_idx, results, terms)}
    beads = [memory_bead(i, d, *by_index.get(i, (None, None))) for i, d in enumerate(decisions)]
    bitext = Bitext(doc, target, beads, meta=dict(meta or {}))
    if glossary is not None:
        check_memory_targets(bitext, glossary)
    return bitext, seg_tr


# --- files: what `aligner translate` does with a document -------------------------------------

# Suffixes the plain-text reader takes (aligner.io.text); everything else needs a format.
TEXT_SUFFIXES = (".txt", ".text")


def document_format(path) -> Any:
    """The document format (aligner.formats) that reads `path`, by its suffix; None for
    plain text (.txt) and for suffixes no format knows."""
    from pathlib import Path

    from aligner.formats import format_for_path, get_format

    if Path(str(path)).suffix.lower() in TEXT_SUFFIXES:
        return None
    name = format_for_path(path, want="document")
    return get_format(name) if name else None


def input_suffixes() -> tuple[str, ...]:
    """Every suffix `translate` takes from a directory: plain text and each document format's."""
    from aligner.formats import names, suffixes

    out = list(TEXT_SUFFIXES[:1]) + [".md"]
    for name in names("document"):
        for s in suffixes(name, "document"):
            if s not in out:
                out.append(s)
    return tuple(out)


def kinds_hint() -> str:
    return "aligner translates " + ", ".join(input_suffixes()) + " files."


def unknown_kind(path) -> InputError:
    from pathlib import Path

    suffix = Path(str(path)).suffix or "(no suffix)"
    return InputError(f"cannot translate a file of this kind ({suffix})", path=str(path),
                      hint=kinds_hint() + " Convert it to one of them (PDF: to .docx or .txt).")


def skipped_in_directories(inputs, out_dir=None) -> list[tuple[str, str]]:
    """(file, why) for each file inside an input directory that a batch leaves out: not
    hidden, but of a kind aligner does not translate. What an earlier run wrote into
    `out_dir` (its bitexts and their exports) is the batch's own, not a file it left out."""
    from pathlib import Path

    from aligner.batch import earlier_outputs, file_keys

    wanted = input_suffixes()
    own = earlier_outputs(out_dir)
    out = []
    for item in inputs:
        p = Path(str(item))
        if str(item) == "-" or not p.is_dir():
            continue
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts) \
                    and not f.name.lower().endswith(wanted) and not (own and file_keys(f) & own):
                out.append((str(f), f"unknown kind ({f.suffix or 'no suffix'})"))
    return out
