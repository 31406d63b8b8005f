"""Translation signal: a translation of the source (from `--translation FILE` or an MT engine)
compared with the target sentences, in the target language.

English targets are compared by content-word stems (token overlap), Chinese targets by jieba
words that also match through their characters (a character n-gram overlap in the spirit of
chrF, which copes with the different word choices of MT and a human translator). The
translated word is a unit of the source sentence, the target word a unit of the target
sentence, and the coverage model scores them like dictionary translations, only with a much
higher recall.
"""

from __future__ import annotations

from aligner.align.pairing import Pairing, Side
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal


def _units(side: Side) -> list[list[frozenset]]:
    if side.is_zh:
        out = []
        for words in side.zh_words:
            out.append([frozenset((w, *w)) if len(w) > 1 else frozenset((w,)) for w in words])
        return out
    return [[frozenset((s,)) for s in stems] for stems in side.en_stems]


def _offers(side: Side) -> list[set]:
    if side.is_zh:
        out = []
        for words in side.zh_words:
            o = set(words)
            for w in words:
                o.update(w)
            out.append(o)
        return out
    return [set(stems) for stems in side.en_stems]


@register
class TranslationSignal(CoverageSignal):
    name = "translation"
    description = "a translation of the source (--translation FILE or --mt) against the target"
    requires = ("translation",)
    rho_src = 0.5
    rho_tgt = 0.5

    def units(self, pairing: Pairing):
        return _units(pairing.translation), _units(pairing.tgt)

    def offers(self, pairing: Pairing):
        return _offers(pairing.translation), _offers(pairing.tgt)
