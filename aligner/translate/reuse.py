"""Translation with a translation memory first: what `aligner translate --tm` runs.

The memory's decisions (aligner.memory.reuse.pretranslate, through MemoryReuse.decide) come
first; only the segments it does not answer go to the engine, batched across files as
without a memory (aligner.translate.pipeline streams them; documents go through
aligner.translate.documents.translate_rich with the same decisions). Beads:
  - from the memory (101, 100, or fuzzy with --fuzzy-apply): origin "tm", score = match / 100
    (101 counts as 1.0), meta["tm"] = {"match", "score", "matches": [...], "review": true for an
    applied fuzzy match};
  - machine-translated: origin "mt" as before, with meta["tm"] holding the fuzzy matches (up
    to 3) that were offered, for the reviewer.
With a glossary, MT is enforced as without a memory, and the memory's targets are checked
(a memory can be wrong): their violations go to bead.meta["violations"], which exports
and the review page show.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Sequence

from aligner.memory.reuse import Decision, pretranslate
from aligner.model import Bead, Bitext, Document


@dataclass
class ReuseCounts:
    """Sentences by where their translation came from, for the run's summary."""

    context: int = 0   # 101
    exact: int = 0     # 100
    fuzzy: int = 0     # fuzzy matches applied (--fuzzy-apply)
    offered: int = 0   # machine-translated, with fuzzy matches kept for review
    mt: int = 0
    mt_seconds: float = 0.0

    def add(self, decisions: Sequence[Decision]) -> None:
        for d in decisions:
            if d.target is not None:
                if d.kind == "101":
                    self.context += 1
                elif d.kind == "100":
                    self.exact += 1
                else:
                    self.fuzzy += 1
            else:
                self.mt += 1
                self.offered += d.kind == "fuzzy"

    @property
    def from_memory(self) -> int:
        return self.context + self.exact + self.fuzzy

    def describe(self) -> str:
        text = (f"translation memory: {self.context} in context (101), {self.exact} exact (100), "
                f"{self.fuzzy} fuzzy applied, {self.mt} machine-translated"
                f" ({self.offered} with fuzzy matches for review)")
        if self.mt and self.from_memory:
            saved = self.mt_seconds / self.mt * self.from_memory
            text += f"; about {saved:.1f} s of MT saved"
        return text


class MemoryReuse:
    """The translation memory of a run: its decisions per document (one look-up batch each),
    counted for the summary. The engine is not involved: the caller translates the segments
    whose decision has no target (`mt_indexes`), through whatever batching it uses, and
    hands the translations to `memory_bitext` (plain text) or `translate_rich` (documents)."""

    def __init__(self, memory, *, fuzzy: int = 75, fuzzy_apply: bool = False,
                 counts: ReuseCounts | None = None):
        self.memory = memory
        self.fuzzy = fuzzy
        self.fuzzy_apply = fuzzy_apply
        self.counts = counts if counts is not None else ReuseCounts()
        self._tok = None

    def decide(self, segments: Sequence[Any], src_lang: str, tgt_lang: str, *,
               defer_fuzzy: bool = False) -> list[Decision]:
        """One Decision per segment (str or Segment) of one document, in order, counted.
        `defer_fuzzy`: the fuzzy look-ups of the segments MT translates anyway are left for
        `complete` (while the engine works) and counted by `finish`."""
        decisions = pretranslate(segments, self.memory, src_lang, tgt_lang, fuzzy=self.fuzzy,
                                 apply_fuzzy=self.fuzzy_apply, defer_fuzzy=defer_fuzzy)
        if not defer_fuzzy:
            self.counts.add(decisions)
        return decisions

    def complete(self, decision: Decision, src_lang: str, tgt_lang: str) -> Decision:
        from aligner.memory.reuse import complete

        if self._tok is None:
            from aligner.memory.match import Tokenizer

            self._tok = Tokenizer()
        return complete(decision, self.memory, src_lang, tgt_lang, fuzzy=self.fuzzy, tokenizer=self._tok)

    def finish(self, decisions: Sequence[Decision], src_lang: str, tgt_lang: str) -> None:
        """The deferred decisions of a document completed, and all of them counted."""
        for d in decisions:
            self.complete(d, src_lang, tgt_lang)
        self.counts.add(decisions)


def mt_indexes(decisions: Sequence[Decision]) -> list[int]:
    """The segments the memory does not answer: those the engine translates."""
    return [i for i, d in enumerate(decisions) if d.target is None]


