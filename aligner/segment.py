"""Sentence segmentation: a Document's text -> its segments (sentences, or lines with presplit).

A segment is a span `[start, end)` of `Document.text`. Everything between segments
(whitespace, blank lines, Markdown markers such as `# `, `- `, `1. `) stays in the
document, so the original can be rebuilt exactly and a translation can be put back
behind the same marker.

Paragraphs are blocks separated by blank lines. A Markdown heading line (`# Title`)
is a paragraph of its own; a list item (`- item`, `* item`, `+ item`, `1. item`,
`1) item`) starts a new paragraph (lines that follow it without a blank line continue
the item, as in Markdown). The marker itself is left outside the segment. Thematic
breaks and setext underlines (`---`, `***`, `===`) are structure, not text. Fenced code
blocks (```` ``` ```` or `~~~` to the closing fence, or to the end of an unclosed one) are code,
not text: no segment. In a table row (a line starting with `|`), each cell is a paragraph of
its own, and the delimiter row (`|---|:--:|`) is structure. (Indented code blocks are not
recognised: plain-text articles indent paragraphs too.)

Sentence rules are per language (`split_sentences`). They are rules, not a model:
the signals (punctuation, case, a list of abbreviations) are those every sentence
splitter of the field uses, written here so that offsets stay exact and both
languages follow one documented behaviour.

Everything runs in linear time in the length of the text (regular expressions and
one pass over the lines).
"""

from __future__ import annotations

import re

from aligner.model import Document
from aligner.text.scripts import HAN_RANGES, HAN_RE

__all__ = ["split_sentences", "segment", "segment_text", "EN_ABBREVIATIONS"]

# --- Markdown structure ---------------------------------------------------------------

# `# Heading` (ATX, up to 6 #), or a heading line that is only #s.
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
# `- item`, `* item`, `+ item`, `1. item`, `1) item` (CommonMark: up to 9 digits).
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
# `---`, `***`, `___`, `===` (thematic break / setext heading underline), spaces allowed.
_RULE = re.compile(r"[ \t]{0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*")
# A code fence: ``` or ~~~ (3 or more), up to 3 spaces in; an info string may follow.
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
# A table row starts with | (GFM tables; prose with a | in it is not one); cells split at
# | not escaped as \|. The delimiter row: |---|:---:|---: ...
_TABLE_ROW = re.compile(r"[ \t]{0,3}\|")
_TABLE_PIPE = re.compile(r"(?<!\\)\|")
_TABLE_DELIMITER = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)*[ \t]*:?-+:?[ \t]*\|?[ \t]*")

# --- English --------------------------------------------------------------------------

# Words that end with a full stop without ending the sentence (exact spelling; a dotted
# acronym such as U.S. or e.g. and a single capital initial are recognised by shape).
EN_ABBREVIATIONS = frozenset("""
    Mr Mrs Ms Mx Dr Prof St Jr Sr Mt Ft Lt Col Capt Sgt Cmdr Adm Gen Gov Sen Rep Pres
    Rev Hon Messrs No Nos Vol Vols vol vols pp Fig fig Figs figs Dept Univ Inc Corp Ltd Co
    Bros Ave Blvd Rd etc vs cf al approx esp
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""".split())

_EN_CLOSERS = "\"'\u201d\u2019\u00bb)]}"
_EN_END = re.compile(r"[.!?\u2026]+[" + re.escape(_EN_CLOSERS) + r"]*(?=\s|$)")
_OPENERS = "\"'\u201c\u2018\u00ab([{"
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
# A line that ends like the end of a sentence (possibly followed by closing quotes/brackets).
_EN_LINE_END = re.compile(r"[.!?\u2026][" + re.escape(_EN_CLOSERS) + r"]*$")

# --- Chinese --------------------------------------------------------------------------

_ZH_CLOSERS = "\"'\u201d\u2019\u300d\u300f\uff09)]\u3011\u300b\u3009\uff3d\uff5d\u00bb}"
_ZH_END = re.compile(r"[\u3002\uff01\uff1f!?\u2026\uff1b.]+[" + re.escape(_ZH_CLOSERS) + r"]*")
_ZH_STRONG = set("\u3002\uff01\uff1f\u2026")  # 。！？…
_ZH_QUOTES_CLOSE = set("\"'\u201d\u2019\u300d\u300f")
# After a quotation that ends with 。！？: `“……！”他说。` — a short speech tag followed by
# punctuation finishes the same sentence, so the quotation does not end it.
_ZH_SPEECH_TAG = re.compile(r"[" + HAN_RANGES + r"]{0,4}?(?:说|道|问|答|喊|叫|称|表示)[\u3002\uff01\uff1f\uff0c\uff1a,:]")


