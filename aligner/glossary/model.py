"""Glossary data model: Term (one row), Glossary (the rows of one or more files), and the
per-direction view that translation and checks use (Direction, Entry, Match).

One glossary serves both directions. Its rows pair a `source` with a `target` (for the
shipped glossaries English and Chinese); en->zh looks terms up by source and expects the
target, zh->en looks them up by target and expects the source.

    g = load_glossaries(["glossaries/news.tsv"])
    for m in g.find("Zhu Zhiqiang, a CCP cadre", "en"):
        m.start, m.end, m.text, m.term.target      # 0, 12, 'Zhu Zhiqiang', '朱志强'
    g.find("中共干部朱志强", "zh")                      # matches 中共, 干部, 朱志强

`Glossary.find(text, lang)` returns `Match(start, end, text, term, entry)` with character
offsets into `text`, leftmost-longest and non-overlapping; `find_forbidden` returns the
forbidden renderings in a text. Rows statuses:
  preferred  the rendering to use (the default);
  forbidden  a rendering that must not appear. The row pairs a term with a wrong rendering
             of it: the side that is the approved term of a preferred row is the term, the
             other side the forbidden rendering (`Zhu Zhiqiang -> 猪之墙` forbids 猪之墙 in
             Chinese; `Pig Wall -> 朱志强` forbids "Pig Wall" in English). When neither side
             is an approved term, the target is the forbidden rendering.
  dnt        do not translate: the term is kept verbatim (target may be empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Iterable, Iterator, NamedTuple

from aligner.glossary.match import (Matcher, en_key, en_keys, gc_paused_on_long_text, is_acronym,
                                    paused_gc, zh_key, zh_keys)
from aligner.text.scripts import count_cjk

STATUSES = ("preferred", "forbidden", "dnt")
CASES = ("sensitive", "insensitive")
COLUMNS = ("source", "target", "aliases", "case", "status", "note")
LANGS = ("en", "zh")


@dataclass(slots=True)
class Term:
    """One glossary row.

    `aliases` are other forms of the source (Zhu for Zhu Zhiqiang). `case` is None when
    the file leaves it empty: then acronyms (all capitals) are case-sensitive and every
    other form is not. `extra` keeps columns this tool does not know, so they survive
    edits and conversions. `path`/`line` say where the row came from, for messages.
    """

    source: str
    target: str
    aliases: list[str] = field(default_factory=list)
    case: str | None = None
    status: str = "preferred"
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    src_lang: str = "en"
    tgt_lang: str = "zh"
    path: str | None = None
    line: int | None = None

    def side(self, lang: str) -> str:
        if lang == self.src_lang:
            return self.source
        if lang == self.tgt_lang:
            return self.target or (self.source if self.status == "dnt" else "")
        raise ValueError(f"term {self.source!r} has no {lang!r} side")

    def sensitive(self, form: str) -> bool:
        if self.case == "sensitive":
            return True
        if self.case == "insensitive":
            return False
        return is_acronym(form)

    @property
    def where(self) -> str:
        if self.path is None:
            return f"line {self.line}" if self.line is not None else "?"
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def fields(self) -> dict[str, object]:
        """The row's content, without where it came from (what round trips must keep)."""
        return {"source": self.source, "target": self.target, "aliases": list(self.aliases),
                "case": self.case, "status": self.status, "note": self.note,
                "extra": dict(self.extra), "src_lang": self.src_lang, "tgt_lang": self.tgt_lang}


def concept_key(form: str, lang: str, sensitive: bool = False) -> str:
    """What makes two forms the same term: case-folded English (as written for
    case-sensitive forms), full-width-folded NFKC Chinese."""
    if lang == "zh":
        return zh_key(form)
    return " ".join(form.split()) if sensitive else en_key(form)


def concept_keys(forms: list[str], lang: str, sensitive: list[bool]) -> list[str]:
    """concept_key for many forms at once (bulk normalisation)."""
    if lang == "zh":
        return zh_keys(forms)
    keys = en_keys(forms)
    for i in compress(range(len(forms)), sensitive):  # the few case-sensitive forms
        keys[i] = " ".join(forms[i].split())
    return keys