def memory_bead(i: int, decision: Decision, translation: Any = None,
                terms: list[dict[str, Any]] | None = None) -> Bead:
    """The bead of segment i: from the memory (origin "tm", score = match / 100, 101 counts as
    1.0) or machine-translated (`translation`: the engine's result), with meta["tm"]."""
    from aligner.translate.pipeline import _confidence  # pipeline imports this module

    bead_meta: dict[str, Any] = {"terms": terms} if terms is not None else {}
    bead_meta.update(decision.bead_meta())
    if decision.target is not None:
        return Bead(src=[i], tgt=[i], score=min(decision.score or 100, 100) / 100, origin="tm", id=i,
                    meta=bead_meta)
    return Bead(src=[i], tgt=[i], score=_confidence(translation), origin="mt", id=i, meta=bead_meta)


def memory_bitext(engine, doc: Document, decisions: Sequence[Decision], translations: Sequence[Any],
                  tgt_lang: str, *, glossary: Any = None, meta: dict[str, Any] | None = None,
                  target_path: str | None = None, term_counts: Any = None) -> Bitext:
    """The Bitext of one plain document: the memory's targets where it answers, the engine's
    `translations` (one per mt_indexes(decisions), in order) elsewhere; the glossary enforced
    on MT and checked on the memory's targets."""
    from aligner.translate.pipeline import rebuild

    mt_idx = mt_indexes(decisions)
    if len(mt_idx) != len(translations):
        raise ValueError(f"{len(mt_idx)} machine translations are needed, got {len(translations)}")
    texts: list[str] = [d.target or "" for d in decisions]
    terms: list[list[dict[str, Any]] | None] = [None] * len(decisions)
    for i, tr in zip(mt_idx, translations):
        texts[i] = tr.text
    if glossary is not None and mt_idx:
        from aligner.glossary.enforce import enforce_translations

        enforced = enforce_translations(engine, [doc.segments[i].text for i in mt_idx], list(translations),
                                        glossary, engine.from_code, tgt_lang)
        for i, e in zip(mt_idx, enforced):
            texts[i] = e.text
            terms[i] = list(e.terms)
            if term_counts is not None:
                term_counts.add(terms[i])
    by_index = dict(zip(mt_idx, translations))
    target = rebuild(doc, texts, tgt_lang, target_path)
    beads = [memory_bead(i, d, by_index.get(i), terms[i]) for i, d in enumerate(decisions)]
    bitext = Bitext(doc, target, beads, meta=dict(meta or {}))
    if glossary is not None:
        check_memory_targets(bitext, glossary)
    return bitext


def translate_with_memory(engine, docs: Sequence[Document], tgt_lang: str, memory, *, glossary: Any = None,
                          meta: dict[str, Any] | None = None, target_paths: Sequence[str | None] | None = None,
                          progress: Callable[[int], None] | None = None, term_counts: Any = None,
                          fuzzy: int = 75, fuzzy_apply: bool = False,
                          counts: ReuseCounts | None = None) -> list[Bitext]:
    """translate_documents with `memory` looked up first (see the module): the segments the
    memory does not answer, of every document, go to the engine in one batch."""
    reuse = MemoryReuse(memory, fuzzy=fuzzy, fuzzy_apply=fuzzy_apply, counts=counts)
    decisions = [reuse.decide(doc.segments, doc.lang, tgt_lang) for doc in docs]
    todo = [(n, i) for n, ds in enumerate(decisions) for i in mt_indexes(ds)]
    answered = sum(len(ds) for ds in decisions) - len(todo)
    if progress is not None and answered:
        progress(answered)
    started = time.perf_counter()
    translations = engine.translate([docs[n].segments[i].text for n, i in todo],
                                    return_attention=glossary is not None, progress=progress) if todo else []
    reuse.counts.mt_seconds += time.perf_counter() - started
    bitexts = []
    k = 0
    for n, doc in enumerate(docs):
        count = len(mt_indexes(decisions[n]))
        path = target_paths[n] if target_paths is not None else None
        bitexts.append(memory_bitext(engine, doc, decisions[n], translations[k:k + count], tgt_lang,
                                     glossary=glossary, meta=meta, target_path=path, term_counts=term_counts))
        k += count
    return bitexts


def check_memory_targets(bitext: Bitext, glossary: Any) -> None:
    """Glossary check of the beads the memory translated: violations into their meta."""
    if not any(b.origin == "tm" for b in bitext.beads):
        return
    from aligner.glossary.check import check_bitext

    report = check_bitext(bitext, glossary)
    beads = {b.id: b for b in bitext.beads}
    for v in report.violations:
        bead = beads.get(v.bead)
        if bead is not None and bead.origin == "tm":
            entry = {k: val for k, val in asdict(v).items() if k in ("kind", "term", "expected", "found", "glossary")}
            bead.meta.setdefault("violations", []).append(entry)
