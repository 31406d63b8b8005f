"""What every glossary file format shares: one reader/writer interface, reading bytes
safely, and turning a row of fields into a Term with line-numbered problems."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Iterable

from aligner.errors import InputError
from aligner.glossary.model import CASES, COLUMNS, STATUSES, Glossary, Term, TermRows, detect_column_languages
from aligner.io.atomic import atomic_write_bytes
from aligner.io.text import decode_unicode
from aligner.text.scripts import has_cjk


#: The longest term (source, target, or all aliases together), in characters: a longer cell is an error
#: with its line (lint reports it; reading refuses the file), never a term, so no matcher
#: is built over a 10 MB "term" (pyahocorasick and daachorse make a node per character).
MAX_TERM = 1000

_SOURCE, _TARGET, _PATH, _SRC_LANG, _TGT_LANG = map(attrgetter, ("source", "target", "path", "src_lang",
                                                              "tgt_lang"))


@dataclass
class Problem:
    """Something wrong in a glossary file. Readers raise the first error as InputError;
    `lint` reports them all."""

    line: int | None
    code: str
    message: str
    severity: str = "error"  # error | warning | info
    hint: str | None = None


@dataclass
class Parsed:
    """What a reader found: rows (with raw field values, for lint) and problems."""

    terms: list[Term]
    problems: list[Problem]
    columns: list[str]
    raw: list[tuple[int, dict[str, str]]]  # (line, column -> value as written)
    src_lang: str | None = None
    tgt_lang: str | None = None
    lang_tags: list[str] = field(default_factory=list)  # tags saying more than en/zh (zh-TW), as written
    labels: dict[str, str] = field(default_factory=dict)  # a header's language names (Header.labels)

    def add_row(self, line: int, values: dict[str, str], new_columns: bool = False) -> None:
        """One row as written: keep its raw values, make its term, note its problems.
        `new_columns` adds keys not seen before to `columns` (formats without a header row)."""
        if new_columns:
            for k in values:
                if k not in self.columns:
                    self.columns.append(k)
        self.raw.append((line, values))
        term, problems = make_term(values, line)
        self.problems += problems
        if term is not None:
            self.terms.append(term)


class GlossaryFormat:
    """One file format. Subclasses set `name`, `suffixes` and implement `parse`/`dumps`."""

    name = ""
    suffixes: tuple[str, ...] = ()
    description = ""

    def parse(self, data: bytes, path: str, keep_raw: bool = True) -> Parsed:
        """All rows and problems. `keep_raw` keeps each row's values as written (for lint)."""
        raise NotImplementedError

    def dumps(self, glossary: Glossary) -> bytes:
        raise NotImplementedError

    def read(self, path: str | Path) -> Glossary:
        """Read strictly: the first error is raised as InputError naming file and line."""
        name = str(path)
        data = read_bytes(path)
        parsed = self.parse(data, name, keep_raw=False)
        for p in parsed.problems:
            if p.severity == "error":
                raise InputError(p.message, path=name, line=p.line, hint=p.hint)
        if not parsed.terms:
            raise InputError("the glossary has no terms", path=name,
                             hint="Add rows with at least a source and a target.")
        return build_glossary(parsed, name)

    def write(self, glossary: Glossary, path: str | Path) -> None:
        atomic_write_bytes(path, self.dumps(glossary))


def build_glossary(parsed: Parsed, name: str) -> Glossary:
    src, tgt = parsed.src_lang, parsed.tgt_lang
    terms = parsed.terms
    if isinstance(terms, TermRows):  # rows kept as columns (the TSV reader's plain rows)
        if src is None or tgt is None:
            src, tgt = detect_column_languages(terms.sources, terms.targets)
        terms.src_lang, terms.tgt_lang, terms.path = src, tgt, name
    else:
        if src is None or tgt is None:
            src, tgt = detect_column_languages(map(_SOURCE, terms), map(_TARGET, terms))
        # Every row gets its languages and file. The TSV reader makes its rows with the file and
        # the default languages already: a check in C then spares 100,000 assignments.
        if {*map(_PATH, terms)} != {name} or {*map(_SRC_LANG, terms)} != {src} or \
                {*map(_TGT_LANG, terms)} != {tgt}:
            for t in terms:
                t.src_lang, t.tgt_lang, t.path = src, tgt, name
    glossary = Glossary(parsed.terms, src_lang=src, tgt_lang=tgt, path=name, columns=parsed.columns)
    if parsed.lang_tags:  # written again by TBX (and usable by exports): a zh-TW TBX stays zh-TW
        glossary.lang_tags = list(parsed.lang_tags)
    if parsed.labels:  # a header that said `English`/`中文` is written back as it was
        glossary.labels = dict(parsed.labels)
    return glossary


