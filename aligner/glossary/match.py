"""Multi-pattern term matching with Aho-Corasick automatons, fast on large glossaries.

One `Matcher` holds every form of one language (terms, aliases, inflected variants) in
one automaton, built once, so matching costs one pass over the text whatever the
glossary size. Offsets always refer to the ORIGINAL text, so callers can highlight or
replace exactly what was written.

English (pyahocorasick): the text is lower-cased and punctuation is turned into spaces
(length kept, so offsets stay valid); each key is stored as " form " with a space on both
sides, and the text is padded with a space at both ends, so a key can only match on word
boundaries. Case-sensitive forms (acronyms such as CCP) live in a second automaton run over
the text with its case kept. Plural and simple verb inflections are added to the automaton
as variants (cadre -> cadres), not tried per term with regexes.

Chinese (daachorse, a character-wise double-array automaton in Rust): substring matching
after full-width -> half-width folding and NFKC, with an offset map back to the original
text when NFKC changes lengths. The automaton selects leftmost-longest matches itself, so
Python only touches the matches it returns (on bench/glossary_speed.py's 100,000 terms,
pyahocorasick with the selection in Python matched 4 MB/s of Chinese, this 10). Latin
words inside Chinese text keep word boundaries (GDP, not GDPR): see `mark_latin`.

Both: among overlapping matches the leftmost, then the longest wins (Nanjing Military
Region before Nanjing). `find_all` returns every (overlapping) match, for checks that
only ask "is this rendering present".
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import unicodedata
from bisect import bisect_left
from collections import deque
from itertools import compress
from operator import is_not, not_
from typing import Any, Callable, Iterator, TypeVar

import ahocorasick
import daachorse

T = TypeVar("T")


@contextlib.contextmanager
def paused_gc(*, freeze: bool = True) -> Iterator[None]:
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
            if freeze and gc.get_count()[0] > 50_000:
                gc.freeze()
            gc.enable()


LONG_TEXT = 20_000  # characters


def gc_paused_on_long_text(method: Callable[[Any, str], T]) -> Callable[[Any, str], T]:
    """For a method(self, text) that matches: a long text (a whole document) makes tuples
    by the hundred thousand, none of them in a cycle, and the cyclic collector would rescan
    the growing lists over and over (nearly half the time on 10 MB of Chinese), so it is
    paused for texts over LONG_TEXT characters. Sentences are left alone."""
    @functools.wraps(method)
    def wrapper(self: Any, text: str) -> T:
        if len(text) > LONG_TEXT:
            with paused_gc(freeze=False):
                return method(self, text)
        return method(self, text)
    return wrapper


# --- text normalisation -------------------------------------------------------------

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


_CJK_RUN_RE = re.compile(_CJK_RE.pattern + "+")


def count_cjk(text: str) -> int:
    # Runs, not characters: a glossary's Chinese column makes 100,000 strings, not 500,000.
    return sum(map(len, _CJK_RUN_RE.findall(text)))


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
    key = unicodedata.normalize("NFKC", form)
    # NFKC already folds full-width forms; the table is a safety net, applied only where
    # needed (translate() costs a dict look-up per character).
    if _FULLWIDTH_RE.search(key):
        key = key.translate(_ZH_TABLE)
    return _lower_same_length(key)


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


class _FoldTable(dict):
    """`str.translate` table for Chinese-side text: NFKC of each character, then lower case
    where that keeps the length (what `zh_key` does to whole forms). Filled on first sight of
    each character (one Python call per distinct character); after that translate() runs
    on C dict look-ups. Characters that NFKC turns into several (… -> ..., ㈱ -> (株)) are
    remembered, so the offset map is built from their positions only."""

    def __init__(self) -> None:
        super().__init__()
        self.expanding: set[str] = set()
        self._expanding_re: re.Pattern | None = None

    def __missing__(self, cp: int) -> int | str:
        ch = chr(cp)
        n = unicodedata.normalize("NFKC", ch)
        low = n.lower()
        if len(low) == len(n):
            n = low
        value: int | str = cp if n == ch else n
        if len(n) != 1:
            self.expanding.add(ch)
            self._expanding_re = None
        self[cp] = value
        return value

    def expanding_re(self) -> re.Pattern:
        if self._expanding_re is None:
            self._expanding_re = re.compile(
                "[" + "".join(re.escape(c) for c in sorted(self.expanding)) + "]")
        return self._expanding_re


_FOLD = _FoldTable()


def norm_zh(text: str) -> tuple[str, list[int] | None]:
    """Folded text (full-width -> half-width, NFKC and lower case, character by character)
    and, only when that changed the length, a map from folded to original offsets (one
    entry per folded character plus one for the end); None means they are the same."""
    # Most Chinese text needs none of the foldings: test first (C scans), then fold.
    folded = text.translate(_ZH_TABLE) if _FULLWIDTH_RE.search(text) else text
    if folded.isascii() or unicodedata.is_normalized("NFKC", folded):
        low = folded.lower()
        if len(low) == len(folded):
            return low, None
    out = folded.translate(_FOLD)
    if len(out) == len(folded):  # every character became exactly one: offsets unchanged
        return out, None
    # Some characters became several: map each folded position back to its character.
    # _ZH_TABLE is one for one, so positions in `folded` are positions in `text`.
    offsets: list[int] = []
    pos = 0
    for m in _FOLD.expanding_re().finditer(folded):
        i = m.start()
        offsets += range(pos, i)
        offsets += [i] * len(_FOLD[ord(folded[i])])
        pos = i + 1
    offsets += range(pos, len(folded))
    offsets.append(len(text))
    return out, offsets


# Latin words inside Chinese text keep word boundaries (GDP is not in GDPR). Rather than
# check each match (which would also undo the automaton's longest-match choice), every run
# of ASCII letters and digits is wrapped in two sentinels, in the forms and in the text
# alike: a form's run then only matches a whole run of the text. Done only when some form
# starts or ends with a Latin letter or digit, and only on texts that have one. The
# sentinels are Unicode noncharacters (reserved for a program's internal use) that no form
# of the glossary contains; the same characters written in a text cannot pass for them,
# as in the text every run is already wrapped in the inserted ones.
_LATIN_RUN = re.compile("[0-9A-Za-z]+")
_LATIN_EDGE = re.compile("(?:^|\x00)[0-9A-Za-z]|[0-9A-Za-z](?:\x00|\\Z)")
_SENTINELS = [(chr(c), chr(c + 1)) for c in range(0xFDD0, 0xFDF0, 2)]


def mark_latin(text: str, sentinels: tuple[str, str] = _SENTINELS[0]) -> tuple[str, list[int]]:
    """`text` with each run of ASCII letters and digits wrapped in the two sentinels, and
    the positions of the inserted sentinels (sorted), to map offsets in the marked text
    back: original = marked - bisect_left(positions, marked)."""
    marked = _LATIN_RUN.sub(sentinels[0] + "\\g<0>" + sentinels[1], text)
    positions: list[int] = []
    for k, m in enumerate(_LATIN_RUN.finditer(text)):
        positions += (m.start() + 2 * k, m.end() + 2 * k + 1)
    return marked, positions


# daachorse takes UTF-8, which has no lone surrogates (a text decoded with surrogateescape
# has them): they become private-use characters of plane 15, one for one, in forms and texts.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_TABLE = {cp: 0xF0000 + cp - 0xD800 for cp in range(0xD800, 0xE000)}


def _free_sentinels(keys: str) -> tuple[str, str]:
    """A pair of sentinels that `keys` (all forms, joined) does not contain."""
    for pair in _SENTINELS:
        if pair[0] not in keys and pair[1] not in keys:
            return pair
    raise ValueError("the glossary's forms use every Unicode noncharacter U+FDD0-U+FDEF")


def is_acronym(form: str) -> bool:
    """All-capital forms such as CCP, U.S., G20: matched case-sensitively by default."""
    # str.isupper: every cased character is upper case and there is at least one.
    return form.isupper() and len(form.strip()) >= 2 and not has_cjk(form)


# --- inflections ---------------------------------------------------------------------

_VOWELS = set("aeiou")
# What inflections() inflects: a last word (after the last space) of 3+ ASCII lower-case letters.
_INFLECTABLE = re.compile("(?:^| )[a-z]{3,}\\Z")


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
    [(start, end, payload)] with offsets into the original `text`, leftmost-longest and
    non-overlapping; `find_all(text)` every match.

    Chinese: daachorse selects the leftmost-longest matches itself, so Python only
    touches the matches it returns. That automaton cannot also list overlapping matches:
    `find_all` uses a second one (standard matching), built on its first use or by
    `build(overlapping=True)`, for matchers that only ever list (renderings, forbidden).

    English: pyahocorasick lists every match of the " form " keys (see the module
    docstring) and the selection is made here, by word start, because matches of adjacent
    words share the space between them. Case-sensitive forms (acronyms) live in a second,
    small automaton run over the text as written, so the main one (lower-cased) never has
    to check case per match.
    """

    def __init__(self, lang: str):
        self.lang = lang
        # Normalised keys and their payloads, in the order added; grouped by build().
        self._keys: list[str] = []
        self._payloads: list[Any] = []
        self._cased_keys: list[str] = []  # English case-sensitive forms
        self._cased_payloads: list[Any] = []
        self._size: int | None = None
        self._built = False
        # English: pyahocorasick automatons (plain, cased); Chinese: see build().
        self._automaton: Any = None
        self._cased: Any = None
        self._longest: Any = None  # daachorse, leftmost-longest
        self._overlapping: Any = None  # daachorse, every match
        # Chinese, by pattern index: the patterns, the first payload of each (what `find`
        # reports), and all its payloads where there are several (else None).
        self._patterns: list[str] = []
        self._first: list[Any] = []
        self._more: list[list | None] = []
        # The sentinels of mark_latin, when a form starts or ends with a Latin letter/digit
        self._latin: tuple[str, str] | None = None

    def __len__(self) -> int:
        """Distinct keys (forms after normalisation, inflected variants included)."""
        if self._size is None:  # not built yet
            return len(set(self._keys) - {""}) + len(set(self._cased_keys) - {""})
        return self._size

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
            self._keys += zh_keys(forms)
            self._payloads += payloads
            return
        if inflect:
            # Only a lower-case last word is inflected (not names, not acronyms): the regex
            # picks the forms inflections() would accept without calling it for every form.
            for i in list(compress(range(len(forms)), map(_INFLECTABLE.search, forms))):
                if not sens[i]:
                    for v in inflections(forms[i]):
                        forms.append(v)
                        payloads.append(payloads[i])
                        sens.append(False)
        if not any(sens):
            self._keys += en_keys(forms)
            self._payloads += payloads
            return
        plain = list(map(not_, sens))
        self._keys += en_keys(list(compress(forms, plain)))
        self._payloads += compress(payloads, plain)
        self._cased_keys += en_cased_keys(list(compress(forms, sens)))
        self._cased_payloads += compress(payloads, sens)

    def build(self, *, overlapping: bool = False) -> "Matcher":
        """Build the automatons. For Chinese, the one `find` uses, or with `overlapping`
        the one `find_all` uses (the other is then built on first use)."""
        with paused_gc():
            if not self._built:
                if self.lang == "zh":
                    self._prepare_zh()
                else:
                    first, more = _group(self._keys, self._payloads)
                    self._automaton = _pyac(first, more)
                    self._size = len(first)
                    first, more = _group(self._cased_keys, self._cased_payloads)
                    self._cased = _pyac(first, more)
                    self._size += len(first)
                del self._keys, self._payloads, self._cased_keys, self._cased_payloads  # in the automatons now
                self._built = True
            if self.lang == "zh" and self._patterns:
                if overlapping and self._overlapping is None:
                    self._overlapping = daachorse.CharwiseDoubleArrayAhoCorasick(
                        self._patterns, match_kind=daachorse.MATCH_KIND_STANDARD)
                elif not overlapping and self._longest is None:
                    self._longest = daachorse.CharwiseDoubleArrayAhoCorasick(
                        self._patterns, match_kind=daachorse.MATCH_KIND_LEFTMOST_LONGEST)
        return self

    def _prepare_zh(self) -> None:
        first, more = _group(self._keys, self._payloads)
        self._size = len(first)
        keys = list(first)  # pattern i of the automaton is keys[i]
        self._first = list(first.values())
        self._more = list(map(more.get, keys))
        joined = _SEP.join(keys)
        if _SURROGATE_RE.search(joined):
            keys = [k.translate(_SURROGATE_TABLE) for k in keys]
            joined = _SEP.join(keys)
        if _LATIN_EDGE.search(joined):
            self._latin = _free_sentinels(joined)
            mark = functools.partial(_marked, sentinels=self._latin)
            keys = _bulk(keys, mark, mark)
        self._patterns = keys

    @gc_paused_on_long_text
    def find_all(self, text: str) -> list[tuple[int, int, Any]]:
        """Every match, overlapping ones included, one row per payload."""
        if not text:
            return []
        if self.lang == "zh":
            if self._overlapping is None:
                self.build(overlapping=True)
            if not self._patterns:
                return []
            first, more = self._first, self._more
            return [(s, e, p) for s, e, i in self._find_zh(self._overlapping, text, True)
                    for p in (more[i] or (first[i],))]
        if not self._built:
            self.build()
        out = []
        for automaton, hay in self._hays(text):
            for end, (length, first, more) in automaton.iter(hay):
                s, e = end - length - 1, end - 1  # the " " padding of key and text
                if more is None:
                    out.append((s, e, first))
                else:
                    out += [(s, e, p) for p in more]
        return out

    @gc_paused_on_long_text
    def find(self, text: str) -> list[tuple[int, int, Any]]:
        """Leftmost-longest, non-overlapping matches; when two payloads share a form the
        first added wins."""
        found, payloads = self.find_indexed(text)
        if payloads is None:
            return found
        return [(s, e, payloads[i]) for s, e, i in found]

    def find_indexed(self, text: str) -> tuple[list[tuple[int, int, Any]], list | None]:
        """`find` without a Python tuple per match where the automaton made one already (for
        callers that make their own objects from the matches): rows (start, end, i) whose
        payload is payloads[i], or, when payloads is None, rows (start, end, payload)."""
        if not text:
            return [], None
        if self.lang == "zh":
            if self._longest is None:
                self.build()
            if not self._patterns:
                return [], None
            return self._find_zh(self._longest, text, False), self._first
        if not self._built:
            self.build()
        runs = self._hays(text)
        if not runs:
            return [], None
        # start -> (end, automaton value). Matches come by increasing end, so a later
        # match at the same start is longer and replaces the shorter one.
        best = {end - v[0] - 1: (end - 1, v) for end, v in runs[0][0].iter(runs[0][1])}
        if len(runs) > 1:
            get = best.get
            for end, v in runs[1][0].iter(runs[1][1]):
                s, e = end - v[0] - 1, end - 1
                prev = get(s)
                # A case-sensitive form as long as another wins (it is the more specific).
                if prev is None or prev[0] <= e:
                    best[s] = (e, v)
        out = []
        cursor = 0
        for s, (e, v) in sorted(best.items()):
            if s >= cursor:
                out.append((s, e, v[1]))
                cursor = e
        return out, None

    def _find_zh(self, automaton: Any, text: str, overlapping: bool) -> list[tuple[int, int, int]]:
        """(start, end, pattern index) in `text` coordinates."""
        hay, offsets = norm_zh(text)
        marks = None
        if self._latin and _LATIN_RUN.search(hay) is not None:
            hay, marks = mark_latin(hay, self._latin)
        search = automaton.find_overlapping if overlapping else automaton.find
        try:
            found = search(hay)
        except UnicodeEncodeError:  # lone surrogates: see _SURROGATE_TABLE
            found = search(hay.translate(_SURROGATE_TABLE))
        if marks is None and offsets is None:
            return found
        out = []
        for s, e, i in found:
            if marks is not None:
                s -= bisect_left(marks, s)
                e -= bisect_left(marks, e)
            if offsets is not None:
                s, e = offsets[s], offsets[e]
            out.append((s, e, i))
        return out

    def _hays(self, text: str) -> list[tuple[Any, str]]:
        """(automaton, haystack) pairs to run. Texts are padded with a space on both sides
        so that keys " form " match whole words only; offsets shift by one."""
        cased = text.translate(_EN_TABLE)  # one translate serves both haystacks
        runs = []
        if self._automaton is not None:
            runs.append((self._automaton, " " + _lower_same_length(cased) + " "))
        if self._cased is not None:
            runs.append((self._cased, " " + cased + " "))
        return runs


