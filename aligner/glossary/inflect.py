"""Plural and simple verb inflections of English glossary forms (cadre -> cadres), added to
the automaton as variants rather than tried per term with regexes."""

from __future__ import annotations

import re

_VOWELS = set("aeiou")
# What inflections() inflects: a last word (after the last space) of 3+ ASCII lower-case letters.
INFLECTABLE_RE = re.compile("(?:^| )[a-z]{3,}\\Z")


def inflections(form: str) -> list[str]:
    """Plural and simple verb forms of the last word (cadre -> cadres, party withdrawal ->
    party withdrawals, demobilize -> demobilized/demobilizing). Only for lower-case last
    words: names and acronyms are not inflected."""
    head, sep, last = form.rpartition(" ")
    return [head + sep + w for w in last_word_inflections(last)]


def last_word_inflections(last: str) -> list[str]:
    """The inflected forms of one word (what inflections() puts in place of a form's last
    word); [] for a word that is not inflected. A glossary of 100,000 terms has a few thousand
    distinct last words: the matcher asks once per word, not once per form."""
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
    return [w for w in dict.fromkeys(out) if w != last]
