"""The memory before machine translation: which segments the memory answers, which go to MT.

    decisions = pretranslate(doc.segments, memory, "en", "zh", fuzzy=75)
    to_translate = [d.index for d in decisions if d.target is None]

Per segment, in document order (the previous and next segment are its context):
  - "101": the same sentence with the same previous and next sentence in the memory: its
    target is used (origin "tm");
  - "100": the same sentence after whitespace, width and quote normalisation: used (origin
    "tm"); numbers that differ make a match fuzzy, never exact;
  - "fuzzy": the best match scores at least `fuzzy` (default 75, OmegaT's threshold): the
    segment goes to MT, and the best matches (up to 3) are kept for review; with
    `apply_fuzzy` the best fuzzy target is used instead and flagged for review;
  - "mt": nothing close enough.
A translation in another variant of the target language (zh-TW for zh-CN) is at best fuzzy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from aligner.memory import match as M
from aligner.memory.base import MAX_MATCHES, Match, TranslationMemory

DEFAULT_FUZZY = 75


@dataclass
class Decision:
    index: int
    kind: str                      # "101", "100", "fuzzy" or "mt"
    target: str | None = None      # the memory's translation to use, or None: machine-translate
    score: int | None = None       # the best match's score
    review: bool = False           # a fuzzy match was applied: a translator must check it
    matches: list[dict[str, Any]] = field(default_factory=list)  # best first, JSON (Match.as_meta)
    # (text, exact matches) while the fuzzy look-up is deferred (pretranslate(defer_fuzzy=True))
    pending: Any = field(default=None, repr=False, compare=False)

    @property
    def from_memory(self) -> bool:
        return self.target is not None

    def bead_meta(self) -> dict[str, Any]:
        """What the bead of this segment keeps: meta["tm"] = {"match": kind, "score": ...,
        "matches": [...]} (and "review": true for an applied fuzzy match)."""
        if self.kind == "mt" and not self.matches:
            return {}
        d: dict[str, Any] = {"match": self.kind, "score": self.score, "matches": self.matches}
        if self.review:
            d["review"] = True
        return {"tm": d}


def _text(seg: Any) -> str:
    return seg if isinstance(seg, str) else seg.text


def pretranslate(segments: Sequence[Any], memory: TranslationMemory, src_lang: str, tgt_lang: str, *,
                 fuzzy: int = DEFAULT_FUZZY, apply_fuzzy: bool = False,
                 defer_fuzzy: bool = False) -> list[Decision]:
    """One Decision per segment (str or aligner.model.Segment), in order. The context of a
    segment is its neighbours in the list (one document's segments).

    With `defer_fuzzy` (and not `apply_fuzzy`, where a fuzzy match decides whether MT is
    needed), only the exact look-ups are made now: a segment without an exact match is
    machine-translated whatever its fuzzy matches, which `complete(decision, ...)` adds
    later, e.g. while the engine translates other sentences."""
    texts = [_text(s) for s in segments]
    contexts = [(texts[i - 1] if i > 0 else None, texts[i + 1] if i + 1 < len(texts) else None)
                for i in range(len(texts))]
    exact = memory.lookup_exact(texts, src_lang, tgt_lang, contexts=contexts)
    tok = M.Tokenizer()
    out = []
    for i, ms in enumerate(exact):
        if defer_fuzzy and not apply_fuzzy and not (ms and ms[0].kind in ("context", "exact")):
            out.append(Decision(i, "mt", pending=(texts[i], ms)))
            continue
        found = memory.complete_fuzzy(texts[i], ms, src_lang, tgt_lang, fuzzy=fuzzy, limit=MAX_MATCHES,
                                      tokenizer=tok)
        out.append(_decide(i, found, apply_fuzzy))
    return out


def complete(decision: Decision, memory: TranslationMemory, src_lang: str, tgt_lang: str, *,
             fuzzy: int = DEFAULT_FUZZY, tokenizer: M.Tokenizer | None = None) -> Decision:
    """A deferred decision made whole (its fuzzy matches looked up), in place; others as they are."""
    if decision.pending is None:
        return decision
    text, ms = decision.pending
    found = memory.complete_fuzzy(text, ms, src_lang, tgt_lang, fuzzy=fuzzy, limit=MAX_MATCHES,
                                  tokenizer=tokenizer)
    d = _decide(decision.index, found, False)
    decision.kind, decision.target, decision.score, decision.matches = d.kind, d.target, d.score, d.matches
    decision.pending = None
    return decision


def _decide(i: int, matches: list[Match], apply_fuzzy: bool) -> Decision:
    if not matches:
        return Decision(i, "mt")
    best = matches[0]
    kept = [m.as_meta() for m in matches]
    if best.kind == "context":
        return Decision(i, "101", best.target, best.score, matches=kept)
    if best.kind == "exact":
        return Decision(i, "100", best.target, best.score, matches=kept)
    if apply_fuzzy:
        return Decision(i, "fuzzy", best.target, best.score, review=True, matches=kept)
    return Decision(i, "fuzzy", None, best.score, matches=kept)
