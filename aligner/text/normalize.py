"""Normalisation that keeps offsets: full-width -> half-width folding, NFKC, case, punctuation.

Matching (the glossary's automatons) compares normalised texts but reports offsets into the
text as written, so every function here either keeps the length (one character for one) or,
for NFKC, returns the map back to the original offsets.
"""

from __future__ import annotations

import re
import unicodedata


def _fullwidth_table() -> dict[int, int]:
    # U+FF01..U+FF5E are full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    return table


#: str.translate table: full-width ASCII forms and the ideographic space to half width.
FULLWIDTH_TABLE = _fullwidth_table()
FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def fold_fullwidth(text: str) -> str:
    """Full-width ASCII forms (ＧＤＰ，１２) and the ideographic space to half width."""
    return text.translate(FULLWIDTH_TABLE) if FULLWIDTH_RE.search(text) else text


def normalize_apostrophes(text: str) -> str:
    """The typographic apostrophe (’) as the ASCII one, as English words are compared."""
    return text.replace("’", "'")


# English: every character that is not part of a word becomes a space (one for one, so
# offsets survive). Apostrophes and hyphens split words too, consistently in keys and text.
_EN_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()) + (
    "\t\n\r\x0b\x0c\u00a0\u00ab\u00bb\u00b7\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
    "\u201a\u201b\u201c\u201d\u201e\u201f\u2022\u2026\u2027\u2032\u2033\u2039\u203a\u3001\u3002"
    "\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\uff0c\uff0e\uff1a\uff1b\uff01\uff1f"
    "\u2002\u2003\u2009\u200a\u200b\u202f\u3000"
)
#: str.translate table for English text: full width folded, punctuation and spaces to " ".
EN_TABLE = dict(FULLWIDTH_TABLE)
for _cp, _to in list(EN_TABLE.items()):
    if not chr(_to).isalnum():
        EN_TABLE[_cp] = 0x20
EN_TABLE.update({ord(c): 0x20 for c in _EN_PUNCT})


def lower_same_length(text: str) -> str:
    """Lower case, except the few characters that lower-case to two (e.g. U+0130), which stay
    as they are so that offsets stay one for one."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def norm_en(text: str) -> str:
    """Lower-case, punctuation to spaces; same length as `text`."""
    return lower_same_length(text.translate(EN_TABLE))


def norm_en_cased(text: str) -> str:
    """Punctuation to spaces, case kept: how case-sensitive forms are compared."""
    return text.translate(EN_TABLE)


def fold_zh(form: str) -> str:
    """A Chinese-side form as compared: NFKC, full width folded, lower case (length kept by
    the case step only; see `norm_zh` for texts, whose offsets must survive NFKC)."""
    key = unicodedata.normalize("NFKC", form)
    # NFKC already folds full-width forms; the table is a safety net, applied only where
    # needed (translate() costs a dict look-up per character).
    if FULLWIDTH_RE.search(key):
        key = key.translate(FULLWIDTH_TABLE)
    return lower_same_length(key)


class _FoldTable(dict):
    """`str.translate` table for Chinese-side text: NFKC of each character, then lower case
    where that keeps the length (what `fold_zh` does to whole forms). Filled on first sight of
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
    folded = text.translate(FULLWIDTH_TABLE) if FULLWIDTH_RE.search(text) else text
    if folded.isascii() or unicodedata.is_normalized("NFKC", folded):
        low = folded.lower()
        if len(low) == len(folded):
            return low, None
    out = folded.translate(_FOLD)
    if len(out) == len(folded):  # every character became exactly one: offsets unchanged
        return out, None
    # Some characters became several: map each folded position back to its character.
    # FULLWIDTH_TABLE is one for one, so positions in `folded` are positions in `text`.
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
