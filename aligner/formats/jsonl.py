"""JSONL: the project's own bitext file (aligner.io.bitext_jsonl), read and written.

A bitext file holds one source and one target document, so several bitexts of the
same language pair are merged into one (`merge_bitexts`): the documents are joined
with a blank line, segment offsets shifted, beads renumbered, and each bead keeps the
name of the document it came from in meta["document"].
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import IO, Any

from aligner.errors import InputError
from aligner.formats.base import Format, WriteOptions
from aligner.formats.common import document_name
from aligner.io.bitext_jsonl import read_bitext, read_bitext_bytes, write_bitext
from aligner.model import Bead, Bitext, Document, TextBuilder

DOCUMENT_SEPARATOR = "\n\n"


def _join_documents(docs: list[Document], lang: str) -> tuple[Document, list[int]]:
    """One document holding `docs` in order, and the segment-id offset of each."""
    text = TextBuilder()
    offsets = []
    for i, doc in enumerate(docs):
        if i:
            text.add(DOCUMENT_SEPARATOR)
        offsets.append(text.segment_count)
        last = text.last_paragraph
        text.add_document(doc, 0 if last is None else last + 1)
    return text.document(lang), offsets


def merge_bitexts(bitexts: list[Bitext]) -> Bitext:
    if len(bitexts) == 1:
        return bitexts[0]
    pairs = {(bt.src_lang, bt.tgt_lang) for bt in bitexts}
    if len(pairs) > 1:
        raise InputError("these bitexts are of different language pairs ("
                         + ", ".join(f"{s}->{t}" for s, t in sorted(pairs)) + ") and cannot share one bitext file",
                         hint="Export each language pair to its own file.")
    src_lang, tgt_lang = pairs.pop()
    source, src_off = _join_documents([bt.source for bt in bitexts], src_lang)
    target, tgt_off = _join_documents([bt.target for bt in bitexts], tgt_lang)
    merged = Bitext(source, target, meta={"merged_from": [document_name(bt, k) for k, bt in enumerate(bitexts)]})
    for k, bt in enumerate(bitexts):
        name = document_name(bt, k)
        for b in bt.beads:
            meta = copy.deepcopy(b.meta)
            meta.setdefault("document", name)
            merged.beads.append(Bead(src=[i + src_off[k] for i in b.src], tgt=[i + tgt_off[k] for i in b.tgt],
                                     score=b.score, origin=b.origin, id=len(merged.beads), meta=meta))
    return merged


class JsonlFormat(Format):
    name = "jsonl"
    extensions = (".jsonl",)
    mime_types = ("application/jsonl",)
    description = "the aligner bitext (JSON Lines); several bitexts are merged into one"

    def _write(self, bitexts: list[Bitext], f: IO[str], options: WriteOptions) -> None:
        write_bitext(merge_bitexts(bitexts), f)

    def read_bitexts(self, source: str | Path | bytes, *, name: str | None = None, src_lang: str | None = None,
                     tgt_lang: str | None = None, **options: Any) -> list[Bitext]:
        """The bitext in a bitext file (it names its own languages, so `src_lang` and
        `tgt_lang` are not used)."""
        if isinstance(source, (bytes, bytearray, memoryview)):
            return [read_bitext_bytes(bytes(source), name or "<bytes>")]
        if str(source) == "-":
            import sys
            return [read_bitext(sys.stdin)]
        return [read_bitext(source)]
