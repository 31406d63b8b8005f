"""The two texts being aligned, with the per-sentence analyses the signals share.

Each analysis (English stems, jieba words, numbers, lengths) is computed once per sentence,
on first use, and shared by every signal that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from aligner.text import tokens as T
from aligner.align.numerals import en_numbers, zh_numbers


@dataclass
class Side:
    lang: str
    sentences: list[str]
    #: the paragraph of each sentence (blank lines, a document's paragraphs), or None when
    #: unknown; used by the paragraph signal (aligner.align.signals.paragraph)
    paragraphs: list[int] | None = None

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def is_zh(self) -> bool:
        return self.lang.startswith("zh")

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.array([_char_length(s) for s in self.sentences], dtype=np.float64)

    @cached_property
    def en_stems(self) -> list[list[str]]:
        return [T.en_content_stems(s) for s in self.sentences]

    @cached_property
    def zh_words(self) -> list[list[str]]:
        """jieba words of each sentence, with function words dropped."""
        return [[w for w in T.zh_words(s) if w not in T.ZH_STOPWORDS] for s in self.sentences]

    @cached_property
    def numbers(self) -> list[list[str]]:
        f = zh_numbers if self.is_zh else en_numbers
        return [f(s) for s in self.sentences]


@dataclass
class Pairing:
    """Source and target sentences, and what else is known about them.

    translation: the source sentences translated into the target language, line by line
    (from `--translation FILE` or an MT engine), or None.
    glossary: an `aligner.glossary.Glossary`, or None.
    """

    src: Side
    tgt: Side
    translation: Side | None = None
    glossary: Any = None

    @property
    def n(self) -> int:
        return len(self.src)

    @property
    def m(self) -> int:
        return len(self.tgt)

    def sides(self) -> tuple[Side, Side]:
        return self.src, self.tgt

    @property
    def zh_en(self) -> tuple[Side, Side] | None:
        """(Chinese side, English side) when the pair is Chinese-English, else None."""
        if self.src.is_zh and self.tgt.lang.startswith("en"):
            return self.src, self.tgt
        if self.tgt.is_zh and self.src.lang.startswith("en"):
            return self.tgt, self.src
        return None

    @property
    def zh_is_src(self) -> bool:
        return self.src.is_zh


def _char_length(text: str) -> int:
    """Length for the length signal: characters without spaces (Chinese has none)."""
    return len("".join(text.split()))
