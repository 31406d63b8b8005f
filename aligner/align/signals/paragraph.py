"""Paragraph signal: paragraph and heading boundaries as soft evidence for bead boundaries.

A translator keeps the paragraphs of the original almost always, and very rarely joins the
last sentence of one paragraph with the first of the next. So, when both texts carry their
paragraph structure (`Side.paragraphs`: the paragraph of each sentence, from blank lines in
plain text or from a document's paragraphs, headings, cells and cues):

* a bead that ends where *both* texts end a paragraph gets `agree` (a log-likelihood ratio):
  paragraph boundaries that agree are near-certain bead boundaries;
* a bead that holds a paragraph boundary *inside* one of its sides (sentences of two
  paragraphs in one bead) pays `cross` per boundary, a smaller amount: a boundary on one
  side only (the translator split or joined a paragraph) earns no bonus, and a bead across
  it is only less likely, so the other signals can still put one there. This is what makes
  the evidence soft, where aligner.docalign's hard boundaries need the same structure on
  both sides and never let a bead cross a paragraph.

It applies only where the structure says something beyond the sentences: both sides have at
least two paragraphs and fewer paragraphs than sentences (one sentence per line, as in the
development data, says nothing, and the signal is then not used at all, so the alignment is
exactly what it was without it). `agree` and `cross` were set by hand (no grid search) and
checked on bible-dev with its chapters and verses as paragraphs, whole and with boundaries
dropped (bench/align_quality.py --paragraphs).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from aligner.align.band import BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal, register


def informative(paragraphs: Sequence[int] | None, n: int) -> bool:
    """Whether a side's paragraph ids say more than its sentences: >= 2 paragraphs, < n."""
    if paragraphs is None or len(paragraphs) != n or n < 3:
        return False
    count = 1 + sum(1 for k in range(1, n) if paragraphs[k] != paragraphs[k - 1])
    return 2 <= count < n


def starts(paragraphs: Sequence[int]) -> np.ndarray:
    """1.0 for each sentence k >= 1 that begins a new paragraph."""
    p = np.asarray(paragraphs)
    out = np.zeros(len(p), dtype=np.float64)
    if len(p) > 1:
        out[1:] = (p[1:] != p[:-1]).astype(np.float64)
    return out


@register
class ParagraphSignal(Signal):
    name = "paragraph"
    description = "paragraph and heading boundaries: where both texts end a paragraph, a bead ends"
    agree = 3.0
    cross = 2.0

    def applies(self, pairing: Pairing) -> bool:
        return (informative(getattr(pairing.src, "paragraphs", None), pairing.n)
                and informative(getattr(pairing.tgt, "paragraphs", None), pairing.m))

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        self.agree = float(self.options.get("agree", type(self).agree))
        self.cross = float(self.options.get("cross", type(self).cross))
        self.src_starts = starts(pairing.src.paragraphs)
        self.tgt_starts = starts(pairing.tgt.paragraphs)
        n, m = pairing.n, pairing.m
        # per DP state: is i (j) a paragraph boundary of the source (target)
        self.src_state = np.zeros(n + 1)
        self.src_state[1:n] = self.src_starts[1:n]
        self.tgt_state = np.zeros(m + 1)
        self.tgt_state[1:m] = self.tgt_starts[1:m]

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        j = np.clip(grid.J, 0, grid.band.m)
        out = self.agree * self.src_state[grid.I] * self.tgt_state[j]
        if a >= 2:  # boundaries inside the source side: sentences i-a+1 .. i-1 starting a paragraph
            out = out - self.cross * grid.src_span(self.src_starts, a - 1)
        if b >= 2:
            out = out - self.cross * grid.tgt_span(self.tgt_starts, b - 1)
        return out

    def describe(self) -> dict[str, Any]:
        return {"weight": self.weight, "agree": self.agree, "cross": self.cross,
                "paragraphs": [int(self.src_starts.sum()) + 1, int(self.tgt_starts.sum()) + 1]}
