"""Inline codes: a paragraph's formatting kept out of machine translation and put back on the
words it belonged to.

A document format reads each paragraph as a `Paragraph`: its plain text (what segmentation
sees, so a sentence that runs across bold, a link or a Word run boundary is one segment) and
its `Code`s, which nest like the document's XML:

* a *pair* code covers text: `<b>…</b>`, a hyperlink, a Word run with its own properties;
* an *atom* is an indivisible thing at one place: an image, a footnote reference, a line
  break, and also a span that must never change (a URL, an e-mail address, code). An atom's
  `literal` is the text it shows in the paragraph (empty for an image); that text is taken
  out of the sentence before translation and put back, unchanged, where the sentence's
  words around it went.

After translation, `place` maps every code onto the translation. A pair code goes around the
target words aligned to its source words: the decoder's attention, read the way the
glossary's enforcement reads it (`aligner.glossary.enforce.aligned_span`). An atom goes after
the target words aligned to the source words before it. Nesting is enforced top down (a
child is clamped into its parent, siblings never overlap), so the written XML always nests.

Fallback (documented, never drops a code): a pair code the attention cannot place (no
attention, e.g. a translation given as plain text, or nothing aligned) wraps the largest
stretch of its parent, in the sentence, that no sibling holds -- the whole sentence when it
is alone; when the siblings leave nothing free it stays in the output as an empty element.
A pair code that covers sentences entirely covers their translations entirely. A code that
spans part of two sentences is put once into each (the two parts are rejoined when they
meet at the sentence boundary), so it may come out as two elements with the same formatting.

`place` returns a `Placed` paragraph; `Placed.tree()` gives the nested nodes a format's
writer turns back into its XML.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

__all__ = ["Code", "Paragraph", "Builder", "Placed", "Node", "protect", "sentence_spans",
           "mt_source", "place", "place_paragraph"]


@dataclass(eq=False)
class Code:
    kind: str                 # "pair" or "atom"
    start: int                # paragraph offsets; an atom's [start, end) is its literal
    end: int
    data: Any = None          # the format's own object (an element, run properties, ...)
    parent: "Code | None" = None
    index: int = 0            # position in Paragraph.codes (document order)
    # An atom that may land inside a sibling pair code (a subtitle cue boundary, which must
    # cut the translation where the attention says even inside <i>): placed there, as a
    # child of the innermost pair code at its place, instead of being moved past it.
    floating: bool = False

    @property
    def is_atom(self) -> bool:
        return self.kind == "atom"

    def inside(self, other: "Code") -> bool:
        """Whether `other` is this code or one of its ancestors."""
        c: Code | None = self
        while c is not None:
            if c is other:
                return True
            c = c.parent
        return False


@dataclass
class Paragraph:
    text: str
    codes: list[Code] = field(default_factory=list)
    data: Any = None          # the format's handle on the paragraph

    def literal(self, code: Code) -> str:
        return self.text[code.start:code.end]


class Builder:
    """Builds a Paragraph while a reader walks a tree: text(), open()/close(), atom()."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.codes: list[Code] = []
        self._stack: list[Code] = []

    @property
    def current(self) -> Code | None:
        return self._stack[-1] if self._stack else None

    def text(self, s: str) -> None:
        if s:
            self._parts.append(s)
            self._len += len(s)

    def open(self, data: Any) -> Code:
        c = Code("pair", self._len, -1, data, self.current, len(self.codes))
        self.codes.append(c)
        self._stack.append(c)
        return c

    def close(self) -> Code:
        c = self._stack.pop()
        c.end = self._len
        return c

    def atom(self, data: Any, literal: str = "") -> Code:
        c = Code("atom", self._len, self._len + len(literal), data, self.current, len(self.codes))
        self.codes.append(c)
        self.text(literal)
        return c

    def build(self, data: Any = None, protect_spans: bool = True) -> Paragraph:
        while self._stack:
            self.close()
        par = Paragraph("".join(self._parts), self.codes, data)
        if protect_spans:
            protect(par)
        return par


# --- spans that must not change --------------------------------------------------------

