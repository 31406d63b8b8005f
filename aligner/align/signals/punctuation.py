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
    """Per cue, each sentence's count of its characters (at most 3): a quote cue counts
    the curly quotes and half the straight ones (rounded up), an ellipsis also "..." ."""
    n = len(sentences)
    # every sentence's code points in one array, each with its sentence number: a count of a
    # character per sentence is one bincount, not a str.count per sentence and character
    text = "".join(sentences)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    lens = np.fromiter(map(len, sentences), dtype=np.int64, count=n)
    sent = np.repeat(np.arange(n), lens)

    marks = sorted({ord(c) for chars, _ in CUES.values() for c in chars})
    table = np.array(marks, dtype=np.uint32)
    pos = np.minimum(np.searchsorted(table, codes), len(marks) - 1)
    hit = table[pos] == codes
    per_mark = np.bincount(sent[hit] * len(marks) + pos[hit], minlength=n * len(marks))
    per_mark = per_mark.reshape(n, len(marks)).astype(np.float64)

    def count(chars: str) -> np.ndarray:
        return per_mark[:, [marks.index(ord(c)) for c in chars]].sum(axis=1)

    out = {}
    for cue, (chars, _) in CUES.items():
        if cue == "quote" and '"' in chars:
            c = count(chars.replace('"', "")) + (count('"') + 1) // 2
        else:
            c = count(chars)
        if cue == "ellipsis":
            c += np.array([s.count("...") for s in sentences], dtype=np.float64)
        out[cue] = np.minimum(c, 3)
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
