"""Lexical signal: Chinese words and English words that CC-CEDICT says translate each other.

A Chinese word is a unit whose keys are the stems of its CC-CEDICT glosses (插队 -> cut, jump,
queue, rural, ...); an English content word is a unit whose key is its stem. A Chinese
sentence offers the glosses of all its words, an English one its stems.
"""

from __future__ import annotations

from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal


@register
class LexiconSignal(CoverageSignal):
    name = "lexicon"
    description = "CC-CEDICT translations shared by a Chinese and an English span (jieba words, English stems)"
    requires = ("zh-en",)
    rho_src = 0.3
    rho_tgt = 0.3

    uses_zh_words = True

    def prepare(self, pairing: Pairing) -> None:
        # the dictionary for this text's words only (looked up beside this process, see
        # Pairing.start_analysis), not the whole of CC-CEDICT
        pairing.zh_en[1].en_stems  # the English side's work first, while the Chinese words come
        self.lexicon = pairing.zh_lexicon()
        super().prepare(pairing)

    def describe(self):
        d = super().describe()
        d["cedict_entries"] = self.lexicon.entries  # no load time: re-runs write the same bytes
        return d

    def _zh_units(self, side) -> list[list[frozenset]]:
        stems = self.lexicon.word_stems
        known: dict[str, frozenset] = {}  # per distinct word: a book repeats its words
        out = []
        for words in side.zh_words:
            units = []
            for w in words:
                g = known.get(w)
                if g is None:
                    g = known[w] = stems(w)
                if g:
                    units.append(g)
            out.append(units)
        return out

    def _en_units(self, side) -> list[list[frozenset]]:
        one: dict[str, frozenset] = {}  # one key set per distinct stem
        return [[one.get(s) or one.setdefault(s, frozenset((s,))) for s in stems] for stems in side.en_stems]

    def units(self, pairing: Pairing):
        zh, en = pairing.zh_en
        zu, eu = self._zh_units(zh), self._en_units(en)
        return (zu, eu) if pairing.zh_is_src else (eu, zu)

    def offers(self, pairing: Pairing):
        zh, en = pairing.zh_en
        zu, eu = self._units if hasattr(self, "_units") else self.units(pairing)
        if not pairing.zh_is_src:
            zu, eu = eu, zu
        zo = [set().union(*u) if u else set() for u in zu]
        eo = [set(stems) for stems in en.en_stems]
        return (zo, eo) if pairing.zh_is_src else (eo, zo)