# URLs (scheme or www.), e-mail addresses; trailing sentence punctuation is not part of them.
PROTECTED = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'“”‘’（）]+[^\s<>\"'“”‘’（）.,;:!?。，；：！？)\]]"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def protect(par: Paragraph, pattern: re.Pattern = PROTECTED) -> Paragraph:
    """Turn URLs and e-mail addresses in the paragraph's text into atoms (data None), unless
    they overlap an atom already there or cross the edge of a pair code."""
    found = []
    for m in pattern.finditer(par.text):
        a, b = m.span()
        if any(c.is_atom and c.start < b and a < c.end for c in par.codes):
            continue
        if any(not c.is_atom and (c.start < a < c.end < b or a < c.start < b < c.end) for c in par.codes):
            continue
        parent = None
        for c in par.codes:  # the innermost pair code holding it (codes come parents first)
            if not c.is_atom and c.start <= a and b <= c.end:
                parent = c
        found.append(Code("atom", a, b, None, parent))
    if found:
        codes = par.codes + found
        codes.sort(key=lambda c: (c.start, -c.end, c.is_atom))
        # parents before children even when they start at the same place
        ordered: list[Code] = []
        seen: set[int] = set()

        def add(c: Code) -> None:
            if id(c) in seen:
                return
            if c.parent is not None:
                add(c.parent)
            seen.add(id(c))
            ordered.append(c)
        for c in codes:
            add(c)
        for i, c in enumerate(ordered):
            c.index = i
        par.codes[:] = ordered
    return par


# --- segmentation and the text the model sees ---------------------------------------------

def sentence_spans(par: Paragraph, lang: str) -> list[tuple[int, int]]:
    """The sentences of a paragraph (aligner.segment.split_sentences on its whole text), with
    any two that an atom's literal straddles joined: a URL is never cut in two."""
    from aligner.segment import split_sentences

    spans = [list(s) for s in split_sentences(par.text, lang)]
    for c in par.codes:
        if c.is_atom and c.end > c.start:
            for s in spans:
                if s[0] < c.end and c.start < s[1]:
                    s[0], s[1] = min(s[0], c.start), max(s[1], c.end)
    merged: list[list[int]] = []
    for s in sorted(spans):
        if merged and s[0] < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(s)
    return [(a, b) for a, b in merged]


def _plain(par: Paragraph, lo: int, hi: int) -> str:
    """Paragraph text [lo, hi) without the literals of atoms (a line break's newline)."""
    out = []
    for i in range(lo, hi):
        if not any(c.is_atom and c.start <= i < c.end for c in par.codes):
            out.append(par.text[i])
    return "".join(out)


def mt_source(par: Paragraph, a: int, b: int, src_lang: str) -> tuple[str, list[int]]:
    """The text of paragraph span [a, b) the model translates -- atoms' literals taken out,
    spaces tidied -- and, for each of its characters, its offset in the paragraph."""
    skip = [(c.start, c.end) for c in par.codes if c.is_atom and c.end > c.start
            and c.start < b and a < c.end]
    out: list[str] = []
    pos: list[int] = []
    i = a
    removed = False
    spaced = not src_lang.startswith("zh")
    while i < b:
        hit = next(((s, e) for s, e in skip if s <= i < e), None)
        if hit is not None:
            i = hit[1]
            removed = True
            continue
        ch = par.text[i]
        if removed and spaced and out and not out[-1].isspace() and not ch.isspace():
            out.append(" ")  # "see<br>here" must not read as one word
            pos.append(i)
        removed = False
        if ch.isspace() and (not out or out[-1].isspace()):
            i += 1
            continue
        out.append(" " if ch in "\n\t\r\u00a0" and spaced else ch)
        pos.append(i)
        i += 1
    while out and out[-1].isspace():
        out.pop()
        pos.pop()
    return "".join(out), pos


# --- placing codes on a translation ----------------------------------------------------------

@dataclass(eq=False)
class PlacedCode:
    code: Code
    start: int
    end: int
    parent: "PlacedCode | None" = None