def _marked(text: str, sentinels: tuple[str, str]) -> str:
    return _LATIN_RUN.sub(sentinels[0] + "\\g<0>" + sentinels[1], text)


def _group(keys: list[str], payloads: list[Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Payloads by key, in the order added: key -> first payload, and for the few keys with
    several distinct payloads, key -> all of them (the same payload through two routes, a
    variant equal to another form, counts once). Empty keys are dropped. C-level dict and
    zip calls do the work for the 100,000 keys that have a single payload."""
    first = dict(zip(reversed(keys), reversed(payloads)))  # the last value given wins
    first.pop("", None)
    if any(map(str.isspace, first)):
        for k in [k for k in first if k.isspace()]:
            del first[k]
    more: dict[str, list] = {}
    if len(first) < len(keys):  # some key came more than once (or was blank)
        for k, p in compress(zip(keys, payloads), map(is_not, map(first.get, keys), payloads)):
            if k not in first:
                continue
            ps = more.get(k)
            if ps is None:
                more[k] = [first[k], p]
            elif not any(x is p for x in ps):
                ps.append(p)
    return first, more


def _pyac(first: dict[str, Any], more: dict[str, list]) -> Any:
    """An English automaton: key " form " -> (len(form), first payload, all payloads or None)."""
    if not first:
        return None
    automaton = ahocorasick.Automaton()
    keys = list(first)
    # " form " for every key; C-level calls (map, zip, deque) for the 100,000 add_word calls
    padded = (" " + " \x00 ".join(keys) + " ").split("\x00")
    if len(padded) != len(keys):  # a key with \x00 in it
        padded = [" " + k + " " for k in keys]
    values = zip(map(len, keys), first.values(), map(more.get, keys))
    deque(map(automaton.add_word, padded, values), maxlen=0)
    automaton.make_automaton()
    return automaton