def read_bytes(path: str | Path) -> bytes:
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such glossary file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a glossary file", path=name) from None
    except PermissionError:
        raise InputError("cannot read the glossary (permission denied)", path=name) from None
    if not data.strip():
        raise InputError("the glossary file is empty", path=name,
                         hint="A glossary starts with a header row: source<TAB>target ...")
    return data


def decode(data: bytes, name: str, what: str = "glossary") -> str:
    """UTF-8 (a BOM is allowed), or UTF-16/32 with a BOM (Excel's "Unicode text" export);
    binary or other encodings fail with the line to look at."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return decode_unicode(data, name, what)
    if b"\x00" in data[:8192]:
        # UTF-16 without a byte-order mark: every other byte of Latin text is NUL.
        hint = "Is it UTF-16 without a byte-order mark? Save it as UTF-8." \
            if max(data[1:256:2].count(0), data[0:256:2].count(0)) * 2 > len(data[:256]) // 2 \
            else f"This does not look like a text {what} file."
        raise InputError(f"binary data, not a UTF-8 {what}", path=name,
                         line=data[:data.index(b'\x00')].count(b"\n") + 1, hint=hint)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 (byte 0x{data[e.start]:02x})", path=name,
                         line=data[:e.start].count(b"\n") + 1,
                         hint="Save the file as UTF-8 (e.g. `iconv -f GB18030 -t UTF-8`).") from None
    return text[1:] if text.startswith("\ufeff") else text


def normalise_header(names: Iterable[str]) -> list[str]:
    return [n.strip().lower() for n in names]


# Column names that say a language (what people write instead of source/target): codes with
# or without a region or script (en, en-US, zh_CN, zh-Hans), names in English and Chinese.
_REGION = r"(?:[-_][a-z0-9-_]+| \(.*\))?"
_LANG_COLUMN = {"en": re.compile(f"(?:en|eng|english){_REGION}|英文|英语|英語"),
                "zh": re.compile(f"(?:zh|zho|chi|cmn|chinese){_REGION}|中文|汉语|漢語|简体中文|繁體中文")}


def column_language(name: str) -> str | None:
    """The language a header cell names (`en`, `English`, `zh-CN`, `中文`), or None."""
    for lang, pattern in _LANG_COLUMN.items():
        if pattern.fullmatch(name):
            return lang
    return None


@dataclass
class Header:
    """What the first row says: the column names (language columns renamed source and
    target), the languages when the header names them, and whether there was no header at
    all (the row is then the first term: columns source, target, aliases, ... by position)."""

    columns: list[str]
    src_lang: str | None = None
    tgt_lang: str | None = None
    absent: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # source/target -> the cell as written (`English`)


def read_header(cells: list[str]) -> Header:
    """The header of a TSV/CSV glossary, as docs/glossaries.md says: `source`/`target`, or two
    columns that name their languages (`en`/`zh`, `English`/`Chinese`, `zh-CN`/`en-US`: the
    first is the source), or no header at all when the first row is a term pair (one of its
    two first cells Chinese, the other not, and no cell a column name)."""
    names = normalise_header(cells)
    langs = [column_language(n) for n in names]
    known = [n in COLUMNS or lang is not None for n, lang in zip(names, langs)]
    if not any(known) and len(cells) >= 2 and len(cells) <= len(COLUMNS) and \
            has_cjk(cells[0]) != has_cjk(cells[1]) and cells[0].strip() and cells[1].strip():
        return Header(list(COLUMNS[:len(cells)]), absent=True)
    header = Header(names)
    if "source" in names and "target" in names:
        return header
    by_lang = [(i, lang) for i, lang in enumerate(langs) if lang is not None]
    if "source" in names or "target" in names or len(by_lang) != 2 or \
            by_lang[0][1] == by_lang[1][1]:
        return header  # check_header reports what is missing
    (i, a), (j, b) = by_lang
    header.columns[i], header.columns[j] = "source", "target"
    header.src_lang, header.tgt_lang = a, b
    header.labels = {"source": cells[i].strip(), "target": cells[j].strip()}
    return header


def check_header(columns: list[str], line: int) -> list[Problem]:
    problems = []
    for req in ("source", "target"):
        if req not in columns:
            problems.append(Problem(line, "header", f"the header has no {req!r} column "
                                    f"(found: {', '.join(repr(c) for c in columns) or 'nothing'})",
                                    hint="The first row names the columns: source, target (or "
                                         "en, zh) and optionally aliases, case, status, note."))
    seen = set()
    for c in columns:
        if c in seen:
            problems.append(Problem(line, "header", f"column {c!r} appears twice in the header"))
        seen.add(c)
        if not c:
            problems.append(Problem(line, "header", "a column in the header has no name"))
    return problems


def make_term(values: dict[str, str], line: int) -> tuple[Term | None, list[Problem]]:
    """A Term from one row's raw values; problems are errors that make the row unusable."""
    problems: list[Problem] = []

    def val(name: str) -> str:
        v = values.get(name)
        return "" if v is None else str(v)

    source, target = val("source").strip(), val("target").strip()
    status = val("status").strip().lower() or "preferred"
    case = val("case").strip().lower() or None
    if status not in STATUSES:
        problems.append(Problem(line, "status", f"unknown status {val('status')!r}",
                                hint="Use one of: preferred, forbidden, dnt (or leave it empty)."))
    if case is not None and case not in CASES:
        problems.append(Problem(line, "case", f"unknown case {val('case')!r}",
                                hint="Use sensitive or insensitive (or leave it empty)."))
    for name, value in (("source", source), ("target", target), ("aliases cell", val("aliases"))):
        if len(value.strip()) > MAX_TERM:
            problems.append(Problem(line, "too-long", f"the {name} is {len(value.strip()):,} "
                                    f"characters long; a term has at most {MAX_TERM:,}",
                                    hint="Is a note or a whole text in a term column? "
                                         "Move it to the note column."))
    if not source:
        problems.append(Problem(line, "empty", "empty source"))
    if not target and status != "dnt":
        problems.append(Problem(line, "empty", f"empty target for {source!r}",
                                hint="Give the rendering, or mark the term dnt (do not translate)."))
    if problems:
        return None, problems
    aliases = [a.strip() for a in val("aliases").split("|") if a.strip()]
    extra = {k: "" if v is None else str(v) for k, v in values.items()
             if k not in COLUMNS and k}
    return Term(source=source, target=target, aliases=aliases, case=case, status=status,
                note=val("note").strip(), extra=extra, line=line), []


