"""Existing translation memories -> a bitext (`aligner import`).

TMX (any version CAT tools write), XLIFF 1.x (including segmented <seg-source>
files from Trados/memoQ) and TSV/CSV become one bitext whose beads have origin
"import"; `glossary check` and `glossary extract` then work on them like on any
bitext. Each translation unit becomes one bead: a 1-1 bead, or 1-0 / 0-1 when one
side is empty; a unit with neither language is skipped and counted
(bitext.meta["import"]["skipped"]).

Languages come from --from/--to, else from the file (TMX srclang and xml:lang, XLIFF
source-/target-language), else from the text. XML is parsed safely: a DOCTYPE that
declares entities is refused (external entities can read local files, nested ones
expand exponentially), the parser neither loads DTDs nor touches the network, and
entity references are never expanded.

TSV/CSV: a header row naming `source` and `target` columns (other columns are kept as
bead metadata, `score` as the bead's score) or, without one, the first two columns.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from aligner.errors import InputError
from aligner.export.review import CONTROL_NOTE_PREFIX, base_lang, restore_controls
from aligner.export.tsv import unescape_cell
from aligner.io.text import decode_bytes, detect_language, normalize_lang
from aligner.model import Bead, Bitext, Document

__all__ = ["import_tm", "parse_tm", "IMPORT_FORMATS", "format_for_tm", "parse_xml_safely"]

IMPORT_FORMATS = {".tmx": "tmx", ".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff", ".mqxliff": "xliff",
                  ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv", ".csv": "csv"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Inline elements whose content is native markup (<b>, {1}, ...), not translatable text.
_NATIVE_CODES = {"bpt", "ept", "ph", "it", "ut"}
_SOURCE_ALIASES = ("source", "src", "source text", "source_text")
_TARGET_ALIASES = ("target", "tgt", "translation", "target text", "target_text")
_FACTS = re.compile(r"^aligner: origin=(\S+) bead=\S+(?: score=(\S+))?$")


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


def format_for_tm(path: str | Path) -> str | None:
    return IMPORT_FORMATS.get(Path(str(path)).suffix.lower())


# --- safe XML ---------------------------------------------------------------------------

_ENTITY_HINT = ("aligner does not read XML entity declarations: they are how XML files read local files "
                "(external entities) or exhaust memory (nested entities). Export the memory again from "
                "your CAT tool, or remove the <!DOCTYPE ...[...]> block.")


def _prolog_declares_entities(data: bytes) -> bool:
    head = data[:4 << 20]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")  # ASCII-compatible encodings: markup bytes are ASCII
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    root = re.search(r"<[A-Za-z_:]", text)
    return "<!ENTITY" in (text[:root.start()] if root else text)


def parse_xml_safely(data: bytes, name: str) -> etree._Element:
    """The root element of untrusted XML, or InputError. No entity is ever expanded,
    no DTD loaded, no network touched; documents declaring entities are refused."""
    if _prolog_declares_entities(data):
        raise InputError("the file declares XML entities (<!ENTITY ...>) and is refused", path=name,
                         hint=_ENTITY_HINT)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        if "entit" in (e.msg or "").lower() and b"<!ENTITY" in data.replace(b"\x00", b""):
            raise InputError("the file declares XML entities (<!ENTITY ...>) and is refused", path=name,
                             hint=_ENTITY_HINT) from None
        hint = ("Its bytes do not match the encoding it declares (UTF-8 when it declares none): "
                "save it as UTF-8, or declare its encoding in <?xml ... encoding=\"...\"?>."
                if "encoding" in (e.msg or "").lower() else "The file may be truncated or not XML at all.")
        raise InputError(f"not well-formed XML: {e.msg}", path=name, line=e.lineno or None,
                         hint=hint) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError("the file declares XML entities (<!ENTITY ...>) and is refused", path=name,
                         hint=_ENTITY_HINT)
    return root


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el) -> str:
    """Plain text of a segment element: text and inline formatting, without native codes."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and _local(child) not in _NATIVE_CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


# --- TMX --------------------------------------------------------------------------------

