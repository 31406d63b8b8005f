"""Add and remove glossary rows without disturbing the rest of the file.

A TSV glossary is edited as text: every other line (comments, blank lines, rows, column
order, line endings) stays byte for byte as it was, so a `git diff` shows exactly the row
that changed. Other formats are read, changed and written back. Every write is atomic, and
each read-modify-write holds a lock (flock on the glossary's directory), so concurrent edits
all land. A symlinked glossary is edited where it lives, keeping its mode and owner; a
read-only one is refused.

    add_term("glossaries/news.tsv", Term("Xi Jinping", "习近平"))
    add_term(path, Term("cadre", "干部"), force=True)   # replaces a conflicting row
    remove_terms("glossaries/news.tsv", "Xi Jinping")
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import EXIT_FINDINGS, AlignerError, InputError
from aligner.glossary.formats import get_format
from aligner.glossary.formats.base import decode, read_bytes, read_header, term_values
from aligner.glossary.formats.tsv import TsvFormat, format_row, is_skipped, split_lines, split_row
from aligner.glossary.model import COLUMNS, Glossary, Term, concept_key, detect_languages
from aligner.io.atomic import atomic_write_bytes, atomic_write_text, locked_for_edit, rewrite_target
from aligner.io.text import _BOMS


class GlossaryConflict(AlignerError):
    """`add` refused: the glossary already renders the term differently (exit code 1)."""

    exit_code = EXIT_FINDINGS


@dataclass
class EditResult:
    action: str  # "added", "replaced", "unchanged", "removed"
    lines: list[int]  # lines of the rows concerned (before the edit)
    term: Term | None = None


def _skey(t: Term, form: str | None = None) -> str:
    form = t.source if form is None else form
    return concept_key(form, t.src_lang, t.sensitive(form))


def _tkey(t: Term) -> str:
    return concept_key(t.side(t.tgt_lang), t.tgt_lang)


def _orient(term: Term, glossary: Glossary) -> Term:
    """The new row in the file's column order: a Chinese source in an en-zh file is swapped."""
    term.src_lang, term.tgt_lang = glossary.src_lang, glossary.tgt_lang
    langs = detect_languages([(term.source, term.target)])
    if term.target and langs != (glossary.src_lang, glossary.tgt_lang) and not term.aliases:
        term.source, term.target = term.target, term.source
    return term


def conflicts(glossary: Glossary, term: Term) -> tuple[list[Term], list[Term]]:
    """(rows equal to `term`, rows that contradict it)."""
    same, clash = [], []
    for t in glossary.terms:
        if _skey(t) != _skey(term):
            continue
        if _tkey(t) == _tkey(term):
            (same if t.status == term.status else clash).append(t)
        elif t.status != "forbidden" and term.status != "forbidden":
            clash.append(t)
    return same, clash


def add_term(path: str | Path, term: Term, *, force: bool = False, format: str | None = None
             ) -> EditResult:
    """Add a row. A row with the same source and another rendering (or the same rendering
    with another status) is a conflict: GlossaryConflict, unless `force`, which replaces the
    conflicting row(s) in place. A row that is already there changes nothing."""
    path = Path(path)
    fmt = get_format(format, path)
    with locked_for_edit(os.path.realpath(path)):
        return _add_term(path, fmt, term, force)


