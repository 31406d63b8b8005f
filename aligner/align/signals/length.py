"""Length signal: translations have proportional lengths (Gale & Church 1993, in log form).

delta = log(target chars / (ratio * source chars)), with the ratio estimated from the two
documents themselves (their total lengths), is about normal with a variance that shrinks as
the bead gets longer: var = v0 + v1 / L, L the bead's length in English characters (a Chinese
character counts as about three). The score is the log-likelihood ratio of delta under that
normal against the much wider spread of unrelated sentence pairs. v0, v1 and the background
spread were measured on the development bitexts (MAC and Bible alike) and are refitted to the
document after a first alignment.
"""

from __future__ import annotations

import math

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
    v0 = 0.015
    v1 = 1.8
    background = 0.8

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

    def reset(self) -> None:
        self.shift = 0.0

    def _llr(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        expected = s * self.ratio
        delta = np.log((t + 1.0) / (expected + 1.0)) - self.shift
        L = np.maximum((expected + t) * 0.5 * self.scale_t, 1.0)
        var = self.v0 + self.v1 / L
        bg = self.background ** 2
        return -0.5 * delta ** 2 / var - 0.5 * np.log(var) + 0.5 * delta ** 2 / bg + 0.5 * math.log(bg)

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        s = grid.src_span(self.pairing.src.lengths, a)
        t = grid.tgt_span(self.pairing.tgt.lengths, b)
        return self._llr(s, t)

    def pair_score(self, k: int, l: int) -> float:
        return float(self._llr(np.array([self.pairing.src.lengths[k]]),
                               np.array([self.pairing.tgt.lengths[l]]))[0])

    def reestimate(self, beads) -> None:
        ls, lt = self.pairing.src.lengths, self.pairing.tgt.lengths
        d = []
        for src, tgt in beads:
            if src and tgt:
                s, t = float(ls[src].sum()), float(lt[tgt].sum())
                d.append(math.log((t + 1.0) / (s * self.ratio + 1.0)))
        if len(d) >= 20:
            # the median is robust to the few wrong beads of a first alignment
            self.shift = float(np.median(d))

    def describe(self):
        return {"weight": self.weight, "ratio": round(self.ratio * math.exp(self.shift), 4)}
