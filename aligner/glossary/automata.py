"""The two automaton back-ends of the glossary matcher.

English: pyahocorasick, keys " form " (see aligner.glossary.match), value (length, first
payload, all payloads or None). Chinese: daachorse, a character-wise double-array automaton in
Rust that selects leftmost-longest matches itself; Latin runs inside Chinese are wrapped in
sentinels so they keep word boundaries, and lone surrogates are mapped to plane 15.
"""

from __future__ import annotations

import re
from collections import deque
from operator import itemgetter
from typing import Any

import ahocorasick
import daachorse

from aligner.text.scripts import ASCII_ALNUM_RUN_RE

# Latin words inside Chinese text keep word boundaries (GDP is not in GDPR). Rather than
# check each match (which would also undo the automaton's longest-match choice), every run
# of ASCII letters and digits is wrapped in two sentinels, in the forms and in the text
# alike: a form's run then only matches a whole run of the text. Done only when some form
# starts or ends with a Latin letter or digit, and only on texts that have one. The
# sentinels are Unicode noncharacters (reserved for a program's internal use) that no form
# of the glossary contains; the same characters written in a text cannot pass for them,
# as in the text every run is already wrapped in the inserted ones.
LATIN_RUN_RE = ASCII_ALNUM_RUN_RE
LATIN_EDGE_RE = re.compile("(?:^|\x00)[0-9A-Za-z]|[0-9A-Za-z](?:\x00|\\Z)")
SENTINELS = [(chr(c), chr(c + 1)) for c in range(0xFDD0, 0xFDF0, 2)]
_ASCII_ALNUM_RE = re.compile("[0-9A-Za-z]")


def latin_edge(keys: list[str], joined: str) -> bool:
    """Does a key start or end with a Latin letter or digit? (LATIN_EDGE_RE over the keys
    joined by \x00, `joined`.) Only the first and last characters are looked at, in C: the
    regex tried two branches at every character of 100,000 keys; a column of Chinese keys
    without any ASCII letter or digit is told apart by one scan of the joined keys."""
    if _ASCII_ALNUM_RE.search(joined) is None:
        return False
    if joined.count("\x00") != len(keys) - 1 or not all(keys):  # a key with \x00 in it, or empty
        return LATIN_EDGE_RE.search(joined) is not None
    return _ASCII_ALNUM_RE.search("".join(map(itemgetter(0), keys)) +
                                  "".join(map(itemgetter(-1), keys))) is not None


def mark_latin(text: str, sentinels: tuple[str, str] = SENTINELS[0]) -> tuple[str, list[int]]:
    """`text` with each run of ASCII letters and digits wrapped in the two sentinels, and
    the positions of the inserted sentinels (sorted), to map offsets in the marked text
    back: original = marked - bisect_left(positions, marked)."""
    marked = LATIN_RUN_RE.sub(sentinels[0] + "\\g<0>" + sentinels[1], text)
    positions: list[int] = []
    for k, m in enumerate(LATIN_RUN_RE.finditer(text)):
        positions += (m.start() + 2 * k, m.end() + 2 * k + 1)
    return marked, positions


# daachorse takes UTF-8, which has no lone surrogates (a text decoded with surrogateescape
# has them): they become private-use characters of plane 15, one for one, in forms and texts.
SURROGATE_RE = re.compile("[\ud800-\udfff]")
SURROGATE_TABLE = {cp: 0xF0000 + cp - 0xD800 for cp in range(0xD800, 0xE000)}


def free_sentinels(keys: str) -> tuple[str, str]:
    """A pair of sentinels that `keys` (all forms, joined) does not contain."""
    for pair in SENTINELS:
        if pair[0] not in keys and pair[1] not in keys:
            return pair
    raise ValueError("the glossary's forms use every Unicode noncharacter U+FDD0-U+FDEF")


def marked(text: str, sentinels: tuple[str, str]) -> str:
    return LATIN_RUN_RE.sub(sentinels[0] + "\\g<0>" + sentinels[1], text)


class EnglishAutomaton:
    """pyahocorasick over the keys " form ", whose values are key numbers k; the key's length,
    its first payload and all its payloads (None when it has one) are lengths[k], first[k] and
    more[k]. Ints, not a tuple per key: 100,000 tuples made while a glossary loads set off
    the cyclic garbage collector's passes over everything loaded so far."""

    __slots__ = ("automaton", "lengths", "first", "more")

    def __init__(self, first: dict[str, Any], more: dict[str, list]):
        # Key numbers follow the keys' sorted order: pyahocorasick allocates trie nodes as words
        # are added, so sorted keys put each prefix's nodes side by side in memory, and adding
        # them and `make_automaton` (a walk over every node) run about twice as fast as in file
        # order (the cache misses, not the instructions, were the cost). Matches do not depend
        # on the order in which keys were added.
        keys = sorted(first)
        self.lengths = list(map(len, keys))
        self.first = list(map(first.__getitem__, keys))
        self.more = list(map(more.get, keys)) if more else [None] * len(keys)
        # Values are the key numbers, stored as C integers (STORE_INTS): no Python object each.
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        # " form " for every key; C-level calls (map, deque) for the 100,000 add_word calls
        padded = (" " + " \x00 ".join(keys) + " ").split("\x00")
        if len(padded) != len(keys):  # a key with \x00 in it
            padded = [" " + k + " " for k in keys]
        deque(map(automaton.add_word, padded, range(len(keys))), maxlen=0)
        automaton.make_automaton()
        self.automaton = automaton

    @classmethod
    def from_parts(cls, automaton: Any, lengths: list[int], first: list, more: list) -> "EnglishAutomaton":
        """An automaton built before (aligner.glossary.cache)."""
        self = cls.__new__(cls)
        self.automaton, self.lengths, self.first, self.more = automaton, lengths, first, more
        return self

    def keys(self):
        """The keys, padded (" form ")."""
        return self.automaton.keys()


def english_automaton(first: dict[str, Any], more: dict[str, list]) -> EnglishAutomaton | None:
    """The English automaton of keys " form " (see EnglishAutomaton), None without keys."""
    return EnglishAutomaton(first, more) if first else None


def chinese_automaton(patterns: list[str], *, overlapping: bool) -> Any:
    """A daachorse automaton over `patterns`: every match (`find_overlapping`) or, by
    default, leftmost-longest ones (`find`)."""
    kind = daachorse.MATCH_KIND_STANDARD if overlapping else daachorse.MATCH_KIND_LEFTMOST_LONGEST
    return daachorse.CharwiseDoubleArrayAhoCorasick(patterns, match_kind=kind)


def edged_automaton(rows: list[tuple[str, str, str, str | None, Any]]) -> Any:
    """The automaton of English forms with edge punctuation: key " core " -> (len(core),
    [(leading, trailing, cased core or None, payload), ...]); leading and trailing are folded
    (lower case, half width) as the matcher compares them."""
    from aligner.text.normalize import fold_fullwidth, lower_same_length

    by_key: dict[str, list] = {}
    for key, lead, trail, cased, payload in rows:
        by_key.setdefault(key, []).append((lower_same_length(fold_fullwidth(lead)),
                                           lower_same_length(fold_fullwidth(trail)), cased, payload))
    automaton = ahocorasick.Automaton()
    for key, items in by_key.items():
        automaton.add_word(" " + key + " ", (len(key), items))
    automaton.make_automaton()
    return automaton