@dataclass
class Node:
    """One code in the output tree; children are strings and Nodes in order."""
    code: Code | None
    children: list["str | Node"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


@dataclass
class Placed:
    text: str
    codes: list[PlacedCode] = field(default_factory=list)
    fallbacks: int = 0        # pair codes placed by the fallback, not by attention
    sentences: list[tuple[int, int]] = field(default_factory=list)  # each sentence's span

    def insert(self, pos: int, s: str) -> None:
        """Insert plain text at `pos` (outside codes ending there, inside codes spanning it)."""
        self.text = self.text[:pos] + s + self.text[pos:]
        for pc in self.codes:
            if pc.start > pos or (pc.start == pos and pc.end > pos):
                pc.start += len(s)
            if pc.end > pos:
                pc.end += len(s)

    def tree(self) -> Node:
        kids: dict[int, list[PlacedCode]] = {}
        for pc in self.codes:
            kids.setdefault(id(pc.parent) if pc.parent else 0, []).append(pc)

        def build(node: Node, key: int, lo: int, hi: int) -> None:
            pos = lo
            for pc in sorted(kids.get(key, []), key=lambda p: (p.start, p.end, p.code.index)):
                if pc.start > pos:
                    node.children.append(self.text[pos:pc.start])
                child = Node(pc.code)
                build(child, id(pc), pc.start, pc.end)
                node.children.append(child)
                pos = max(pos, pc.end)
            if hi > pos:
                node.children.append(self.text[pos:hi])
        root = Node(None)
        build(root, 0, 0, len(self.text))
        return root


def _position_map(old: str, new: str) -> list[int]:
    """For each position 0..len(old) in `old`, a position in `new` (glossary edits)."""
    out = [0] * (len(old) + 1)
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        for k in range(i1, i2 + 1):
            if tag == "equal":
                out[k] = j1 + (k - i1)
            else:  # replaced/deleted text: ends go to the ends of the new text
                out[k] = j1 if k == i1 else j2
    return out


class _Aligner:
    """Attention of one translation, read as a word alignment."""

    def __init__(self, src: str, tr: Any, tgt_lang: str, text: str = ""):
        from aligner.glossary.enforce import piece_spans

        self.tr = tr
        self.text = text
        self.tgt_lang = tgt_lang
        self.ok = bool(tr is not None and getattr(tr, "attention", None) and tr.source_tokens)
        if self.ok:
            self.src_spans = piece_spans(tr.source_tokens, src)
            self.tgt_spans = piece_spans(tr.target_tokens, tr.text)
            n = len(self.src_spans)
            self.best = []
            for row in tr.attention[:len(self.tgt_spans)]:
                row = list(row[:n])
                self.best.append(max(range(len(row)), key=row.__getitem__) if row else None)

    def span(self, a: int, b: int) -> tuple[int, int] | None:
        from aligner.glossary.enforce import aligned_span

        if not self.ok:
            return None
        return aligned_span(self.tr, self.src_spans, self.tgt_spans, a, b, self.tgt_lang)

    def point(self, m: int, n_src: int, n_tgt: int) -> int | None:
        """Target position for source position m (after the words before it)."""
        if m <= 0:
            return 0
        if m >= n_src:
            return n_tgt
        if not self.ok:  # no attention: in proportion, at a word boundary
            q = round(m * n_tgt / n_src)
            t = self.text
            if not self.tgt_lang.startswith("zh"):
                while 0 < q < len(t) and not t[q].isspace() and not t[q - 1].isspace():
                    q += 1
            else:  # nor inside a number or a Latin word of a Chinese text
                while 0 < q < len(t) and t[q].isascii() and t[q].isalnum() and t[q - 1].isascii() \
                        and t[q - 1].isalnum():
                    q += 1
            return q
        before = {s for s, sp in enumerate(self.src_spans) if sp is not None and sp[1] <= m}
        ends = [self.tgt_spans[t][1] for t, s in enumerate(self.best)
                if s in before and t < len(self.tgt_spans) and self.tgt_spans[t] is not None]
        return max(ends) if ends else 0


def _free(lo: int, hi: int, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """The largest stretch of [lo, hi) no interval of `taken` covers (or (hi, hi))."""
    best = (hi, hi)
    pos = lo
    for s, e in sorted(taken) + [(hi, hi)]:
        if s > pos and s - pos > best[1] - best[0]:
            best = (pos, s)
        pos = max(pos, e)
    return best


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def place(par: Paragraph, a: int, b: int, src_lang: str, text: str, translation: Any = None,
          tgt_lang: str = "zh", codes: Sequence[Code] | None = None) -> Placed:
    """Map the codes of paragraph span [a, b) (one sentence) onto its translation `text`.

    `translation` is the engine's result for `mt_source(par, a, b)` (with attention; its
    `.text` may differ from `text` when the glossary corrected it), or None. `codes`: the
    codes to place (default: pair codes overlapping the span and atoms inside it)."""
    src, pos = mt_source(par, a, b, src_lang)
    if codes is None:
        codes = [c for c in par.codes if (c.is_atom and a <= c.start and c.end <= b)
                 or (not c.is_atom and c.start < b and a < c.end)]
    al = _Aligner(src, translation, tgt_lang, text)
    base = translation.text if al.ok else text
    remap = _position_map(base, text) if base != text else None
    n_t = len(base)

    def mt_index(p: int) -> int:  # paragraph offset -> index into src
        lo, hi = 0, len(pos)
        while lo < hi:
            mid = (lo + hi) // 2
            if pos[mid] < p:
                lo = mid + 1
            else:
                hi = mid
        return lo

    placed: dict[int, PlacedCode] = {}
    fallbacks = 0
    src_chars = [i for i, ch in enumerate(src) if not ch.isspace()]
    # raw target ranges, in the engine's text
    raw: dict[int, tuple[int, int] | None] = {}
    empty: set[int] = set()
    for c in codes:
        if c.is_atom:
            continue
        m0, m1 = mt_index(max(c.start, a)), mt_index(min(c.end, b))
        inner = [i for i in src_chars if m0 <= i < m1]
        if not inner:
            empty.add(id(c))  # nothing of it is translated (an image, a URL only): a point
            q = al.point(m0, len(src), n_t)
            raw[id(c)] = (q, q) if q is not None else (n_t, n_t)
        elif len(inner) == len(src_chars):
            raw[id(c)] = (0, n_t)
        else:
            raw[id(c)] = al.span(m0, m1)

    children: dict[int, list[Code]] = {}
    in_span = {id(c) for c in codes}
    for c in codes:
        p = c.parent
        while p is not None and id(p) not in in_span:
            p = p.parent
        children.setdefault(id(p) if p else 0, []).append(c)

    def fix(key: int, lo: int, hi: int, parent: PlacedCode | None) -> None:
        nonlocal fallbacks
        kids = children.get(key, [])
        pairs = [c for c in kids if not c.is_atom]
        got: list[tuple[Code, int, int]] = []
        failed: list[Code] = []
        for c in pairs:
            r = raw.get(id(c))
            if r is None:
                failed.append(c)
                continue
            s, e = max(lo, min(r[0], hi)), max(lo, min(r[1], hi))
            if e <= s and id(c) not in empty:
                failed.append(c)
                continue
            got.append((c, s, e))
        got.sort(key=lambda t: (t[1], -t[2]))
        kept: list[tuple[Code, int, int]] = []
        for c, s, e in got:
            if kept and s < kept[-1][2]:
                if e <= kept[-1][2] and id(c) not in empty:
                    failed.append(c)   # would sit inside a sibling: cannot nest
                    continue
                s = max(s, kept[-1][2])
                e = max(e, s)
            kept.append((c, s, e))
        for c in sorted(failed, key=lambda c: c.index):
            fallbacks += 1
            s, e = _free(lo, hi, [(s, e) for _, s, e in kept])
            s, e = _trim(base, s, e) if e > s else (s, e)
            kept.append((c, s, e))
        for c, s, e in kept:
            pc = PlacedCode(c, s, e, parent)
            placed[id(c)] = pc
            fix(id(c), s, e, pc)
        # atoms of this parent: after the target words of the source words before them
        for c in kids:
            if not c.is_atom:
                continue
            q = al.point(mt_index(c.start), len(src), n_t)
            q = max(lo, min(q, hi))
            home = parent
            if c.floating:
                inner = next((placed[id(sib)] for sib, s, e in kept if s < q < e), None)
                while inner is not None:
                    home = inner
                    inner = next((pc for pc in placed.values() if pc.parent is home and not pc.code.is_atom
                                  and pc.start < q < pc.end), None)
            else:
                for sib, s, e in kept:
                    if s < q < e:
                        q = e
            placed[id(c)] = PlacedCode(c, q, q, home)

    fix(0, 0, n_t, None)
    # floating atoms last: the pair code they landed in may come after them in document order
    result = Placed(base, [placed[id(c)] for c in sorted(codes, key=lambda c: c.floating) if id(c) in placed],
                    fallbacks)
    if remap is not None:
        for pc in result.codes:
            pc.start, pc.end = remap[pc.start], remap[pc.end]
            pc.end = max(pc.end, pc.start)
        result.text = text
    _materialize(par, result, tgt_lang)
    return result


def _materialize(par: Paragraph, placed: Placed, tgt_lang: str) -> None:
    """Put each atom's literal into the text at its place, shifting the codes around it."""
    atoms = sorted((pc for pc in placed.codes if pc.code.is_atom),
                   key=lambda pc: (pc.start, pc.code.index))
    for pc in atoms:
        lit = par.literal(pc.code)
        x = pc.start
        if not lit:
            _shift(placed, pc, x, 0)
            continue
        if pc.code.data is None and not tgt_lang.startswith("zh"):
            # protected text in English: a space between it and a word next to it
            t = placed.text
            if x > 0 and t[x - 1].isalnum() and lit[0].isalnum():
                lit = " " + lit
            if x < len(t) and t[x].isalnum() and lit[-1].isalnum():
                lit = lit + " "
        placed.text = placed.text[:x] + lit + placed.text[x:]
        _shift(placed, pc, x, len(lit))


def _shift(placed: Placed, atom: PlacedCode, x: int, n: int) -> None:
    for pc in placed.codes:
        if pc is atom:
            continue
        inside = atom.code.inside(pc.code)
        before = atom.code.index < pc.code.index
        if pc.code.is_atom:
            if pc.start > x or (pc.start == x and before):
                pc.start += n
                pc.end += n
            continue
        if pc.start == pc.end == x:
            if inside:
                pc.end += n
            elif before:
                pc.start += n
                pc.end += n
            continue
        if pc.start > x or (pc.start == x and not inside):
            pc.start += n
        if pc.end > x or (pc.end == x and inside):
            pc.end += n
    atom.start, atom.end = x, x + n


# --- a whole paragraph ---------------------------------------------------------------------

def place_paragraph(par: Paragraph, spans: Sequence[tuple[int, int]], texts: Sequence[str],
                    translations: Sequence[Any] | None, src_lang: str, tgt_lang: str) -> Placed:
    """The translated paragraph: each sentence span replaced by its translation (codes placed
    by `place`), the text between sentences kept (a space or nothing, the target language's
    way, where it was only spaces), atoms outside every sentence attached to the nearest
    one, and the parts of a code split by a sentence boundary joined again where they meet."""
    if len(spans) != len(texts):
        raise ValueError("one translation per sentence is needed")
    sep = "" if tgt_lang.startswith("zh") else " "
    # which sentence places each code
    assign: list[list[Code]] = [[] for _ in spans]
    for c in par.codes:
        if c.is_atom:
            k = next((i for i, (a, b) in enumerate(spans) if a <= c.start and c.end <= b), None)
            if k is None:  # between sentences: the one before it, or the first
                k = max([i for i, (a, b) in enumerate(spans) if b <= c.start] or [0])
            assign[k].append(c)
        else:
            hit = [i for i, (a, b) in enumerate(spans) if c.start < b and a < c.end]
            if not hit:  # covers only text between sentences (or nothing): nearest sentence
                hit = [max([i for i, (a, b) in enumerate(spans) if b <= c.start] or [0])]
            for i in hit:
                assign[i].append(c)
    out = Placed("")
    instances: dict[int, PlacedCode] = {}  # code id -> its instance that ends the text so far
    pos = 0
    prev_b = None
    for i, ((a, b), text) in enumerate(zip(spans, texts)):
        gap = _plain(par, pos, a) if i else ""
        if i and not gap.strip(" \t\u3000\n"):
            gap = sep
        lead = _plain(par, 0, a) if i == 0 else ""
        base_off = len(out.text) + len(gap) + len(lead)
        out.text += gap + lead
        tr = translations[i] if translations is not None else None
        codes = assign[i]
        # atoms outside the sentence: place at its start / end, as the sentence's own
        outside = [c for c in codes if c.is_atom and not (a <= c.start and c.end <= b)]
        p = place(par, a, b, src_lang, text, tr, tgt_lang,
                  codes=[c for c in codes if c not in outside] + outside)
        out.fallbacks += p.fallbacks
        mapping: dict[int, PlacedCode] = {}
        for pc in p.codes:
            c = pc.code
            prev = instances.get(id(c))
            joined = (prev is not None and not c.is_atom and prev.end == base_off - len(gap) - len(lead)
                      and pc.start == 0 and c.start <= (prev_b or 0) and c.end >= a
                      and prev.parent is (mapping.get(id(pc.parent)) if pc.parent else None))
            if joined:
                prev.end = base_off + pc.end
                mapping[id(pc)] = prev
            else:
                parent = mapping.get(id(pc.parent)) if pc.parent is not None else None
                npc = PlacedCode(c, base_off + pc.start, base_off + pc.end, parent)
                out.codes.append(npc)
                mapping[id(pc)] = npc
                instances[id(c)] = npc
        out.sentences.append((base_off, base_off + len(p.text)))
        out.text += p.text
        pos = b
        prev_b = b
    out.text += _plain(par, pos, len(par.text))
    return out