def term_values(term: Term) -> dict[str, str]:
    """A Term as column -> string, as TSV and CSV write it."""
    out = {"source": term.source, "target": term.target, "aliases": "|".join(term.aliases),
           "case": term.case or "", "status": term.status, "note": term.note}
    out.update(term.extra)
    return out


_DEFAULTS = {"status": "preferred"}  # what an absent column means


def header_cells(glossary: Glossary, columns: list[str]) -> list[str]:
    """The header row to write: the column names, with the language names the file's own
    header used for source and target (`en`/`zh`, `English`/`中文`) kept as the user wrote
    them, as long as they still name the glossary's languages."""
    labels = getattr(glossary, "labels", None) or {}
    langs = {"source": glossary.src_lang, "target": glossary.tgt_lang}
    return [labels[c] if c in labels and column_language(labels[c].lower()) == langs[c] else c
            for c in columns]


def output_columns(glossary: Glossary) -> list[str]:
    """The glossary's own column order, plus any column a row needs."""
    cols = [c for c in glossary.columns]
    values = [term_values(t) for t in glossary.terms]
    for c in COLUMNS:
        # An optional column the file did not have is added only when a row needs it: a
        # two-column spreadsheet stays two columns after `glossary add`.
        if c not in cols and (c in ("source", "target") or not glossary.terms or
                              any(v.get(c, "") not in ("", _DEFAULTS.get(c)) for v in values)):
            cols.append(c)
    for t in glossary.terms:
        for k in t.extra:
            if k not in cols:
                cols.append(k)
    return cols