def detect_languages(pairs: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """Which column is Chinese: the one with more CJK characters."""
    columns = list(zip(*pairs)) or [(), ()]  # transposed in C: 100,000 rows
    src, tgt = ("".join(c) for c in columns)
    return ("zh", "en") if count_cjk(src) > count_cjk(tgt) else ("en", "zh")


@dataclass(eq=False, slots=True)
class Entry:
    """A term in one direction: its source forms, the rendering translations must use,
    the other acceptable renderings, and forbidden ones.

    The forms are tuples, made once per entry: a glossary of 100,000 terms has 100,000
    entries per direction, and tuples of strings are objects the cyclic collector stops
    tracking, where lists would be rescanned by every collection while a glossary loads."""

    id: int
    term: Term  # the row whose rendering is enforced (the first approved row in file order)
    source: str  # the canonical source form in this direction
    rendering: str
    accepted: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()  # source forms: term and aliases
    rows: tuple[Term, ...] = ()
    sensitive: tuple[bool, ...] = ()  # per form in `forms`


class Match(NamedTuple):
    """A term found in a text: `text[start:end]` as written, the glossary row and the entry
    of the direction. (A named tuple: matches are made by the hundred thousand.)"""

    start: int
    end: int
    text: str
    term: Term
    entry: Entry


class Direction:
    """The glossary seen from `src_lang` to `tgt_lang`: entries and their matchers, built
    once on first use and cached by the Glossary."""

    def __init__(self, glossary: "Glossary", src_lang: str, tgt_lang: str):
        with paused_gc():
            self._build(glossary, src_lang, tgt_lang)

    def _build(self, glossary: "Glossary", src_lang: str, tgt_lang: str) -> None:
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.entries: list[Entry] = []
        by_key: dict[str, Entry] = {}
        approved = [t for t in glossary.terms if t.status != "forbidden"]
        # Term.side and Term.sensitive, inlined for the common cases (100,000 rows).
        s_forms = [t.source if t.src_lang == src_lang else t.target if t.tgt_lang == src_lang
                   and t.target else t.side(src_lang) for t in approved]
        t_forms = [t.source if t.src_lang == tgt_lang else t.target if t.tgt_lang == tgt_lang
                   and t.target else t.side(tgt_lang) for t in approved]
        s_sens = [t.case == "sensitive" or (t.case != "insensitive" and f.isupper()
                                             and is_acronym(f))
                  for t, f in zip(approved, s_forms)]
        keys = concept_keys(s_forms, src_lang, s_sens)
        entries = self.entries
        append = entries.append
        get = by_key.get
        for term, s_form, t_form, sens, key in zip(approved, s_forms, t_forms, s_sens, keys):
            if not s_form or not t_form:
                continue
            entry = get(key)
            if entry is None:
                entry = Entry(len(entries), term, s_form, t_form, (t_form,), (), (s_form,),
                              (term,), (sens,))
                append(entry)
                by_key[key] = entry
            else:
                if t_form not in entry.accepted:
                    entry.accepted += (t_form,)
                entry.rows += (term,)
                if s_form not in entry.forms:
                    entry.forms += (s_form,)
                    entry.sensitive += (sens,)
            if term.aliases:
                if term.src_lang == src_lang:
                    for a in term.aliases:
                        if a not in entry.forms:
                            entry.forms += (a,)
                            entry.sensitive += (term.sensitive(a),)
                else:  # into the aliases' language: they are acceptable renderings
                    for a in term.aliases:
                        if a not in entry.accepted:
                            entry.accepted += (a,)
        for term in glossary.terms:
            if term.status != "forbidden" or glossary.forbidden_lang(term) != tgt_lang:
                continue
            good = term.side(src_lang)
            entry = by_key.get(concept_key(good, src_lang, term.sensitive(good)))
            bad = term.side(tgt_lang)
            if entry is not None and bad and bad not in entry.forbidden:
                entry.forbidden += (bad,)
                entry.rows += (term,)
        self._source_matcher: Matcher | None = None
        self._rendering_matcher: Matcher | None = None
        self._forbidden_matcher: Matcher | None = None

    # Matchers are built lazily: a run en->zh never pays for the zh->en automatons.
    @property
    def source_matcher(self) -> Matcher:
        if self._source_matcher is None:
            # Every entry's forms, each with its entry (C-level chain/map/repeat: 100,000 entries)
            entries = self.entries
            forms_of = list(map(attrgetter("forms"), entries))
            forms = list(chain.from_iterable(forms_of))
            payloads = list(chain.from_iterable(map(repeat, entries, map(len, forms_of))))
            sens = list(chain.from_iterable(map(attrgetter("sensitive"), entries)))
            m = Matcher(self.src_lang)
            m.add_many(forms, payloads, sens, inflect=self.src_lang == "en")
            self._source_matcher = m.build()
        return self._source_matcher

    @property
    def rendering_matcher(self) -> Matcher:
        if self._rendering_matcher is None:
            items = [(f, e, e.term.sensitive(f)) for e in self.entries for f in e.accepted]
            m = Matcher(self.tgt_lang)
            m.add_many([i[0] for i in items], [i[1] for i in items], [i[2] for i in items],
                       inflect=self.tgt_lang == "en")
            self._rendering_matcher = m.build(overlapping=True)  # used by find_all only
        return self._rendering_matcher

    @property
    def forbidden_matcher(self) -> Matcher:
        if self._forbidden_matcher is None:
            items = [(f, e) for e in self.entries for f in e.forbidden]
            m = Matcher(self.tgt_lang)
            m.add_many([i[0] for i in items], [i[1] for i in items], [False] * len(items),
                       inflect=self.tgt_lang == "en")
            self._forbidden_matcher = m.build(overlapping=True)  # used by find_all only
        return self._forbidden_matcher

    @gc_paused_on_long_text
    def find(self, text: str) -> list[Match]:
        """Terms in a source-language text, leftmost-longest, non-overlapping."""
        found, entries = self.source_matcher.find_indexed(text)
        if entries is None:
            return self._matches(found, text)
        new = tuple.__new__  # what Match(...) does, without its Python-level __new__
        return [new(Match, (s, e, text[s:e], (ent := entries[i]).term, ent)) for s, e, i in found]

    @gc_paused_on_long_text
    def renderings(self, text: str) -> list[Match]:
        """Every acceptable rendering in a target-language text (overlapping ones too)."""
        return self._matches(self.rendering_matcher.find_all(text), text)

    @gc_paused_on_long_text
    def forbidden(self, text: str) -> list[Match]:
        return self._matches(self.forbidden_matcher.find_all(text), text)

    @staticmethod
    def _matches(found: list[tuple[int, int, Entry]], text: str) -> list[Match]:
        new = tuple.__new__  # what Match(...) does, without its Python-level __new__
        return [new(Match, (s, e, text[s:e], ent.term, ent)) for s, e, ent in found]


class Glossary:
    """The rows of one or more glossary files, in file order (the first row of a term wins
    when rows disagree)."""

    def __init__(self, terms: Iterable[Term] = (), *, src_lang: str = "en", tgt_lang: str = "zh",
                 path: str | None = None, columns: list[str] | None = None):
        self.terms: list[Term] = list(terms)
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.paths: list[str] = [path] if path else []
        self.columns: list[str] = list(columns) if columns else list(COLUMNS)
        self._directions: dict[tuple[str, str], Direction] = {}
        self._forbidden_lang: dict[int, str] | None = None

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __repr__(self) -> str:
        return f"<Glossary {self.src_lang}-{self.tgt_lang} {len(self.terms)} terms {self.paths}>"

    @property
    def languages(self) -> tuple[str, str]:
        return self.src_lang, self.tgt_lang

    def changed(self) -> None:
        """Call after editing `terms` in place: drops the cached matchers."""
        self._directions.clear()
        self._forbidden_lang = None

    def other(self, lang: str) -> str:
        if lang not in (self.src_lang, self.tgt_lang):
            raise ValueError(f"glossary is {self.src_lang}-{self.tgt_lang}, not {lang}")
        return self.tgt_lang if lang == self.src_lang else self.src_lang

    def direction(self, src_lang: str, tgt_lang: str | None = None) -> Direction:
        tgt_lang = tgt_lang or self.other(src_lang)
        d = self._directions.get((src_lang, tgt_lang))
        if d is None:
            d = self._directions[(src_lang, tgt_lang)] = Direction(self, src_lang, tgt_lang)
        return d

    def find(self, text: str, lang: str) -> list[Match]:
        """Glossary terms in `text` (written in `lang`), with offsets into `text`."""
        return self.direction(lang).find(text)

    def find_forbidden(self, text: str, lang: str) -> list[Match]:
        """Forbidden renderings in `text` (written in `lang`), whatever the source said."""
        return self.direction(self.other(lang), lang).forbidden(text)

    def forbidden_lang(self, term: Term) -> str:
        """The language of a forbidden row's forbidden side (see the module docstring)."""
        if self._forbidden_lang is None:
            self._forbidden_lang = {}
            forbidden = [t for t in self.terms if t.status == "forbidden"]
            if forbidden:
                # Approved forms per language, whichever column they are in.
                forms: dict[str, list[tuple[str, bool]]] = {}
                for t in self.terms:
                    if t.status != "forbidden":
                        forms.setdefault(t.src_lang, []).append((t.source, t.sensitive(t.source)))
                        if t.target:
                            forms.setdefault(t.tgt_lang, []).append((t.target, False))
                approved = {lang: set(concept_keys([f for f, _ in fs], lang, [s for _, s in fs]))
                            for lang, fs in forms.items()}
                for t in forbidden:
                    if concept_key(t.source, t.src_lang, t.sensitive(t.source)) in \
                            approved.get(t.src_lang, ()):
                        self._forbidden_lang[id(t)] = t.tgt_lang
                    elif concept_key(t.target, t.tgt_lang) in approved.get(t.tgt_lang, ()):
                        self._forbidden_lang[id(t)] = t.src_lang
                    else:
                        self._forbidden_lang[id(t)] = t.tgt_lang
        return self._forbidden_lang.get(id(term), term.tgt_lang)

    @classmethod
    def merge(cls, glossaries: Iterable["Glossary"]) -> "Glossary":
        """One glossary from several; rows keep their file and line; earlier files win."""
        gs = list(glossaries)
        if not gs:
            return cls()
        out = cls([t for g in gs for t in g.terms], src_lang=gs[0].src_lang, tgt_lang=gs[0].tgt_lang,
                  columns=gs[0].columns)
        out.paths = [p for g in gs for p in g.paths]
        return out
