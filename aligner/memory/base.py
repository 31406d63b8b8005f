"""The translation-memory interface every store implements, and what they share.

A memory holds units (a source sentence, its translation, their languages and where the
pair came from). Stores (sqlite.py, postgresql.py) only keep rows and answer three index
questions: units whose normalised source (or target) has this hash, the units an n-gram
index ranks closest to a sentence, and units containing a phrase. Everything a translator
sees (the 101/100/fuzzy decision, the score, the order of matches) is decided here, once,
so both stores give the same results.

A unit is usable in both directions: an en->zh unit answers a zh->en look-up with its
target as the source (TMX makes no difference between the languages of a unit either);
in-context (101) matches need the source's context and are only found in the unit's own
direction.
"""

from __future__ import annotations

import functools
import json
import os
import socket
from itertools import chain
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from aligner.errors import InputError
from aligner.memory import match as M

# Where a unit's translation came from. "mt" (machine translation nobody approved) only
# enters a memory when asked for by name (--origin mt).
ORIGINS = ("aligned", "imported", "edited", "approved-mt", "mt")
# Which unit wins between matches of the same score: a human's word over a machine's.
_ORIGIN_RANK = {"edited": 0, "approved-mt": 1, "aligned": 2, "imported": 3, "mt": 4}
BATCH_UNITS = 10_000  # one transaction per batch: an interruption loses at most one batch
MAX_MATCHES = 3


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Unit:
    """One translation unit. Languages are BCP 47 tags with their variant (en, zh-CN,
    zh-TW); `prev`/`next` are the source sentences before and after it (in-context
    matches); dates are ISO 8601 UTC; `meta` keeps a file's other properties."""

    source: str
    target: str
    src_lang: str
    tgt_lang: str
    origin: str = "imported"
    file: str | None = None
    created: str | None = None
    changed: str | None = None
    author: str | None = None
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    prev: str | None = None
    next: str | None = None
    id: int | None = None

    def key(self) -> int:
        return M.unit_key(self.src_lang, self.tgt_lang, self.source, self.target, self.prev, self.next)


@dataclass
class Match:
    """A unit offered for a sentence. `source`/`target` are in the request's direction
    (a reversed unit's target is the source here). kind: "context" (101), "exact" (100) or
    "fuzzy" (the score); `notes` say what makes it risky (a number, another variant)."""

    unit: Unit
    score: int
    kind: str
    reverse: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.unit.target if self.reverse else self.unit.source

    @property
    def target(self) -> str:
        return self.unit.source if self.reverse else self.unit.target

    @property
    def target_lang(self) -> str:
        return self.unit.src_lang if self.reverse else self.unit.tgt_lang

    def as_meta(self) -> dict[str, Any]:
        """What a bead keeps of a match (bead.meta["tm"]): JSON, enough to review it."""
        d = {"score": self.score, "kind": self.kind, "source": self.source, "target": self.target,
             "origin": self.unit.origin, "lang": self.target_lang}
        for k in ("file", "changed"):
            if getattr(self.unit, k):
                d[k] = getattr(self.unit, k)
        if self.notes:
            d["notes"] = list(self.notes)
        return d


@dataclass
class ImportResult:
    file: str | None
    units: int = 0       # units read
    added: int = 0       # new units
    duplicates: int = 0  # already in the memory
    skipped: int = 0     # empty, or MT not asked for
    resumed_from: int = 0

    def describe(self) -> str:
        where = self.file or "units"
        text = f"{where}: {self.added} added, {self.duplicates} already in the memory"
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.resumed_from:
            text += f" (resumed after unit {self.resumed_from})"
        return text


