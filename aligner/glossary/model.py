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
from collections.abc import Sequence
from bisect import bisect_right
from itertools import accumulate, chain, compress
from operator import attrgetter, ne
from typing import Iterable, Iterator, NamedTuple

from aligner.glossary.match import Matcher, en_key, en_keys, is_acronym, zh_key, zh_keys
from aligner.text.scripts import count_cjk, has_cjk

STATUSES = ("preferred", "forbidden", "dnt")
CASES = ("sensitive", "insensitive")
COLUMNS = ("source", "target", "aliases", "case", "status", "note")
LANGS = ("en", "zh")


class _Empty:
    """An empty list or dict shared by every row that has no aliases or extra columns
    (100,000 rows would otherwise make 200,000 containers for the garbage collector to
    track). Changing it in place is an error: assign a new list or dict instead."""

    __slots__ = ()

    def _frozen(self, *args, **kwargs):
        raise TypeError("this empty value is shared by many glossary rows: assign a new one")

    append = extend = insert = remove = pop = clear = sort = reverse = __setitem__ = \
        __delitem__ = __iadd__ = update = setdefault = popitem = _frozen

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_shared_empty, (type(self).__name__,))


class _NoAliases(_Empty, list):
    __slots__ = ()


class _NoExtra(_Empty, dict):
    __slots__ = ()


NO_ALIASES: list[str] = _NoAliases()
NO_EXTRA: dict[str, str] = _NoExtra()


def _shared_empty(name: str):
    return NO_ALIASES if name == "_NoAliases" else NO_EXTRA


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


class TermRows(Sequence):
    """The rows of one file read in bulk, kept as columns (source, target, note), for the
    common glossary whose rows have no aliases, case, status or extra column: a Term is made
    from its row on first use (a match, or `Glossary.terms`) and kept, so a row is always the
    same Term object. 100,000 Term objects made while a glossary loads cost more in the
    cyclic garbage collector's passes (every pass rescans the loader's young 100,000-item
    lists) than in making them; a glossary's matchers are built from the columns."""

    __slots__ = ("sources", "targets", "notes", "path", "first_line", "src_lang", "tgt_lang", "made")

    def __init__(self, sources: list[str], targets: list[str], notes: list[str] | None,
                 path: str | None, first_line: int, src_lang: str = "en", tgt_lang: str = "zh"):
        self.sources = sources
        self.targets = targets  # none empty: every row is preferred (no dnt row)
        self.notes = notes
        self.path = path
        self.first_line = first_line  # rows are on consecutive lines
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.made: dict[int, Term] = {}

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self.term(k) for k in range(len(self.sources))[i]]
        if i < 0:
            i += len(self.sources)
        if not 0 <= i < len(self.sources):
            raise IndexError("glossary row out of range")
        return self.term(i)

    def __iter__(self) -> Iterator[Term]:
        return map(self.term, range(len(self.sources)))

    def term(self, i: int) -> Term:
        """Row i (0 <= i < len) as a Term, made on first use."""
        t = self.made.get(i)
        if t is None:
            t = self.made[i] = Term(self.sources[i], self.targets[i], NO_ALIASES, None, "preferred",
                                    self.notes[i] if self.notes is not None else "", NO_EXTRA,
                                    self.src_lang, self.tgt_lang, self.path, self.first_line + i)
        return t

    def side(self, lang: str) -> list[str]:
        """Term.side of every row."""
        if lang == self.src_lang:
            return self.sources
        if lang == self.tgt_lang:
            return self.targets
        return [t.side(lang) for t in self]  # raises Term.side's error


class _LazyTerms(Sequence):
    """The terms of a glossary's row stores by number (of `index`, when given), made on use."""

    __slots__ = ("stores", "starts", "index")

    def __init__(self, stores: list[TermRows], index: list[int] | None = None):
        self.stores = stores
        self.starts = list(accumulate(map(len, stores), initial=0))[:-1]
        self.index = index

    def __len__(self) -> int:
        return len(self.index) if self.index is not None else sum(map(len, self.stores))

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("glossary row out of range")
        return self.term(i)

    def __iter__(self) -> Iterator[Term]:
        return map(self.term, range(len(self)))

    def term(self, i: int) -> Term:
        """Term i (0 <= i < len), made on first use: what a direction's first match of an entry
        asks for, so no more than a look-up or two."""
        if self.index is not None:
            i = self.index[i]
        if len(self.stores) == 1:
            return self.stores[0].term(i)
        k = bisect_right(self.starts, i) - 1
        return self.stores[k].term(i - self.starts[k])


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
    return detect_column_languages(*columns)


