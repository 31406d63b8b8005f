"""Length signal: translations have proportional lengths (Gale & Church 1993, in log form).

delta = log(target chars / (ratio * source chars)), with the ratio estimated from the two
documents themselves (their total lengths), is about normal with a variance that shrinks as
the bead gets longer: var = v0 + v1 / L, L the bead's length in English characters (a Chinese
character counts as about three). The score is the log-likelihood ratio of delta under that
normal against the much wider spread of unrelated sentence pairs. v0, v1 and the background
spread were fitted on the gold beads of mac-dev; the length ratio is refitted to the document
after a first alignment.
"""

from __future__ import annotations

import math
from itertools import chain

import numpy as np

from aligner.align.band import BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal, register

#: Chinese characters per English character, to put lengths on one scale
ZH_EN_CHARS = 0.3


@register
class LengthSignal(Signal):
    name = "length"
    description = "character lengths of the two spans, ratio estimated from the documents"
    #: variance of delta = v0 + v1 / L, and the spread of delta for unrelated spans (the gold
    #: beads moved by 3-30 target sentences): fitted by `fit_variance` on the gold beads of
    #: mac-dev, all 8 chapters (bench/align_quality.py's `fit_constants`; --loo re-fits them on
    #: one novel at a time). Fitted on one novel they lift the other, and bible-dev 001 too,
    #: though the Bible's own gold fits a tighter variance that scores it lower: a length model
    #: less sure of itself lets the text's words decide (docs/benchmarks.md, issue 14, fifth
    #: round). Before: 0.015, 1.8, 0.8, set by hand.
    v0 = 0.00443
    v1 = 3.054
    background = 0.717

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        ls, lt = pairing.src.lengths, pairing.tgt.lengths
        tot_s, tot_t = float(ls.sum()), float(lt.sum())
        self.log_ratio = math.log((tot_t + 1.0) / (tot_s + 1.0)) if tot_s and tot_t else 0.0
        self.ratio = math.exp(self.log_ratio)
        # scale to English characters
        self.scale_t = 1.0 / ZH_EN_CHARS if pairing.tgt.is_zh else 1.0
        self.reset()
        self.v0 = float(self.options.get("v0", type(self).v0))
        self.v1 = float(self.options.get("v1", type(self).v1))
        self.background = float(self.options.get("background", type(self).background))

    def bead_deltas(self, beads) -> tuple[np.ndarray, np.ndarray]:
        """delta and L (see the module docstring) of each bead with both sides, at this
        text's length ratio."""
        ls, lt = self.pairing.src.lengths, self.pairing.tgt.lengths
        d, L = [], []
        for src, tgt in beads:
            if src and tgt:
                s, t = float(ls[src].sum()), float(lt[tgt].sum())
                e = s * self.ratio
                d.append(math.log((t + 1.0) / (e + 1.0)))
                L.append(max((e + t) * 0.5 * self.scale_t, 1.0))
        return np.array(d), np.array(L)

    def reset(self) -> None:
        self.shift = 0.0

    def _llr(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        expected = s * self.ratio
        delta = np.log((t + 1.0) / (expected + 1.0)) - self.shift
        L = np.maximum((expected + t) * 0.5 * self.scale_t, 1.0)
        var = self.v0 + self.v1 / L
        bg = self.background ** 2
        # -0.5 delta^2 / var - 0.5 log(var) + 0.5 delta^2 / bg + 0.5 log(bg), in place
        d2 = np.square(delta)
        out = -0.5 * d2
        out /= var
        lv = np.log(var)
        lv *= 0.5
        out -= lv
        d2 *= 0.5
        d2 /= bg
        out += d2
        out += 0.5 * math.log(bg)
        return out

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        s = grid.src_span(self.pairing.src.lengths, a)[:, :1]  # one column: the same on a row
        t = grid.tgt_span(self.pairing.tgt.lengths, b)
        return self._llr(s, t)

    def pair_score(self, k: int, l: int) -> float:
        return float(self._llr(np.array([self.pairing.src.lengths[k]]),
                               np.array([self.pairing.tgt.lengths[l]]))[0])

    def reestimate(self, beads) -> None:
        both = [(s, t) for s, t in beads if s and t]
        # each bead's lengths (whole numbers of characters: any order of summing is exact)
        s_len, t_len = (_span_sums([b[side] for b in both], lengths)
                        for side, lengths in ((0, self.pairing.src.lengths), (1, self.pairing.tgt.lengths)))
        log, ratio = math.log, self.ratio
        d = [log((t + 1.0) / (s * ratio + 1.0)) for s, t in zip(s_len.tolist(), t_len.tolist())]
        if len(d) >= 20:
            # the median is robust to the few wrong beads of a first alignment
            self.shift = _median(d)

    def describe(self):
        return {"weight": self.weight, "ratio": round(self.ratio * math.exp(self.shift), 4)}


def _median(values: list[float]) -> float:
    """np.median of the numbers, to the bit (the middle one, or the mean of the middle two),
    without the import of numpy.ma that np.median makes (20 ms)."""
    s = sorted(values)
    h = len(s) // 2
    return float(s[h]) if len(s) % 2 else float((s[h - 1] + s[h]) / 2.0)


def _span_sums(spans: list[list[int]], values: np.ndarray) -> np.ndarray:
    """The sum of values over each span (a list of sentence numbers)."""
    size = np.fromiter(map(len, spans), dtype=np.int64, count=len(spans))
    flat = np.fromiter(chain.from_iterable(spans), dtype=np.int64, count=int(size.sum()))
    return np.bincount(np.repeat(np.arange(len(spans)), size), weights=values[flat], minlength=len(spans))


def fit_variance(true: list[tuple[np.ndarray, np.ndarray]], wrong: list[np.ndarray]) -> dict[str, float]:
    """v0, v1 (least squares of delta^2 on 1 / L over true beads: (delta, L) arrays from
    `LengthSignal.bead_deltas` of gold beads) and the background spread (root mean square of
    delta over wrong beads)."""
    d = np.concatenate([x for x, _ in true])
    L = np.concatenate([y for _, y in true])
    X = np.stack([np.ones_like(L), 1.0 / L], axis=1)
    coef, *_ = np.linalg.lstsq(X, d ** 2, rcond=None)
    v0, v1 = max(float(coef[0]), 0.002), max(float(coef[1]), 0.05)
    bg = float(np.sqrt(np.mean(np.concatenate(wrong) ** 2)))
    return {"v0": v0, "v1": v1, "background": max(bg, 0.2)}