@dataclass
class Stats:
    units: int
    pairs: dict[str, int]
    origins: dict[str, int]
    files: dict[str, int]
    interrupted: list[dict[str, Any]]
    location: str
    size: int | None = None
    unindexed: int | None = None  # units not yet in the concordance index (None: a store that indexes at once)

    def describe(self) -> str:
        lines = [f"{self.location}: {self.units} units"
                 + (f", {self.size / 1e6:.1f} MB" if self.size is not None else "")]
        for title, d in (("language pairs", self.pairs), ("origins", self.origins), ("files", self.files)):
            if d:
                items = sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))
                shown = ", ".join(f"{k} {v}" for k, v in items[:12])
                more = f", ... ({len(items) - 12} more)" if len(items) > 12 else ""
                lines.append(f"  {title}: {shown}{more}")
        if self.unindexed == 0:
            lines.append("  concordance index: built")
        elif self.unindexed:
            lines.append(f"  concordance index: {self.unindexed} units not yet in it (added by the next "
                         f"`aligner tm search`, or now by `aligner tm index`)")
        for imp in self.interrupted:
            lines.append(f"  interrupted import of {imp['file']} ({imp['done']} units so far, not in use): "
                         f"import it again to finish it, or `aligner tm remove --interrupted`")
        return "\n".join(lines)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """Whether the process that started an import on this machine is still running."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine: its import is resumable once it is gone; we cannot tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()


# The columns every store keeps, in this order.
COLUMNS = ("ukey", "src_lang", "tgt_lang", "source", "target", "src_hash", "tgt_hash", "prev", "next",
           "origin", "file", "created", "changed", "author", "notes", "meta")


def unit_row(u: Unit, stamp: str | None = None, default_file: str | None = None) -> tuple:
    """The row of a unit in COLUMNS order; dates the unit lacks are `stamp`, a missing file
    `default_file`."""
    return row_and_norms(u, stamp, default_file)[0]


def row_and_norms(u: Unit, stamp: str | None = None, default_file: str | None = None) -> tuple[tuple, tuple[str, str]]:
    """unit_row and the normalised source and target (which the candidate index files: an
    import normalises each text once)."""
    created = u.created or stamp
    sn, tn = M.normalize(u.source), M.normalize(u.target)
    return (u.key(), u.src_lang, u.tgt_lang, u.source, u.target, M.norm_hash(sn), M.norm_hash(tn),
            u.prev, u.next, u.origin, u.file or default_file, created, u.changed or created, u.author,
            json.dumps(u.notes, ensure_ascii=False) if u.notes else None,
            json.dumps(u.meta, ensure_ascii=False, sort_keys=True) if u.meta else None), (sn, tn)


# Columns read back, with the row id first.
READ_COLUMNS = ("id", "src_lang", "tgt_lang", "source", "target", "prev", "next", "origin", "file",
                "created", "changed", "author", "notes", "meta")


def row_unit(row: Sequence[Any]) -> Unit:
    (id_, src_lang, tgt_lang, source, target, prev, next_, origin, file, created, changed, author,
     notes, meta) = row
    return Unit(source, target, src_lang, tgt_lang, origin, file, created, changed, author,
                json.loads(notes) if notes else [], json.loads(meta) if meta else {}, prev, next_, id_)


def _oriented(u: Unit, src_lang: str, tgt_lang: str) -> bool | None:
    """False: the unit is in the request's direction; True: reversed; None: other languages."""
    s, t = M.base(src_lang), M.base(tgt_lang)
    us, ut = M.base(u.src_lang), M.base(u.tgt_lang)
    if (us, ut) == (s, t):
        return False
    if (us, ut) == (t, s):
        return True
    return None


def _same(a: str | None, b: str | None) -> bool:
    return M.normalize(a or "") == M.normalize(b or "")