def _is_lang_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def _trimmed(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    """Append [a, b) without surrounding whitespace, unless nothing is left."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        out.append((a, b))


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, without its newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _en_line_joins(prev: str, nxt: str) -> bool:
    """Does an English sentence run on across the line break between `prev` and `nxt`?

    The rule: a single newline inside a paragraph ends a segment (so title, byline and
    date lines written one under another stay separate), EXCEPT when it looks like a
    line break of wrapped prose:
      - the next line starts with a lower-case letter; or
      - the line before ends with sentence punctuation (.!? or …, maybe followed by
        closing quotes): the ordinary sentence rules decide (so `Mr.` at a line end
        does not end the sentence); or
      - the line before ends with a character that cannot end a sentence
        (, ; : - – — / & or an opening bracket), or its last word starts with a
        lower-case letter (`...met the` / `New York`).
    """
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev or not nxt:
        return False
    if nxt[0].islower():
        return True
    if _EN_LINE_END.search(prev):
        return True
    if prev[-1] in ",;:-\u2013\u2014/&([{\u201c\u2018":
        return True
    last_word = prev.split()[-1].lstrip(_OPENERS)
    return bool(last_word) and last_word[0].islower()


def _en_is_abbreviation(text: str, dot: int) -> bool:
    """Is the full stop at `dot` part of an abbreviation or an initial (`Mr.`, `U.S.`, `J.`)?"""
    i = dot
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    token = text[i:dot].lstrip(_OPENERS)
    if not token:
        return False
    if token in EN_ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isalpha() and token.isupper():
        return True  # an initial: J. K. Rowling
    return bool(_DOTTED.fullmatch(token))  # U.S. e.g. i.e. a.m. Ph.D-like acronyms


def _split_en_run(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    """Sentences of text[a:b], a run of lines that belong together (newlines = spaces)."""
    start = a
    for m in _EN_END.finditer(text, a, b):
        end = m.end()
        j = end
        while j < b and text[j].isspace():
            j += 1
        if j < b:
            nxt = text[j]
            # A sentence goes on when the next word is lower case (`e.g. this`, `Help!" he
            # said`, an ellipsis mid-sentence) or starts with continuing punctuation.
            if nxt.islower() or nxt in ",;:":
                continue
            punct = m.group().rstrip(_EN_CLOSERS)
            if punct == "." and _en_is_abbreviation(text, m.start()):
                continue
        _trimmed(text, start, end, out)
        start = end
    _trimmed(text, start, b, out)


def _split_en(text: str, out: list[tuple[int, int]]) -> None:
    lines = _lines(text)
    run_start = None
    prev_line = None
    for a, b in lines:
        line = text[a:b]
        if not line.strip():  # a blank line always ends the run
            if run_start is not None:
                _split_en_run(text, run_start, prev_line[1], out)
            run_start, prev_line = None, None
            continue
        if run_start is not None and not _en_line_joins(text[prev_line[0]:prev_line[1]], line):
            _split_en_run(text, run_start, prev_line[1], out)
            run_start = None
        if run_start is None:
            run_start = a
        prev_line = (a, b)
    if run_start is not None:
        _split_en_run(text, run_start, prev_line[1], out)


def _split_zh_line(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    """Sentences of one line of Chinese.

    Ends: 。！？ (and runs of them, `！？`), …… , half-width ! ? (not inside a Latin word
    such as `Yahoo!Inc`), a half-width . between Chinese characters (`了.我`), and ；
    only where a space or the line end follows it: ；joins the clauses of one sentence
    (like English `;`), so it ends a segment only in lists of items. Closing quotes and
    brackets after an end stay with the sentence (`。”`, `！）`). A 。 inside a quotation
    does end a sentence; the closing quote goes with the last one. A quotation ending in
    。！？ followed by a short speech tag (`“走吧！”他说。`) stays one sentence.
    """
    start = a
    last = b  # end of the line's text, without trailing whitespace
    while last > a and text[last - 1].isspace():
        last -= 1
    for m in _ZH_END.finditer(text, a, b):
        end = m.end()
        run = m.group()
        punct = run.rstrip(_ZH_CLOSERS)
        closers = run[len(punct):]
        if end < last:  # not at the line end: is it an end here?
            nxt = text[end]
            prev = text[m.start() - 1] if m.start() > a else ""
            if any(c in _ZH_STRONG for c in punct):
                pass
            elif set(punct) <= {"!", "?"}:
                if nxt.isascii() and nxt.isalnum():
                    continue
            elif set(punct) <= {"."}:
                if not (HAN_RE.match(prev) and (nxt.isspace() or HAN_RE.match(nxt))):
                    continue  # 3.5, www.example.com, an English abbreviation
            else:  # contains ；, possibly mixed with ! ? .
                if not nxt.isspace():
                    continue
            if closers and any(c in _ZH_QUOTES_CLOSE for c in closers) \
                    and _ZH_SPEECH_TAG.match(text, end, b):
                continue
        _trimmed(text, start, end, out)
        start = end
    _trimmed(text, start, b, out)


def _split_zh(text: str, out: list[tuple[int, int]]) -> None:
    # Chinese prose is not hard-wrapped: every line break is a boundary.
    for a, b in _lines(text):
        _split_zh_line(text, a, b, out)


def split_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, a paragraph-like chunk.

    `lang` "zh" (or "zh-...") uses the Chinese rules, anything else the English ones.
    No segment is empty or whitespace-only, and none includes surrounding whitespace.

    English: a sentence ends at . ! ? … (with any closing quotes/brackets after them,
    `democratic.”`) followed by whitespace or the end, when the next word does not
    start with a lower-case letter (so `e.g. this`, `"Help!" he said` and a mid-sentence
    `...` go on) and, for a single full stop, the word before it is not an abbreviation
    (EN_ABBREVIATIONS: Mr. Dr. St. Inc. Jan. ... etc. vs.), a single capital initial
    (J. K. Rowling) or a dotted acronym (U.S. e.g. i.e.). 3.5 never splits (no space).
    Line breaks: see `_en_line_joins` -- a newline ends a segment unless the lines read
    as wrapped prose (next line lower case, or the line before ends mid-sentence).

    Chinese: see `_split_zh_line`; every line break is a boundary.
    """
    out: list[tuple[int, int]] = []
    if _is_lang_zh(lang):
        _split_zh(text, out)
    else:
        _split_en(text, out)
    return out


# --- Documents ------------------------------------------------------------------------

def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph content spans of `text`: Markdown markers left out, blank lines between.

    A block is a run of non-blank lines; a heading is a block of its own; a list item
    starts a new block; a thematic break ends one.
    """
    blocks: list[tuple[int, int]] = []
    cur: list[int] | None = None  # [content start, content end]

    def close() -> None:
        nonlocal cur
        if cur is not None and cur[0] < cur[1]:
            blocks.append((cur[0], cur[1]))
        cur = None

    fence = ""  # the open code fence, if any
    for a, b in _lines(text):
        line = text[a:b]
        if fence:
            if line.strip(" \t") and set(line.strip(" \t")) == {fence[0]} \
                    and len(line.strip(" \t")) >= len(fence) and len(line) - len(line.lstrip(" ")) <= 3:
                fence = ""  # the closing fence
            continue
        m = _FENCE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):
            close()
            fence = m.group(1)
            continue
        if not line.strip():
            close()
            continue
        if _TABLE_ROW.match(line):
            close()
            if not _TABLE_DELIMITER.fullmatch(line):
                cells = [m.end() for m in _TABLE_PIPE.finditer(line)]
                bounds = [0, *cells, len(line)]
                for lo, hi in zip(bounds, bounds[1:]):
                    cell = line[lo:hi].rstrip("|")
                    if cell.strip():
                        start = lo + len(cell) - len(cell.lstrip())
                        blocks.append((a + start, a + len(cell.rstrip()) + lo))
            continue
        if _RULE.fullmatch(line):
            close()
            continue
        m = _HEADING.match(line)
        if m:
            close()
            if m.end() < len(line):
                blocks.append((a + m.end(), b))
            continue
        m = _LIST_ITEM.match(line)
        if m:
            close()
            cur = [a + m.end(), b]
            continue
        if cur is None:
            cur = [a, b]
        else:
            cur[1] = b
    close()
    return blocks


def segment(doc: Document, presplit: bool = False) -> Document:
    """Fill `doc.segments` (ids 0.. in text order) and return `doc`.

    Sentences of each paragraph (see the module docstring for paragraphs and Markdown),
    with `paragraph` the index of the paragraph (0..). With `presplit`, the text is
    already one sentence per line: one segment per non-blank line, stripped of the
    whitespace around it, and `paragraph` is the index of the blank-line-separated block
    the line is in; Markdown markers are then kept as text.

    Offsets are into `doc.text`; joining the segments with the text between them gives
    back `doc.text` exactly.
    """
    doc.segments = []
    text = doc.text
    if presplit:
        para = 0
        in_block = False
        for a, b in _lines(text):
            spans: list[tuple[int, int]] = []
            _trimmed(text, a, b, spans)
            if not spans:
                if in_block:
                    para += 1
                in_block = False
                continue
            in_block = True
            doc.add_segment(spans[0][0], spans[0][1], para)
        return doc
    para = 0
    for a, b in _blocks(text):
        spans = split_sentences(text[a:b], doc.lang)
        if not spans:
            continue
        for s, e in spans:
            doc.add_segment(a + s, a + e, para)
        para += 1
    return doc


def segment_text(text: str, lang: str, presplit: bool = False, path: str | None = None) -> Document:
    """A segmented Document from a string (text already decoded, with LF line ends)."""
    return segment(Document(lang=lang, text=text, path=path), presplit=presplit)
