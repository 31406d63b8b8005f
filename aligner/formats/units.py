"""Translation memories: files of translation units (TMX, XLIFF, TSV, CSV) read into a bitext.

A memory format implements `_parse_units(data, name, src_lang, tgt_lang) -> Memory`;
`UnitFormat` gives it `read_units` (the units, as the translation memory store wants
them) and `read_bitexts` (one bitext whose beads have origin "import", for `glossary
check` and `glossary extract`). Each translation unit becomes one bead: 1-1, or 1-0 /
0-1 when one side is empty; a unit with neither language is skipped and counted
(bitext.meta["import"]["skipped"]).

Languages come from the caller (--from/--to), else from the file, else from the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aligner.errors import InputError
from aligner.formats.base import Format, read_source
from aligner.formats.common import keep_tags, tag_overrides
from aligner.io.text import detect_language, normalize_lang
from aligner.model import Bead, Bitext, Document

@dataclass
class Unit:
    source: str
    target: str
    score: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class Memory:
    units: list[Unit]
    src_lang: str | None = None  # as the file says (a tag such as zh-CN), or None
    tgt_lang: str | None = None
    # The language tags the file writes on its segments ({"source": "zh-TW", ...}), kept
    # in the bitext's meta so that an export writes them again.
    tags: dict[str, str] = field(default_factory=dict)
    # Units a CAT tool marks as not to translate (XLIFF translate="no", PO header units).
    not_translatable: int = 0


class UnitFormat(Format):
    """A format whose files are translation units."""

    def read_units(self, data: bytes, name: str, src_lang: str | None = None,
                   tgt_lang: str | None = None) -> Memory:
        """The translation units of a file's bytes; InputError for empty, malformed or
        hostile files, naming `name` and the line."""
        if not data.strip():
            raise InputError("empty file", path=name, hint="Check that you gave the right file.")
        return self._parse_units(data, name, src_lang, tgt_lang)

    def _parse_units(self, data: bytes, name: str, src_lang: str | None, tgt_lang: str | None) -> Memory:
        raise NotImplementedError

    def read_bitexts(self, source: str | Path | bytes, *, name: str | None = None, src_lang: str | None = None,
                     tgt_lang: str | None = None, **options: Any) -> list[Bitext]:
        data, label, doc_path = read_source(source, name, "a translation memory file")
        memory = self.read_units(data, label, src_lang, tgt_lang)
        return [units_to_bitext(memory, label, doc_path, self.name, options.get("lang_tags"))]


def _language(tag: str | None, texts: list[str], name: str, which: str) -> str:
    if tag:
        return normalize_lang(tag, path=name)
    sample = "\n".join(t for t in texts[:2000] if t)
    if not sample.strip():
        raise InputError(f"cannot tell the {which} language: the {which} column is empty", path=name,
                         hint=f"Pass --{'from' if which == 'source' else 'to'} en or zh.")
    return detect_language(sample, path=name)


def units_to_bitext(memory: Memory, name: str, doc_path: str | None, fmt: str, lang_tags=None) -> Bitext:
    """The bitext of a memory's units; `name` names the file in messages, `doc_path` is
    recorded as the documents' path. The file's language tags (zh-TW, ...) are kept in
    bitext.meta["lang_tags"]; `lang_tags` (BCP 47 tags, by base language) replace them."""
    src = _language(memory.src_lang, [u.source for u in memory.units], name, "source")
    tgt = _language(memory.tgt_lang, [u.target for u in memory.units], name, "target")
    if src == tgt:
        raise InputError(f"source and target both look like {src}", path=name,
                         hint="Pass --from and --to to say which language each side is in.")
    src_sents: list[str] = []
    tgt_sents: list[str] = []
    beads: list[Bead] = []
    skipped: list[int] = []
    for u in memory.units:
        s_ids, t_ids = [], []
        if u.source.strip():
            s_ids = [len(src_sents)]
            src_sents.append(u.source)
        if u.target.strip():
            t_ids = [len(tgt_sents)]
            tgt_sents.append(u.target)
        if not s_ids and not t_ids:
            skipped.append(u.line or 0)
            continue
        beads.append(Bead(src=s_ids, tgt=t_ids, score=u.score, origin="import", id=len(beads), meta=u.meta))
    if not beads:
        raise InputError(f"no translation units with {src} or {tgt} text", path=name,
                         hint="Check the languages (--from/--to) and that the file holds translations.")
    bitext = Bitext(Document.from_sentences(src, src_sents, path=doc_path),
                    Document.from_sentences(tgt, tgt_sents, path=doc_path), beads)
    bitext.meta["import"] = {"file": Path(name).name, "format": fmt, "units": len(memory.units),
                             "beads": len(beads), "skipped": len(skipped)}
    if memory.not_translatable:
        bitext.meta["import"]["not_translatable"] = memory.not_translatable
    tags = {"source": memory.tags.get("source") or memory.src_lang,
            "target": memory.tags.get("target") or memory.tgt_lang}
    try:
        over = tag_overrides(lang_tags)
    except ValueError as e:
        raise InputError(str(e), hint="Give a BCP 47 tag such as zh-TW or en-GB.") from None
    for side, lang in (("source", src), ("target", tgt)):
        if lang in over:
            tags[side] = over[lang]
    keep_tags(bitext, tags["source"], tags["target"])
    return bitext
