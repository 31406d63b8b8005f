"""Which characters are Chinese (Han) and which are Latin: the one definition in aligner.

A Han character is one of the CJK Unified Ideographs (the basic block, Extension A), the CJK
Compatibility Ideographs, or any character of the Supplementary and Tertiary Ideographic
Planes (U+20000-U+3FFFF: Extensions B to H, the compatibility supplement, and what Unicode
adds there next, since it reserves both planes for ideographs). Rare characters of names and
classical texts (𠀀 U+20000, 𪚶 U+2A6B6) are therefore as Chinese as 中.
"""

from __future__ import annotations

import re

#: The ranges, for building character classes: f"[{HAN_RANGES}]".
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"

HAN_RE = re.compile(f"[{HAN_RANGES}]")
_HAN_RUN_RE = re.compile(f"[{HAN_RANGES}]+")

#: A Latin-script word: ASCII letters and the Latin-1/Extended-A/B letters (café, Zürich).
LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
#: A run of ASCII letters and digits (GDP, G20): how Latin words inside Chinese are delimited.
ASCII_ALNUM_RUN_RE = re.compile("[0-9A-Za-z]+")


def is_han(ch: str) -> bool:
    """Is the (first) character a Han character?"""
    return HAN_RE.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Does the text hold at least one Han character?"""
    return HAN_RE.search(text) is not None


def count_cjk(text: str) -> int:
    """The number of Han characters in the text."""
    # Runs, not characters: a glossary's Chinese column makes 100,000 strings, not 500,000.
    # An ASCII text (str.isascii reads a flag) is not scanned at all.
    return 0 if text.isascii() else sum(map(len, _HAN_RUN_RE.findall(text)))


def count_latin_words(text: str) -> int:
    """The number of Latin-script words in the text."""
    return len(LATIN_WORD_RE.findall(text))
