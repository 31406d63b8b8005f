"""What every alignment signal is: one small class, registered by name.

A signal looks at a candidate bead (a source span and a target span) and says how much more
likely the two spans are to be translations of each other than two unrelated spans: a
log-likelihood ratio. The search adds the signals' scores (times their weights) and the bead
type's prior, and keeps the path of beads with the highest total.

Scoring is split so that it is cheap for the millions of candidate beads of a book:
  prepare(pairing)      once per text: per-sentence features
  score_cells(band)     once per band: a value per sentence pair (k, l) near the path
  bead_score(grid,a,b)  per bead type: numpy sums of those values over every candidate bead
and `pair_score(k, l)`, the 1-1 score of single pairs, used to pick anchors.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing

SIGNALS: dict[str, type["Signal"]] = {}


def register(cls: type["Signal"]) -> type["Signal"]:
    SIGNALS[cls.name] = cls
    return cls


class Signal:
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: what the signal needs besides the two texts ("translation", "glossary", "zh-en", "model")
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, weight: float = 1.0, **options: Any):
        self.weight = weight
        self.options = options

    def applies(self, pairing: Pairing) -> bool:
        if "translation" in self.requires and pairing.translation is None:
            return False
        if "glossary" in self.requires and pairing.glossary is None:
            return False
        if "zh-en" in self.requires and pairing.zh_en is None:
            return False
        return True

    def prepare(self, pairing: Pairing) -> None:
        self.pairing = pairing

    def score_cells(self, band: Band) -> None:
        """Compute per-cell values for this band (signals that only use spans do nothing)."""

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        raise NotImplementedError

    def pair_score(self, k: int, l: int) -> float:
        """The 1-1 score of source sentence k with target sentence l."""
        return 0.0

    #: uses the Chinese side's words (Side.zh_words, Pairing.zh_lexicon): prepared after the
    #: signals that do not, so that the words can be segmented beside the aligner meanwhile
    uses_zh_words: ClassVar[bool] = False

    def zh_work(self, pairing: Pairing) -> tuple[Any, tuple] | None:
        """(fn, args): work on the Chinese sentences that `prepare` will need, fn(sentences,
        *args), a pure function, done beside the aligner while the words are segmented
        (`Pairing.start_analysis`; `prepare` then gets it from `Pairing.zh_work`); or None.
        Only for signals that set `uses_zh_words` (prepared last)."""
        return None

    #: expensive per sentence (a sentence encoder): on a long text the aligner first aligns
    #: without it, then gives it only the uncertain regions through `restrict`
    costly: ClassVar[bool] = False

    def restrict(self, src_mask: np.ndarray, tgt_mask: np.ndarray) -> None:
        """Score only beads within the sentences where the masks are true (costly signals)."""

    def anchor_pairs(self, window: np.ndarray, window_half: int) -> dict[tuple[int, int], float] | None:
        """Weighted anchor candidates (k, l) found by the signal itself within `window_half`
        of the guessed path `window` (a sentence encoder's nearest neighbours), or None."""
        return None

    def anchor_keys(self) -> tuple[list, list] | None:
        """Per-sentence collections of keys that, shared by a source and a target sentence,
        suggest they pair (used with an inverted index to find anchors without comparing
        all n*m pairs)."""
        return None

    def reestimate(self, beads: list[tuple[list[int], list[int]]]) -> None:
        """Refit the signal's parameters to a first alignment of this very text."""

    def reset(self) -> None:
        """Forget what `reestimate` learned (to align the prepared texts again)."""

    def release(self) -> None:
        """Drop the per-band values (memory) once a band has been scored."""

    def describe(self) -> dict[str, Any]:
        return {"weight": self.weight}