class TranslationMemory:
    """A translation memory. Open one with `aligner.memory.open_memory(spec)`.

        with open_memory("memory.sqlite") as tm:
            tm.import_file("old.tmx")
            [matches] = tm.lookup(["The cadre resigned."], "en", "zh")

    Stores implement the underscore methods; the rest is shared."""

    location: str = ""
    readonly: bool = False
    # Fuzzy candidates the index returns, re-scored here (on their text first: cheap): the
    # units filed under most of the sentence's rarest grams (SqlMemory's candidate index).
    candidate_limit = 150

    # --- what a store implements ------------------------------------------------------
    def _begin_import(self, file: str | None, sha256: str | None) -> tuple[int, int]:
        """(import id, units already committed by an interrupted run of the same file)."""
        raise NotImplementedError

    def _insert_batch(self, rows: list[tuple], import_id: int, done: int,
                      norms: list[tuple[str, str]] | None = None) -> int:
        """Insert rows (skipping units already there) and record `done`, in one transaction;
        the number added. `norms`: each row's normalised source and target (made when
        missing)."""
        raise NotImplementedError

    def _finish_import(self, import_id: int) -> None:
        raise NotImplementedError

    def _rows_by_hash(self, hashes: Sequence[int], column: str) -> list[tuple]:
        """Visible units whose `column` (src_hash or tgt_hash) is one of `hashes`."""
        raise NotImplementedError

    def _fuzzy_rows(self, text: str, lang: str, side: str, limit: int) -> list[tuple]:
        """The visible units (READ_COLUMNS rows), up to `limit`, whose `side`
        ("source"/"target") the n-gram index ranks closest to `text` (in language `lang`),
        closest first."""
        raise NotImplementedError

    def _rows_by_id(self, ids: Sequence[int]) -> list[tuple]:
        """The visible units with these ids (READ_COLUMNS rows, in any order)."""
        raise NotImplementedError

    def _search_rows(self, phrase: str, side: str, limit: int) -> list[tuple]:
        raise NotImplementedError

    def _pairs(self) -> set[tuple[str, str]]:
        """The (source, target) base languages the memory has units in (a superset is fine)."""
        raise NotImplementedError

    def iter_units(self, *, src_lang: str | None = None, tgt_lang: str | None = None) -> Iterator[Unit]:
        raise NotImplementedError

    def remove(self, *, origin: str | None = None, file: str | None = None, before: str | None = None,
               after: str | None = None, interrupted: bool = False) -> int:
        raise NotImplementedError

    def stats(self) -> Stats:
        raise NotImplementedError

    def concordance_pending(self) -> int:
        """Units not yet in the concordance index (a store that builds it lazily)."""
        return 0

    def build_concordance(self, progress: Callable[[int], None] | None = None) -> int:
        """Add the units not yet in the concordance index (done by `search` when needed);
        the number added."""
        return 0

    def fingerprint(self) -> dict[str, Any]:
        """What the memory's contents are, cheaply: changes whenever units are added or
        removed (a translation's run stamp records it, so a re-run after the memory changed
        translates again)."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- adding units ---------------------------------------------------------------
    def add_units(self, units: Iterable[Unit], *, file: str | None = None, sha256: str | None = None,
                  include_mt: bool = False, batch_size: int = BATCH_UNITS,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
        """Add units, one transaction per batch. Units of an import are not used for
        look-ups until the whole import is in; an interrupted import with `sha256` (the
        file's digest) resumes where it stopped when run again. Duplicates (same languages,
        source, target and context) are kept once. Units with origin "mt" are skipped unless
        `include_mt`."""
        result = ImportResult(file)
        import_id, done = self._begin_import(file, sha256)
        result.resumed_from = done
        stamp = now_iso()
        default_file = os.path.basename(file) if file else None
        batch: list[tuple] = []
        norms: list[tuple[str, str]] = []
        position = 0
        for u in units:
            position += 1
            if position <= done:
                continue
            if not u.source.strip() or not u.target.strip() or (u.origin == "mt" and not include_mt):
                result.skipped += 1
            else:
                if u.origin not in ORIGINS:
                    raise InputError(f"unknown origin {u.origin!r} for a translation unit", path=file,
                                     hint="Origins: " + ", ".join(ORIGINS) + ".")
                row, norm = row_and_norms(u, stamp, default_file)
                batch.append(row)
                norms.append(norm)
            if position % batch_size == 0:
                result.added += self._insert_batch(batch, import_id, position, norms)
                result.units += len(batch)
                if progress:
                    progress(len(batch))
                batch, norms = [], []
        if batch or position > done:
            result.added += self._insert_batch(batch, import_id, position, norms)
            result.units += len(batch)
            if progress:
                progress(len(batch))
        self._finish_import(import_id)
        result.duplicates = result.units - result.added
        result.units += result.skipped
        return result

    def import_file(self, path: str, *, fmt: str | None = None, src_lang: str | None = None,
                    tgt_lang: str | None = None, origin: str | None = None, include_mt: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
        """Import a TMX, XLIFF, TSV/CSV or bitext (.jsonl) file (see aligner.memory.sources)."""
        from aligner.memory.sources import read_units

        units, sha256 = read_units(path, fmt=fmt, src_lang=src_lang, tgt_lang=tgt_lang, origin=origin)
        return self.add_units(units, file=str(path), sha256=sha256, include_mt=include_mt, progress=progress)

    # --- look-ups -------------------------------------------------------------------
    def lookup_exact(self, segments: Sequence[str], src_lang: str, tgt_lang: str, *,
                     contexts: Sequence[tuple[str | None, str | None]] | None = None) -> list[list[Match]]:
        """Exact (100) and in-context (101) matches of each segment, best first.
        `contexts` gives each segment's previous and next source sentence."""
        out: list[list[Match]] = [[] for _ in segments]
        norms = [M.normalize(s) for s in segments]
        wanted: dict[int, list[int]] = {}
        for i, n in enumerate(norms):
            wanted.setdefault(M.norm_hash(n), []).append(i)
        pairs = self._pairs()
        s, t = M.base(src_lang), M.base(tgt_lang)
        for column, reverse in (("src_hash", False), ("tgt_hash", True)):
            if ((t, s) if reverse else (s, t)) not in pairs:
                continue  # no unit in this direction
            # One query per batch of segments (the store chunks the hashes): look-ups of a
            # whole file cost a few index probes each, not a round trip each.
            for row in self._rows_by_hash(list(wanted), column):
                u = row_unit(row)
                if _oriented(u, src_lang, tgt_lang) is not reverse:
                    continue
                norm = M.normalize(u.target if reverse else u.source)
                for i in wanted.get(M.norm_hash(norm), ()):
                    if norms[i] != norm:
                        continue  # a hash collision
                    out[i].append(self._exact_match(u, reverse, tgt_lang, contexts[i] if contexts else None))
        return [_rank(ms) for ms in out]

    def _exact_match(self, u: Unit, reverse: bool, tgt_lang: str,
                     context: tuple[str | None, str | None] | None) -> Match:
        m = Match(u, 100, "exact", reverse)
        if context is not None and not reverse and _same(context[0], u.prev) and _same(context[1], u.next):
            m.score, m.kind = 101, "context"
        if M.variant_differs(tgt_lang, m.target_lang):
            m.score, m.kind = min(99, m.score - M.VARIANT_PENALTY), "fuzzy"
            m.notes.append(f"the memory's translation is {m.target_lang}, not {tgt_lang}")
        return m

    def lookup_fuzzy(self, segment: str, src_lang: str, tgt_lang: str, *, threshold: int = 75,
                     limit: int = MAX_MATCHES, tokenizer: M.Tokenizer | None = None) -> list[Match]:
        """The best `limit` matches scoring at least `threshold` (exact ones included),
        candidates from the store's n-gram index, scores as in aligner.memory.match."""
        tok = tokenizer or M.Tokenizer()
        [q] = tok.forms([segment], src_lang)
        qnorm = M.normalize(segment)
        found: list[Match] = []
        pairs = self._pairs()
        s, t = M.base(src_lang), M.base(tgt_lang)
        for side, reverse in (("source", False), ("target", True)):
            if ((t, s) if reverse else (s, t)) not in pairs:
                continue  # no unit in this direction: no need to ask the index
            col = READ_COLUMNS.index(side)
            # Scored on the text alone (a variant's penalty only lowers a score): most
            # candidates end here; the rows (read whole, in one query) of the others are
            # made units.
            rows = self._fuzzy_rows(segment, src_lang, side, self.candidate_limit)
            scored = []
            # (`form`, not `t`: the loop once reused the target language's name, so a memory
            # with units in both directions skipped the reversed ones after any candidate)
            for row, form in zip(rows, tok.forms([row[col] for row in rows], src_lang)):
                # equal normalised texts have equal tokens: only those are compared
                exact = form == q and M.normalize(row[col]) == qnorm
                score = M.score(q, form, exact)
                if score >= threshold:
                    scored.append((row, score, exact))
            for row, score, exact in sorted(scored, key=lambda r: r[0][0]):
                u = row_unit(row)
                if _oriented(u, src_lang, tgt_lang) is not reverse:
                    continue
                m = Match(u, score, "exact" if exact else "fuzzy", reverse)
                if M.variant_differs(tgt_lang, m.target_lang):
                    m.score, m.kind = min(99, m.score - M.VARIANT_PENALTY), "fuzzy"
                    m.notes.append(f"the memory's translation is {m.target_lang}, not {tgt_lang}")
                if m.score < threshold:
                    continue
                found.append(m)
        best = _rank(found)[:limit]
        for m in best:  # (only the matches returned: the ranking does not look at notes)
            m.notes.extend(f"number differs: {c}" for c in M.number_changes(segment, m.source))
        return best

    def lookup(self, segments: Sequence[str], src_lang: str, tgt_lang: str, *,
               contexts: Sequence[tuple[str | None, str | None]] | None = None, fuzzy: int = 75,
               limit: int = MAX_MATCHES) -> list[list[Match]]:
        """Per segment, the best matches: in-context and exact ones when there are any,
        else fuzzy ones at or above `fuzzy`."""
        results = self.lookup_exact(segments, src_lang, tgt_lang, contexts=contexts)
        tok = M.Tokenizer()
        return [self.complete_fuzzy(segments[i], ms, src_lang, tgt_lang, fuzzy=fuzzy, limit=limit, tokenizer=tok)
                for i, ms in enumerate(results)]

    def complete_fuzzy(self, segment: str, exact: list[Match], src_lang: str, tgt_lang: str, *,
                       fuzzy: int = 75, limit: int = MAX_MATCHES,
                       tokenizer: M.Tokenizer | None = None) -> list[Match]:
        """What `lookup` answers for one segment, given its `lookup_exact` matches: those when
        one is in context or exact, else the best of them and the fuzzy ones."""
        if exact and exact[0].kind in ("context", "exact"):
            return exact[:limit]
        fz = self.lookup_fuzzy(segment, src_lang, tgt_lang, threshold=fuzzy, limit=limit, tokenizer=tokenizer)
        return _rank(exact + fz)[:limit]

    def search(self, phrase: str, *, lang: str | None = None, limit: int = 50) -> list[Unit]:
        """Concordance: units whose source or target contains `phrase` (case-insensitive
        for Latin letters; Chinese included). `lang` keeps only units with that language."""
        phrase = phrase.strip()
        if not phrase:
            raise InputError("give a word or phrase to search for")
        seen: dict[int, Unit] = {}
        for side in ("source", "target"):
            for row in self._search_rows(phrase, side, limit):
                u = row_unit(row)
                if lang and M.base(lang) not in (M.base(u.src_lang), M.base(u.tgt_lang)):
                    continue
                seen.setdefault(u.id, u)
        return sorted(seen.values(), key=lambda u: u.id)[:limit]

    # --- export -------------------------------------------------------------------
    def export_tmx(self, path: str, *, src_lang: str | None = None, tgt_lang: str | None = None) -> int:
        """Write the memory (or one language pair) as TMX 1.4b, atomically; units written."""
        from aligner.memory.tmx import write_tmx

        return write_tmx(self.iter_units(src_lang=src_lang, tgt_lang=tgt_lang), path)


