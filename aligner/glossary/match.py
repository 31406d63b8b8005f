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
words inside Chinese text keep word boundaries (GDP, not GDPR): see `automata.mark_latin`.

Both: among overlapping matches the leftmost, then the longest wins (Nanjing Military
Region before Nanjing). `find_all` returns every (overlapping) match, for checks that
only ask "is this rendering present".

Where the pieces live: key normalisation in aligner.text.normalize, inflected variants in
aligner.glossary.inflect, the two automaton back-ends in aligner.glossary.automata; this
module groups keys and payloads, builds the automatons once and selects the matches.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from itertools import compress, repeat
from operator import itemgetter, ne, not_
from typing import Any

from aligner.glossary import automata as A
from aligner.glossary import cache
from aligner.glossary.inflect import inflections, last_word_inflections  # noqa: F401  (inflections: used via this module)
from aligner.text.normalize import (EN_TABLE, fold_fullwidth, fold_zh, lower_same_length, norm_en,
                                    norm_en_cased, norm_zh)
from aligner.text.scripts import count_cjk, has_cjk  # noqa: F401  (count_cjk: used via this module)


# --- keys ----------------------------------------------------------------------------

def en_key(form: str) -> str:
    """The concept key of an English form: inner punctuation becomes spaces exactly as in
    the text, so "Goods & Materials" matches itself; edge punctuation is kept (see en_keys)."""
    return en_keys([form])[0]


def zh_key(form: str) -> str:
    """The automaton key of a Chinese-side form."""
    return fold_zh(form)


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


def en_cores(forms: list[str], cased: bool = False) -> tuple[list[str], dict[int, tuple[str, str]]]:
    """The automaton keys of English forms (punctuation inside turned into spaces, edges
    stripped), and for the few forms that start or end with punctuation (C++, $100, #MeToo,
    (NYSE)), index -> (leading, trailing) punctuation as written: a term matches as written,
    so those are checked around each match of the key (see Matcher._edge_hits)."""
    norm = norm_en_cased if cased else norm_en
    if not forms:
        return [], {}
    joined = _SEP.join(forms)
    edges: dict[int, tuple[str, str]] = {}
    if joined.count(_SEP) == len(forms) - 1:
        keys = norm(joined).split(_SEP)
        # No key with a space at an edge (forms are stripped as read), the common case: one
        # split, no per-form call. str.strip returns an unchanged string itself, so the lists
        # compare by identity in C (a regex over the joined keys took ten times as long).
        if keys == list(map(str.strip, keys)):
            return keys, edges
    # Some form has edge punctuation (or a \x00): form by form.
    raw = _bulk(forms, norm, norm)
    keys = [k.strip() for k in raw]
    for i in compress(range(len(raw)), map(str.__ne__, raw, keys)):
        form, k = forms[i].strip(), raw[i]
        lead = len(k) - len(k.lstrip(" ")) - (len(forms[i]) - len(forms[i].lstrip()))
        trail = len(k) - len(k.rstrip(" ")) - (len(forms[i]) - len(forms[i].rstrip()))
        if (lead > 0 or trail > 0) and keys[i]:
            edges[i] = (form[:lead] if lead > 0 else "", form[len(form) - trail:] if trail > 0 else "")
    return keys, edges


def en_keys(forms: list[str]) -> list[str]:
    """Concept keys: the automaton key with the edge punctuation as written (lower case), so
    that C++ is not the term C."""
    keys, edges = en_cores(forms)
    for i, (lead, trail) in edges.items():
        keys[i] = lead.lower() + keys[i] + trail.lower()
    return keys


def en_cased_keys(forms: list[str]) -> list[str]:
    return [k.strip() for k in _bulk(forms, norm_en_cased, norm_en_cased)]


def zh_keys(forms: list[str]) -> list[str]:
    return _bulk(forms, zh_key, zh_key)


