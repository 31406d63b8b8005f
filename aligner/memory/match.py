"""How a translation memory decides that two source sentences are "the same" or "close".

Exact match: the two sentences are equal after normalisation, which forgives only what a
translator would not call a difference:
  - whitespace: runs of spaces, tabs, newlines and U+3000 become one space, ends trimmed;
  - width: full-width Latin letters, digits and punctuation become their ASCII forms
    (aligner.text.normalize.fold_fullwidth), so "ＡＢＣ１２３" matches "ABC123" and "，" ",";
  - quotes: curly, low-9, guillemet and CJK corner quotes become " and '.
Case, words and numbers are never normalised: "1999" and "2009" are different sentences,
so a number that differs always makes the match fuzzy (at most 99), never exact.

Fuzzy score (0-100), as OmegaT computes it: 100 x (1 - Levenshtein distance / length of the
longer), the distance counted in tokens:
  - English (and other spaced languages): words and single punctuation marks, case kept,
    so "The cat sat." vs "The dog sat." = 1 edit in 4 tokens = 75;
  - Chinese: characters (whitespace ignored), since Chinese has no spaces between words.
The ratio comes from rapidfuzz (Levenshtein.normalized_similarity, C++), on strings in which
every English token is one character, so a whole memory can be scored quickly. The score is
rounded down, and any match that is not exact is capped at 99.
"""

from __future__ import annotations

import functools
import hashlib
import re
from itertools import chain
from typing import Iterable, Sequence

import numpy as np

from rapidfuzz.distance import Levenshtein

from aligner.text.normalize import FULLWIDTH_TABLE, fold_fullwidth

