"""Multi-pattern term matching with Aho-Corasick (pyahocorasick), fast on large glossaries.

One `Matcher` holds every form of one language (terms, aliases, inflected variants) in a
single automaton, built once, so matching costs one pass over the text whatever the
glossary size. Offsets always refer to the ORIGINAL text, so callers can highlight or
replace exactly what was written.

English: the text is lower-cased and punctuation is turned into spaces (length kept, so
offsets stay valid); each key is stored as " form " with a space on both sides, and the
text is padded with a space at both ends, so a key can only match on word boundaries.
Case-sensitive forms (acronyms such as CCP) share the lower-cased key and are checked
against the original spelling when they match. Plural and simple verb inflections are
added to the automaton as variants (cadre -> cadres), not tried per term with regexes.

Chinese: substring matching after full-width -> half-width folding and NFKC, with an
offset map back to the original text when NFKC changes lengths.

Both: among overlapping matches the leftmost, then the longest wins (Nanjing Military
Region before Nanjing). `find_all` returns every (overlapping) match, for checks that
only ask "is this rendering present".
"""

from __future__ import annotations

import contextlib
import gc
import re
import unicodedata
from typing import Any, Iterator

import ahocorasick

@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Building 100,000 terms allocates objects that are never garbage; Python's cyclic
    collector would rescan them all many times over (seconds). Pause it meanwhile, and
    when much was built, move what exists to the permanent generation (gc.freeze) so the
    collector does not rescan it later either. (Glossary objects form no reference cycles:
    reference counting still frees them.)"""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_count()[0] > 50_000:
                gc.freeze()
            gc.enable()


# --- text normalisation -------------------------------------------------------------

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def count_cjk(text: str) -> int:
    return len(_CJK_RE.findall(text))


def cjk_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _CJK_RE.match(c)) / len(letters)


def _fullwidth_table() -> dict[int, int]:
    # U+FF01..U+FF5E are full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    return table


_ZH_TABLE = _fullwidth_table()

# English: every character that is not part of a word becomes a space (one for one, so
# offsets survive). Apostrophes and hyphens split words too, consistently in keys and text.
_EN_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()) + (
    "\t\n\r\x0b\x0c\u00a0\u00ab\u00bb\u00b7\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
    "\u201a\u201b\u201c\u201d\u201e\u201f\u2022\u2026\u2027\u2032\u2033\u2039\u203a\u3001\u3002"
    "\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\uff0c\uff0e\uff1a\uff1b\uff01\uff1f"
    "\u2002\u2003\u2009\u200a\u200b\u202f\u3000"
)
_EN_PUNCT_TABLE = {ord(c): 0x20 for c in _EN_PUNCT}
_EN_TABLE = dict(_ZH_TABLE)
for _cp, _to in list(_EN_TABLE.items()):
    if not chr(_to).isalnum():
        _EN_TABLE[_cp] = 0x20
_EN_TABLE.update(_EN_PUNCT_TABLE)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two (e.g. U+0130); keep those as they are so that
    # offsets stay one for one.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def norm_en(text: str) -> str:
    """Lower-case, punctuation to spaces; same length as `text`."""
    return _lower_same_length(text.translate(_EN_TABLE))


def norm_en_cased(text: str) -> str:
    """Punctuation to spaces, case kept: how case-sensitive forms are compared."""
    return text.translate(_EN_TABLE)


def en_key(form: str) -> str:
    """The automaton key core of an English form (no padding). Inner punctuation becomes
    spaces exactly as in the text, so "Goods & Materials" matches itself."""
    return norm_en(form).strip()


def zh_key(form: str) -> str:
    return _lower_same_length(unicodedata.normalize("NFKC", form).translate(_ZH_TABLE))


_SEP = "\x00"


def _bulk(forms: list[str], one, many) -> list[str]:
    """Normalise many forms with one pass of C string methods over their concatenation
    (100,000 glossary forms in milliseconds instead of 100,000 Python calls)."""
    if not forms:
        return []
    joined = _SEP.join(forms)
    if joined.count(_SEP) != len(forms) - 1:
        return [one(f) for f in forms]
    out = many(joined).split(_SEP)
    return out if len(out) == len(forms) else [one(f) for f in forms]


def en_keys(forms: list[str]) -> list[str]:
    return [k.strip() for k in _bulk(forms, en_key, norm_en)]


def en_cased_keys(forms: list[str]) -> list[str]:
    return [k.strip() for k in _bulk(forms, norm_en_cased, norm_en_cased)]


def zh_keys(forms: list[str]) -> list[str]:
    return _bulk(forms, zh_key, zh_key)


_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def norm_zh(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, when lengths changed, a map from folded to original offsets
    (one entry per folded character plus one for the end)."""
    # Most Chinese text needs none of the foldings: test first (C regex scans), then fold.
    folded = text.translate(_ZH_TABLE) if _FULLWIDTH_RE.search(text) else text
    if folded.isascii() or unicodedata.is_normalized("NFKC", folded):
        low = folded.lower()
        if len(low) == len(folded):
            return low, None
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(folded):
        n = unicodedata.normalize("NFKC", ch)
        n = n.lower() if len(n.lower()) == len(n) else n
        parts.append(n)
        offsets.extend([i] * len(n))
    offsets.append(len(text))
    return "".join(parts), offsets


