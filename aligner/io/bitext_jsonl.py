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

import io
import json
import re
from pathlib import Path
from typing import IO, Any

from aligner import __version__
from aligner.errors import InputError
from aligner.io.atomic import atomic_open
from aligner.io.text import decode_unicode, lone_surrogate, surrogate_error
from aligner.model import Bead, Bitext, Document

FORMAT_VERSION = 1


def _doc_record(doc: Document) -> dict[str, Any]:
    return {
        "lang": doc.lang,
        "path": _display_path(doc.path),
        "text": doc.text,
        "segments": [[s.start, s.end, s.paragraph] for s in doc.segments],
    }


def _display_path(path: str | None) -> str | None:
    """A file name that could not be decoded (Python keeps its bytes as lone surrogates)
    cannot go into UTF-8 JSON: such bytes are shown as U+FFFD. The path is informational."""
    if path is None or lone_surrogate(path) is None:
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")  # en, zh, zh-CN, zh_Hant

# The documented bead meta entries exporters read (README, "The bitext file"): their types.
_TERM_TEXT = ("source", "target", "matched", "status", "method", "glossary")
_TERM_OFFSETS = ("start", "end", "target_start", "target_end")
_VIOLATION_TEXT = ("message", "term", "source", "target", "expected", "found", "kind")


def _check_entries(meta: dict[str, Any], key: str, texts: tuple[str, ...], ints: tuple[str, ...]) -> None:
    entries = meta.get(key)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise ValueError(f"meta.{key} must be a list of objects")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f"meta.{key}[{n}] must be an object")
        for k in texts:
            if entry.get(k) is not None and not isinstance(entry[k], str):
                raise ValueError(f"meta.{key}[{n}].{k} must be a string")
        for k in ints:
            if entry.get(k) is not None and not _is_int(entry[k]):
                raise ValueError(f"meta.{key}[{n}].{k} must be an integer")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _doc_from_record(rec: Any, side: str) -> Document:
    if not isinstance(rec, dict):
        raise ValueError(f"{side!r} must be an object with lang, text and segments")
    lang, text, path = rec.get("lang"), rec.get("text"), rec.get("path")
    if not isinstance(lang, str) or not _LANG_TAG.fullmatch(lang):
        raise ValueError(f"{side}.lang must be a language code such as \"en\" or \"zh\", not {lang!r}")
    if not isinstance(text, str):
        raise ValueError(f"{side}.text must be a string")
    if path is not None and not isinstance(path, str):
        raise ValueError(f"{side}.path must be a string or null")
    segments = rec.get("segments")
    if not isinstance(segments, list):
        raise ValueError(f"{side}.segments must be a list of [start, end, paragraph]")
    doc = Document(lang=lang, text=text, path=path)
    for n, seg in enumerate(segments):
        if not (isinstance(seg, list) and len(seg) == 3 and all(_is_int(v) for v in seg)):
            raise ValueError(f"{side}.segments[{n}] must be [start, end, paragraph] (integers)")
        start, end, para = seg
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"{side}.segments[{n}] spans {start}-{end}, outside the text "
                             f"({len(text)} characters)")
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
    import jsonlines  # only where a bitext is written (its import, attrs included, is ~50 ms)

    # ensure_ascii=False keeps Chinese readable in the file. One encoder for all records
    # (json.dumps would make one per record, as its options are not the defaults).
    writer = jsonlines.Writer(f, dumps=json.JSONEncoder(ensure_ascii=False).encode)
    writer.write_all(bitext_records(bitext))