def _parse_tmx(data: bytes, name: str, src: str | None, tgt: str | None) -> Memory:
    root = parse_xml_safely(data, name)
    if _local(root) != "tmx":
        raise InputError(f"not a TMX file: the root element is <{_local(root)}>, not <tmx>", path=name,
                         line=root.sourceline, hint="Pass --format if the file name does not say what it is.")
    header = next(iter(_children(root, "header")), None)
    header_src = header.get("srclang") if header is not None else None
    if header_src and header_src.strip() == "*all*":
        header_src = None
    tus = [tu for body in _children(root, "body") for tu in _children(body, "tu")]
    # Which languages are in the memory: the source as the file says, the target the
    # most frequent other language.
    langs: Counter[str] = Counter()
    tu_src: Counter[str] = Counter()
    variants = []
    for tu in tus:
        vs = []
        for tuv in _children(tu, "tuv"):
            lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
            seg = next(iter(_children(tuv, "seg")), None)
            vs.append((base_lang(lang), lang, _text(seg) if seg is not None else ""))
            langs[base_lang(lang)] += 1
        if tu.get("srclang") and tu.get("srclang") != "*all*":
            tu_src[base_lang(tu.get("srclang"))] += 1
        variants.append(vs)
    src_tag = src or header_src or (tu_src.most_common(1)[0][0] if tu_src else None) \
        or next((v[0][1] for v in variants if v), None)
    src_base = base_lang(src_tag)
    if tgt is None:
        others = [(n, lang) for lang, n in langs.items() if lang != src_base]
        tgt_tag = max(others)[1] if others else None
    else:
        tgt_tag = tgt
    tgt_base = base_lang(tgt_tag)
    units = []
    for tu, vs in zip(tus, variants):
        s = next((text for b, _, text in vs if b == src_base), "")
        t = next((text for b, _, text in vs if b == tgt_base), "")
        meta: dict[str, Any] = {}
        score = None
        for prop in _children(tu, "prop"):
            kind, value = prop.get("type", ""), prop.text or ""
            if kind == "x-score":
                try:
                    score = float(value)
                except ValueError:
                    meta.setdefault("props", {})[kind] = value
            elif kind == "x-origin":
                meta["origin"] = value
            elif kind == "x-document":
                meta["document"] = value
            elif kind != "x-bead":
                meta.setdefault("props", {})[kind] = value
        for note in _children(tu, "note"):
            text = note.text or ""
            if text.startswith(CONTROL_NOTE_PREFIX):
                s, t = restore_controls(text, s, t)
            else:
                meta.setdefault("notes", []).append(text)
        if tu.get("tuid"):
            meta["tuid"] = tu.get("tuid")
        units.append(Unit(s, t, score, meta, tu.sourceline))
    return Memory(units, src_tag, tgt_tag)


# --- XLIFF ------------------------------------------------------------------------------

def _unit_notes(tu, s: str, t: str, meta: dict, score_holder: list) -> tuple[str, str]:
    for note in _children(tu, "note"):
        text = note.text or ""
        if text.startswith(CONTROL_NOTE_PREFIX):
            s, t = restore_controls(text, s, t)
            continue
        m = _FACTS.match(text)
        if m:
            meta["origin"] = m.group(1)
            if m.group(2):
                try:
                    score_holder[0] = float(m.group(2))
                except ValueError:
                    pass
        elif text.startswith("review: "):
            continue  # written by our own export; recomputed whenever it matters
        else:
            meta.setdefault("notes", []).append(text)
    return s, t


