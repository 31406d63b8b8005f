"""Markdown as a document to translate: its blocks as aligner.segment finds them, and the
inline syntax inside a block as inline codes.

* links `[text](url "title")` are pair codes: the text is translated, the URL and title are
  written back as they were, around the words the link text became;
* emphasis (`*`, `**`, `_`, `__`, `~~`) is a pair code: the markers survive, around the right
  words (in Chinese, `_` markers are written as `*`: CommonMark does not read `_` inside a
  word, and Chinese has no spaces around words);
* images `![alt](src "title")`: the alt text is translated, a pair code writes `![` and
  `](src "title")` back around it, the source and title untouched; an image inside a
  sentence has its alt text translated with the sentence, one alone in its block is a
  segment of its own;
* code spans, autolinks `<https://...>`, inline HTML tags, bare URLs and e-mail addresses
  are atoms: never translated, written back verbatim;
* a block quote's `> ` is kept: the paragraph is written on its first line's marker (a
  wrapped paragraph comes out as one line, which Markdown reads the same);
* headings, list markers, tables, fences and code blocks stay where they are
  (`aligner.segment`), and so does every byte between blocks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aligner.documents import finish_document, placed_paragraphs
from aligner.formats.base import Format
from aligner.documents.codes import Builder, Node, Paragraph
from aligner.io.atomic import atomic_write_bytes

_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
_TOKEN = re.compile(
    r"(?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<image>!\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"]*\")?\))"
    r"|(?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>)"
    r"|(?P<html></?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<linkopen>\[)(?=[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"]*\")?\))"
    r"|(?P<linkclose>\]\((?P<dest>[^)\s]*(?:\s+\"[^\"]*\")?)\))"
    r"|(?P<escape>\\[\\`*_{}\[\]()#+\-.!~|<>])"
    r"|(?P<delim>\*{1,3}|_{1,3}|~~)")


def parse_inline(text: str) -> tuple[Paragraph, str]:
    """A Markdown block's text as a Paragraph (codes for the inline syntax) and the block
    quote marker of its first line ("" when none)."""
    lines = text.split("\n")
    marker = ""
    m = _QUOTE.match(lines[0])
    if m and ">" in m.group(0):
        marker = m.group(0)
    stripped = []
    for i, line in enumerate(lines):
        q = _QUOTE.match(line)
        if q and ">" in q.group(0):
            line = line[q.end():]
        stripped.append(line.strip() if i else line.rstrip())
    body = " ".join(s for s in stripped)
    tokens = list(_TOKEN.finditer(body))
    # which delimiters pair up: an opener followed by a non-space, a closer after a non-space
    pairs: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    link_stack: list[int] = []
    for i, t in enumerate(tokens):
        kind = next(k for k in ("code", "image", "autolink", "html", "linkopen", "linkclose", "escape", "delim")
                    if t.group(k) is not None)
        if kind == "linkopen":
            link_stack.append(i)
        elif kind == "linkclose" and link_stack:
            pairs[link_stack.pop()] = i
        elif kind == "delim":
            d = t.group(0)
            before = body[t.start() - 1] if t.start() else " "
            after = body[t.end()] if t.end() < len(body) else " "
            if d[0] == "_" and before.isalnum() and after.isalnum():
                continue  # snake_case, not emphasis
            can_close = not before.isspace()
            can_open = not after.isspace()
            j = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == d), None)
            if can_close and j is not None:
                pairs[stack[j][1]] = i
                del stack[j:]
            elif can_open:
                stack.append((d, i))
    closers = {v: k for k, v in pairs.items()}
    b = Builder()
    pos = 0
    for i, t in enumerate(tokens):
        kind = next(k for k in ("code", "image", "autolink", "html", "linkopen", "linkclose", "escape", "delim")
                    if t.group(k) is not None)
        if kind in ("linkopen", "linkclose", "delim") and i not in pairs and i not in closers:
            continue  # an unpaired marker is text
        b.text(body[pos:t.start()])
        pos = t.end()
        if kind == "image":
            # the alt text is translated (what a screen reader says, what shows when the image
            # does not load); `![`, `](src "title")` are written back around it as they were
            alt_end = t.group(0).index("](")
            b.open(("![", t.group(0)[alt_end:]))
            b.text(t.group(0)[2:alt_end])
            b.close()
        elif kind in ("code", "autolink", "html"):
            b.atom(None, t.group(0))
        elif kind == "escape":
            b.atom(None, t.group(0))
        elif i in pairs:
            close = tokens[pairs[i]]
            b.open((t.group(0), close.group(0)))
        else:
            b.close()
    b.text(body[pos:])
    return b.build(), marker


def serialize(node: Node, tgt_lang: str) -> str:
    zh = tgt_lang.startswith("zh")
    out: list[str] = []

    def visit(n: Node) -> None:
        for child in n.children:
            if isinstance(child, str):
                out.append(child)
            elif child.code.is_atom:
                out.append(child.text())
            else:
                opener, closer = child.code.data
                if zh and opener[0] == "_":
                    opener, closer = "*" * len(opener), "*" * len(closer)
                out.append(opener)
                visit(child)
                out.append(closer)
    visit(node)
    return "".join(out)


class MarkdownFormat(Format):
    name = "markdown"
    extensions = (".md", ".markdown")
    mime_types = ("text/markdown",)
    description = "Markdown text"

    def read_document(self, path: str | Path, *, lang: str | None = None, **options: Any):
        from aligner.io.text import read_document

        plain = read_document(path, lang, encoding=options.get("encoding"))  # decoded, language known, blocks found
        blocks: list[list[int]] = []
        for s in plain.segments:
            if blocks and blocks[-1][2] == s.paragraph:
                blocks[-1][1] = s.end
            else:
                blocks.append([s.start, s.end, s.paragraph])
        paragraphs: list[Paragraph] = []
        for a, b, _ in blocks:
            par, marker = parse_inline(plain.text[a:b])
            par.data = (a, b, marker)
            paragraphs.append(par)
        return finish_document(paragraphs, plain.lang, str(path), {"text": plain.text}, self.name)

    def write_document(self, doc, translations, dest, *, tgt_lang: str, **options: Any) -> None:
        atomic_write_bytes(dest, self.render(doc, translations, tgt_lang).encode("utf-8"))

    def render(self, doc, translations, tgt_lang: str) -> str:
        text = doc.layout["text"]
        placed = placed_paragraphs(doc, translations, tgt_lang)
        out: list[str] = []
        pos = 0
        for par, pl in zip(doc.paragraphs, placed):
            a, b, marker = par.data
            out.append(text[pos:a])
            out.append(marker + serialize(pl.tree(), tgt_lang) if pl is not None else text[a:b])
            pos = b
        out.append(text[pos:])
        return "".join(out)