def read_bitext(src: str | Path | IO[str]) -> Bitext:
    """Read a bitext from a path or a stream. UTF-8 (a BOM, or UTF-16/32 with a BOM, is
    accepted). Malformed, truncated or hostile files raise InputError naming the line."""
    name = str(src) if isinstance(src, (str, Path)) else getattr(src, "name", "<stream>")
    if isinstance(src, (str, Path)):
        try:
            data = Path(src).read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", path=name) from None
        except IsADirectoryError:
            raise InputError("is a directory, expected a bitext .jsonl file", path=name) from None
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror or e}", path=name) from None
        return _read(io.StringIO(decode_unicode(data, name, "bitext")), name)
    if hasattr(src, "buffer"):  # stdin: bytes, decoded here whatever the locale says
        name = "<stdin>" if name in ("<stdin>", 0) else str(name)
        return _read(io.StringIO(decode_unicode(src.buffer.read(), name, "bitext")), name)
    return _read(src, name)


def read_bitext_bytes(data: bytes, name: str = "<bytes>") -> Bitext:
    """Read a bitext from a file's bytes, decoded as `read_bitext` decodes a file."""
    return _read(io.StringIO(decode_unicode(data, name, "bitext")), name)


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
        except RecursionError:
            raise InputError("not a bitext record: JSON nested too deeply", path=name, line=lineno,
                             hint="A bitext has one JSON object per line.") from None
        if not isinstance(rec, dict):
            raise InputError("expected a JSON object", path=name, line=lineno)
        if "\\u" in line:  # only escapes can make unpaired surrogates
            bad = lone_surrogate(rec)
            if bad:
                raise surrogate_error(bad, name, lineno)
        kind = rec.get("type")
        try:
            if bitext is None:
                if kind != "bitext":
                    raise InputError("not an aligner bitext: the first record must have \"type\": \"bitext\"",
                                     path=name, line=lineno,
                                     hint="Convert translation memories with `aligner import`.")
                meta = rec.get("meta") or {}
                if not isinstance(meta, dict):
                    raise ValueError("meta must be an object")
                bitext = Bitext(_doc_from_record(rec.get("source"), "source"),
                                _doc_from_record(rec.get("target"), "target"), meta=meta)
            elif kind == "bead":
                bead = _bead_from_record(rec, len(bitext.beads))
                for i in bead.src:
                    _check_id(i, bitext.source, name, lineno)
                for i in bead.tgt:
                    _check_id(i, bitext.target, name, lineno)
                bitext.beads.append(bead)
            else:
                raise InputError(f"unknown record type {kind!r}", path=name, line=lineno)
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(f"malformed record: {e}", path=name, line=lineno,
                             hint="The file was changed by hand or by another tool; write it "
                                  "again with aligner.") from None
    if bitext is None:
        raise InputError("empty file, expected a bitext", path=name)
    return bitext


def _bead_from_record(rec: dict[str, Any], default_id: int) -> Bead:
    src, tgt = rec.get("src"), rec.get("tgt")
    if not isinstance(src, list) or not isinstance(tgt, list):
        raise ValueError("a bead needs src and tgt lists of segment ids")
    score = rec.get("score")
    if score is not None and (not isinstance(score, (int, float)) or isinstance(score, bool)):
        raise ValueError(f"score must be a number or null, not {score!r}")
    origin = rec.get("origin", "aligned")
    if not isinstance(origin, str):
        raise ValueError(f"origin must be a string, not {origin!r}")
    bead_id = rec.get("id", default_id)
    if not _is_int(bead_id):
        raise ValueError(f"id must be an integer, not {bead_id!r}")
    meta = rec.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("meta must be an object")
    _check_entries(meta, "terms", _TERM_TEXT, _TERM_OFFSETS)
    _check_entries(meta, "violations", _VIOLATION_TEXT, ())
    return Bead(src=list(src), tgt=list(tgt), score=score, origin=origin, id=bead_id, meta=meta)


def _check_id(i: Any, doc: Document, name: str, lineno: int) -> None:
    if not _is_int(i) or not 0 <= i < len(doc.segments):
        raise InputError(f"bead refers to segment {i!r}, which the {doc.lang} document does not have",
                         path=name, line=lineno)


def dumps_bitext(bitext: Bitext) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bitext_records(bitext))


def loads_bitext(text: str, name: str = "<string>") -> Bitext:
    return _read(io.StringIO(text), name)