def _parse_xliff(data: bytes, name: str, src: str | None, tgt: str | None) -> Memory:
    root = parse_xml_safely(data, name)
    if _local(root) != "xliff":
        raise InputError(f"not an XLIFF file: the root element is <{_local(root)}>, not <xliff>", path=name,
                         line=root.sourceline, hint="Pass --format if the file name does not say what it is.")
    version = root.get("version", "")
    if version.startswith("2") or ":2." in (etree.QName(root).namespace or ""):
        raise InputError(f"XLIFF {version or '2'} is not supported, only XLIFF 1.x", path=name,
                         hint="Export XLIFF 1.2 from your CAT tool (most can), or a TMX.")
    files = _children(root, "file")
    if not files:
        raise InputError("no <file> element: this XLIFF holds no translation units", path=name)
    src_tag = src or files[0].get("source-language")
    tgt_tag = tgt or files[0].get("target-language")
    units: list[Unit] = []
    for file_el in files:
        if src is None and base_lang(file_el.get("source-language")) != base_lang(src_tag):
            raise InputError(f"<file original=\"{file_el.get('original')}\"> is in "
                             f"{file_el.get('source-language')}, the first file in {src_tag}",
                             path=name, line=file_el.sourceline,
                             hint="Import one language pair at a time, or pass --from and --to.")
        if tgt is None and file_el.get("target-language") and tgt_tag \
                and base_lang(file_el.get("target-language")) != base_lang(tgt_tag):
            raise InputError(f"<file original=\"{file_el.get('original')}\"> translates into "
                             f"{file_el.get('target-language')}, the first file into {tgt_tag}",
                             path=name, line=file_el.sourceline,
                             hint="Import one language pair at a time, or pass --from and --to.")
        document = file_el.get("original")
        for tu in file_el.iter("{*}trans-unit"):
            if not isinstance(tu.tag, str):
                continue
            source = next(iter(_children(tu, "source")), None)
            target = next(iter(_children(tu, "target")), None)
            seg_source = next(iter(_children(tu, "seg-source")), None)
            base_meta: dict[str, Any] = {"id": tu.get("id")}
            if document:
                base_meta["document"] = document
            if target is not None and target.get("state"):
                base_meta["state"] = target.get("state")
            pairs: list[tuple[str, str]]
            seg_mrks = [m for m in seg_source.iter("{*}mrk") if m.get("mtype") == "seg"] \
                if seg_source is not None else []
            if seg_mrks:
                # Segmented XLIFF (Trados, memoQ): one bead per <mrk mtype="seg" mid=...>.
                tgt_mrks = {m.get("mid"): _text(m) for m in target.iter("{*}mrk") if m.get("mtype") == "seg"} \
                    if target is not None else {}
                pairs = [(_text(m), tgt_mrks.get(m.get("mid"), "")) for m in seg_mrks]
            else:
                pairs = [(_text(source) if source is not None else "", _text(target) if target is not None else "")]
            for s, t in pairs:
                meta = dict(base_meta)
                holder: list[float | None] = [None]
                s, t = _unit_notes(tu, s, t, meta, holder)
                units.append(Unit(s, t, holder[0], meta, tu.sourceline))
    return Memory(units, src_tag, tgt_tag)


# --- TSV / CSV --------------------------------------------------------------------------

