"""Lint a glossary file: what a reviewer should fix before it is used, with line numbers.

errors (exit 1): malformed rows, unknown status/case values, empty or whitespace-padded
  fields, duplicate rows, conflicts (one source with different targets; an alias that is
  another term; a rendering both preferred and forbidden), targets in the wrong script;
warnings: a target shared by several sources (zh->en uses the first), a forbidden row with
  no preferred row for its term, a dnt row whose target differs from its source;
info: terms that are part of longer terms (the longer one wins where both match).

    report = lint_glossary("glossaries/news.tsv")
    for p in report.problems: print(report.format(p))
    # glossaries/news.tsv:30: error: conflict: "cadre" has targets 干部 (line 27) and 骨干 (line 30)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from aligner.glossary.formats import get_format
from aligner.glossary.formats.base import Problem, build_glossary, read_bytes
from aligner.glossary.match import Matcher, en_cores
from aligner.glossary.model import COLUMNS, Glossary, Term, concept_key
from aligner.text.scripts import has_cjk

SEVERITIES = ("error", "warning", "info")


@dataclass
class LintReport:
    path: str
    problems: list[Problem] = field(default_factory=list)
    terms: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self, p: Problem) -> str:
        where = f"{self.path}:{p.line}" if p.line is not None else self.path
        text = f"{where}: {p.severity}: {p.code}: {p.message}"
        return text + (f"\n  {p.hint}" if p.hint else "")

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for p in self.problems if p.severity == s) for s in SEVERITIES}

    def to_json(self) -> dict:
        return {"glossary": self.path, "terms": self.terms, **self.counts(),
                "problems": [{"line": p.line, "severity": p.severity, "code": p.code,
                              "message": p.message, "hint": p.hint} for p in self.problems]}


def lint_glossary(path: str | Path, format: str | None = None) -> LintReport:
    name = str(path)
    fmt = get_format(format, path)
    parsed = fmt.parse(read_bytes(path), name)
    report = LintReport(name, list(parsed.problems))
    glossary = build_glossary(parsed, name)
    report.terms = len(glossary.terms)
    report.problems += _padding(parsed.raw)
    report.problems += lint_terms(glossary)
    report.problems.sort(key=lambda p: (p.line if p.line is not None else 0,
                                        SEVERITIES.index(p.severity)))
    return report


def _padding(raw: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    out = []
    for line, values in raw:
        for col, v in values.items():
            if v is None or col not in COLUMNS:
                continue
            parts = v.split("|") if col == "aliases" else [v]
            if any(p != p.strip() for p in parts) and v.strip():
                shown = v if len(v) <= 80 else v[:40] + "…" + v[-20:]  # a 10 MB cell stays one line
                out.append(Problem(line, "whitespace", f"{col} {shown!r} has spaces around it",
                                   hint="Matching ignores them, but they hide typos; remove them."))
    return out


def _q(s: str) -> str:
    return f'"{s}"'


class _Rows:
    """What the rules share: the glossary, its approved rows and the first row per key."""

    def __init__(self, g: Glossary):
        self.g = g
        self.terms = g.terms
        self.approved = [t for t in g.terms if t.status != "forbidden"]
        self.first_by_source: dict[str, Term] = {}
        for t in self.approved:
            self.first_by_source.setdefault(self.skey(t), t)
        self.first_by_target: dict[str, Term] = {}
        for t in self.approved:
            if t.target:
                self.first_by_target.setdefault(self.tkey(t), t)

    @staticmethod
    def skey(t: Term, form: str | None = None) -> str:
        form = t.source if form is None else form
        return concept_key(form, t.src_lang, t.sensitive(form))

    @staticmethod
    def tkey(t: Term) -> str:
        return concept_key(t.side(t.tgt_lang), t.tgt_lang)


def _duplicates(r: _Rows) -> Iterator[Problem]:
    """The same row twice."""
    seen: dict[tuple, Term] = {}
    for t in r.terms:
        k = (r.skey(t), r.tkey(t), t.status)
        if k in seen:
            yield Problem(t.line, "duplicate", f"{_q(t.source)} -> {t.target or t.source} "
                          f"({t.status}) repeats line {seen[k].line}",
                          hint="Delete one of the two rows.")
        else:
            seen[k] = t


def _source_conflicts(r: _Rows) -> Iterator[Problem]:
    """One source, several targets."""
    for t in r.approved:
        prev = r.first_by_source[r.skey(t)]
        if prev is not t and r.tkey(prev) != r.tkey(t):
            yield Problem(t.line, "conflict", f"{_q(t.source)} has targets "
                          f"{prev.side(prev.tgt_lang)} (line {prev.line}) and "
                          f"{t.side(t.tgt_lang)} (line {t.line})",
                          hint="Keep one rendering; mark a wrong one as forbidden. "
                               "Translation uses the first.")


def _alias_conflicts(r: _Rows) -> Iterator[Problem]:
    """An alias that is also a term (or another term's alias) with another rendering."""
    alias_owner: dict[str, Term] = {}
    for t in r.approved:
        for a in t.aliases:
            k = r.skey(t, a)
            other = r.first_by_source.get(k)
            if other is not None and other is not t and r.tkey(other) != r.tkey(t):
                yield Problem(t.line, "conflict", f"alias {_q(a)} of {_q(t.source)} is also "
                              f"the term on line {other.line} ({other.side(other.tgt_lang)})",
                              hint="An alias must not be a term of its own.")
            prev = alias_owner.get(k)
            if prev is not None and prev is not t and r.tkey(prev) != r.tkey(t):
                yield Problem(t.line, "conflict", f"alias {_q(a)} is also an alias of "
                              f"{_q(prev.source)} (line {prev.line})")
            alias_owner.setdefault(k, t)


def _preferred_and_forbidden(r: _Rows) -> Iterator[Problem]:
    """A rendering that is both preferred and forbidden for the same term."""
    approved_pairs = {(r.skey(t), r.tkey(t)): t for t in r.approved}
    for t in r.terms:
        if t.status == "forbidden":
            other = approved_pairs.get((r.skey(t), r.tkey(t)))
            if other is not None:
                yield Problem(t.line, "conflict", f"{_q(t.source)} -> {t.target} is forbidden "
                              f"here but preferred on line {other.line}")


def _shared_targets(r: _Rows) -> Iterator[Problem]:
    """A target shared by several sources: ambiguous from the other side."""
    for t in r.approved:
        if not t.target:
            continue
        prev = r.first_by_target[r.tkey(t)]
        if prev is not t and r.skey(prev) != r.skey(t):
            yield Problem(t.line, "shared-target", f"{t.target} is the target of "
                          f"{_q(prev.source)} (line {prev.line}) and {_q(t.source)}; "
                          f"translating {t.tgt_lang}->{t.src_lang} uses {_q(prev.source)}",
                          severity="warning",
                          hint="Fine for synonyms; otherwise make the targets differ.")


def _lone_forbidden(r: _Rows) -> Iterator[Problem]:
    """Forbidden rows whose term has no preferred row."""
    for t in r.terms:
        if t.status != "forbidden":
            continue
        if r.skey(t) not in r.first_by_source and r.tkey(t) not in r.first_by_target:
            yield Problem(t.line, "forbidden", f"no preferred row for {_q(t.source)} or "
                          f"{t.target}; {t.target} is taken as the forbidden rendering",
                          severity="warning", hint="Add the preferred rendering as a row.")


def _dnt_with_target(r: _Rows) -> Iterator[Problem]:
    """A do-not-translate row whose target differs from its source."""
    for t in r.terms:
        if t.status == "dnt" and t.target and t.target != t.source:
            yield Problem(t.line, "dnt", f"{_q(t.source)} is do-not-translate but its "
                          f"target is {t.target}", severity="warning",
                          hint="Leave the target empty or equal to the source.")


def _wrong_script(r: _Rows) -> Iterator[Problem]:
    """A Chinese form without Chinese characters, an English one with them."""
    for t in r.terms:
        if t.status == "dnt":
            continue
        for lang, forms in ((t.src_lang, [t.source] + list(t.aliases)), (t.tgt_lang, [t.target])):
            for f in forms:
                if not f:
                    continue
                if lang == "zh" and not has_cjk(f):
                    yield Problem(t.line, "script", f"{f!r} should be Chinese but has no "
                                  "Chinese characters", hint="Swapped columns? A dnt term?")
                elif lang == "en" and has_cjk(f):
                    yield Problem(t.line, "script", f"{f!r} should be English but has "
                                  "Chinese characters", hint="Swapped columns?")


def _nothing_to_match(r: _Rows) -> Iterator[Problem]:
    """An English form without a letter or digit (`...`, `--`): nothing is left to match."""
    for t in r.terms:
        for lang, forms in ((t.src_lang, [t.source, *t.aliases]), (t.tgt_lang, [t.target])):
            for f in forms:
                if f and lang == "en" and not en_cores([f])[0][0]:
                    yield Problem(t.line, "empty", f"{f!r} has no letter or digit: it can never "
                                  "match", hint="Give the term in words, or delete the row.")


def _substring_terms(r: _Rows) -> Iterator[Problem]:
    return iter(_substrings(r.g, r.approved))


#: The rules, in the order their problems are listed (before sorting by line).
RULES: list[Callable[[_Rows], Iterable[Problem]]] = [
    _duplicates, _source_conflicts, _alias_conflicts, _preferred_and_forbidden, _shared_targets,
    _lone_forbidden, _dnt_with_target, _wrong_script, _nothing_to_match, _substring_terms,
]


def lint_terms(g: Glossary) -> list[Problem]:
    """Checks on the meaning of the rows (the reader already reported malformed ones)."""
    rows = _Rows(g)
    return [p for rule in RULES for p in rule(rows)]


def _substrings(g: Glossary, approved: list[Term]) -> list[Problem]:
    """Terms inside longer terms, found with the matcher itself (linear in the glossary)."""
    out: list[Problem] = []
    found: dict[tuple[int, int], list[str]] = {}
    for lang in (g.src_lang, g.tgt_lang):
        m = Matcher(lang)
        for i, t in enumerate(approved):
            f = t.side(lang)
            if f:
                m.add(f, i, sensitive=t.sensitive(f))
        m.build(overlapping=True)  # only find_all is used here
        for j, t in enumerate(approved):
            f = t.side(lang)
            if not f:
                continue
            for s, e, i in m.find_all(f):
                if i != j and (e - s) < len(f):
                    found.setdefault((i, j), []).append(lang)
    for (i, j), langs in found.items():
        short, long = approved[i], approved[j]
        what = " / ".join(dict.fromkeys(f"{_q(short.side(lang))} in {_q(long.side(lang))}"
                                        for lang in langs))
        out.append(Problem(short.line, "substring", f"{what} (line {long.line}); the longer "
                           "term wins where both match", severity="info"))
    return out