# The columns read back, and which units a look-up sees: those of an import that has not
# finished are invisible (an interrupted import leaves the memory as it was).
READ_SQL = ", ".join("u." + c for c in READ_COLUMNS)
VISIBLE = "(u.import_id IS NULL OR u.import_id NOT IN (SELECT id FROM imports WHERE finished IS NULL))"

# The fuzzy candidate index (see aligner.memory.match.rare_grams), one pair of tables per
# side: cand_* files each unit under CAND_GRAMS grams around its rarest tokens, as posting
# lists packed in blobs (gram, blk, ids: the ids, little-endian int64, of the units filed
# under the gram whose id >> BLOCK_BITS is blk), so a look-up reads a few rows per gram and
# an import writes one row per gram and batch, not one per (gram, unit); grams_* (gram = a
# token, n) counts the units holding each token (kept exact as units are added and
# removed, so both stores choose the same grams).
CAND_TABLES = {"source": ("cand_src", "grams_src"), "target": ("cand_tgt", "grams_tgt")}
CAND_GRAMS = 4       # grams each unit is filed under, per side
QUERY_GRAMS = 8      # a sentence's rarest grams whose units are read
POSTINGS_CAP = 5000  # units read for one gram (only a gram that thousands of units are filed under)
MIN_CANDIDATES = 30  # candidates re-scored at least, when the index finds that many
BLOCK_BITS = 16      # a posting blob holds the units of one range of 65,536 ids: bounded rewrites
_CHUNK = 900         # parameters per IN (...) list
_UNINDEX_UNITS = 100_000  # removed units taken out of the candidate index at a time
_IDS = np.dtype("<i8")


