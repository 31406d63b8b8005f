"""What the bitext formats share: language tags, characters a format cannot carry (and
how a reader restores them), and the name a bitext goes by in a file.
"""

from __future__ import annotations

import re

from aligner.model import Bitext

# Language tags as CAT tools expect them (TMX xml:lang, XLIFF source-/target-language):
# Chinese bitexts are Simplified Chinese as used in mainland China.
LANG_TAGS = {"zh": "zh-CN", "en": "en"}


# A BCP 47 language tag as CAT tools use them: language, optional script (Hans, Hant),
# optional region (CN, TW, HK, SG, 419), optional variants/extensions.
_BCP47 = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?((?:-[A-Za-z0-9]{1,8})*)$")


def lang_tag(lang: str) -> str:
    return LANG_TAGS.get(lang, lang)


def normalize_tag(tag: str, *, what: str = "language tag") -> str:
    """`tag` as a BCP 47 tag in its usual case ("zh_tw" -> "zh-TW", "ZH-hant" -> "zh-Hant");
    ValueError for something that is not one."""
    m = _BCP47.match((tag or "").strip().replace("_", "-"))
    if not m:
        raise ValueError(f"{tag!r} is not a BCP 47 {what} (examples: en, en-US, zh-CN, zh-TW, zh-Hant)")
    lang, script, region, rest = m.groups()
    out = lang.lower()
    if script:
        out += "-" + script.title()
    if region:
        out += "-" + region.upper()
    return out + rest.lower()


def tag_overrides(tags) -> dict[str, str]:
    """{"zh": "zh-TW", ...} from what a user gave (--lang-tag zh-TW --lang-tag en-GB, or a
    dict): each tag replaces the default tag of its base language."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        tags = tags.values()
    if isinstance(tags, str):
        tags = [tags]
    out = {}
    for t in tags:
        norm = normalize_tag(t)
        out[base_lang(norm)] = norm
    return out


def bitext_tags(bitext: Bitext, overrides=None) -> tuple[str, str]:
    """The language tags to write for a bitext's source and target: the user's (overrides,
    by base language), else the tags the bitext keeps from its input (meta["lang_tags"],
    e.g. zh-TW from an imported TMX), else the defaults (en, zh-CN). The model's `lang`
    stays the base language ("zh") either way."""
    over = tag_overrides(overrides)
    kept = bitext.meta.get("lang_tags") if isinstance(bitext.meta.get("lang_tags"), dict) else {}
    out = []
    for side, lang in (("source", bitext.src_lang), ("target", bitext.tgt_lang)):
        tag = over.get(lang)
        if tag is None:
            k = kept.get(side)
            tag = k if isinstance(k, str) and base_lang(k) == lang and _BCP47.match(k) else lang_tag(lang)
        out.append(tag)
    return out[0], out[1]


def keep_tags(bitext: Bitext, src_tag: str | None, tgt_tag: str | None) -> None:
    """Record the input's language tags in the bitext's meta when they say more than the
    base language (zh-TW, zh-Hant, en-GB), so that exports write them again."""
    tags = {}
    for side, tag, lang in (("source", src_tag, bitext.src_lang), ("target", tgt_tag, bitext.tgt_lang)):
        if not tag:
            continue
        try:
            norm = normalize_tag(tag)
        except ValueError:
            continue
        if base_lang(norm) == lang and norm != lang:
            tags[side] = norm
    if tags:
        bitext.meta["lang_tags"] = tags


def keep_script_tags(bitext: Bitext) -> None:
    """Record zh-Hant for a side written in Traditional characters (unless the bitext already
    keeps a tag for it), so that exports do not call a Traditional text zh-CN."""
    from aligner.text.language import chinese_script_tag

    kept = dict(bitext.meta.get("lang_tags") or {})
    for side, doc in (("source", bitext.source), ("target", bitext.target)):
        if doc.lang == "zh" and side not in kept:
            tag = chinese_script_tag(doc.text)
            if tag:
                kept[side] = tag
    if kept:
        bitext.meta["lang_tags"] = kept


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
