"""What the bitext formats share: language tags, characters a format cannot carry (and
how a reader restores them), and the name a bitext goes by in a file.
"""

from __future__ import annotations

import re

from aligner.model import Bitext

# Language tags as CAT tools expect them (TMX xml:lang, XLIFF source-/target-language):
# Chinese bitexts are Simplified Chinese as used in mainland China.
LANG_TAGS = {"zh": "zh-CN", "en": "en"}


def lang_tag(lang: str) -> str:
    return LANG_TAGS.get(lang, lang)


def base_lang(tag: str | None) -> str:
    """"zh" from zh-CN / zh_Hans / ZH; "" for None."""
    return re.split(r"[-_]", (tag or "").strip().lower(), maxsplit=1)[0]


# --- characters -----------------------------------------------------------------------

# XML 1.0 `Char`: tab, LF, CR, and everything from U+0020 except surrogates, U+FFFE, U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
CONTROL_NOTE_PREFIX = "aligner: characters XML cannot carry are shown as U+FFFD:"
_CONTROL_ITEM = re.compile(r"(source|target) U\+([0-9A-F]{4,6}) at (\d+)")


def xml_safe(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` with every character XML 1.0 cannot carry (most C0 controls, lone
    surrogates, U+FFFE/U+FFFF) replaced by U+FFFD, and the (offset, code point) of each.

    Nothing is dropped: the positions go into a note, from which `aligner import`
    restores the original characters."""
    found = [(m.start(), ord(m.group())) for m in _NOT_XML.finditer(text)]
    if not found:
        return text, []
    return _NOT_XML.sub(REPLACEMENT, text), found


def control_note(src: list[tuple[int, int]], tgt: list[tuple[int, int]]) -> str | None:
    items = [f"source U+{cp:04X} at {pos}" for pos, cp in src]
    items += [f"target U+{cp:04X} at {pos}" for pos, cp in tgt]
    return f"{CONTROL_NOTE_PREFIX} {', '.join(items)}" if items else None


def restore_controls(note: str, source: str, target: str) -> tuple[str, str]:
    """Undo `xml_safe` using a note written by `control_note`."""
    sides = {"source": list(source), "target": list(target)}
    for side, cp, pos in _CONTROL_ITEM.findall(note):
        chars, i = sides[side], int(pos)
        if i < len(chars) and chars[i] == REPLACEMENT:
            chars[i] = chr(int(cp, 16))
    return "".join(sides["source"]), "".join(sides["target"])


def visible_controls(text: str) -> str:
    """For documents people read (HTML, DOCX): C0 controls as their Unicode control
    pictures (U+0007 -> U+2407), other characters XML cannot hold as U+FFFD."""
    def repl(m: re.Match) -> str:
        cp = ord(m.group())
        if cp < 0x20:
            return chr(0x2400 + cp)
        return REPLACEMENT
    return _NOT_XML.sub(repl, text).replace("\x7f", "\u2421")



# --- names ---------------------------------------------------------------------------

def document_name(bitext: Bitext, index: int) -> str:
    return bitext.source.name if bitext.source.path else f"bitext {index + 1}"
