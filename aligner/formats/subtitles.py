"""Subtitles: SubRip (.srt) and WebVTT (.vtt) as documents to translate.

Each cue's text lines are joined (a space in English, nothing in Chinese) and segmented as
one paragraph, so a sentence wrapped over two or three lines is one segment; the
translation is wrapped again into balanced lines of at most `LINE_LIMITS` characters
(42 for English, 16 for Chinese, the usual broadcast limits). Cue numbers, identifiers,
timings and their settings, the WEBVTT header, NOTE, STYLE and REGION blocks are written
back unchanged, with the file's line ends. Inline tags (<i>, <b>, <u>, <font ...>, WebVTT
<c.class>, <v Speaker>, <ruby>, timestamps, SubRip {\\an8} overrides) are inline codes: they
land around the words they held.

A sentence that runs on into the next cue (a cue whose text does not end with . ! ? 。！？,
or ends with an ellipsis) is one segment with it, up to MAX_CUES cues: the cues' texts are
one paragraph, with a *cue boundary* atom between them, and the model translates the whole
sentence. The translation is distributed back over the cues where the attention puts each
boundary (after the target words of the source words before it, as for any atom); the
timings stay as they were. Fallback: without attention the boundary goes in proportion to
where it was in the source (at a word boundary in English), and when a cue would come out
empty it is done that way too, so every cue keeps some text. A tag cut by a boundary is
closed at the end of its cue and opened again in the next.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from aligner.documents import finish_document, placed_paragraphs
from aligner.errors import InputError
from aligner.formats.base import Format
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes

LINE_LIMITS = {"en": 42, "zh": 16}
#: At most this many cues are joined into one sentence (a cue without final punctuation
#: may simply be a caption, and a run-on caption track must not become one huge segment).
MAX_CUES = 4
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!?。！？][\"”’)\]」』]*$")
_TIMING = re.compile(r"^\s*\d{1,3}(?::\d{2}){1,2}[,.]\d{1,3}\s+-->\s+\d{1,3}(?::\d{2}){1,2}[,.]\d{1,3}")
_TAG = re.compile(r"<(/?)([A-Za-z][\w]*)((?:\.[\w-]+)*)((?:\s[^>]*)?)>|<\d[\d:.]*>|\{\\[^}]*\}")
_NO_BREAK_BEFORE = set("，。！？、；：”’）》」』,.!?;:)]")


def parse_cue_text(text: str) -> Paragraph:
    """A cue's text (lines already joined) with its tags as inline codes."""
    b = Builder()
    stack: list[str] = []
    pos = 0
    tokens = list(_TAG.finditer(text))
    # tags that close in order are pairs; any other tag is an atom
    closes = {}
    opened: list[tuple[str, int]] = []
    for i, m in enumerate(tokens):
        if m.group(2) is None:
            continue
        name = m.group(2).lower()
        if not m.group(1):
            opened.append((name, i))
        elif opened and opened[-1][0] == name:
            closes[opened.pop()[1]] = i
    pair_close = set(closes.values())
    for i, m in enumerate(tokens):
        b.text(text[pos:m.start()])
        pos = m.end()
        if i in closes:
            b.open((m.group(0), f"</{m.group(2)}>"))
            stack.append(m.group(2))
        elif i in pair_close:
            b.close()
            stack.pop()
        else:
            b.atom(("tag", m.group(0)))
    b.text(text[pos:])
    return b.build(data=None)


