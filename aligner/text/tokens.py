"""Words of English and Chinese text: English words, stems and stop words; Chinese words.

English: lower case, possessives dropped, irregular forms mapped to their base form
(aligner.text.lemmas), then the Snowball (Porter 2) stemmer, so "went"/"goes"/"going" and the
CC-CEDICT gloss "to go" meet. Chinese: jieba word segmentation, with a tokenizer of our own
(loaded on first use) so that nothing a host application set on jieba's global one (user
words, dictionaries) changes our segmentation, and nothing we do changes theirs. Function
words of either language carry no lexical evidence: `EN_STOPWORDS` and `ZH_STOPWORDS` are the
one list of each.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from aligner.text.lemmas import base_form
from aligner.text.normalize import normalize_apostrophes
from aligner.text.scripts import HAN_RE

#: An English word as written: letters, with inner apostrophes (don't, O’Brien).
EN_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")

# English function words (and light words such as "thing", "get", "say" that carry little
# lexical evidence). The light words were chosen while developing the aligner on mac-dev.
EN_STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can cannot could did do does doing don't down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself let me more most my myself no nor not of off on once only or other ought our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom whose why with would you your yours yourself yourselves will shall may might
must also just yet ever even still s t don didn doesn isn wasn weren won wouldn couldn shouldn
hasn haven hadn o oh ah yes ok one ones thing things get got gets getting make made say said says
us
""".split())

ZH_STOPWORDS = frozenset("""
的 了 着 过 是 在 和 与 也 就 都 又 还 把 被 给 让 对 从 向 到 这 那 这个 那个 这些 那些 一个 有 没有
不 没 很 吗 呢 吧 啊 呀 之 其 而 以 于 为 所 等 个 地 得 么 么 嘛 哪 即 则 并 或 或者 但 但是 可是 因为
所以 如果 就是 还是 已经 自己 他们 她们 我们 你们 它们 什么 怎么 这样 那样 这么 那么 他 她 它 我 你
您 咱 咱们 人家 之后 之前 以后 以前 时候 的话 一 上 下 里 中 来 去 说 要 会 能 可以 可 将 却 才 再
""".split())


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The normal form shared by text words and dictionary glosses (cached per word)."""
    w = normalize_apostrophes(word.lower())
    if w.endswith("'s"):
        w = w[:-2]
    return _stemmer().stemWord(base_form(w))


def en_content_stems(text: str) -> list[str]:
    """Stems of the content words of an English text, in order (repeats kept)."""
    return [s for s in map(_content_stem, EN_WORD_RE.findall(text)) if s]


@functools.lru_cache(maxsize=200_000)
def _content_stem(word: str) -> str | None:
    """The stem of a word as written, or None for a function word (cached per word: a text
    repeats its words)."""
    lw = normalize_apostrophes(word.lower())
    if lw in EN_STOPWORDS or len(lw) < 2:
        return None
    s = stem(lw)
    return None if s in EN_STOPWORDS else s


@functools.lru_cache(maxsize=1)
def jieba_tokenizer() -> Any:
    """aligner's own jieba.Tokenizer (default dictionary), loaded on first use."""
    import jieba

    tokenizer = jieba.Tokenizer()
    # jieba reports its dictionary loading on stderr at DEBUG level; quiet only while ours loads.
    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        tokenizer.initialize()
    finally:
        logger.setLevel(level)
    return tokenizer


@functools.lru_cache(maxsize=1)
def _pos_tokenizer() -> Any:
    import jieba.posseg

    return jieba.posseg.POSTokenizer(jieba_tokenizer())


def zh_words(text: str) -> list[str]:
    """jieba's segmentation of a Chinese text (spaces and punctuation dropped), by rjieba:
    jieba-rs, the Rust port with jieba's own dictionary, 20x faster than jieba's pure-Python
    `lcut` with no 0.6 s dictionary start-up (it gave the same words on 8,100 of the 8,101
    sentences of the development bitexts). Only the alignment signals use it; jieba itself
    stays for part-of-speech tags."""
    import rjieba  # its default tokenizer: aligner adds no words to it

    # the HMM joins unknown words (names such as 叶文洁) that the dictionary lacks.
    return [w for w in rjieba.cut(text, True) if _is_word(w)]


def _is_word(w: str) -> bool:
    """A segment that is a word: Han characters or letters and digits, not spaces or punctuation."""
    return not w.isspace() and (HAN_RE.search(w) is not None or w.isalnum())


def zh_content_words(texts: list[str]) -> list[list[str]]:
    """`zh_words` of each text with the function words (ZH_STOPWORDS) dropped: what the
    alignment signals use. Whether a segment is kept is decided once per distinct segment
    (a book repeats its words), not per occurrence."""
    import rjieba

    keep: dict[str, bool] = {}
    out = []
    for text in texts:
        words = []
        for w in rjieba.cut(text, True):
            k = keep.get(w)
            if k is None:
                k = keep[w] = _is_word(w) and w not in ZH_STOPWORDS
            if k:
                words.append(w)
        out.append(words)
    return out


def zh_tagged_words(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) pairs of jieba's segmentation of a Chinese text."""
    return [(p.word, p.flag) for p in _pos_tokenizer().cut(text)]