def _csv_delimiter(text: str) -> str:
    """, ; or tab, read from the first record: the one whose header names the source and
    target columns, else the one that splits it into the most fields (a comma on a tie).
    (csv.Sniffer guesses from character counts over the whole sample, so a tab or a
    semicolon inside quoted text misleads it.)"""
    best, best_key = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        names = {c.strip().lower() for c in first}
        key = (bool(names & set(_SOURCE_ALIASES)) + bool(names & set(_TARGET_ALIASES)), len(first))
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _parse_delimited(data: bytes, name: str, fmt: str, src: str | None, tgt: str | None) -> Memory:
    text = decode_bytes(data, name)
    # A unit may hold a whole document: no field limit below the file's own size.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    delimiter = _csv_delimiter(text) if fmt == "csv" else "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1  # the line a record begins on (a quoted field may span lines)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"malformed {fmt.upper()}: {e}", path=name, line=start,
                         hint="Check the quoting on that line.") from None
    if not rows:
        raise InputError("no rows in this file", path=name)
    first = [c.strip().lower() for c in rows[0][1]]
    src_col = next((first.index(a) for a in _SOURCE_ALIASES if a in first), None)
    tgt_col = next((first.index(a) for a in _TARGET_ALIASES if a in first), None)
    header: list[str] | None = None
    if src_col is not None and tgt_col is not None:
        header = [c.strip() for c in rows[0][1]]
        rows = rows[1:]
    else:
        src_col, tgt_col = 0, 1
    sep_name = "a tab" if delimiter == "\t" else repr(delimiter)
    units = []
    for line, row in rows:
        if len(row) <= max(src_col, tgt_col) and any("\n" in cell for cell in row):
            raise InputError(f"a quoted field that starts here is never closed (it runs to line "
                             f"{line + sum(c.count(chr(10)) for c in row)})", path=name, line=line,
                             hint="Close the quote, or double a quote inside a field (\"\").")
        if len(row) <= max(src_col, tgt_col):
            raise InputError(f"expected at least {max(src_col, tgt_col) + 1} columns, found {len(row)}",
                             path=name, line=line,
                             hint=f"Separate the source and target with {sep_name}"
                                  + (" (the header row names the columns)." if header else
                                     ", or start the file with a header row naming the source and target columns."))
        meta: dict[str, Any] = {}
        score = None
        for i, cell in enumerate(row):
            if i in (src_col, tgt_col):
                continue
            key = header[i] if header and i < len(header) and header[i] else f"column {i + 1}"
            value = unescape_cell(cell.strip())
            if key.lower() == "score":
                try:
                    score = float(value) if value else None
                    continue
                except ValueError:
                    pass
            if value:
                meta[key] = value
        units.append(Unit(unescape_cell(row[src_col].strip()), unescape_cell(row[tgt_col].strip()),
                          score, meta, line))
    return Memory(units, src, tgt)


# --- the bitext -------------------------------------------------------------------------

def parse_tm(data: bytes, name: str, fmt: str, src_lang: str | None = None,
             tgt_lang: str | None = None) -> Memory:
    if not data.strip():
        raise InputError("empty file", path=name, hint="Check that you gave the right file.")
    if fmt == "tmx":
        return _parse_tmx(data, name, src_lang, tgt_lang)
    if fmt == "xliff":
        return _parse_xliff(data, name, src_lang, tgt_lang)
    if fmt in ("tsv", "csv"):
        return _parse_delimited(data, name, fmt, src_lang, tgt_lang)
    raise InputError(f"unknown translation-memory format {fmt!r}", path=name,
                     hint="Formats: tmx, xliff, tsv, csv.")


def _language(tag: str | None, texts: list[str], name: str, which: str) -> str:
    if tag:
        return normalize_lang(tag, path=name)
    sample = "\n".join(t for t in texts[:2000] if t)
    if not sample.strip():
        raise InputError(f"cannot tell the {which} language: the {which} column is empty", path=name,
                         hint=f"Pass --{'from' if which == 'source' else 'to'} en or zh.")
    return detect_language(sample, path=name)


def import_tm(path: str | Path, *, fmt: str | None = None, src_lang: str | None = None,
              tgt_lang: str | None = None, data: bytes | None = None) -> Bitext:
    """Read a translation memory (TMX, XLIFF, TSV, CSV) into a bitext.

    `path` "-" reads stdin (then `fmt` is required). `src_lang`/`tgt_lang` override the
    languages the file names or the text suggests. Raises InputError for unreadable,
    malformed, hostile or empty files, naming the file and line.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    fmt = fmt or format_for_tm(path)
    if fmt is None:
        raise InputError("cannot tell the format from the file name", path=name,
                         hint="Pass --format tmx, xliff, tsv or csv.")
    if data is None:
        try:
            data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", path=name) from None
        except IsADirectoryError:
            raise InputError("is a directory, expected a translation memory file", path=name) from None
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror}", path=name) from None
    memory = parse_tm(data, name, fmt, src_lang, tgt_lang)
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
    doc_path = None if str(path) == "-" else str(path)
    bitext = Bitext(Document.from_sentences(src, src_sents, path=doc_path),
                    Document.from_sentences(tgt, tgt_sents, path=doc_path), beads)
    bitext.meta["import"] = {"file": Path(name).name, "format": fmt, "units": len(memory.units),
                             "beads": len(beads), "skipped": len(skipped)}
    return bitext