def is_acronym(form: str) -> bool:
    """All-capital forms such as CCP, U.S., G20: matched case-sensitively by default."""
    # str.isupper: every cased character is upper case and there is at least one.
    return form.isupper() and len(form.strip()) >= 2 and not has_cjk(form)


# --- inflections ---------------------------------------------------------------------

_VOWELS = set("aeiou")


def inflections(form: str) -> list[str]:
    """Plural and simple verb forms of the last word (cadre -> cadres, party withdrawal ->
    party withdrawals, demobilize -> demobilized/demobilizing). Only for lower-case last
    words: names and acronyms are not inflected."""
    head, sep, last = form.rpartition(" ")
    if not (last.isascii() and last.isalpha() and last.islower() and len(last) >= 3):
        return []
    out: list[str] = []
    # plural / third person
    if last.endswith(("s", "x", "z", "ch", "sh")):
        out.append(last + "es")
    elif last.endswith("y") and last[-2] not in _VOWELS:
        out.append(last[:-1] + "ies")
    elif last.endswith("man"):
        out.append(last[:-3] + "men")
        out.append(last + "s")
    else:
        out.append(last + "s")
    # past / participle / gerund
    if last.endswith("e"):
        out += [last + "d", last[:-1] + "ing"]
    elif last.endswith("y") and last[-2] not in _VOWELS:
        out += [last[:-1] + "ied", last + "ing"]
    else:
        out += [last + "ed", last + "ing"]
    return [head + sep + w for w in dict.fromkeys(out) if w != last]


# --- the matcher ---------------------------------------------------------------------

