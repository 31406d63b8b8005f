"""Numbers and dates: 1999 = 一九九九, 40 million = 四千万, twenty-one = 二十一, January = 一月.

Each number is a unit keyed by its value (see `aligner.align.numerals`); a number that finds
its value on the other side is strong evidence, since few sentences share one.
"""

from __future__ import annotations

from aligner.align.pairing import Pairing
from aligner.align.signals.base import register
from aligner.align.signals.coverage import CoverageSignal


@register
class NumbersSignal(CoverageSignal):
    name = "numbers"
    description = "numbers and dates in Arabic digits, Chinese numerals and English words"
    rho_src = 0.6
    rho_tgt = 0.6

    def units(self, pairing: Pairing):
        return tuple([[frozenset((v,)) for v in nums] for nums in side.numbers]
                     for side in pairing.sides())

    def offers(self, pairing: Pairing):
        return tuple([set(nums) for nums in side.numbers] for side in pairing.sides())
