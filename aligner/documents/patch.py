"""Write a translated page back into its original bytes, so that everything that was not text
stays byte for byte (quoting, character references, optional tags, white space, comments).

lxml re-serialises a page: `before` (the parsed page written out untranslated) differs from
the original in spelling only, and `after` (the translated page written out) differs from
`before` exactly where text and translatable attributes changed. `patch` finds the
changes before -> after and makes each of them in the original, at the place the original
and `before` agree on. A change whose ends do not fall where the two agree (say, inside a
tag lxml spelled differently) cannot be placed safely: then `patch` returns None and the
caller writes `after`, the re-serialised page, as before. The caller checks the result too:
parsed again and written out by lxml it must be `after`, byte for byte.

Both diffs are made on tokens (tags and the text between them), then on bytes inside the
stretches that differ, so a minified page on one line costs no more than a pretty one.
"""

from __future__ import annotations

import difflib
import re

# Past this many bytes in one differing stretch, the byte-level diff would be slow: give up.
MAX_STRETCH = 200_000

_TOKEN = re.compile(rb"<[^<>]*>|[^<]+|<")


def _tokens(data: bytes) -> tuple[list[bytes], list[int]]:
    toks = [m.group() for m in _TOKEN.finditer(data)]
    offs = [0]
    for t in toks:
        offs.append(offs[-1] + len(t))
    return toks, offs


def equal_blocks(x: bytes, y: bytes) -> list[tuple[int, int, int]] | None:
    """(i, j, n): x[i:i+n] == y[j:j+n], in order, covering what the two share; None when a
    differing stretch is too long to diff byte by byte."""
    xt, xo = _tokens(x)
    yt, yo = _tokens(y)
    out: list[tuple[int, int, int]] = []
    sm = difflib.SequenceMatcher(None, xt, yt, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        a, b, c, d = xo[i1], xo[i2], yo[j1], yo[j2]
        if tag == "equal":
            out.append((a, c, b - a))
            continue
        if b - a + d - c > MAX_STRETCH:
            return None
        if a == b or c == d:
            continue
        inner = difflib.SequenceMatcher(None, x[a:b], y[c:d], autojunk=False)
        for i, j, n in inner.get_matching_blocks():
            if n:
                out.append((a + i, c + j, n))
    return out


def patch(original: bytes, before: bytes, after: bytes) -> bytes | None:
    """`original` with the changes that turn `before` into `after` (see the module), or None."""
    to_original = equal_blocks(before, original)
    changes = equal_blocks(before, after)
    if to_original is None or changes is None:
        return None

    starts = [b[0] for b in to_original]

    def where(p: int, left: bool) -> int | None:
        """The position in `original` of position p of `before`, where the two agree: for the
        start of a change (left) in a block that ends at or holds p, for its end in one that
        starts at or holds p."""
        import bisect

        k = bisect.bisect_right(starts, p) - 1
        for q in ((k, k - 1) if left else (k, k + 1)):
            if 0 <= q < len(to_original):
                i, j, n = to_original[q]
                if (i < p <= i + n) if left else (i <= p < i + n):
                    return j + (p - i)
        for q in (k - 1, k, k + 1):  # p at the very start or end of the page
            if 0 <= q < len(to_original):
                i, j, n = to_original[q]
                if i <= p <= i + n:
                    return j + (p - i)
        return None

    out: list[bytes] = []
    last = 0
    prev_i, prev_j = 0, 0
    for i, j, n in changes + [(len(before), len(after), 0)]:
        if i > prev_i or j > prev_j:  # before[prev_i:i] became after[prev_j:j]
            a, b = where(prev_i, True), where(i, False)
            if a is None or b is None or a < last or b < a:
                return None
            out.append(original[last:a])
            out.append(after[prev_j:j])
            last = b
        prev_i, prev_j = i + n, j + n
    out.append(original[last:])
    return b"".join(out)