def detect_column_languages(sources: Iterable[str], targets: Iterable[str]) -> tuple[str, str]:
    """detect_languages for the two columns given apart (e.g. map(attrgetter("source"), terms):
    no tuple per row)."""
    n_sources = count_cjk("".join(sources))
    if not n_sources:  # an English source column: no need to count the other one's (100,000 cells)
        return ("en", "zh")
    return ("zh", "en") if n_sources > count_cjk("".join(targets)) else ("en", "zh")


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


_SOURCE, _TARGET, _STATUS, _CASE, _SRC_LANG, _TGT_LANG = map(attrgetter, (
    "source", "target", "status", "case", "src_lang", "tgt_lang"))


def _sides(terms: list[Term], lang: str) -> list[str]:
    """[t.side(lang) for t in terms], as the common cases allow without a Python call per row."""
    if set(map(_SRC_LANG, terms)) <= {lang}:
        return list(map(_SOURCE, terms))
    if set(map(_TGT_LANG, terms)) <= {lang} and set(map(_SRC_LANG, terms)).isdisjoint({lang}):
        targets = list(map(_TARGET, terms))
        if all(targets):
            return targets
    return [t.source if t.src_lang == lang else t.target if t.tgt_lang == lang and t.target
            else t.side(lang) for t in terms]


