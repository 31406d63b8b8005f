"""The bitext file: JSON Lines, a header record then one record per bead.

    {"type": "bitext", "format": 1, "tool": "aligner 0.1.0", "src_lang": "en", "tgt_lang": "zh",
     "source": {"lang": "en", "path": "article.en.txt", "text": "...", "segments": [[0, 52, 0], ...]},
     "target": {...}, "meta": {"model": ..., "glossaries": [...], ...}}
    {"type": "bead", "id": 0, "src": [0], "tgt": [0], "src_text": "...", "tgt_text": "...",
     "score": 0.93, "origin": "mt", "meta": {...}}

The header keeps each document's full text and segment offsets, so reading a
bitext back gives exactly the objects that were written. Bead records repeat
the segment texts so the file can be read (and grepped) on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import jsonlines

from aligner import __version__
from aligner.errors import InputError
from aligner.io.atomic import atomic_open
from aligner.model import Bead, Bitext, Document, Segment

FORMAT_VERSION = 1


def _doc_record(doc: Document) -> dict[str, Any]:
    return {
        "lang": doc.lang,
        "path": doc.path,
        "text": doc.text,
        "segments": [[s.start, s.end, s.paragraph] for s in doc.segments],
    }


def _doc_from_record(rec: dict[str, Any]) -> Document:
    doc = Document(lang=rec["lang"], text=rec["text"], path=rec.get("path"))
    for start, end, para in rec["segments"]:
        doc.add_segment(start, end, para)
    return doc


def bitext_records(bitext: Bitext) -> list[dict[str, Any]]:
    header = {
        "type": "bitext",
        "format": FORMAT_VERSION,
        "tool": f"aligner {__version__}",
        "src_lang": bitext.src_lang,
        "tgt_lang": bitext.tgt_lang,
        "source": _doc_record(bitext.source),
        "target": _doc_record(bitext.target),
        "meta": bitext.meta,
    }
    records = [header]
    for b in bitext.beads:
        records.append({
            "type": "bead",
            "id": b.id,
            "src": b.src,
            "tgt": b.tgt,
            "src_text": bitext.src_text(b),
            "tgt_text": bitext.tgt_text(b),
            "score": b.score,
            "origin": b.origin,
            "meta": b.meta,
        })
    return records


def write_bitext(bitext: Bitext, dest: str | Path | IO[str]) -> None:
    """Write atomically to a path, or to an open text stream (e.g. stdout)."""
    if isinstance(dest, (str, Path)):
        with atomic_open(dest, "w") as f:
            _write(bitext, f)
    else:
        _write(bitext, dest)


def _write(bitext: Bitext, f: IO[str]) -> None:
    # ensure_ascii=False keeps Chinese readable in the file.
    writer = jsonlines.Writer(f, dumps=lambda o: json.dumps(o, ensure_ascii=False))
    writer.write_all(bitext_records(bitext))


def read_bitext(src: str | Path | IO[str]) -> Bitext:
    name = str(src) if isinstance(src, (str, Path)) else getattr(src, "name", "<stream>")
    if isinstance(src, (str, Path)):
        try:
            with open(src, encoding="utf-8") as f:
                return _read(f, name)
        except FileNotFoundError:
            raise InputError("no such file", path=name) from None
        except IsADirectoryError:
            raise InputError("is a directory, expected a bitext .jsonl file", path=name) from None
        except UnicodeDecodeError:
            raise InputError("not a UTF-8 bitext file", path=name,
                             hint="Bitexts are written by `aligner translate`, `align` or `import`.") from None
    return _read(src, name)


def _read(f: IO[str], name: str) -> Bitext:
    bitext: Bitext | None = None
    for lineno, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON ({e.msg})", path=name, line=lineno,
                             hint="A bitext has one JSON object per line.") from None
        if not isinstance(rec, dict):
            raise InputError("expected a JSON object", path=name, line=lineno)
        kind = rec.get("type")
        try:
            if bitext is None:
                if kind != "bitext":
                    raise InputError("not an aligner bitext: the first record must have \"type\": \"bitext\"",
                                     path=name, line=lineno,
                                     hint="Convert translation memories with `aligner import`.")
                bitext = Bitext(_doc_from_record(rec["source"]), _doc_from_record(rec["target"]),
                                meta=rec.get("meta") or {})
            elif kind == "bead":
                bead = Bead(src=list(rec["src"]), tgt=list(rec["tgt"]), score=rec.get("score"),
                            origin=rec.get("origin", "aligned"), id=rec.get("id", len(bitext.beads)),
                            meta=rec.get("meta") or {})
                for i in bead.src:
                    _check_id(i, bitext.source, name, lineno)
                for i in bead.tgt:
                    _check_id(i, bitext.target, name, lineno)
                bitext.beads.append(bead)
            else:
                raise InputError(f"unknown record type {kind!r}", path=name, line=lineno)
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(f"malformed record ({type(e).__name__}: {e})", path=name, line=lineno) from None
    if bitext is None:
        raise InputError("empty file, expected a bitext", path=name)
    return bitext


def _check_id(i: Any, doc: Document, name: str, lineno: int) -> None:
    if not isinstance(i, int) or not 0 <= i < len(doc.segments):
        raise InputError(f"bead refers to segment {i!r}, which the {doc.lang} document does not have",
                         path=name, line=lineno)


def dumps_bitext(bitext: Bitext) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bitext_records(bitext))


def loads_bitext(text: str, name: str = "<string>") -> Bitext:
    import io
    return _read(io.StringIO(text), name)
