"""Glossary terms as sure anchors (with `--glossary`): a glossary term in a source span and
one of its accepted renderings in the target span (Zhu Zhiqiang ... 朱志强).

Terms are found with the glossary's own matcher (aligner.glossary: Aho-Corasick, English
inflections, leftmost-longest), in the direction of the alignment. A term is a unit keyed by
its glossary entry; since a text names few terms, a shared one is strong evidence, and the
coverage model makes a term that recurs in every sentence (the Party) count for little.
"""

from __future__ import annotations

from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal


@register
class GlossarySignal(CoverageSignal):
    name = "glossary"
    description = "glossary terms and their renderings on the two sides (--glossary), as near-certain anchors"
    requires = ("glossary",)
    rho_src = 0.8
    rho_tgt = 0.8

    def applies(self, pairing: Pairing) -> bool:
        if not super().applies(pairing):
            return False
        langs = set(pairing.glossary.languages)
        return pairing.src.lang in langs and pairing.tgt.lang in langs and pairing.src.lang != pairing.tgt.lang

    def _terms(self, pairing: Pairing) -> tuple[list[list[int]], list[list[int]]]:
        if getattr(self, "_found", None) is None or self._found[0] is not pairing:
            d = pairing.glossary.direction(pairing.src.lang, pairing.tgt.lang)
            src = [[m.entry.id for m in d.find(s)] for s in pairing.src.sentences]
            tgt = [[m.entry.id for m in d.renderings(t)] for t in pairing.tgt.sentences]
            self._found = (pairing, src, tgt)
        return self._found[1], self._found[2]

    def units(self, pairing: Pairing):
        src, tgt = self._terms(pairing)
        return ([[frozenset((t,)) for t in ts] for ts in src],
                [[frozenset((t,)) for t in ts] for ts in tgt])

    def offers(self, pairing: Pairing):
        src, tgt = self._terms(pairing)
        return [set(ts) for ts in src], [set(ts) for ts in tgt]
