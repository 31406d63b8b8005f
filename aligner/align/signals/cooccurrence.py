"""Co-occurrence: a small dictionary learned from the text itself.

After the first alignment, a Chinese word and an English word that keep turning up in the
same beads (破鞋 and "damaged goods" in a novel, 耶和华 and "LORD" in the Bible, the names
of a story) are paired, if CC-CEDICT does not pair them already: the Dice coefficient of
their bead counts must be high and they must share at least `min_count` beads. The second
pass then scores these pairs like dictionary translations. This is how Hunalign bootstraps
a dictionary, done once, per document, with nothing to download.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal


@register
class CooccurrenceSignal(CoverageSignal):
    name = "cooccurrence"
    description = "word pairs that recur together in the first alignment (a dictionary learned from the text)"
    requires = ("zh-en",)
    rho_src = 0.5
    rho_tgt = 0.5
    min_count = 3
    min_dice = 0.6
    per_word = 2
    uses_zh_words = True

    def prepare(self, pairing: Pairing) -> None:
        self.pairs: dict[str, set[str]] = {}
        super().prepare(pairing)

    def _words(self) -> tuple[list[list[str]], list[list[str]]]:
        zh, en = self.pairing.zh_en
        return zh.zh_words, en.en_stems

    def units(self, pairing: Pairing):
        zw, es = self._words()
        pairs = self.pairs
        learned_en = set().union(*pairs.values()) if pairs else set()
        sets = {w: frozenset(v) for w, v in pairs.items()}  # one key set per word and stem
        one = {s: frozenset((s,)) for s in learned_en}
        zu = [[sets[w] for w in words if w in sets] for words in zw]
        eu = [[one[s] for s in stems if s in one] for stems in es]
        return (zu, eu) if pairing.zh_is_src else (eu, zu)

    def offers(self, pairing: Pairing):
        zw, es = self._words()
        pairs = self.pairs
        zo = [set().union(*(pairs[w] for w in words if w in pairs)) for words in zw]
        eo = [set(stems) for stems in es]
        return (zo, eo) if pairing.zh_is_src else (eo, zo)

    def reestimate(self, beads) -> None:
        zw, es = self._words()
        lex = self.pairing.zh_lexicon()
        zh_first = self.pairing.zh_is_src
        cz: Counter = Counter()
        ce: Counter = Counter()
        bead_sets = []
        for src, tgt in beads:
            if not src or not tgt:
                continue
            zids, eids = (src, tgt) if zh_first else (tgt, src)
            Z = {w for k in zids for w in zw[k]}
            E = {s for l in eids for s in es[l]}
            cz.update(Z)
            ce.update(E)
            bead_sets.append((Z, E))
        mc = self.min_count
        # joint bead counts of every (word, stem) pair: integer codes counted with numpy
        # (a Counter of tuples was most of the refit on a book)
        zid = {w: k for k, w in enumerate(w for w, c in cz.items() if c >= mc)}
        eid = {e: k for k, e in enumerate(e for e, c in ce.items() if c >= mc)}
        ne = max(len(eid), 1)
        codes = []
        for Z, E in bead_sets:
            za = np.fromiter((zid[w] for w in Z if w in zid), dtype=np.int64)
            ea = np.fromiter((eid[e] for e in E if e in eid), dtype=np.int64)
            if len(za) and len(ea):
                codes.append(np.add.outer(za * ne, ea).ravel())
        best: dict[str, list[tuple[float, str]]] = {}
        if codes:
            uniq, counts = np.unique(np.concatenate(codes), return_counts=True)
            keep = counts >= mc
            words, stems = list(zid), list(eid)
            for code, c in zip(uniq[keep].tolist(), counts[keep].tolist()):
                w, e = words[code // ne], stems[code % ne]
                dice = 2.0 * c / (cz[w] + ce[e])
                if dice < self.min_dice:
                    continue
                if e in lex.word_stems(w):
                    continue  # the dictionary knows it already
                best.setdefault(w, []).append((dice, e))
        self.pairs = {w: {s for _, s in sorted(c, reverse=True)[: self.per_word]} for w, c in best.items()}
        self._rebuild()

    def _rebuild(self) -> None:
        """Units, offers and the index for the current learned pairs."""
        self._units = self._interned(self.units(self.pairing))
        self._offers = self.offers(self.pairing)
        self._index()
        self._fit_alphas()

    def reset(self) -> None:
        if getattr(self, "pairs", None):
            self.pairs = {}
            self._rebuild()
        super().reset()

    def describe(self):
        d = super().describe()
        d["learned_pairs"] = sum(len(v) for v in self.pairs.values())
        return d
