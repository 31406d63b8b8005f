"""Co-occurrence: a small dictionary learned from the text itself.

After the first alignment, a Chinese word and an English word that keep turning up in the
same beads (破鞋 and "damaged goods" in a novel, 耶和华 and "LORD" in the Bible, the names
of a story) are paired, if CC-CEDICT does not pair them already: the Dice coefficient of
their bead counts must be high and they must share at least `min_count` beads. The second
pass then scores these pairs like dictionary translations. This is how Hunalign bootstraps
a dictionary, done once, per document, with nothing to download.
"""

from __future__ import annotations

from itertools import chain, compress, repeat

import numpy as np

from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal, bead_numbers


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
        mc = self.min_count
        # every bead with both sides gets a number; a sentence carries its bead's
        (bead_s, bead_t), sizes = bead_numbers(beads, self.pairing.n, self.pairing.m)
        bead_z, bead_e = (bead_s, bead_t) if zh_first else (bead_t, bead_s)
        nb = len(sizes[0])
        if not nb:
            self.pairs = {}
            self._rebuild()
            return
        # the distinct (bead, word) and (bead, stem) pairs, as integer codes: a word counts
        # once per bead however often it occurs there (what the sets of words per bead did)
        zb, zvocab = _bead_items(zw, bead_z)
        eb, evocab = _bead_items(es, bead_e)
        cz = np.bincount(zb % len(zvocab), minlength=len(zvocab)) if len(zvocab) else np.zeros(0, np.int64)
        ce = np.bincount(eb % len(evocab), minlength=len(evocab)) if len(evocab) else np.zeros(0, np.int64)
        # only words and stems in at least min_count beads can pair
        zb = zb[cz[zb % max(len(zvocab), 1)] >= mc] if len(zb) else zb
        eb = eb[ce[eb % max(len(evocab), 1)] >= mc] if len(eb) else eb
        best: dict[str, list[tuple[float, str]]] = {}
        if len(zb) and len(eb):
            # joint bead counts of every (word, stem) pair: each bead's words times its stems
            nzv, nev = len(zvocab), len(evocab)
            z_bead, z_word = zb // nzv, zb % nzv
            e_bead, e_stem = eb // nev, eb % nev
            e_start = np.searchsorted(e_bead, np.arange(nb + 1))
            reps = (e_start[z_bead + 1] - e_start[z_bead])
            total = int(reps.sum())
            zi = np.repeat(np.arange(len(zb)), reps)
            offs = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
            codes = z_word[zi] * nev + e_stem[e_start[z_bead][zi] + offs]
            uniq, counts = np.unique(codes, return_counts=True)
            keep = counts >= mc
            uniq, counts = uniq[keep], counts[keep]
            w_id, e_id = uniq // nev, uniq % nev
            dice = 2.0 * counts / (cz[w_id] + ce[e_id])
            good = dice >= self.min_dice
            for wi, ei, d in zip(w_id[good].tolist(), e_id[good].tolist(), dice[good].tolist()):
                w, e = zvocab[wi], evocab[ei]
                if e in lex.word_stems(w):
                    continue  # the dictionary knows it already
                best.setdefault(w, []).append((d, e))
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


def _bead_items(words: list[list[str]], bead: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The distinct (bead, item) pairs of the sentences' items, as sorted codes
    bead * len(vocabulary) + item id, and the vocabulary (items of sentences in a bead)."""
    ids: dict[str, int] = {}
    flat = list(chain.from_iterable(words))
    per = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    sent_bead = np.repeat(bead, per)
    inside = sent_bead >= 0
    for w in compress(flat, inside.tolist()):
        if w not in ids:
            ids[w] = len(ids)
    if not ids:
        return np.zeros(0, dtype=np.int64), []
    item = np.fromiter(map(ids.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    # np.unique's sorted distinct codes, by a sort (np.unique would import numpy.ma: 20 ms)
    codes = np.sort(sent_bead[inside] * len(ids) + item[inside])
    codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])] if len(codes) else codes
    return codes, list(ids)