class _Subtitles(Format):
    binary = True
    separator_line = ""

    def _blocks(self, text: str) -> tuple[list[str], list[str]]:
        """The blocks of the file and the blank-line runs between them (kept as they are)."""
        parts = re.split(r"(\n(?:[ \t]*\n)+)", text)
        return parts[0::2], parts[1::2]

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        from aligner.io.text import decode_bytes

        where = str(path)
        self._where = where
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror or e}", path=where) from None
        text = decode_bytes(data, where, options.get("encoding"))
        crlf = b"\r\n" in data
        bom = data.startswith(b"\xef\xbb\xbf")
        body_text = text.rstrip("\n")
        blocks, seps = self._blocks(body_text)
        layout = {"blocks": [], "seps": seps, "end": text[len(body_text):], "crlf": crlf, "bom": bom}
        cues: list[tuple[int, str]] = []  # (block index, the cue's joined text)
        line_no = 1
        for k, block in enumerate(blocks):
            lines = block.split("\n")
            t = next((i for i, ln in enumerate(lines) if _TIMING.match(ln)), None)
            if t is None or self._not_cue(lines, t):
                layout["blocks"].append((block, None))
                self._check_block(lines, t, where, line_no, k)
            else:
                head, body = lines[:t + 1], [ln for ln in lines[t + 1:]]
                joined = self._join([ln.strip() for ln in body if ln.strip()], lang)
                cues.append((len(layout["blocks"]), joined))
                layout["blocks"].append((head, body))
            line_no += block.count("\n") + (seps[k].count("\n") if k < len(seps) else 1)
        paragraphs = [self._paragraph(group, lang) for group in _sentence_groups(cues)]
        return finish_document(paragraphs, lang, where, layout, self.name)

    def _paragraph(self, group: list[tuple[int, str]], lang: str | None) -> Paragraph:
        """One paragraph of cues (usually one), with a cue-boundary atom between two cues."""
        if len(group) == 1:
            par = parse_cue_text(group[0][1])
        else:
            sep = self._join(["a", "b"], lang if lang else _guess(" ".join(t for _, t in group)))[1:-1]
            par = _concat([parse_cue_text(t) for _, t in group], sep)
        par.data = [k for k, _ in group]
        return par

    def _join(self, lines: list[str], lang: str | None) -> str:
        if lang is None:  # not known yet: Chinese lines join without a space
            zh = sum(1 for ch in "".join(lines) if "\u4e00" <= ch <= "\u9fff")
            lang = "zh" if zh * 2 > len("".join(lines)) else "en"
        return ("" if lang.startswith("zh") else " ").join(lines)

    def _not_cue(self, lines: list[str], t: int) -> bool:
        return False

    def _check_block(self, lines, t, where, line_no, k) -> None:
        pass

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        data = self.render(doc, translations, tgt_lang)
        if isinstance(dest, (str, Path)):
            atomic_write_bytes(dest, data)
        else:
            dest.write(data)

    def render(self, doc, translations, tgt_lang: str) -> bytes:
        layout = doc.layout
        placed = placed_paragraphs(doc, translations, tgt_lang)
        blocks: list[str] = []
        cue_text: dict[int, str] = {}
        k = 0
        for par, spans, pl in zip(doc.paragraphs, doc.spans, placed):
            first, k = k, k + len(spans)
            if pl is None:
                continue
            if len(par.data) == 1:
                cue_text[par.data[0]] = serialize(pl.tree(), wrap_points(pl.text, tgt_lang), tgt_lang)
                continue
            pieces = split_cues(pl.tree(), len(par.data))
            if any(not p.text().strip() for p in pieces):  # a cue would be empty: in proportion
                from aligner.documents import _as_pair
                from aligner.documents.codes import place_paragraph

                texts = [_as_pair(t)[0] for t in translations[first:k]]
                pieces = split_cues(place_paragraph(par, spans, texts, None, doc.lang, tgt_lang).tree(),
                                    len(par.data))
            for block, piece in zip(par.data, pieces):
                text = piece.text()
                lead = len(text) - len(text.lstrip())
                breaks = [b for b in wrap_points(text.strip(), tgt_lang)]
                cue_text[block] = serialize(piece, [b + lead for b in breaks], tgt_lang).strip()
        for k, (head, body) in enumerate(layout["blocks"]):
            if body is None:
                blocks.append(head)
            elif k in cue_text:
                blocks.append("\n".join(head + [cue_text[k]]))
            else:
                blocks.append("\n".join(head + body))
        seps = layout["seps"]
        text = "".join(b + (seps[k] if k < len(seps) else "") for k, b in enumerate(blocks)) + layout["end"]
        if layout["crlf"]:
            text = text.replace("\n", "\r\n")
        return (b"\xef\xbb\xbf" if layout["bom"] else b"") + text.encode("utf-8")


def _guess(text: str) -> str:
    zh = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh" if zh * 2 > len(text) else "en"