def pack_ids(ids) -> bytes:
    return np.asarray(ids, dtype=_IDS).tobytes()


def unpack_ids(blob) -> np.ndarray:
    return np.frombuffer(blob, dtype=_IDS)


def _token_batch(units: Sequence[Sequence[Any]], lang_col: int, text_col: int,
                 norms: Sequence[str] | None = None) -> M.TokenBatch:
    if norms is None:
        norms = [M.normalize(u[text_col]) for u in units]
    return M.TokenBatch(norms, [M.base(u[lang_col]) == "zh" for u in units])


def new_units(rows: Sequence[tuple], norms: Sequence[tuple[str, str]] | None,
              added: Sequence[tuple[int, int]]) -> tuple[list[tuple], list[tuple[str, str]] | None]:
    """The units just added, as _index_units takes them, from a batch's rows (COLUMNS order)
    and norms, given the (id, ukey) of each row the store added."""
    at: dict[int, int] = {}
    for i, r in enumerate(rows):
        at.setdefault(r[0], i)
    picked = [(id_, at[ukey]) for id_, ukey in sorted(added)]
    units = [(id_, rows[i][1], rows[i][2], rows[i][3], rows[i][4]) for id_, i in picked]
    return units, (None if norms is None else [norms[i] for _, i in picked])


def _grouped(ids: np.ndarray, gram_i: np.ndarray, grams: list[str]) -> list[tuple[str, int, bytes]]:
    """(gram, blk, packed ascending unit ids) for the (unit id, gram) pairs given, in key
    order (gram, then blk): the posting rows they make."""
    if not len(ids):
        return []
    order = sorted(range(len(grams)), key=grams.__getitem__)
    by_rank = [grams[i] for i in order]
    rank = np.empty(len(grams), dtype=np.int64)
    rank[order] = np.arange(len(grams))
    r, blk = rank[gram_i], ids >> BLOCK_BITS
    o = np.lexsort((ids, blk, r))
    r, blk = r[o], blk[o]
    packed = pack_ids(ids[o])
    cut = np.flatnonzero((r[1:] != r[:-1]) | (blk[1:] != blk[:-1])) + 1
    lo = np.concatenate(([0], cut))
    hi = np.concatenate((cut, [len(o)])) * 8
    return [(by_rank[g], b, packed[8 * i:j]) for g, b, i, j in
            zip(r[lo].tolist(), blk[lo].tolist(), lo.tolist(), hi.tolist())]