class Matcher:
    """All forms of one language in Aho-Corasick automatons, built once.

    `add_many(forms, payloads, sensitive)` registers forms; `find(text)` returns
    [(start, end, payload)] with offsets into the original `text`. English case-sensitive
    forms (acronyms) live in a second, small automaton run over the text as written, so the
    main one (lower-cased) never has to check case per match.
    """

    def __init__(self, lang: str):
        self.lang = lang
        self._automaton = ahocorasick.Automaton()
        self._cased = ahocorasick.Automaton()  # English case-sensitive forms
        self._candidates: dict[str, list] = {}
        self._cased_candidates: dict[str, list] = {}
        self._built = False
        self._checked = False  # a Chinese-side Latin form needs a word-boundary check

    def __len__(self) -> int:
        return len(self._candidates) + len(self._cased_candidates)

    def add(self, form: str, payload: Any, *, sensitive: bool = False, inflect: bool = False) -> None:
        self.add_many([form], [payload], [sensitive], inflect=inflect)

    def add_many(self, forms: list[str], payloads: list[Any], sensitive: list[bool], *,
                 inflect: bool = False) -> None:
        """Add forms (parallel lists); keys are normalised in bulk. With `inflect`, English
        forms also match their plural and verb inflections."""
        if self._built:
            raise RuntimeError("matcher already built")
        with paused_gc():
            self._add_many(list(forms), list(payloads), list(sensitive), inflect)

    def _add_many(self, forms: list[str], payloads: list[Any], sens: list[bool],
                  inflect: bool) -> None:
        if self.lang == "zh":
            keys = zh_keys(forms)
            checks: list = [None] * len(keys)
            for i, key in enumerate(keys):
                if key and (key[0] < "\x80" or key[-1] < "\x80"):
                    # Latin words inside Chinese text still need word boundaries (GDP, not GDPR).
                    a = key[0].isascii() and key[0].isalnum()
                    b = key[-1].isascii() and key[-1].isalnum()
                    if a or b:
                        checks[i] = (a, b)
                        self._checked = True
            self._put_all(self._automaton, self._candidates, keys, keys, payloads, checks)
            return
        if inflect:
            for i in range(len(forms)):
                f = forms[i]
                # Only a lower-case last word is inflected (not names, not acronyms).
                if not sens[i] and f[f.rfind(" ") + 1:][:1].islower():
                    for v in inflections(f):
                        forms.append(v)
                        payloads.append(payloads[i])
                        sens.append(False)
        plain = [i for i, s in enumerate(sens) if not s]
        cased = [i for i, s in enumerate(sens) if s]
        for idx, normalise, automaton, cands in (
                (plain, en_keys, self._automaton, self._candidates),
                (cased, en_cased_keys, self._cased, self._cased_candidates)):
            keys = normalise([forms[i] for i in idx])
            self._put_all(automaton, cands, keys, [" " + k + " " for k in keys],
                          [payloads[i] for i in idx], [None] * len(idx))

    @staticmethod
    def _put_all(automaton, cands_by_key: dict, keys: list[str], stored: list[str],
                 payloads: list[Any], checks: list) -> None:
        add_word = automaton.add_word
        get = cands_by_key.get
        for key, skey, payload, check in zip(keys, stored, payloads, checks):
            if not key or key.isspace():
                continue
            cands = get(key)
            if cands is None:
                cands_by_key[key] = cands = [(payload, check)]
                # The automaton holds the same list, so candidates appended later count. The
                # third item is the payload when the first candidate needs no check: `find`
                # takes it without looking at the list (the common, fast case).
                add_word(skey, (len(key), cands, payload if check is None else None))
            elif not any(p is payload and c == check for p, c in cands):
                # The same payload through two routes (a variant equal to another form) once only.
                cands.append((payload, check))

    def build(self) -> "Matcher":
        if not self._built:
            with paused_gc():
                if self._candidates:
                    self._automaton.make_automaton()
                if self._cased_candidates:
                    self._cased.make_automaton()
            self._built = True
        return self

    def _hays(self, text: str):
        """(automaton, haystack, offset shift) pairs to run; English texts are padded with a
        space on both sides so that keys " form " match whole words only."""
        if self.lang == "zh":
            folded, offsets = norm_zh(text)
            return [(self._automaton, folded, 0)] if self._candidates else [], offsets
        runs = []
        if self._candidates:
            runs.append((self._automaton, " " + norm_en(text) + " ", 1))
        if self._cased_candidates:
            runs.append((self._cased, " " + norm_en_cased(text) + " ", 1))
        return runs, None

    def find_all(self, text: str) -> list[tuple[int, int, Any]]:
        """Every match, overlapping ones included, one row per payload."""
        if not self._built:
            self.build()
        if not text:
            return []
        runs, offsets = self._hays(text)
        out = []
        for automaton, hay, shift in runs:
            d = 2 * shift
            for end, (length, cands, _) in automaton.iter(hay):
                s, e = end - length + 1 - d, end + 1 - d
                if offsets is not None:
                    s, e = offsets[s], offsets[e]
                out += [(s, e, p) for p, c in cands if c is None or _latin_ok(text, s, e, c)]
        return out

    def find(self, text: str) -> list[tuple[int, int, Any]]:
        """Leftmost-longest, non-overlapping matches; when two payloads share a form the
        first added wins."""
        if not self._built:
            self.build()
        if not text:
            return []
        runs, offsets = self._hays(text)
        if not runs:
            return []
        best: dict[int, tuple[int, tuple]] = {}
        for n, (automaton, hay, shift) in enumerate(runs):
            d = 2 * shift
            it = automaton.iter(hay)
            # start -> (end, automaton value). Matches come by increasing end, so a later
            # match at the same start is longer and replaces the shorter one.
            if n == 0 and not self._checked:
                best = {end - v[0] + 1 - d: (end + 1 - d, v) for end, v in it}
                continue
            for end, v in it:
                s, e = end - v[0] + 1 - d, end + 1 - d
                if v[2] is None and not any(
                        c is None or _latin_ok(text, *_orig(offsets, s, e), c) for _, c in v[1]):
                    continue
                prev = best.get(s)
                # A case-sensitive form as long as another wins (it is the more specific).
                if prev is None or prev[0] < e or (n > 0 and prev[0] == e):
                    best[s] = (e, v)
        out = []
        cursor = 0
        for s, (e, v) in sorted(best.items()):
            if s >= cursor:
                p = v[2]
                if p is None:  # selected through a check: the first candidate that passes
                    p = next(p for p, c in v[1] if c is None or _latin_ok(text, *_orig(offsets, s, e), c))
                out.append((s, e, p))
                cursor = e
        if offsets is not None:
            out = [(offsets[s], offsets[e], p) for s, e, p in out]
        return out


def _orig(offsets: list[int] | None, s: int, e: int) -> tuple[int, int]:
    return (s, e) if offsets is None else (offsets[s], offsets[e])


def _latin_ok(text: str, s: int, e: int, check: tuple) -> bool:
    if check[0] and s > 0 and text[s - 1].isascii() and text[s - 1].isalnum():
        return False
    if check[1] and e < len(text) and text[e].isascii() and text[e].isalnum():
        return False
    return True
