"""Files -> memory units: TMX (every field, aligner.memory.tmx), XLIFF, TSV/CSV (through
aligner.io.tm_import) and aligner's own bitexts (.jsonl).

Where a unit's origin comes from: --origin when given, else what the file says (TMX
x-origin, XLIFF notes and state-qualifier, a bead's origin), else "imported". Beads made by
MT (origin "mt") come in as "mt" and are left out of the memory unless asked for by name;
a bead a translator edited ("edited") or approved ("approved", "approved-mt") keeps that.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

from aligner.errors import InputError
from aligner.memory import match as M
from aligner.memory.base import ORIGINS, Unit
from aligner.model import Bitext

# Bead origins (aligner.model.Bead) as unit origins.
BEAD_ORIGINS = {"aligned": "aligned", "gold": "aligned", "import": "imported", "imported": "imported",
                "edited": "edited", "approved": "approved-mt", "approved-mt": "approved-mt", "mt": "mt",
                "tm": "imported"}
_LANG_TAGS = {"zh": "zh-CN"}  # aligner's Chinese is simplified Chinese (as its TMX export says)


def format_of(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt.lower()
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        return "bitext"
    from aligner.io.tm_import import format_for_tm

    found = format_for_tm(path)
    if found is None:
        raise InputError("cannot tell the format from the file name", path=path,
                         hint="Pass --format tmx, xliff, tsv, csv or bitext.")
    return found


def _tag(lang: str) -> str:
    return _LANG_TAGS.get(lang, lang)


def _check_origin(origin: str | None, path: str) -> None:
    if origin is not None and origin not in ORIGINS:
        raise InputError(f"unknown origin {origin!r}", path=path, hint="Origins: " + ", ".join(ORIGINS) + ".")


def read_units(path: str, *, fmt: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None,
               origin: str | None = None) -> tuple[list[Unit], str]:
    """The units of a file and the file's sha256 (what makes an interrupted import resumable)."""
    name = "<stdin>" if str(path) == "-" else str(path)
    _check_origin(origin, name)
    fmt = format_of(name, fmt)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a translation memory or bitext file", path=name) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=name) from None
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError("empty file", path=name, hint="Check that you gave the right file.")
    if fmt == "tmx":
        from aligner.memory.tmx import read_tmx_units

        units = read_tmx_units(data, name, src_lang=src_lang, tgt_lang=tgt_lang, origin=origin)
        if not units:
            raise InputError("no translation units with two languages in this TMX", path=name,
                             hint="Check the languages (--from/--to) and that the file holds translations.")
    elif fmt in ("bitext", "jsonl"):
        from aligner.io.bitext_jsonl import loads_bitext

        from aligner.io.text import decode_bytes

        bitext = loads_bitext(decode_bytes(data, name), name)
        units = units_from_bitext(bitext, origin=origin, file=Path(name).name,
                                  src_lang=src_lang, tgt_lang=tgt_lang)
    else:
        from aligner.io.tm_import import import_tm

        bitext = import_tm(name, fmt=fmt, src_lang=src_lang, tgt_lang=tgt_lang, data=data)
        units = units_from_bitext(bitext, origin=origin, file=Path(name).name,
                                  src_lang=src_lang, tgt_lang=tgt_lang)
    return units, sha256


def units_from_bitext(bitext: Bitext, *, origin: str | None = None, file: str | None = None,
                      src_lang: str | None = None, tgt_lang: str | None = None) -> list[Unit]:
    """One unit per bead with text on both sides, with the previous and next source
    sentence as context. `src_lang`/`tgt_lang` may give the variant (zh-TW)."""
    s_tag = M.canonical_tag(src_lang) if src_lang and "-" in src_lang else _tag(bitext.src_lang)
    t_tag = M.canonical_tag(tgt_lang) if tgt_lang and "-" in tgt_lang else _tag(bitext.tgt_lang)
    doc_file = file or (bitext.source.name if bitext.source.path else None)
    texts = [(b, bitext.src_text(b), bitext.tgt_text(b)) for b in bitext.beads]
    units = []
    for i, (bead, s, t) in enumerate(texts):
        if not s.strip() or not t.strip():
            continue
        meta: dict[str, Any] = dict(bead.meta or {})
        bead_origin = meta.pop("origin", None) if bead.origin == "import" else None
        unit_origin = origin or BEAD_ORIGINS.get(bead_origin or bead.origin, "imported")
        notes = meta.pop("notes", [])
        if isinstance(notes, str):
            notes = [notes]
        unit_file = meta.pop("document", None) or doc_file
        props = {k: v for k, v in meta.items() if isinstance(v, (str, int, float)) and k not in ("id",)}
        props.update(meta.pop("props", {}) if isinstance(meta.get("props"), dict) else {})
        unit_meta: dict[str, Any] = {}
        if props:
            unit_meta["props"] = {k: str(v) for k, v in props.items() if k != "tuid"}
            if not unit_meta["props"]:
                del unit_meta["props"]
        if meta.get("tuid"):
            unit_meta["tuid"] = meta["tuid"]
        prev = texts[i - 1][1] if i > 0 else None
        nxt = texts[i + 1][1] if i + 1 < len(texts) else None
        units.append(Unit(s, t, s_tag, t_tag, unit_origin, unit_file,
                          notes=[str(n) for n in notes], meta=unit_meta, prev=prev or None, next=nxt or None))
    return units