_SPACE = re.compile(r"[\s\u3000\u200b]+")
_QUOTES = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u300c": '"', "\u300d": '"', "\u300e": '"', "\u300f": '"', "\u301d": '"', "\u301e": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2032": "'", "\u2033": '"', "\uff02": '"', "\uff07": "'",
})
_TOKEN = re.compile(r"\w+|[^\w\s]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


# Full-width forms and quotes in one table: what fold_fullwidth and _QUOTES do, in one pass
# (fold_fullwidth's output is ASCII, which _QUOTES leaves alone).
_NORM_TABLE = {**FULLWIDTH_TABLE, **_QUOTES, 0x200B: 0x20}


def normalize(text: str) -> str:
    """The form in which two sentences are compared for an exact match (see the module)."""
    # The same as fold_fullwidth + _QUOTES + _SPACE.sub(" ", ...).strip() (str.split's
    # whitespace is re's \s), several times faster: look-ups normalise every segment.
    if not text.isascii():
        text = text.translate(_NORM_TABLE)
    return " ".join(text.split())


def norm_hash(norm: str) -> int:
    """text_hash of a text already normalised."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def text_hash(text: str) -> int:
    """A signed 64-bit key of the normalised text: what the exact-match index stores."""
    return norm_hash(normalize(text))


def unit_key(src_lang: str, tgt_lang: str, source: str, target: str, prev: str | None,
             next_: str | None) -> int:
    """The identity of a unit: a memory keeps one unit per language pair, source, target and
    context (importing the same file twice, or resuming an import, adds nothing)."""
    data = "\x1f".join((src_lang, tgt_lang, source, target, prev or "", next_ or "")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


@functools.lru_cache(maxsize=256)
def base(lang: str | None) -> str:
    return re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]


def tokens(norm: str) -> list[str]:
    """_TOKEN.findall(norm), twice as fast: a whitespace-separated word made only of letters
    and digits is one token (re's \\w is str.isalnum or "_", its \\s str.isspace); only
    the others go through the expression."""
    out: list[str] = []
    for w in norm.split():
        if w.isalnum():
            out.append(w)
        else:
            out += _TOKEN.findall(w)
    return out


class Tokenizer:
    """Sentences as strings of tokens, one character per token, for rapidfuzz.

    English tokens get a private code point each (the mapping lives as long as the
    tokenizer; only strings made by the same tokenizer are compared); Chinese is scored
    character by character, so its normalised characters are used as they are. A text's
    string is the concatenation of its whitespace-separated words' strings (tokens never
    cross whitespace), and words recur: each word's string is kept, so most texts cost a
    split and a join, not the token expression."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}
        self._words: dict[str, str] = {}
        self._seen: dict[tuple[str, bool], str] = {}  # a memory's candidates recur across look-ups

    def _word(self, w: str) -> str:
        codes = self._codes
        out = []
        for tok in ([w] if w.isalnum() else _TOKEN.findall(w)):
            code = codes.get(tok)
            if code is None:
                n = len(codes)
                # private-use planes first, then the rest of Unicode (only strings of one
                # tokenizer are compared: a memory of 1,000,000 units with numbers in it has
                # more distinct tokens than the private-use planes)
                code = codes[tok] = chr(0xF0000 + n if n < 0xFFFD else 0x100000 + n - 0xFFFD if n < 0x1FFFB
                                        else n - 0x1FFFB)
            out.append(code)
        if len(self._words) >= 500_000:
            self._words.clear()
        self._words[w] = code = "".join(out)
        return code

    def _spaced(self, norm: str) -> str:
        # (one pass with get: most memory sentences have a word not seen before, a number
        # often, and a KeyError then a second pass cost more: bench/tm_lookup.py)
        known, word = self._words, self._word
        return "".join([known.get(w) or word(w) for w in norm.split()])

    def __call__(self, text: str, lang: str) -> str:
        zh = base(lang) == "zh"
        key = (text, zh)
        out = self._seen.get(key)
        if out is not None:
            return out
        norm = normalize(text)
        out = norm.replace(" ", "") if zh else self._spaced(norm)
        if len(self._seen) >= 200_000:
            self._seen.clear()
        self._seen[key] = out
        return out

    def many(self, texts: list[str], lang: str) -> list[str]:
        """[self(t, lang) for t in texts], without keeping them (a look-up's candidates
        rarely recur; the words' strings are kept)."""
        if base(lang) == "zh":
            return [normalize(t).replace(" ", "") for t in texts]
        return [self._spaced(normalize(t)) for t in texts]

    @staticmethod
    def forms(texts: list[str], lang: str) -> list:
        """What a look-up scores, the same scores as self(t, lang) gives: Chinese as its
        characters (a str), a spaced language as its list of tokens, which rapidfuzz
        compares by their hashes (64 bits: two different tokens are never taken for one
        in practice). A look-up's candidates rarely recur, and making the list costs a
        third less than the string of private code points (bench/tm_lookup.py)."""
        if base(lang) == "zh":
            return [normalize(t).replace(" ", "") for t in texts]
        return [tokens(normalize(t)) for t in texts]


def similarity(a: str, b: str) -> float:
    """0-100 ratio of two token strings (from one Tokenizer)."""
    return 100.0 * Levenshtein.normalized_similarity(a, b)


def score(query_tokens: str, unit_tokens: str, exact: bool) -> int:
    """The match score a translator sees: 100 only for an exact (normalised) match."""
    if exact:
        return 100
    return min(99, int(similarity(query_tokens, unit_tokens)))


# --- the fuzzy candidate index --------------------------------------------------------------
# A fuzzy match at or above the threshold shares most of its tokens with the sentence: an
# edit changes one token (one word, or one Chinese character). So a unit is filed under a
# few grams around its rarest tokens, and a sentence's candidates are the units filed under
# the same grams of its own rarest tokens (aligner.memory.base): the rarer the gram, the
# shorter its list of units. The memory counts, for each token, the units holding it.
# - Spaced languages: the tokens and grams are the whitespace-separated words as they stand
#   (case and attached punctuation kept: one changed token of the score changes one of them,
#   and str.split is several times faster than the score's tokenizer).
# - Chinese: the tokens are characters, the grams the character bigrams on either side of
#   a rare character (single characters are too common to tell units apart; a bigram alone
#   would need far more counts to be kept). A changed character beside a rare one destroys
#   one of its two bigrams, never both.


def _zh(lang: str) -> bool:
    return base(lang) == "zh"


def counted_tokens(norm: str, lang: str) -> dict[str, None]:
    """The distinct tokens of a normalised text whose unit counts the memory keeps."""
    if _zh(lang):
        return dict.fromkeys(norm.replace(" ", ""))
    return dict.fromkeys(norm.split())


def index_grams(norm: str, lang: str) -> dict[str, None]:
    """Every gram a unit with this normalised text can be filed under."""
    if _zh(lang):
        s = norm.replace(" ", "")
        if len(s) < 2:
            return {s: None} if s else {}
        return dict.fromkeys([s[i:i + 2] for i in range(len(s) - 1)])
    return dict.fromkeys(norm.split())


def rare_grams(norm: str, lang: str, tokens: Iterable[str], counts: dict[str, int], k: int) -> list[str]:
    """Up to k grams of a normalised text around its rarest tokens (`tokens`: those of
    counted_tokens(norm, lang) that are in `counts`), ties in text order."""
    order = sorted(tokens, key=counts.__getitem__)
    if not _zh(lang):
        return order[:k]
    s = norm.replace(" ", "")
    if len(s) < 2:
        return [s] if s and order else []
    out: dict[str, None] = {}
    for ch in order:
        i = s.find(ch)
        for g in (s[i - 1:i + 1] if i > 0 else "", s[i:i + 2] if i + 1 < len(s) else ""):
            if g:
                out[g] = None
        if len(out) >= k:
            break
    return list(out)[:k]


_HASH_BASE = np.uint64(0x100000001B3)  # odd: it has an inverse modulo 2^64
_HASH_INV = np.uint64(pow(0x100000001B3, -1, 2 ** 64))


@functools.lru_cache(maxsize=4)
def _power_table(base: int, n: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.cumprod(np.concatenate(([np.uint64(1)], np.full(n - 1, base, dtype=np.uint64))), dtype=np.uint64)


def _powers(n: int) -> np.ndarray:
    """base^0 .. base^(n-1) modulo 2^64 (tables kept in sizes of powers of two)."""
    return _power_table(int(_HASH_BASE), 1 << max(10, (n - 1).bit_length()))[:n]


def _inverse_powers(n: int) -> np.ndarray:
    return _power_table(int(_HASH_INV), 1 << max(10, (n - 1).bit_length()))[:n]


def _first_of_each(unit: np.ndarray, tok: np.ndarray, units: int, V: int):
    """(unit, token, place) of each unit's distinct tokens, place being the first occurrence
    (an index into unit/tok, which hold each unit's tokens in text order)."""
    P = max(1, len(tok))
    if not len(tok):
        return unit, tok, np.empty(0, dtype=np.int64)
    if units * V * P < 2 ** 62:  # one sort of (unit, token, place) numbers
        key = np.sort((unit * V + tok) * P + np.arange(P))
        group, place = np.divmod(key, P)
        new = np.ones(len(key), dtype=bool)
        new[1:] = group[1:] != group[:-1]
        u, t = np.divmod(group[new], V)
        return u, t, place[new]
    uniq, first = np.unique(unit * V + tok, return_index=True)  # (a batch too large for one number)
    return uniq // V, uniq % V, first


class TokenBatch:
    """counted_tokens, rare_grams and index_grams for a whole batch of units at once (numpy):
    what an import files and a removal takes out, the same grams as the functions above give
    unit by unit, at a fraction of the cost (bench/tm_speed.py; the per-unit Python was most of
    an import). `norms` are normalised texts, `zh` says which are Chinese (the language of
    each unit). After construction:
      tokens: the distinct counted tokens of the batch (strings, in first-seen order);
      counts: for each of them, how many of the batch's units hold it (an int64 array)."""

    _CP = 0x110000  # code points: a Chinese bigram is the number c1 * _CP + c2

    def __init__(self, norms: Sequence[str], zh: Sequence[bool]) -> None:
        vocab: dict[str, int] = {}
        setd = vocab.setdefault
        self.n = len(norms)
        en_at = [i for i, z in enumerate(zh) if not z]
        zh_at = [i for i, z in enumerate(zh) if z]
        # each unit's distinct tokens, with the place of their first occurrence (in the
        # batch's flat list of tokens of their kind): (batch index of the unit, token id, place)
        # Spaced languages: the words (a normalised text's words are separated by one space).
        # Each word is known by a 64-bit polynomial hash of its code points, computed for the
        # whole batch at once (two different words of a batch taking one number: about 1 in
        # 10^10), and its text is read once per distinct word.
        texts = [norms[i] for i in en_at if norms[i]]
        wlens = np.fromiter((n.count(" ") + 1 for n in texts), dtype=np.int64, count=len(texts))
        joined = " ".join(texts)
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
        spaces = np.flatnonzero(cp == 32)
        starts = np.concatenate(([0], spaces + 1)) if len(cp) else np.empty(0, dtype=np.int64)
        ends = np.concatenate((spaces, [len(cp)])) if len(cp) else np.empty(0, dtype=np.int64)
        with np.errstate(over="ignore"):
            h = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum((cp.astype(np.uint64) + np.uint64(1)) * _powers(len(cp)),
                                               dtype=np.uint64)))
            wkey = (h[ends] - h[starts]) * _inverse_powers(len(cp))[starts] if len(cp) else h[:0]
        distinct, winv = np.unique(wkey, return_inverse=True)
        rep = np.empty(len(distinct), dtype=np.int64)
        rep[winv] = np.arange(len(wkey))
        word_ids = np.fromiter([setd(joined[i:j], len(vocab)) for i, j in
                                zip(starts[rep].tolist(), ends[rep].tolist())], dtype=np.int64, count=len(rep))
        en_units = np.asarray([i for i in en_at if norms[i]], dtype=np.int64)
        flat_parts = [(np.repeat(en_units, wlens), word_ids[winv.reshape(-1)] if len(wkey) else wkey.astype(np.int64))]
        # Chinese: the characters, as code points (UTF-32), spaces dropped
        strs = [norms[i].replace(" ", "") for i in zh_at]
        zlens = np.fromiter(map(len, strs), dtype=np.int64, count=len(strs))
        cps = np.frombuffer("".join(strs).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        chars, inv = np.unique(cps, return_inverse=True)
        char_ids = np.fromiter([setd(chr(c), len(vocab)) for c in chars.tolist()], dtype=np.int64,
                               count=len(chars))
        at = np.asarray(zh_at, dtype=np.int64)
        flat_parts.append((np.repeat(at, zlens), char_ids[inv.reshape(-1)] if len(cps) else cps))
        self.tokens = list(vocab)
        self._cps = cps
        self._zstart = np.zeros(self.n, dtype=np.int64)
        self._zlen = np.zeros(self.n, dtype=np.int64)
        self._zstart[at] = np.cumsum(zlens) - zlens
        self._zlen[at] = zlens
        V = max(1, len(vocab))
        self._distinct = [_first_of_each(unit, tok, self.n, V) for unit, tok in flat_parts]
        self.counts = np.bincount(np.concatenate([d[1] for d in self._distinct]), minlength=len(vocab))

    def _bigrams(self, order_unit, order_first, seq_base):
        """The bigrams on either side of the characters at flat places `order_first` (units
        `order_unit`, Chinese), as (unit, bigram, rank) with rank = seq_base*2 + 0/1."""
        cps = self._cps
        local = order_first - self._zstart[order_unit]
        L = self._zlen[order_unit]
        out_u, out_g, out_s = [], [], []
        for shift, ok in ((1, (local > 0) & (L >= 2)), (0, (local + 1 < L) & (L >= 2))):
            g = order_first[ok] - shift
            out_u.append(order_unit[ok])
            out_g.append(cps[g] * self._CP + cps[g + 1])
            out_s.append(seq_base[ok] * 2 + (1 - shift))
        return np.concatenate(out_u), np.concatenate(out_g), np.concatenate(out_s)

    def _rare_bigrams(self, su, sf, mask, k):
        """(units, bigrams): the first k distinct bigrams beside the characters picked by
        `mask` out of the characters in rarity order (units `su`, places `sf`)."""
        at = np.flatnonzero(mask)
        bu, bg, bs = self._bigrams(su[at], sf[at], at)
        grp = np.lexsort((bs, bg, bu))  # the first place of each (unit, bigram)
        new = np.ones(len(grp), dtype=bool)
        new[1:] = (bu[grp][1:] != bu[grp][:-1]) | (bg[grp][1:] != bg[grp][:-1])
        d = grp[new]
        sel = d[self._first_k(bu[d], bs[d], k)]
        return bu[sel], bg[sel]

    def _pairs_out(self, pieces):
        """(unit indexes, gram ids, gram strings) from pieces of (units, grams as strings' ids
        in `names`, names)."""
        gid: dict[str, int] = {}
        units, grams = [], []
        for u, g, names in pieces:
            ids = np.fromiter([gid.setdefault(x, len(gid)) for x in names], dtype=np.int64, count=len(names))
            units.append(u)
            grams.append(ids[g] if len(g) else np.empty(0, dtype=np.int64))
        return np.concatenate(units), np.concatenate(grams), list(gid)

    def _first_k(self, unit, key_order, k):
        """Indexes (into unit/key_order) of each unit's first k entries by key_order."""
        o = np.lexsort((key_order, unit))
        su = unit[o]
        rank = np.arange(len(o)) - np.searchsorted(su, su, "left")
        return o[rank < k]

    def rare_grams(self, total: np.ndarray, k: int):
        """rare_grams(norm, lang, counted tokens, counts, k) for every unit, `total` being the
        count of each of `tokens`: (unit indexes, gram ids, gram strings), one entry per
        (unit, gram)."""
        tokens = self.tokens
        pieces = []
        # spaced: the k rarest distinct words (ties in text order)
        u, t, first = self._distinct[0]
        o = np.lexsort((first, total[t], u))
        su = u[o]
        rank = np.arange(len(o)) - np.searchsorted(su, su, "left")
        keep = o[rank < k]
        picked, inv = np.unique(t[keep], return_inverse=True)
        pieces.append((u[keep], inv.reshape(-1), [tokens[i] for i in picked.tolist()]))
        # Chinese: every character in rarity order, the bigrams beside its first occurrence,
        # the first k distinct ones (a text of one character: the character). The k + 1
        # rarest characters are enough: the bigram that starts at a character's first
        # occurrence begins with that character, so k + 1 characters, at most one of them
        # the last of the text, start k different bigrams.
        u, t, first = self._distinct[1]
        o = np.lexsort((first, total[t], u))
        su, sf, st = u[o], first[o], t[o]
        rank = np.arange(len(o)) - np.searchsorted(su, su, "left")
        bu, bg = self._rare_bigrams(su, sf, rank < k + 1, k)
        picked, inv = np.unique(bg, return_inverse=True)
        pieces.append((bu, inv.reshape(-1), [chr(v // self._CP) + chr(v % self._CP) for v in picked.tolist()]))
        one = self._zlen[su] == 1
        if one.any():
            picked, inv = np.unique(st[one], return_inverse=True)
            pieces.append((su[one], inv.reshape(-1), [tokens[i] for i in picked.tolist()]))
        return self._pairs_out(pieces)

    def index_grams(self):
        """index_grams(norm, lang) of every unit: (unit indexes, gram ids, gram strings)."""
        tokens = self.tokens
        u, t, _ = self._distinct[0]
        picked, inv = np.unique(t, return_inverse=True)
        pieces = [(u, inv.reshape(-1), [tokens[i] for i in picked.tolist()])]
        cps = self._cps
        if len(cps):
            lens = self._zlen
            at = np.flatnonzero(lens)
            unit = np.repeat(at, lens[at])
            ends = (self._zstart + lens)[unit]
            pos = np.arange(len(cps))
            ok = pos + 1 < ends  # a bigram starts at every character but the last
            g = pos[ok]
            bu, bg = unit[ok], cps[g] * self._CP + cps[g + 1]
            picked, inv = np.unique(bg, return_inverse=True)
            pieces.append((bu, inv.reshape(-1), [chr(v // self._CP) + chr(v % self._CP) for v in picked.tolist()]))
            one = lens[unit] == 1
            picked, inv = np.unique(cps[one], return_inverse=True)
            pieces.append((unit[one], inv.reshape(-1), [chr(c) for c in picked.tolist()]))
        return self._pairs_out(pieces)


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(fold_fullwidth(text))


def number_changes(query: str, source: str) -> list[str]:
    """Numbers of the memory's source that the new sentence does not have, as "1999 -> 2009"
    (a fuzzy match whose only difference is a number is the most dangerous one to apply)."""
    q, s = numbers(query), numbers(source)
    if q == s:
        return []
    gone = [n for n in s if n not in q]
    new = [n for n in q if n not in s]
    return [f"{' '.join(gone) or '-'} -> {' '.join(new) or '-'}"]


# --- languages ------------------------------------------------------------------------------

_HANT_REGIONS = {"tw", "hk", "mo"}


def canonical_tag(tag: str) -> str:
    """BCP 47 casing: zh_tw -> zh-TW, zh-hant -> zh-Hant, EN-us -> en-US."""
    parts = [p for p in re.split(r"[-_]", (tag or "").strip()) if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            out.append(p.title())
        elif len(p) in (2, 3) and (p.isalpha() or p.isdigit()):
            out.append(p.upper())
        else:
            out.append(p.lower())
    return "-".join(out)


@functools.lru_cache(maxsize=256)
def variant(tag: str | None) -> str:
    """What distinguishes variants of one language: the script for Chinese (Hans/Hant,
    zh-TW/HK/MO are Hant, zh, zh-CN, zh-SG are Hans), the region or script for the others
    ("" when the tag has none)."""
    parts = [p.lower() for p in re.split(r"[-_]", (tag or "").strip()) if p]
    if not parts:
        return ""
    rest = parts[1:]
    if parts[0] == "zh":
        if "hant" in rest or any(r in _HANT_REGIONS for r in rest):
            return "hant"
        return "hans"
    return "-".join(rest)


def variant_differs(requested: str, unit: str) -> bool:
    """True when a unit in language tag `unit` is a different variant from the request
    (zh-TW for a zh-CN or zh request; en-GB for en-US, but not for plain en)."""
    a, b = variant(requested), variant(unit)
    return bool(a and b and a != b)


# A unit in another variant of the target language (zh-TW for zh-CN) is never used as it
# is: its score is lowered by this much and capped at 99, so it is offered as a fuzzy match.
VARIANT_PENALTY = 5