def is_acronym(form: str) -> bool:
    """All-capital forms such as CCP, U.S., G20: matched case-sensitively by default."""
    # str.isupper: every cased character is upper case and there is at least one.
    return form.isupper() and len(form.strip()) >= 2 and not has_cjk(form)


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
        # English forms with edge punctuation: (key, leading, trailing, cased key or None,
        # payload), in their own automaton (key -> (length, rows)), checked around each match
        self._edged: list[tuple[str, str, str, str | None, Any]] = []
        self._edged_automaton: Any = None
        self._size: int | None = None
        self._built = False
        # add_many's inputs, kept until build(): their key finds a cached build (see cache)
        self._raw: list[tuple[list[str], list[Any], list[bool], bool]] = []
        self._ingested = False  # some of them normalised already (len() before build)
        # English: pyahocorasick automatons (plain, cased); Chinese: see build().
        self._automaton: Any = None
        self._cased: Any = None
        self._longest: Any = None  # daachorse, leftmost-longest
        self._overlapping: Any = None  # daachorse, every match
        # Chinese, by pattern index: the patterns, the first payload of each (what `find`
        # reports), and all its payloads where there are several (else None).
        self._patterns: list[str] = []
        self._first: list[Any] = []
        self._identity = False
        self._more: list[list | None] = []
        # The sentinels of mark_latin, when a form starts or ends with a Latin letter/digit
        self._latin: tuple[str, str] | None = None

    def __len__(self) -> int:
        """Distinct keys (forms after normalisation, inflected variants included)."""
        if self._size is None:  # not built yet
            self._ingest()
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
        self._raw.append((list(forms), list(payloads), list(sensitive), inflect))

    def _ingest(self) -> None:
        """Normalise the forms added so far into keys (inflected variants included)."""
        raw, self._raw = self._raw, []
        self._ingested = True
        for forms, payloads, sens, inflect in raw:
            self._add_many(forms, payloads, sens, inflect)

    def _add_many(self, forms: list[str], payloads: list[Any], sens: list[bool],
                  inflect: bool) -> None:
        if self.lang == "zh":
            self._keys += zh_keys(forms)
            self._payloads += payloads
            return
        if inflect:
            # Only a lower-case last word is inflected (not names, not acronyms): each distinct
            # last word is inflected once (a few thousand words for 100,000 forms), and a form's
            # variants are its head with each inflected word (what inflections() returns).
            lasts = list(map(itemgetter(2), map(str.rpartition, forms, repeat(" "))))
            variants = {w: v for w in filter(str.islower, set(lasts)) if (v := last_word_inflections(w))}
            for i in list(compress(range(len(forms)), map(variants.__contains__, lasts))):
                if not sens[i]:
                    form, last = forms[i], lasts[i]
                    head = form[:len(form) - len(last)]
                    for w in variants[last]:
                        forms.append(head + w)
                        payloads.append(payloads[i])
                        sens.append(False)
        if not any(sens):
            self._add_en(forms, payloads, False)
            return
        plain = list(map(not_, sens))
        self._add_en(list(compress(forms, plain)), list(compress(payloads, plain)), False)
        self._add_en(list(compress(forms, sens)), list(compress(payloads, sens)), True)

    def _add_en(self, forms: list[str], payloads: list[Any], cased: bool) -> None:
        keys, edges = en_cores(forms, cased)
        for i, (lead, trail) in edges.items():  # matched as written: see _edge_hits
            k = keys[i]
            self._edged.append((lower_same_length(k), lead, trail, k if cased else None,
                                payloads[i]))
            keys[i] = ""  # dropped by _group: not in the plain automatons
        if cased:
            self._cased_keys += keys
            self._cased_payloads += payloads
        else:
            self._keys += keys
            self._payloads += payloads

    def build(self, *, overlapping: bool = False) -> "Matcher":
        """Build the automatons. For Chinese, the one `find` uses, or with `overlapping`
        the one `find_all` uses (the other is then built on first use)."""
        return self._build(overlapping)

    def _build(self, overlapping: bool) -> "Matcher":
        if not self._built:
            k = cache.key(self.lang, overlapping, self._raw) \
                if self._raw and not self._ingested and cache.enabled() else None
            state = cache.load(self.lang, k) if k is not None else None
            if state is not None and (set(self._ZH_STATE) if self.lang == "zh" else self._EN_STATE) <= state.keys():
                self._restore(state)
                return self._build_zh(overlapping)  # (stored with it already: a no-op)
            self._ingest()
            self._build_automata()
            if k is not None:
                self._build_zh(overlapping)
                cache.store(self.lang, k, self._state())
        return self._build_zh(overlapping)

    def _build_automata(self) -> None:
        if self.lang == "zh":
            self._prepare_zh()
        else:
            first, more = _group(self._keys, self._payloads)
            self._automaton = A.english_automaton(first, more)
            self._size = len(first)
            first, more = _group(self._cased_keys, self._cased_payloads)
            self._cased = A.english_automaton(first, more)
            self._size += len(first)
            # find's key numbers: the plain automaton's, then the cased one's after them
            self._firsts = (self._automaton.first if self._automaton else []) + \
                (self._cased.first if self._cased else [])
            if self._edged:
                self._edged_automaton = A.edged_automaton(self._edged)
                self._size += len(self._edged)
            del self._edged
        del self._keys, self._payloads, self._cased_keys, self._cased_payloads  # in the automatons now
        self._built = True

    def _build_zh(self, overlapping: bool) -> "Matcher":
        """The Chinese automaton that `find` (or with `overlapping`, `find_all`) uses."""
        if self.lang == "zh" and self._patterns:
            if overlapping and self._overlapping is None:
                self._overlapping = A.chinese_automaton(self._patterns, overlapping=True)
            elif not overlapping and self._longest is None:
                self._longest = A.chinese_automaton(self._patterns, overlapping=False)
        return self

    _EN_STATE = {"_size", "plain", "cased", "_edged_automaton"}
    _ZH_STATE = ("_size", "_patterns", "_first", "_identity", "_more", "_latin", "_longest", "_overlapping")

    def _state(self) -> dict:
        """What a built matcher is, for the cache: plain lists and the automatons."""
        if self.lang == "zh":
            return {"lang": "zh", **{a: getattr(self, a) for a in self._ZH_STATE}}
        parts = [None if a is None else (a.automaton, a.lengths, a.first, a.more)
                 for a in (self._automaton, self._cased)]
        return {"lang": self.lang, "_size": self._size, "plain": parts[0], "cased": parts[1],
                "_edged_automaton": self._edged_automaton}

    def _restore(self, state: dict) -> None:
        if self.lang == "zh":
            for a in self._ZH_STATE:
                setattr(self, a, state[a])
        else:
            self._size, self._edged_automaton = state["_size"], state["_edged_automaton"]
            self._automaton, self._cased = (None if p is None else A.EnglishAutomaton.from_parts(*p)
                                            for p in (state["plain"], state["cased"]))
            self._firsts = (self._automaton.first if self._automaton else []) + \
                (self._cased.first if self._cased else [])
            del self._edged
        del self._keys, self._payloads, self._cased_keys, self._cased_payloads
        self._raw = []
        self._built = True

    def _prepare_zh(self) -> None:
        first, more = _group(self._keys, self._payloads)
        self._size = len(first)
        keys = list(first)  # pattern i of the automaton is keys[i]
        self._first = list(first.values())
        # Pattern i's payload is i (entry numbers, one form each): rows need no look-up.
        self._identity = self._first == list(range(len(self._first)))
        self._more = list(map(more.get, keys))
        joined = _SEP.join(keys)
        if A.SURROGATE_RE.search(joined):
            keys = [k.translate(A.SURROGATE_TABLE) for k in keys]
            joined = _SEP.join(keys)
        if A.latin_edge(keys, joined):
            self._latin = A.free_sentinels(joined)
            mark = functools.partial(A.marked, sentinels=self._latin)
            keys = _bulk(keys, mark, mark)
        self._patterns = keys

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
        runs = self._hays(text)
        for automaton, hay in runs:
            lengths, first, more = automaton.lengths, automaton.first, automaton.more
            for end, k in automaton.automaton.iter(hay):
                s, e = end - lengths[k] - 1, end - 1  # the " " padding of key and text
                if more[k] is None:
                    out.append((s, e, first[k]))
                else:
                    out += [(s, e, p) for p in more[k]]
        if self._edged_automaton is not None:
            out += self._edge_hits(text)
        return out

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
            found = self._find_zh(self._longest, text, False)
            return (found, None) if self._identity else (found, self._first)
        if not self._built:
            self.build()
        runs = self._hays(text)
        if not runs and self._edged_automaton is None:
            return [], None
        # start -> (end, key number in self._firsts, or for a form with edge punctuation -1 - its
        # index in `edged`). Matches come by increasing end, so a later match at the same start
        # is longer and replaces the shorter one.
        best = {}
        if runs:
            automaton, hay = runs[0]  # the plain one, or the cased one when there is no plain one
            lengths = automaton.lengths
            best = {end - lengths[k] - 1: (end - 1, k) for end, k in automaton.automaton.iter(hay)}
        edged: list = []
        if self._edged_automaton is not None:
            get = best.get
            for s, e, p in self._edge_hits(text):
                prev = get(s)
                if prev is None or prev[0] <= e:  # as long or longer: the form as written wins
                    best[s] = (e, -1 - len(edged))
                    edged.append(p)
        if len(runs) > 1:
            get = best.get
            automaton, hay = runs[1]
            lengths, offset = automaton.lengths, len(runs[0][0].first)
            for end, k in automaton.automaton.iter(hay):
                s, e = end - lengths[k] - 1, end - 1
                prev = get(s)
                # A case-sensitive form as long as another wins (it is the more specific).
                if prev is None or prev[0] <= e:
                    best[s] = (e, k + offset)
        out = []
        cursor = 0
        firsts = self._firsts if not edged else self._firsts + edged[::-1]  # -1 - i: from the end
        for s, (e, k) in sorted(best.items()):
            if s >= cursor:
                out.append((s, e, firsts[k]))
                cursor = e
        return out, None

    def _find_zh(self, automaton: Any, text: str, overlapping: bool) -> list[tuple[int, int, int]]:
        """(start, end, pattern index) in `text` coordinates."""
        hay, offsets = norm_zh(text)
        marks = None
        if self._latin and A.LATIN_RUN_RE.search(hay) is not None:
            hay, marks = A.mark_latin(hay, self._latin)
        search = automaton.find_overlapping if overlapping else automaton.find
        try:
            found = search(hay)
        except UnicodeEncodeError:  # lone surrogates: see automata.SURROGATE_TABLE
            found = search(hay.translate(A.SURROGATE_TABLE))
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

    def _edge_hits(self, text: str) -> list[tuple[int, int, Any]]:
        """Matches of the forms with edge punctuation: the key's match, with the punctuation
        as written right before and after it (case and full width folded), and no letter or
        digit beyond. A lone trailing period is optional (U.S. ends many sentences with one
        period for both)."""
        hay = " " + lower_same_length(text.translate(EN_TABLE)) + " "
        out = []
        n = len(text)
        for end, (length, rows) in self._edged_automaton.iter(hay):
            s, e = end - length - 1, end - 1
            for lead, trail, cased, payload in rows:
                s0 = s - len(lead)
                if lead and (s0 < 0 or _fold(text[s0:s]) != lead
                             or (s0 > 0 and text[s0 - 1].isalnum())):
                    continue
                e1 = e + len(trail)
                if trail and (e1 > n or _fold(text[e:e1]) != trail
                              or (e1 < n and text[e1].isalnum())):
                    if trail != ".":
                        continue
                    e1 = e
                if cased is not None and text[s:e].translate(EN_TABLE) != cased:
                    continue
                out.append((s0, e1, payload))
        return out

    def _hays(self, text: str) -> list[tuple[Any, str]]:
        """(automaton, haystack) pairs to run. Texts are padded with a space on both sides
        so that keys " form " match whole words only; offsets shift by one."""
        cased = text.translate(EN_TABLE)  # one translate serves both haystacks
        runs = []
        if self._automaton is not None:
            runs.append((self._automaton, " " + lower_same_length(cased) + " "))
        if self._cased is not None:
            runs.append((self._cased, " " + cased + " "))
        return runs


def _fold(text: str) -> str:
    """Edge punctuation as compared: full width folded, lower case (C++ is c++)."""
    return lower_same_length(fold_fullwidth(text))


def _group(keys: list[str], payloads: list[Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Payloads by key, in the order added: key -> first payload, and for the few keys with
    several distinct payloads, key -> all of them (the same payload through two routes, a
    variant equal to another form, counts once; payloads are compared with ==: entry
    numbers, or objects compared by identity). Empty keys are dropped. C-level dict and
    zip calls do the work for the 100,000 keys that have a single payload."""
    first = dict(zip(keys, payloads))
    if len(first) < len(keys):  # some key more than once: its first payload, where it was last seen
        first = dict(zip(reversed(keys), reversed(payloads)))  # the last value given wins
    first.pop("", None)
    if any(map(str.isspace, first)):
        for k in [k for k in first if k.isspace()]:
            del first[k]
    more: dict[str, list] = {}
    if len(first) < len(keys):  # some key came more than once (or was blank)
        for k, p in compress(zip(keys, payloads), map(ne, map(first.get, keys), payloads)):
            if k not in first:
                continue
            ps = more.get(k)
            if ps is None:
                more[k] = [first[k], p]
            elif p not in ps:
                ps.append(p)
    return first, more


