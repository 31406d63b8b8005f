"""Punctuation cues: a question stays a question, an exclamation an exclamation, and quoted
speech stays quoted. The score is minus the weighted difference of the cue counts of the two
spans, so it works the same for a 1-1 and a 1-3 bead."""

from __future__ import annotations

import numpy as np

from aligner.align.band import BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal, register

# cue -> (characters that count, weight of a count difference)
CUES = {
    "question": ("?？", 1.0),
    "exclamation": ("!！", 1.0),
    "quote": ("“「『\"", 0.3),
    "colon": (":：", 0.2),
    "ellipsis": ("…", 0.2),
}


def cue_counts(sentences: list[str]) -> dict[str, np.ndarray]:
    out = {}
    for cue, (chars, _) in CUES.items():
        v = np.zeros(len(sentences))
        for i, s in enumerate(sentences):
            c = sum(s.count(ch) for ch in chars)
            if cue == "quote" and '"' in chars:
                c = sum(s.count(ch) for ch in chars if ch != '"') + (s.count('"') + 1) // 2
            if cue == "ellipsis":
                c += s.count("...")
            v[i] = min(c, 3)
        out[cue] = v
    return out


@register
class PunctuationSignal(Signal):
    name = "punctuation"
    description = "question and exclamation marks, quotes, colons and ellipses on both sides"

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        self.src_counts = cue_counts(pairing.src.sentences)
        self.tgt_counts = cue_counts(pairing.tgt.sentences)

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        out = np.zeros(grid.I.shape)
        for cue, (_, w) in CUES.items():
            out -= w * np.abs(grid.src_span(self.src_counts[cue], a) - grid.tgt_span(self.tgt_counts[cue], b))
        return out

    def pair_score(self, k: int, l: int) -> float:
        return -sum(w * abs(self.src_counts[c][k] - self.tgt_counts[c][l]) for c, (_, w) in CUES.items())
