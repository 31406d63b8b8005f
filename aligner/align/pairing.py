"""The two texts being aligned, with the per-sentence analyses the signals share.

Each analysis (English stems, jieba words, numbers, lengths) is computed once per sentence,
on first use, and shared by every signal that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from aligner.text import tokens as T
from aligner.align.numerals import en_numbers, zh_numbers

if TYPE_CHECKING:
    from aligner.align.cedict import TextLexicon


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

    @property
    def zh_words(self) -> list[list[str]]:
        """jieba words of each sentence, with function words dropped (computed once: here, or
        beside the parent by `Pairing.start_analysis`)."""
        words = self.__dict__.get("_zh_words")
        if words is None:
            job = self.__dict__.pop("_zh_job", None)
            if job is not None:
                words, self.__dict__["_zh_stems"], self.__dict__["_zh_entries"] = job.result()
            else:
                words = T.zh_content_words(self.sentences)
            self.__dict__["_zh_words"] = words
        return words

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

    def start_analysis(self, dictionary: bool = True,
                       work: dict[str, tuple[Callable[..., Any], tuple]] | None = None) -> bool:
        """Segment the Chinese side (and, with `dictionary`, look its words up in CC-CEDICT)
        in a child process on the second core while this process prepares the English side
        and the other signals (aligner.align.parallel; nothing happens where that is not
        possible, or when the words are known already). `work`: name -> (fn, args), more
        work on the Chinese sentences, fn(sentences, *args), each in a child of its own,
        whose result `zh_work` gives. True if a child was started."""
        if self.zh_en is None:
            return False
        zh = self.zh_en[0]
        if "_zh_words" in zh.__dict__ or "_zh_job" in zh.__dict__:
            return False
        from aligner.align.parallel import Beside, available

        if not available():
            return False
        # (by the helper that `aligner align` starts before its imports, if one waits: it has
        # the segmenter and the dictionary loaded by now)
        zh.__dict__["_zh_job"] = Beside(zh_analysis, zh.sentences, dictionary, helper=True)
        zh.__dict__["_zh_work"] = {name: Beside(fn, zh.sentences, *args) for name, (fn, args) in (work or {}).items()}
        return True

    def zh_work(self, name: str, fn: Callable[..., Any], args: tuple) -> Any:
        """fn(Chinese sentences, *args): the result of the `work` of that name started by
        `start_analysis`, or, where there is none, computed here (the same value)."""
        zh = self.zh_en[0]
        job = (zh.__dict__.get("_zh_work") or {}).pop(name, None)
        return job.result() if job is not None else fn(zh.sentences, *args)

    def zh_lexicon(self) -> "TextLexicon":
        """CC-CEDICT for the words of the Chinese side (see `aligner.align.cedict.TextLexicon`)."""
        from aligner.align.cedict import TextLexicon

        zh = self.zh_en[0]
        lex = zh.__dict__.get("_zh_lexicon")
        if lex is None:
            words = zh.zh_words
            stems = zh.__dict__.pop("_zh_stems", None)
            if stems is None:  # segmented here, or without the dictionary
                lex = TextLexicon.of_words(words)
            else:
                lex = TextLexicon(stems, zh.__dict__.pop("_zh_entries"))
            zh.__dict__["_zh_lexicon"] = lex
        return lex


def zh_analysis(sentences: list[str], dictionary: bool = True):
    """The Chinese side's content words per sentence, the CC-CEDICT stems of each distinct
    word and the dictionary's size (None and 0 without `dictionary`): the work
    `Pairing.start_analysis` does beside the parent."""
    words = T.zh_content_words(sentences)
    if not dictionary:
        return words, None, 0
    from aligner.align.cedict import TextLexicon

    lex = TextLexicon.of_words(words)
    return words, lex.stems, lex.entries


#: The warm-up of the helper process that analyses the Chinese side (aligner.align.parallel.helper;
#: the command line starts it before its imports, `align_files` as it starts)
ZH_HELPER = "aligner.align.pairing:load_zh_analysis"


def load_zh_analysis() -> None:
    """Load what `zh_analysis` uses (the segmenter, CC-CEDICT) ahead of its first text: the
    warm-up of the helper process of `aligner.align.parallel.helper`."""
    from aligner.align.cedict import load_lexicon
    from aligner.text.tokens import zh_content_words

    zh_content_words([])
    load_lexicon()


def _char_length(text: str) -> int:
    """Length for the length signal: characters without spaces (Chinese has none)."""
    return len("".join(text.split()))