class Direction:
    """The glossary seen from `src_lang` to `tgt_lang`: entries and their matchers, built
    once on first use and cached by the Glossary.

    A glossary of 100,000 terms has 100,000 entries per direction, so they are kept as flat
    lists (the term, source form, rendering and case rule of each entry), built with bulk
    C-level calls, and the automatons store entry numbers. An Entry object is made only for
    the few terms that merge several rows, aliases or forbidden renderings, and for the
    others the first time a text matches them (`entries[i]`): loading makes a handful of
    Python objects per term, so the cyclic garbage collector has little to rescan and is
    left alone."""

    def __init__(self, glossary: "Glossary", src_lang: str, tgt_lang: str):
        self._build(glossary, src_lang, tgt_lang)

    def _build(self, glossary: "Glossary", src_lang: str, tgt_lang: str) -> None:
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        stores = glossary._lazy_rows()
        if stores is not None:
            # Rows kept as columns (see TermRows): every row approved, no case, no aliases; the
            # terms are made when an entry needs them.
            terms = approved = _LazyTerms(stores)
            statuses = {"preferred"}
            s_forms = list(chain.from_iterable(r.side(src_lang) for r in stores))
            t_forms = list(chain.from_iterable(r.side(tgt_lang) for r in stores))
        else:
            terms = glossary.terms
            statuses = set(map(_STATUS, terms))
            approved = [t for t in terms if t.status != "forbidden"] if "forbidden" in statuses else list(terms)
            # Term.side and Term.sensitive, inlined for the common cases (100,000 rows): where every
            # row has the same languages and no empty cell, C-level maps instead of a Python loop.
            s_forms = _sides(approved, src_lang)
            t_forms = _sides(approved, tgt_lang)
        if not (all(s_forms) and all(t_forms)):  # a side left empty: no entry for that row
            approved = list(approved)
            keep = list(map(bool, map(len, s_forms)))
            keep = [k and bool(t) for k, t in zip(keep, t_forms)]
            approved, s_forms, t_forms = (list(compress(x, keep)) for x in (approved, s_forms, t_forms))
        if stores is not None or set(map(_CASE, approved)) <= {None}:  # no case: acronyms are case-sensitive
            s_sens = list(map(str.isupper, s_forms))
            upper = list(compress(range(len(s_forms)), s_sens))
            capitals = list(map(s_forms.__getitem__, upper))
            if not has_cjk("".join(capitals)):  # is_acronym of all of them: two characters or more
                for i, long in zip(upper, map((2).__le__, map(len, map(str.strip, capitals)))):
                    s_sens[i] = long
            else:
                for i in upper:
                    s_sens[i] = is_acronym(s_forms[i])
        else:
            s_sens = [t.case == "sensitive" or (t.case != "insensitive" and f.isupper()
                                                 and is_acronym(f))
                      for t, f in zip(approved, s_forms)]
        keys = concept_keys(s_forms, src_lang, s_sens)
        # One entry per concept key, in the order of its first row.
        n = len(keys)
        by_key = dict(zip(keys, range(n)))
        if len(by_key) == n:  # the common case: every row its own entry
            self._terms, self._sources, self._renderings, self._sens = approved, s_forms, t_forms, s_sens
            repeats: list[int] = []
        else:
            first = dict(zip(reversed(keys), reversed(range(n))))  # key -> its first row
            rows = sorted(first.values())
            self._terms = _LazyTerms(approved.stores, rows) if type(approved) is _LazyTerms \
                else list(map(approved.__getitem__, rows))
            self._sources = list(map(s_forms.__getitem__, rows))
            self._renderings = list(map(t_forms.__getitem__, rows))
            self._sens = list(map(s_sens.__getitem__, rows))
            by_key = dict(zip(map(keys.__getitem__, rows), range(len(rows))))
            repeats = list(compress(range(n), map(ne, map(first.__getitem__, keys), range(n))))
        self._cache: list[Entry | None] = [None] * len(self._terms)
        self._made: list[int] = []  # entries with more than their first row's forms
        entry = self._entry_to_edit
        for j in repeats:  # later rows of a term: other acceptable renderings, other forms
            e = entry(by_key[keys[j]])
            term, s_form, t_form = approved[j], s_forms[j], t_forms[j]
            if t_form not in e.accepted:
                e.accepted += (t_form,)
            e.rows += (term,)
            if s_form not in e.forms:
                e.forms += (s_form,)
                e.sensitive += (s_sens[j],)
        for j in compress(range(n), map(attrgetter("aliases"), approved) if stores is None else ()):
            term = approved[j]
            e = entry(by_key[keys[j]])
            if term.src_lang == src_lang:
                new = [a for a in dict.fromkeys(term.aliases) if a not in e.forms]  # linear
                e.forms += tuple(new)
                e.sensitive += tuple(map(term.sensitive, new))
            else:  # into the aliases' language: they are acceptable renderings
                e.accepted += tuple(a for a in dict.fromkeys(term.aliases) if a not in e.accepted)
        for term in (terms if "forbidden" in statuses else ()):
            if term.status != "forbidden" or glossary.forbidden_lang(term) != tgt_lang:
                continue
            good = term.side(src_lang)
            i = by_key.get(concept_key(good, src_lang, term.sensitive(good)))
            bad = term.side(tgt_lang)
            if i is not None and bad:
                e = entry(i)
                if bad not in e.forbidden:
                    e.forbidden += (bad,)
                    e.rows += (term,)
        self.entries = Entries(self)
        self._source_matcher: Matcher | None = None
        self._rendering_matcher: Matcher | None = None
        self._forbidden_matcher: Matcher | None = None

    def _entry(self, i: int) -> Entry:
        """Entry i, made on first use from the flat lists."""
        e = self._cache[i]
        if e is None:
            terms = self._terms
            term = terms.term(i) if type(terms) is _LazyTerms else terms[i]
            source, rendering = self._sources[i], self._renderings[i]
            e = self._cache[i] = Entry(i, term, source, rendering, (rendering,), (), (source,),
                                       (term,), (self._sens[i],))
        return e

    def _entry_to_edit(self, i: int) -> Entry:
        e = self._cache[i]
        if e is None:
            e = self._entry(i)
            self._made.append(i)
        return e

    # Matchers are built lazily: a run en->zh never pays for the zh->en automatons.
    # Their payloads are entry numbers.
    @property
    def source_matcher(self) -> Matcher:
        if self._source_matcher is None:
            forms, sens = list(self._sources), list(self._sens)
            payloads = list(range(len(forms)))
            for i in self._made:  # their other forms
                e = self._cache[i]
                forms += e.forms[1:]
                sens += e.sensitive[1:]
                payloads += [i] * (len(e.forms) - 1)
            m = Matcher(self.src_lang)
            m.add_many(forms, payloads, sens, inflect=self.src_lang == "en")
            self._source_matcher = m.build()
        return self._source_matcher

    @property
    def rendering_matcher(self) -> Matcher:
        if self._rendering_matcher is None:
            forms = list(self._renderings)
            payloads = list(range(len(forms)))
            for i in self._made:
                e = self._cache[i]
                forms += e.accepted[1:]
                payloads += [i] * (len(e.accepted) - 1)
            terms = self._terms
            if isinstance(terms, _LazyTerms):  # rows without a case: Term.sensitive is is_acronym
                sens = list(map(is_acronym, forms))
            else:
                sens = [terms[i].sensitive(f) for f, i in zip(forms, payloads)]
            m = Matcher(self.tgt_lang)
            m.add_many(forms, payloads, sens, inflect=self.tgt_lang == "en")
            self._rendering_matcher = m.build(overlapping=True)  # used by find_all only
        return self._rendering_matcher

    @property
    def forbidden_matcher(self) -> Matcher:
        if self._forbidden_matcher is None:
            items = [(f, i) for i in self._made for f in self._cache[i].forbidden]
            m = Matcher(self.tgt_lang)
            m.add_many([i[0] for i in items], [i[1] for i in items], [False] * len(items),
                       inflect=self.tgt_lang == "en")
            self._forbidden_matcher = m.build(overlapping=True)  # used by find_all only
        return self._forbidden_matcher

    def find(self, text: str) -> list[Match]:
        """Terms in a source-language text, leftmost-longest, non-overlapping."""
        found, payloads = self.source_matcher.find_indexed(text)
        cache, make = self._cache, self._entry
        new = tuple.__new__  # what Match(...) does, without its Python-level __new__
        if payloads is None:
            return [new(Match, (s, e, text[s:e], (ent := cache[i] or make(i)).term, ent))
                    for s, e, i in found]
        return [new(Match, (s, e, text[s:e], (ent := cache[i] or make(i)).term, ent))
                for s, e, k in found if (i := payloads[k]) >= 0]  # (always true: no loop per row)

    def renderings(self, text: str) -> list[Match]:
        """Every acceptable rendering in a target-language text (overlapping ones too)."""
        return self._matches(self.rendering_matcher.find_all(text), text)

    def forbidden(self, text: str) -> list[Match]:
        return self._matches(self.forbidden_matcher.find_all(text), text)

    def _matches(self, found: list[tuple[int, int, int]], text: str) -> list[Match]:
        cache, make = self._cache, self._entry
        new = tuple.__new__  # what Match(...) does, without its Python-level __new__
        return [new(Match, (s, e, text[s:e], (ent := cache[i] or make(i)).term, ent))
                for s, e, i in found]


