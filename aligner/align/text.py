"""Word-level views of English and Chinese sentences for the alignment signals.

English: lower case, possessives dropped, irregular verbs mapped to their base form, then the
Snowball (Porter 2) stemmer, so "went"/"goes"/"going" and the CC-CEDICT gloss "to go" meet.
Chinese: jieba word segmentation. Function words of either language carry no lexical evidence
and are dropped here, once, for every signal.
"""

from __future__ import annotations

import functools
import logging
import re

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")

# English function words (and words CC-CEDICT uses to describe grammar rather than meaning).
EN_STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can cannot could did do does doing don't down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself let me more most my myself no nor not of off on once only or other ought our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom why with would you your yours yourself yourselves will shall may might must
also just yet ever even still s t don didn doesn isn wasn weren won wouldn couldn shouldn hasn
haven hadn o oh ah yes ok one ones thing things get got gets getting make made say said says
""".split())

GLOSS_STOPWORDS = EN_STOPWORDS | frozenset("""
sb sth sb's sth's somebody something someone one's oneself etc abbr abbreviation variant see
used use particle possessive marker measure word classifier suffix prefix auxiliary expression
literary lit fig figurative indicate indicates indicating kangxi radical surname old archaic
written colloquial dialect cl pr pinyin form also interjection onomatopoeia tw taiwan pr
""".split())

# Base forms of the irregular verbs (and a few nouns) stemming cannot reach.
_IRREGULAR = {
    "was": "be", "were": "be", "been": "be", "am": "be", "is": "be", "are": "be",
    "had": "have", "has": "have", "went": "go", "gone": "go", "goes": "go", "does": "do",
    "did": "do", "done": "do", "said": "say", "saw": "see",
    "seen": "see", "came": "come", "took": "take", "taken": "take", "made": "make",
    "knew": "know", "known": "know", "thought": "think", "told": "tell", "found": "find",
    "gave": "give", "given": "give", "got": "get", "gotten": "get", "left": "leave",
    "felt": "feel", "kept": "keep", "brought": "bring", "bought": "buy", "began": "begin",
    "begun": "begin", "ran": "run", "sat": "sit", "stood": "stand", "understood": "understand",
    "heard": "hear", "held": "hold", "met": "meet", "paid": "pay", "sent": "send",
    "spent": "spend", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "ate": "eat", "eaten": "eat", "drank": "drink", "drunk": "drink",
    "slept": "sleep", "fell": "fall", "fallen": "fall", "became": "become", "lay": "lie",
    "lain": "lie", "led": "lead", "lost": "lose", "meant": "mean", "rose": "rise",
    "risen": "rise", "sang": "sing", "sung": "sing", "shot": "shoot", "sought": "seek",
    "sold": "sell", "struck": "strike", "taught": "teach", "threw": "throw",
    "thrown": "throw", "wore": "wear", "worn": "wear", "won": "win", "built": "build",
    "caught": "catch", "chose": "choose", "chosen": "choose", "dealt": "deal", "drew": "draw",
    "drawn": "draw", "drove": "drive", "driven": "drive", "fed": "feed", "fought": "fight",
    "fled": "flee", "flew": "fly", "flown": "fly", "forgot": "forget", "forgotten": "forget",
    "froze": "freeze", "frozen": "freeze", "grew": "grow", "grown": "grow", "hid": "hide",
    "hidden": "hide", "hung": "hang", "laid": "lay", "lit": "light", "rode": "ride",
    "ridden": "ride", "rang": "ring", "shook": "shake", "shaken": "shake", "shone": "shine",
    "slew": "slay", "slain": "slay", "smote": "smite", "smitten": "smite", "spake": "speak",
    "stole": "steal", "stolen": "steal", "swore": "swear", "sworn": "swear", "woke": "wake",
    "woken": "wake", "bore": "bear", "borne": "bear", "born": "bear", "begat": "beget",
    "begotten": "beget", "brethren": "brother", "men": "man", "women": "woman",
    "children": "child", "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose",
    "people": "person", "oxen": "ox", "wives": "wife", "lives": "life", "knives": "knife",
    "hath": "have", "doth": "do", "saith": "say", "thee": "you", "thou": "you", "thy": "you",
    "thine": "you", "ye": "you", "unto": "to", "better": "good", "best": "good",
    "worse": "bad", "worst": "bad",
}

_EN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The normal form shared by text words and dictionary glosses."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _IRREGULAR.get(w, w)
    return _STEMMER.stemWord(w)


def en_words(text: str) -> list[str]:
    """The English words of a text, as written."""
    return _EN_WORD.findall(text)


def en_content_stems(text: str) -> list[str]:
    """Stems of the content words of an English text, in order (repeats kept)."""
    out = []
    for w in _EN_WORD.findall(text):
        lw = w.lower().replace("’", "'")
        if lw in EN_STOPWORDS or len(lw) < 2:
            continue
        s = stem(lw)
        if s not in EN_STOPWORDS:
            out.append(s)
    return out


# ---------------------------------------------------------------------------------- Chinese

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ZH_STOPWORDS = frozenset("""
的 了 着 过 是 在 和 与 也 就 都 又 还 把 被 给 让 对 从 向 到 这 那 这个 那个 这些 那些 一个 有 没有
不 没 很 吗 呢 吧 啊 呀 之 其 而 以 于 为 所 等 个 地 得 么 么 嘛 哪 即 则 并 或 或者 但 但是 可是 因为
所以 如果 就是 还是 已经 自己 他们 她们 我们 你们 它们 什么 怎么 这样 那样 这么 那么 他 她 它 我 你
您 咱 咱们 人家 之后 之前 以后 以前 时候 的话 一 上 下 里 中 来 去 说 要 会 能 可以 可 将 却 才 再
""".split())


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary loading on stderr
    jieba.initialize()
    return jieba


def zh_words(text: str) -> list[str]:
    """jieba's segmentation of a Chinese text (spaces and punctuation dropped)."""
    jieba = _jieba()
    # jieba's HMM joins unknown words (names such as 叶文洁) that the dictionary lacks.
    return [w for w in jieba.lcut(text) if not w.isspace() and (_HAN.search(w) or w.isalnum())]


def is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def han_chars(text: str) -> str:
    return "".join(_HAN.findall(text))


def char_length(text: str, lang: str) -> int:
    """Length for the length signal: characters without spaces (Chinese has none)."""
    return len("".join(text.split()))