def _add_term(path: Path, fmt, term: Term, force: bool) -> EditResult:
    target, like = rewrite_target(path)
    if like is None:
        g = Glossary(src_lang="en", tgt_lang="zh", path=str(path))
        term = _orient(term, g)
        g.terms.append(term)
        if isinstance(fmt, TsvFormat):
            cols = [c for c in COLUMNS if c in ("source", "target") or term_values(term).get(c)]
            for c in term.extra:
                cols.append(c)
            atomic_write_text(target, "\t".join(cols) + "\n" + format_row(cols, term_values(term)) + "\n")
        else:
            atomic_write_bytes(target, fmt.dumps(g))
        return EditResult("added", [], term)
    g = fmt.read(path)
    term = _orient(term, g)
    same, clash = conflicts(g, term)
    if same and not clash:
        return EditResult("unchanged", [t.line for t in same], term)
    if clash and not force:
        first = clash[0]
        raise GlossaryConflict(
            f"conflict: {first.source!r} is already {first.side(first.tgt_lang)} "
            f"({first.status}, line {first.line}); refusing to add {term.target or term.source} "
            f"({term.status})", path=str(path), line=first.line,
            hint="Use --force to replace that row, or edit the file.")
    if clash and clash[0].status == term.status:
        # Replacing the rendering: what the new row does not say, the old row still says.
        old = clash[0]
        term.aliases = term.aliases or list(old.aliases)
        term.case = term.case or old.case
        term.note = term.note or old.note
        term.extra = {**old.extra, **term.extra}
    if isinstance(fmt, TsvFormat):
        _tsv_edit(path, replace={t.line for t in clash + same}, new=term, target=target, like=like)
    else:
        drop = {id(t) for t in clash + same}
        out, placed = [], False
        for t in g.terms:
            if id(t) in drop:
                if not placed:
                    out.append(term)
                    placed = True
                continue
            out.append(t)
        if not placed:
            out.append(term)
        g.terms = out
        g.changed()
        atomic_write_bytes(target, fmt.dumps(g), like=like)
    return EditResult("replaced" if clash else "added", [t.line for t in clash], term)


def remove_terms(path: str | Path, source: str, target: str | None = None, *,
                 format: str | None = None) -> EditResult:
    """Remove the rows of a term (matched like the glossary matches it: case rules apply),
    only those with `target` when given. InputError when nothing matches."""
    path = Path(path)
    fmt = get_format(format, path)
    with locked_for_edit(os.path.realpath(path)):
        return _remove_terms(path, fmt, source, target)


def _remove_terms(path: Path, fmt, source: str, target: str | None) -> EditResult:
    out_path, like = rewrite_target(path)
    g = fmt.read(path)
    probe = Term(source, target or "", src_lang=g.src_lang, tgt_lang=g.tgt_lang)
    if detect_languages([(source, "")]) != (g.src_lang, g.tgt_lang) and target is None:
        # A Chinese term given to an en-zh glossary: look it up by target.
        hits = [t for t in g.terms if concept_key(t.target, t.tgt_lang) ==
                concept_key(source, t.tgt_lang)]
    else:
        hits = [t for t in g.terms if _skey(t) == _skey(probe) and
                (target is None or _tkey(t) == concept_key(target, t.tgt_lang))]
    if not hits:
        raise InputError(f"no row for {source!r}" + (f" -> {target}" if target else ""),
                         path=str(path), hint="See the rows with `aligner glossary list`.")
    if isinstance(fmt, TsvFormat):
        _tsv_edit(path, replace={t.line for t in hits}, new=None, target=out_path, like=like)
    else:
        drop = {id(t) for t in hits}
        g.terms = [t for t in g.terms if id(t) not in drop]
        g.changed()
        atomic_write_bytes(out_path, fmt.dumps(g), like=like)
    return EditResult("removed", [t.line for t in hits])


def _tsv_edit(path: Path, replace: set[int], new: Term | None, target: Path,
              like: os.stat_result | None) -> None:
    """Rewrite a TSV glossary: lines in `replace` go (the first becomes `new` when given,
    else `new` is appended); everything else is kept exactly."""
    raw = read_bytes(path)
    text = decode(raw, str(path))
    # Written back in its own encoding and byte-order mark, so no other line changes.
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
    bom = "\ufeff" if encoding else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = split_lines(text)
    header = next(ln for ln in lines if not is_skipped(ln))
    cols = read_header(split_row(header)).columns  # en/zh columns are source/target
    row = None
    if new is not None:
        values = term_values(new)
        # "preferred" is what an absent status column means: no column needed for it.
        missing = [c for c in COLUMNS if values.get(c) and c not in cols
                   and not (c == "status" and values[c] == "preferred")] + \
            [c for c in new.extra if c not in cols]
        if missing:
            raise InputError(f"the new row needs column(s) {', '.join(missing)}, which the file "
                             "does not have", path=str(path),
                             hint="Add the column(s) to the header first.")
        row = format_row(cols, values)
    out: list[str] = []
    placed = False
    for lineno, line in enumerate(lines, 1):
        if lineno in replace:
            if row is not None and not placed:
                out.append(row)
                placed = True
            continue
        out.append(line)
    if row is not None and not placed:
        out.append(row)
    atomic_write_text(target, bom + newline.join(out) + newline, encoding=encoding or "utf-8",
                      like=like)

