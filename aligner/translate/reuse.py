"""Translation with a translation memory first: what `aligner translate --tm` runs.

The memory's decisions (aligner.memory.reuse.pretranslate) come first; only the segments
it does not answer go to the engine, in one batch. Beads:
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


def translate_with_memory(engine, docs: Sequence[Document], tgt_lang: str, memory, *, glossary: Any = None,
                          meta: dict[str, Any] | None = None, target_paths: Sequence[str | None] | None = None,
                          progress: Callable[[int], None] | None = None, term_counts: Any = None,
                          fuzzy: int = 75, fuzzy_apply: bool = False,
                          counts: ReuseCounts | None = None) -> list[Bitext]:
    """translate_documents with `memory` looked up first (see the module)."""
    from aligner.translate.pipeline import _confidence, rebuild

    decisions: list[Decision] = []
    for doc in docs:
        decisions += pretranslate(doc.segments, memory, doc.lang, tgt_lang, fuzzy=fuzzy, apply_fuzzy=fuzzy_apply)
    if counts is not None:
        counts.add(decisions)
    sources = [s.text for doc in docs for s in doc.segments]
    mt_idx = [i for i, d in enumerate(decisions) if d.target is None]
    if progress is not None and len(mt_idx) < len(sources):
        progress(len(sources) - len(mt_idx))
    started = time.perf_counter()
    translations = engine.translate([sources[i] for i in mt_idx], return_attention=glossary is not None,
                                    progress=progress) if mt_idx else []
    texts: list[str] = [d.target or "" for d in decisions]
    terms: list[list[dict[str, Any]] | None] = [None] * len(sources)
    for i, tr in zip(mt_idx, translations):
        texts[i] = tr.text
    if glossary is not None and mt_idx:
        from aligner.glossary.enforce import enforce_translations

        enforced = enforce_translations(engine, [sources[i] for i in mt_idx], translations, glossary,
                                        engine.from_code, tgt_lang)
        for i, e in zip(mt_idx, enforced):
            texts[i] = e.text
            terms[i] = list(e.terms)
            if term_counts is not None:
                term_counts.add(terms[i])
    if counts is not None:
        counts.mt_seconds += time.perf_counter() - started
    by_index = dict(zip(mt_idx, translations))
    bitexts = []
    k = 0
    for n, doc in enumerate(docs):
        count = len(doc.segments)
        path = target_paths[n] if target_paths is not None else None
        target = rebuild(doc, texts[k:k + count], tgt_lang, path)
        beads = []
        for i in range(count):
            d = decisions[k + i]
            bead_meta: dict[str, Any] = {"terms": terms[k + i]} if terms[k + i] is not None else {}
            bead_meta.update(d.bead_meta())
            if d.target is not None:
                score = min(d.score or 100, 100) / 100
                beads.append(Bead(src=[i], tgt=[i], score=score, origin="tm", id=i, meta=bead_meta))
            else:
                beads.append(Bead(src=[i], tgt=[i], score=_confidence(by_index[k + i]), origin="mt", id=i,
                                  meta=bead_meta))
        bitext = Bitext(doc, target, beads, meta=dict(meta or {}))
        if glossary is not None:
            _check_memory_targets(bitext, glossary)
        bitexts.append(bitext)
        k += count
    return bitexts


def _check_memory_targets(bitext: Bitext, glossary: Any) -> None:
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