def _sentence_groups(cues: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Consecutive cues joined where a sentence runs on (see the module), MAX_CUES at most."""
    groups: list[list[tuple[int, str]]] = []
    for k, text in cues:
        prev = groups[-1] if groups else None
        if prev is not None and prev[-1][0] == k - 1 and len(prev) < MAX_CUES \
                and _TAG.sub("", prev[-1][1]).strip() and _TAG.sub("", text).strip() \
                and not _SENTENCE_END.search(_TAG.sub("", prev[-1][1]).rstrip()):
            prev.append((k, text))
        else:
            groups.append([(k, text)])
    return groups


def _concat(pars: list[Paragraph], sep: str) -> Paragraph:
    """The cues' paragraphs as one, a cue-boundary atom (literal `sep`) between two."""
    from aligner.documents.codes import Code

    text = ""
    codes: list[Code] = []
    for n, par in enumerate(pars):
        if n:
            codes.append(Code("atom", len(text), len(text) + len(sep), ("cue", n), None, len(codes), floating=True))
            text += sep
        copies: dict[int, Code] = {}
        for c in par.codes:
            new = Code(c.kind, c.start + len(text), c.end + len(text), c.data,
                       copies.get(id(c.parent)) if c.parent is not None else None, len(codes))
            copies[id(c)] = new
            codes.append(new)
        text += par.text
    return Paragraph(text, codes)


def split_cues(node: Node, count: int) -> list[Node]:
    """A placed paragraph of `count` cues cut at its cue-boundary atoms: one tree per cue; a
    tag cut by a boundary is closed before it and opened again after it."""
    def is_cue(child) -> bool:
        return not isinstance(child, str) and child.code.is_atom and isinstance(child.code.data, tuple) \
            and child.code.data[0] == "cue"

    def split(n: Node) -> list[list]:
        pieces: list[list] = [[]]
        for child in n.children:
            if is_cue(child):
                pieces.append([])
            elif isinstance(child, str) or child.code.is_atom:
                pieces[-1].append(child)
            else:
                parts = split(child)
                for i, part in enumerate(parts):
                    if i:
                        pieces.append([])
                    if part or (not i and not any(parts)):  # an empty tag stays, once
                        pieces[-1].append(Node(child.code, part))
        return pieces

    def trim(n: Node, last: bool) -> None:  # the space at the cut, inside a tag or not
        kids = n.children
        for i in (range(len(kids) - 1, -1, -1) if last else range(len(kids))):
            child = kids[i]
            if isinstance(child, str):
                kids[i] = child.rstrip() if last else child.lstrip()
                if kids[i]:
                    return
            elif child.code.is_atom:
                return
            else:
                trim(child, last)
                if child.text():
                    return

    pieces = [Node(None, p) for p in split(node)]
    for p in pieces:
        trim(p, False)
        trim(p, True)
    while len(pieces) < count:  # a boundary the placement lost (never expected): empty cues
        pieces.append(Node(None, []))
    if len(pieces) > count:
        pieces[count - 1:] = [Node(None, [c for p in pieces[count - 1:] for c in p.children])]
    return pieces


def wrap_points(text: str, lang: str) -> list[int]:
    """Where to break `text` into balanced lines of at most LINE_LIMITS[lang] characters: in
    English at spaces (the space becomes the line break), in Chinese between characters
    but never before closing punctuation."""
    zh = lang.startswith("zh")
    limit = LINE_LIMITS["zh" if zh else "en"]
    n = len(text)
    if n <= limit:
        return []
    lines = math.ceil(n / limit)
    if zh:
        candidates = [k for k in range(1, n) if text[k] not in _NO_BREAK_BEFORE]
    else:
        candidates = [k for k in range(1, n) if text[k] == " "]
    points: list[int] = []
    for i in range(1, lines):
        want = round(n * i / lines)
        options = [k for k in candidates if (not points or k > points[-1])]
        if not options:
            break
        points.append(min(options, key=lambda k: abs(k - want)))
    return points


def serialize(node: Node, breaks: list[int], lang: str) -> str:
    """A placed cue as subtitle text: tags written back around their words, a line break at
    each of `breaks` (offsets into the visible text)."""
    zh = lang.startswith("zh")
    out: list[str] = []
    pos = 0
    cut = set(breaks)

    def visit(n: Node) -> None:
        nonlocal pos
        for child in n.children:
            if isinstance(child, str):
                for ch in child:
                    if pos in cut:
                        if zh:
                            out.append("\n")
                            out.append(ch)
                        else:
                            out.append("\n" if ch == " " else " \n" + ch)
                    else:
                        out.append(ch)
                    pos += 1
                continue
            data = child.code.data
            if child.code.is_atom:
                if data is None:
                    visit(child)
                else:
                    out.append(data[1])
                    pos += len(child.text())
                continue
            out.append(data[0])
            visit(child)
            out.append(data[1])
    visit(node)
    return "\n".join(line.rstrip() for line in "".join(out).split("\n"))


class SrtFormat(_Subtitles):
    name = "srt"
    extensions = (".srt",)
    mime_types = ("application/x-subrip",)
    description = "SubRip subtitles"

    def _check_block(self, lines, t, where, line_no, k) -> None:
        if any(ln.strip() for ln in lines):
            raise InputError("a block without a timing line (00:00:01,000 --> 00:00:02,000)",
                             path=where, line=line_no, hint="Check that it is a SubRip (.srt) file.")


class VttFormat(_Subtitles):
    name = "vtt"
    extensions = (".vtt",)
    mime_types = ("text/vtt",)
    description = "WebVTT subtitles"

    def _blocks(self, text: str) -> tuple[list[str], list[str]]:
        if not text.lstrip("\ufeff").startswith("WEBVTT"):
            raise InputError("a WebVTT file starts with the line WEBVTT", path=self._where, line=1,
                             hint="Check that it is a WebVTT (.vtt) file (SubRip files end in .srt).")
        return super()._blocks(text)

    def _not_cue(self, lines: list[str], t: int) -> bool:
        first = lines[0].strip()
        return first.startswith(("WEBVTT", "NOTE", "STYLE", "REGION"))

    def _check_block(self, lines, t, where, line_no, k) -> None:
        if k == 0 and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
            raise InputError("a WebVTT file starts with the line WEBVTT", path=where, line=1,
                             hint="Check that it is a WebVTT (.vtt) file.")
