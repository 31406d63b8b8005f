"""The canonical glossary file: UTF-8, tab-separated, a header row naming the columns.

    # lines starting with # are comments; blank lines are ignored
    source<TAB>target<TAB>aliases<TAB>case<TAB>status<TAB>note
    Zhu Zhiqiang<TAB>朱志强<TAB>Zhu<TAB><TAB>preferred<TAB>the article's subject

A field that starts with a double quote and ends with one right before a tab or the end of
the line is quoted, as spreadsheets write TSV: the quotes go, `""` inside is one quote, and
tabs inside are kept. The writer quotes what would otherwise be misread: a first field that
starts with `#` (`"#MeToo"` is a term, `#MeToo` a comment), a field that starts with a quote
or holds a tab. A field cannot hold a line break (the writer turns it into a space). Columns
other than the six known ones are kept as they are.
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import itemgetter

from aligner.glossary.formats.base import (MAX_TERM, GlossaryFormat, Parsed, Problem, check_header, decode,
                                           header_cells, make_term, output_columns, read_header, term_values)
from aligner.glossary.model import CASES, COLUMNS, NO_ALIASES, NO_EXTRA, STATUSES, Glossary, Term, TermRows

_STATUSES = {"", *STATUSES}
_CASES = {"", *CASES}


def split_lines(text: str) -> list[str]:
    """Lines without their endings; only \\n and \\r\\n end a line (not U+2028 and friends)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def is_skipped(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


# A quoted field: "..." with "" for a quote inside, closed right before a tab or the line's end.
_QUOTED = re.compile(r'"((?:[^"]|"")*)"(?=\t|\Z)')


def split_row(line: str) -> list[str]:
    """The fields of a row (see the module docstring for quoting)."""
    if '"' not in line:
        return line.split("\t")
    out = []
    pos, n = 0, len(line)
    while True:
        if line.startswith('"', pos):
            m = _QUOTED.match(line, pos)
            if m is not None:
                out.append(m.group(1).replace('""', '"'))
                if m.end() == n:
                    return out
                pos = m.end() + 1
                continue
        tab = line.find("\t", pos)
        if tab == -1:
            out.append(line[pos:])
            return out
        out.append(line[pos:tab])
        pos = tab + 1


class TsvFormat(GlossaryFormat):
    name = "tsv"
    suffixes = (".tsv", ".tab", ".txt")
    description = "tab-separated, header row (the canonical, git-friendly form)"

    def parse(self, data: bytes, path: str, keep_raw: bool = True) -> Parsed:
        text = decode(data, path)
        parsed = Parsed([], [], [], [])
        columns: list[str] | None = None
        lines = split_lines(text)
        for lineno, line in enumerate(lines, 1):
            if not line or line[0] == "#" or ((line[0] in " \t\x0b\x0c") and is_skipped(line)):
                if keep_raw and columns is not None and line.startswith("#") and "\t" in line \
                        and len(line.split("\t")) == len(columns) and line.split("\t", 1)[0][1:].strip():
                    parsed.problems.append(Problem(
                        lineno, "comment", f"this line starts with # and is read as a comment, "
                        f"not as the term {line.split(chr(9), 1)[0]!r}", severity="warning",
                        hint=f'If it is a term, write it in double quotes: "{line.split(chr(9), 1)[0]}"'))
                continue
            if columns is None:
                header = read_header(split_row(line))
                columns = parsed.columns = header.columns
                parsed.src_lang, parsed.tgt_lang = header.src_lang, header.tgt_lang
                parsed.labels = header.labels
                parsed.problems += check_header(columns, lineno)
                if "\t" not in line and ("," in line or ";" in line):
                    parsed.problems.append(Problem(lineno, "header", "the header has no tab",
                                                   hint="Is this a CSV file? Name it .csv, or "
                                                        "separate the columns with tabs."))
                if any(p.severity == "error" for p in parsed.problems):
                    return parsed
                idx = {c: i for i, c in enumerate(columns)}
                i_s, i_t = idx["source"], idx["target"]
                i_a, i_c, i_st, i_n = (idx.get(c) for c in ("aliases", "case", "status", "note"))
                extra_cols = [(c, i) for c, i in idx.items() if c not in COLUMNS and c]
                n = len(columns)
                terms = parsed.terms
                if not header.absent:
                    if not keep_raw and (rows := _plain_rows(lines, lineno, columns, path)) is not None:
                        parsed.terms = rows  # (no row before the header)
                        break
                    continue
            fields = split_row(line) if '"' in line else line.split("\t")
            if len(fields) != n:
                if len(fields) > n:
                    parsed.problems.append(Problem(
                        lineno, "columns", f"{len(fields)} fields but the header has {n} columns",
                        hint="A stray tab? Fields cannot contain tabs."))
                    continue
                fields += [""] * (n - len(fields))
            if keep_raw:
                parsed.raw.append((lineno, dict(zip(columns, fields))))
            # The common case without a dict per row: 100,000 rows load in a fraction of a second.
            source = fields[i_s].strip()
            target = fields[i_t].strip()
            status = fields[i_st].strip().lower() if i_st is not None else ""
            case = fields[i_c].strip().lower() if i_c is not None else ""
            if source and (target or status == "dnt") and status in _STATUSES and case in _CASES \
                    and len(source) <= MAX_TERM and len(target) <= MAX_TERM and \
                    (i_a is None or len(fields[i_a]) <= MAX_TERM):
                aliases = ([a.strip() for a in fields[i_a].split("|") if a.strip()]
                           or NO_ALIASES) if i_a is not None and fields[i_a] else NO_ALIASES
                terms.append(Term(source, target, aliases, case or None, status or "preferred",
                                  fields[i_n].strip() if i_n is not None else "",
                                  {c: fields[i] for c, i in extra_cols} if extra_cols else NO_EXTRA,
                                  path=path, line=lineno))
            else:
                term, problems = make_term(dict(zip(columns, fields)), lineno)
                parsed.problems += problems
                if term is not None:
                    terms.append(term)
        if columns is None:
            parsed.problems.append(Problem(None, "header", "no header row, only comments",
                                           hint="The first row names the columns: source<TAB>target ..."))
        return parsed

    def dumps(self, glossary: Glossary) -> bytes:
        cols = output_columns(glossary)
        lines = ["\t".join(header_cells(glossary, cols))]
        for t in glossary.terms:
            v = term_values(t)
            lines.append(format_row(cols, v))
        return ("\n".join(lines) + "\n").encode("utf-8")


_SKIPPED_START = re.compile("[# \t\x0b\x0c]")  # a line that may be a comment or blank


def _plain_rows(lines: list[str], header_line: int, columns: list[str],
                path: str) -> list[Term] | TermRows | None:
    """The terms of the rows after the header (line `header_line`) when every one of them is a
    plain row: no blank or comment line, no quote, every row with all the header's fields, and
    every value valid. Then the rows are split and checked column by column, with C-level
    calls instead of a Python loop per row; the terms are what the row-by-row reader makes of
    them. None when some row needs that reader (a comment, a quote, a short row, a problem)."""
    body = lines[header_line:]
    if not body or not all(body) or _SKIPPED_START.search("".join(map(itemgetter(0), body))):
        return None
    n = len(columns)
    joined = "\t".join(body)
    if '"' in joined or set(map(str.count, body, repeat("\t"))) != {n - 1}:
        return None
    cells = joined.split("\t")  # row r's field c is cells[r * n + c]
    idx = {c: i for i, c in enumerate(columns)}

    def column(name: str) -> list[str] | None:
        return cells[idx[name]::n] if name in idx else None

    sources, targets = list(map(str.strip, column("source"))), list(map(str.strip, column("target")))
    raw_status, raw_case, raw_aliases, raw_note = (column(c) for c in ("status", "case", "aliases", "note"))
    statuses = list(map(str.lower, map(str.strip, raw_status))) if raw_status is not None else None
    cases = list(map(str.lower, map(str.strip, raw_case))) if raw_case is not None else None
    if not all(sources) or (statuses is not None and not set(statuses) <= _STATUSES) or \
            (cases is not None and not set(cases) <= _CASES) or \
            max(map(len, sources)) > MAX_TERM or max(map(len, targets)) > MAX_TERM or \
            (raw_aliases is not None and max(map(len, raw_aliases)) > MAX_TERM):
        return None
    if not all(targets) and (statuses is None or any(
            not t and s != "dnt" for t, s in zip(targets, statuses))):
        return None
    m = len(body)
    aliases: list = [NO_ALIASES] * m
    for r in compress(range(m), raw_aliases or ()):
        aliases[r] = [a.strip() for a in raw_aliases[r].split("|") if a.strip()] or NO_ALIASES
    extra_cols = [(c, i) for c, i in idx.items() if c not in COLUMNS and c]
    if raw_aliases is None or not any(raw_aliases):
        if not extra_cols and (cases is None or not any(cases)) and \
                (statuses is None or set(statuses) <= {"", "preferred"}):
            # Rows with a source, a target and maybe a note: kept as columns (see TermRows)
            return TermRows(sources, targets, list(map(str.strip, raw_note)) if raw_note is not None
                            else None, path, header_line + 1)
    extras = [{c: cells[r * n + i] for c, i in extra_cols} for r in range(m)] if extra_cols \
        else repeat(NO_EXTRA)
    return list(map(Term, sources, targets, aliases,
                    [c or None for c in cases] if cases is not None else repeat(None),
                    [s or "preferred" for s in statuses] if statuses is not None else repeat("preferred"),
                    map(str.strip, raw_note) if raw_note is not None else repeat(""),
                    extras, repeat("en"), repeat("zh"), repeat(path), range(header_line + 1, header_line + 1 + m)))


def format_row(columns: list[str], values: dict[str, str]) -> str:
    cells = [_cell(values.get(c, "")) for c in columns]
    if cells and cells[0].lstrip().startswith("#"):
        cells[0] = _quote(cells[0])  # else the row reads back as a comment
    while len(cells) > 2 and cells[-1] == "":
        cells.pop()  # trailing empty optional fields: shorter rows, same meaning
    return "\t".join(cells)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _cell(value: str) -> str:
    if "\n" in value or "\r" in value:
        value = " ".join(value.splitlines())
    if "\t" in value or value.startswith('"'):
        return _quote(value)
    return value