class SqlMemory(TranslationMemory):
    """What the SQL stores share: the same tables (units, imports, pairs), queried through a
    DB-API connection whose parameter placeholder is `P` ("?" for SQLite, "%s" for psycopg).
    A store adds its connection, `_write()` (a transaction that turns its errors into
    OutputError), the index look-ups, and what only it knows: which unfinished imports are
    abandoned (`_stale_imports`), and its size on disk (`_size`)."""

    P = "?"
    SCHEMA_VERSION = ""  # the store's schema (sqlite.SCHEMA_VERSION, postgresql.SCHEMA_VERSION)

    def _write(self):
        raise NotImplementedError

    def _stale_imports(self, c) -> list[tuple[int, str | None, int]]:
        """(id, file, units done) of each unfinished import whose process is gone."""
        raise NotImplementedError

    def _size(self) -> int | None:
        raise NotImplementedError

    def _unindexed(self) -> int | None:
        """Units not yet in the concordance index (None: the store indexes them as they come)."""
        return None

    def _pairs(self) -> set[tuple[str, str]]:
        return set(self.conn.execute("SELECT src, tgt FROM pairs").fetchall())

    # --- the fuzzy candidate index ----------------------------------------------------
    def _many(self, c, sql: str, rows: list) -> None:
        """executemany on the store's connection."""
        if rows:
            c.executemany(sql, rows)

    def _gram_counts(self, c, table: str, grams: Sequence[str]) -> dict[str, int]:
        """How many units hold each of `grams` (those no unit holds are left out)."""
        out: dict[str, int] = {}
        for k in range(0, len(grams), _CHUNK):
            chunk = grams[k:k + _CHUNK]
            out.update(c.execute(f"SELECT gram, n FROM {table} WHERE gram IN ({', '.join([self.P] * len(chunk))})",
                                 chunk).fetchall())
        return out

    def _count_batch(self, c, table: str, tokens: list[str], counts: list[int]) -> dict[str, int]:
        """Add a batch's unit counts of `tokens` to `table`; each token's count after (the
        memory's and the batch's)."""
        known = self._gram_counts(c, table, tokens)
        self._add_counts(c, table, sorted(zip(tokens, counts)))  # (key order: see _index_units)
        return {t: known.get(t, 0) + n for t, n in zip(tokens, counts)}

    def _add_counts(self, c, table: str, items: list[tuple[str, int]]) -> None:
        P = self.P
        self._many(c, f"INSERT INTO {table}(gram, n) VALUES ({P}, {P}) "
                      f"ON CONFLICT (gram) DO UPDATE SET n = {table}.n + excluded.n", items)

    def _add_postings(self, c, table: str, rows: list[tuple[str, int, bytes]]) -> None:
        """Append packed ids to the (gram, blk) rows (made when missing), rows in key order."""
        # || of two blobs is text in SQLite (bytes kept): cast back
        self._many(c, f"INSERT INTO {table}(gram, blk, ids) VALUES ({self.P}, {self.P}, {self.P}) "
                      f"ON CONFLICT (gram, blk) DO UPDATE SET ids = CAST({table}.ids || excluded.ids AS BLOB)", rows)

    def _postings(self, c, table: str, grams: list[str],
                  hidden: Callable[[np.ndarray], np.ndarray] | None) -> list[np.ndarray]:
        """For each gram, the ids (ascending) of the first POSTINGS_CAP units filed under
        it, less those `hidden` picks out; one query for all of them."""
        blocks: dict[str, list[np.ndarray]] = {g: [] for g in grams}
        rows = c.execute(f"SELECT gram, ids FROM {table} WHERE gram IN ({', '.join([self.P] * len(grams))}) "
                         f"ORDER BY gram, blk", grams).fetchall()
        if hidden is None:
            # one array per gram: the sort puts the first POSTINGS_CAP ids first, as reading
            # the blocks in order and stopping there would
            joined: dict[str, list[bytes]] = {g: [] for g in grams}
            for g, blob in rows:
                joined[g].append(blob)
            return [np.sort(unpack_ids(b"".join(joined[g])))[:POSTINGS_CAP] for g in grams]
        for g, blob in rows:
            blocks[g].append(unpack_ids(blob))
        out = []
        for g in grams:
            parts, n = [], 0
            for a in blocks[g]:  # blocks are ranges of ids in order: the first ids come first
                if hidden is not None:
                    a = a[~hidden(a)]
                parts.append(a)
                n += len(a)
                if n >= POSTINGS_CAP:
                    break
            out.append(np.sort(np.concatenate(parts))[:POSTINGS_CAP] if parts else np.empty(0, dtype=_IDS))
        return out

    def _index_units(self, c, units: Sequence[Sequence[Any]], norms: Sequence[tuple[str, str]] | None = None) -> None:
        """File new units, rows of (id, src_lang, tgt_lang, source, target), in the
        candidate index, in the caller's transaction. A unit's grams are chosen by the counts
        including its own batch, so the first batch of an empty memory is filed as well as
        later ones. The whole batch at once (match.TokenBatch): the same grams as
        match.rare_grams unit by unit."""
        if not units:
            return
        ids = np.fromiter((u[0] for u in units), dtype=np.int64, count=len(units))
        for side, lang_col, text_col in (("source", 1, 3), ("target", 2, 4)):
            cand, counts_table = CAND_TABLES[side]
            batch = _token_batch(units, lang_col, text_col, None if norms is None else [n[text_col - 3] for n in norms])
            after = self._count_batch(c, counts_table, batch.tokens, batch.counts.tolist())
            total = np.fromiter(map(after.__getitem__, batch.tokens), dtype=np.int64, count=len(batch.tokens))
            unit_i, gram_i, grams = batch.rare_grams(total, CAND_GRAMS)
            # in key order: each B-tree page is visited once, and concurrent writers lock in one order
            self._add_postings(c, cand, _grouped(ids[unit_i], gram_i, grams))

    def _unindex_units(self, c, units: Sequence[Sequence[Any]]) -> None:
        """Take units (as for _index_units) out of the candidate index before they are deleted."""
        if not units:
            return
        P = self.P
        ids = np.fromiter((u[0] for u in units), dtype=np.int64, count=len(units))
        for side, lang_col, text_col in (("source", 1, 3), ("target", 2, 4)):
            cand, counts_table = CAND_TABLES[side]
            batch = _token_batch(units, lang_col, text_col)
            # every gram of a unit: the ones it was filed under are among them
            unit_i, gram_i, grams = batch.index_grams()
            doomed = {(g, blk): unpack_ids(a) for g, blk, a in _grouped(ids[unit_i], gram_i, grams)}
            # The posting rows of those grams, 900 grams a query (one query per gram made
            # removing a large file take minutes), rewritten by one executemany each.
            names = sorted({g for g, _ in doomed})
            hit: list[tuple[str, int, bytes]] = []
            for k in range(0, len(names), _CHUNK):
                chunk = names[k:k + _CHUNK]
                hit += [r for r in c.execute(f"SELECT gram, blk, ids FROM {cand} WHERE gram IN "
                                             f"({', '.join([P] * len(chunk))})", chunk).fetchall()
                        if (r[0], r[1]) in doomed]
            # every row's ids at once: (row, id) numbers, the doomed ones taken out by one isin
            updates, deletes = [], []
            if hit:
                have = [unpack_ids(blob) for _, _, blob in hit]
                gone = [doomed[(g, blk)] for g, blk, _ in hit]
                row_of = np.repeat(np.arange(len(hit), dtype=np.int64), [len(a) for a in have])
                flat = np.concatenate(have)
                out = (np.repeat(np.arange(len(hit), dtype=np.int64), [len(a) for a in gone]) << 40) | np.concatenate(gone)
                keep = ~np.isin((row_of << 40) | flat, out)  # (unit ids are below 2^40)
                kept = np.bincount(row_of[keep], minlength=len(hit)).tolist()
                packed = pack_ids(flat[keep])
                at = 0
                for (g, blk, _), a, n in zip(hit, have, kept):
                    if n == 0:
                        deletes.append((g, blk))
                    elif n < len(a):
                        updates.append((packed[8 * at:8 * (at + n)], g, blk))
                    at += n
            # in key order (concurrent writers lock in one order)
            self._many(c, f"UPDATE {cand} SET ids = {P} WHERE gram = {P} AND blk = {P}",
                       sorted(updates, key=lambda r: (r[1], r[2])))
            self._many(c, f"DELETE FROM {cand} WHERE gram = {P} AND blk = {P}", sorted(deletes))
            self._many(c, f"UPDATE {counts_table} SET n = n - {P} WHERE gram = {P}",
                       sorted(zip(batch.counts.tolist(), batch.tokens), key=lambda r: r[1]))

    def _build_index(self, c) -> None:
        """File every unit in the candidate index (a memory made before it existed)."""
        last = 0
        while True:
            rows = c.execute(f"SELECT id, src_lang, tgt_lang, source, target FROM units WHERE id > {self.P} "
                             f"ORDER BY id LIMIT {BATCH_UNITS}", (last,)).fetchall()
            if not rows:
                return
            self._index_units(c, rows)
            last = rows[-1][0]

    def _lookup_counts(self, table: str, grams: Sequence[str]) -> dict[str, int]:
        """_gram_counts for a look-up (a store may answer from what it read before)."""
        return self._gram_counts(self.conn, table, grams)

    def _pending(self) -> bool:
        return self.conn.execute("SELECT 1 FROM imports WHERE finished IS NULL LIMIT 1").fetchone() is not None

    def _fuzzy_rows(self, text: str, lang: str, side: str, limit: int) -> list[tuple]:
        cand, counts_table = CAND_TABLES[side]
        P = self.P
        norm = M.normalize(text)
        tokens = M.counted_tokens(norm, lang)
        counts = {t: n for t, n in self._lookup_counts(counts_table, list(tokens)).items() if n > 0}
        # The grams around the sentence's rarest tokens that some unit holds (ties in text order).
        chosen = M.rare_grams(norm, lang, [t for t in tokens if t in counts], counts, QUERY_GRAMS)
        if not chosen:
            return []
        # While an import is unfinished, its units are filed but not yet in use: they are
        # left out here, before the ranking (an import of many similar units would
        # otherwise crowd out the units in use).
        hidden = self._hidden if self._pending() else None
        lists = self._postings(self.conn, cand, chosen, hidden)
        # The units filed under most of these grams; among equals, those found through a
        # rarer gram first, then the oldest (the same order from every store). The candidates:
        # every unit with the most hits, and at least the first MIN_CANDIDATES, at most
        # `limit` (bench/tm_speed.py: at 1,000,000 units the best match was among them in
        # 499 of 500 look-ups, 44 candidates on average).
        every = np.concatenate(lists)
        if not len(every):
            return []
        # (np.unique's first index is a unit's first place in the grams' order: what a
        # Counter's ties would keep)
        ids, first, hits = np.unique(every, return_index=True, return_counts=True)
        order = np.lexsort((first, -hits))[:limit]
        ranked_hits = hits[order]
        keep = (ranked_hits == ranked_hits[0]) | (np.arange(len(order)) < MIN_CANDIDATES)
        best = ids[order[keep]].tolist()
        # Whole rows, once: the few that score at the threshold need them all. (VISIBLE: an
        # import may have begun since _pending was asked.)
        rows = []
        for k in range(0, len(best), _CHUNK):
            chunk = best[k:k + _CHUNK]
            rows += self.conn.execute(f"SELECT {READ_SQL} FROM units u WHERE u.id IN ({', '.join([P] * len(chunk))}) "
                                      f"AND {VISIBLE}", chunk).fetchall()
        order = {rid: i for i, rid in enumerate(best)}
        return sorted(rows, key=lambda r: order[r[0]])[:limit]

    def _hidden(self, ids: np.ndarray) -> np.ndarray:
        """Which of these units belong to an unfinished import (a mask)."""
        gone: list[int] = []
        P = self.P
        for k in range(0, len(ids), _CHUNK):
            chunk = ids[k:k + _CHUNK].tolist()
            gone += [i for (i,) in self.conn.execute(
                f"SELECT u.id FROM units u WHERE u.id IN ({', '.join([P] * len(chunk))}) AND NOT {VISIBLE}",
                chunk).fetchall()]
        return np.isin(ids, gone)

    def _rows_by_id(self, ids: Sequence[int]) -> list[tuple]:
        rows: list[tuple] = []
        for k in range(0, len(ids), _CHUNK):
            chunk = ids[k:k + _CHUNK]
            rows += self.conn.execute(f"SELECT {READ_SQL} FROM units u WHERE u.id IN ({', '.join([self.P] * len(chunk))}) "
                                      f"AND {VISIBLE}", chunk).fetchall()
        return rows

    def iter_units(self, *, src_lang=None, tgt_lang=None) -> Iterator[Unit]:
        last = 0
        while True:
            rows = self.conn.execute(f"SELECT {READ_SQL} FROM units u WHERE u.id > {self.P} AND {VISIBLE} "
                                     f"ORDER BY u.id LIMIT 5000", (last,)).fetchall()
            if not rows:
                return
            for row in rows:
                u = row_unit(row)
                if src_lang and M.base(u.src_lang) != M.base(src_lang):
                    continue
                if tgt_lang and M.base(u.tgt_lang) != M.base(tgt_lang):
                    continue
                yield u
            last = rows[-1][0]

    def remove(self, *, origin=None, file=None, before=None, after=None, interrupted=False) -> int:
        P = self.P
        where: list[str] = []
        args: list[Any] = []
        if origin:
            where.append(f"origin = {P}")
            args.append(origin)
        if file:
            where.append(f"(file = {P} OR file LIKE {P})")
            args += [file, "%/" + file]
        if before:
            where.append(f"changed < {P}")
            args.append(before)
        if after:
            where.append(f"changed >= {P}")
            args.append(after)
        with self._write() as c:
            stale: list[int] = []
            if interrupted:
                stale = [id_ for id_, _, _ in self._stale_imports(c)]
                if not stale:
                    return 0
                where.append(f"import_id IN ({', '.join([P] * len(stale))})")
                args += stale
            if not where:
                raise InputError("say which units to remove: --origin, --file, --before/--after or --interrupted")
            cond = " AND ".join(where)
            doomed = c.execute(f"SELECT id, src_lang, tgt_lang, source, target FROM units WHERE {cond}",
                               args).fetchall()
            for k in range(0, len(doomed), _UNINDEX_UNITS):  # (bounded memory for a large removal)
                self._unindex_units(c, doomed[k:k + _UNINDEX_UNITS])
            n = c.execute("DELETE FROM units WHERE " + cond, args).rowcount
            self._units_deleted(c)
            if stale:
                c.execute(f"DELETE FROM imports WHERE id IN ({', '.join([P] * len(stale))})", stale)
        self._removed()
        return n

    def _units_deleted(self, c) -> None:
        """Called in the transaction that deleted units (a store fixes what it keeps of them)."""

    def _removed(self) -> None:
        """Called after units were removed (a store drops what it cached)."""

    def stats(self) -> Stats:
        c = self.conn
        vis = VISIBLE.replace("u.", "")
        units = c.execute(f"SELECT count(*) FROM units WHERE {vis}").fetchone()[0]
        pairs = {f"{a}->{b}": n for a, b, n in c.execute(
            f"SELECT src_lang, tgt_lang, count(*) FROM units WHERE {vis} GROUP BY 1, 2").fetchall()}
        origins = dict(c.execute(f"SELECT origin, count(*) FROM units WHERE {vis} GROUP BY 1").fetchall())
        files = {(f or "-"): n for f, n in c.execute(
            f"SELECT file, count(*) FROM units WHERE {vis} GROUP BY 1").fetchall()}
        interrupted = [{"file": f or "units", "done": d} for _, f, d in self._stale_imports(c)]
        return Stats(units, pairs, origins, files, interrupted, self.location, self._size(), self._unindexed())

    def fingerprint(self) -> dict[str, Any]:
        # Adding units raises the largest id; removing them lowers the count; a finished
        # import makes its units visible. Three index look-ups, whatever the memory's size.
        units, last = self.conn.execute(
            f"SELECT count(*), coalesce(max(u.id), 0) FROM units u WHERE {VISIBLE}").fetchone()
        imports = self.conn.execute("SELECT count(*) FROM imports WHERE finished IS NOT NULL").fetchone()[0]
        return {"schema": self.SCHEMA_VERSION, "units": units, "last_id": last, "imports": imports}


def _rank(matches: list[Match]) -> list[Match]:
    """Best first: score, then a human's translation over a machine's, then the newest; one
    match per distinct translation."""
    if len(matches) < 2:
        return matches
    matches.sort(key=lambda m: (-m.score, _ORIGIN_RANK.get(m.unit.origin, 9),
                                _neg_date(m.unit.changed), m.unit.id or 0))
    seen: set[str] = set()
    out = []
    for m in matches:
        t = M.normalize(m.target)
        if t in seen:
            continue
        seen.add(t)
        out.append(m)
    return out


@functools.lru_cache(maxsize=4096)  # a memory's dates repeat (one stamp per import)
def _neg_date(d: str | None) -> str:
    # Newest first within a sort that is otherwise ascending.
    return "".join(chr(0x10FFFF - ord(c)) for c in (d or ""))