class Entries(Sequence):
    """A direction's entries by number, each made on first use (see Direction)."""

    __slots__ = ("_direction",)

    def __init__(self, direction: Direction):
        self._direction = direction

    def __len__(self) -> int:
        return len(self._direction._cache)

    def __getitem__(self, i):  # type: ignore[override]
        d = self._direction
        if isinstance(i, slice):
            return [d._entry(k) for k in range(len(d._cache))[i]]
        if i < 0:
            i += len(d._cache)
        return d._cache[i] or d._entry(i)


class Glossary:
    """The rows of one or more glossary files, in file order (the first row of a term wins
    when rows disagree)."""

    def __init__(self, terms: Iterable[Term] = (), *, src_lang: str = "en", tgt_lang: str = "zh",
                 path: str | None = None, columns: list[str] | None = None):
        # Rows read in bulk stay columns (TermRows) until `terms` is asked for.
        self._stores: list[TermRows] | None = [terms] if isinstance(terms, TermRows) else None
        self._terms: list[Term] | None = None if self._stores is not None else list(terms)
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.paths: list[str] = [path] if path else []
        self.columns: list[str] = list(columns) if columns else list(COLUMNS)
        self._directions: dict[tuple[str, str], Direction] = {}
        self._forbidden_lang: dict[int, str] | None = None

    @property
    def terms(self) -> list[Term]:
        """The rows, in file order (a list to edit in place; call `changed()` after)."""
        if self._terms is None:
            self._terms = [t for store in self._stores for t in store]
            self._stores = None  # the list is what counts from now on
        return self._terms

    @terms.setter
    def terms(self, terms: list[Term]) -> None:
        self._terms = terms
        self._stores = None

    def _lazy_rows(self) -> list[TermRows] | None:
        """The row stores, while no row has been made a Term (else the Terms, which may have
        been edited, are what the matchers must be built from)."""
        if self._stores is None or any(store.made for store in self._stores):
            return None
        return self._stores

    def __len__(self) -> int:
        if self._terms is None:
            return sum(map(len, self._stores))
        return len(self._terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __repr__(self) -> str:
        return f"<Glossary {self.src_lang}-{self.tgt_lang} {len(self)} terms {self.paths}>"

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
        out = cls([] if all(g._terms is None for g in gs) else [t for g in gs for t in g.terms],
                  src_lang=gs[0].src_lang, tgt_lang=gs[0].tgt_lang, columns=gs[0].columns)
        if all(g._terms is None for g in gs):  # rows still in columns: they share the stores
            out._stores, out._terms = [store for g in gs for store in g._stores], None
        out.paths = [p for g in gs for p in g.paths]
        return out
