"""The default store: one SQLite file.

- WAL journal: any number of readers while one process writes; writers wait their turn
  (busy timeout), so two imports at once both complete.
- One transaction per batch of units; the units of an import carry its id and are not used
  until the import is marked finished, so an interrupted import leaves the memory as it was,
  and importing the same file again resumes after the last committed batch.
- Exact matches: an index on the 64-bit hash of each side's normalised text.
- Concordance: two FTS5 tables (source, target) with the trigram tokenizer, which needs no
  word boundaries and so works for Chinese. detail=none keeps the index small (no
  positions); phrases are found with LIKE, which FTS5 answers from the trigram index.
  The FTS5 index is built lazily (schema 4): an import does not fill it (it cost about
  105 us of CPU per unit, most of an import: docs/benchmarks.md), tm_info's `fts_upto` says
  up to which unit id it holds, and the next concordance search (or `aligner tm index`)
  adds the units after that, in batches of FTS_BATCH units, one transaction each. A
  search that cannot write the file (read-only) reads the units not yet indexed as they
  are, so its results are the same.
- Fuzzy candidates: the candidate index shared with PostgreSQL (aligner.memory.base,
  tables cand_*/grams_*): each unit filed under 4 grams around its rarest tokens, a look-up
  reads the units filed under 8 grams of the sentence's. The memory is never scanned for a
  look-up.
- Schema 2 added the candidate index; schema 3 packs its posting lists (one row per gram
  and range of ids, not per gram and unit); schema 4 builds the FTS5 index lazily. An
  older memory is upgraded the first time it is opened by a process that may write the
  file (one transaction; from schema 1 or 2 the candidate index is rebuilt, from 3 only
  `fts_upto` and the delete trigger change).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Sequence

from aligner.errors import InputError, OutputError
from aligner.memory.base import (COLUMNS, READ_COLUMNS, READ_SQL, VISIBLE, SqlMemory, new_units, now_iso,
                                 owner_alive, owner_id)
from aligner.memory import match as M

APPLICATION = "aligner translation memory"
SCHEMA_VERSION = "4"
OLD_SCHEMAS = ("1", "2", "3")  # upgraded in place (see _upgrade)
REINDEX_SCHEMAS = ("1", "2")   # ... with the candidate index (re)built
FTS_BATCH = 50_000  # units added to the concordance index per transaction

_SCHEMA = """
CREATE TABLE tm_info(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE imports(id INTEGER PRIMARY KEY, file TEXT, sha256 TEXT, started TEXT, finished TEXT,
                     done INTEGER NOT NULL DEFAULT 0, owner TEXT);
CREATE TABLE units(
    id INTEGER PRIMARY KEY,
    ukey INTEGER NOT NULL UNIQUE,
    src_lang TEXT NOT NULL, tgt_lang TEXT NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL,
    src_hash INTEGER NOT NULL, tgt_hash INTEGER NOT NULL,
    prev TEXT, next TEXT,
    origin TEXT NOT NULL, file TEXT, created TEXT, changed TEXT, author TEXT,
    notes TEXT, meta TEXT,
    import_id INTEGER);
CREATE TABLE pairs(src TEXT NOT NULL, tgt TEXT NOT NULL, PRIMARY KEY (src, tgt));
CREATE INDEX units_src_hash ON units(src_hash);
CREATE INDEX units_tgt_hash ON units(tgt_hash);
CREATE VIRTUAL TABLE units_src USING fts5(source, content='units', content_rowid='id',
                                          tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE units_tgt USING fts5(target, content='units', content_rowid='id',
                                          tokenize='trigram', detail='none');
CREATE TABLE cand_src(gram TEXT NOT NULL, blk INTEGER NOT NULL, ids BLOB NOT NULL, PRIMARY KEY (gram, blk)) WITHOUT ROWID;
CREATE TABLE cand_tgt(gram TEXT NOT NULL, blk INTEGER NOT NULL, ids BLOB NOT NULL, PRIMARY KEY (gram, blk)) WITHOUT ROWID;
CREATE TABLE grams_src(gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE grams_tgt(gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER units_ad AFTER DELETE ON units
WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM tm_info WHERE key = 'fts_upto') BEGIN
    INSERT INTO units_src(units_src, rowid, source) VALUES ('delete', old.id, old.source);
    INSERT INTO units_tgt(units_tgt, rowid, target) VALUES ('delete', old.id, old.target);
END;
"""
# Units with id <= fts_upto are in the FTS5 tables (only those may be deleted from them:
# an external-content FTS5 table must be told the text of a row it holds).
_TRIGGER = _SCHEMA[_SCHEMA.index("CREATE TRIGGER"):]

_CAND_SCHEMA = "\n".join(line for line in _SCHEMA.splitlines() if "cand_" in line or "grams_" in line)
_READ, _VISIBLE = READ_SQL, VISIBLE


def _not_a_memory(path: str, why: str) -> InputError:
    return InputError(f"not a translation memory: {why}", path=path,
                      hint="Give a file made by `aligner tm create` (or a new file name), "
                           "or a postgresql:// URL.")


class SqliteMemory(SqlMemory):
    SCHEMA_VERSION = SCHEMA_VERSION

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False):
        self.path = Path(path)
        self.location = str(path)
        self.readonly = readonly
        self._seen_version, self._kept = None, {}  # (see _fresh)
        exists = self.path.exists()
        if exists and self.path.is_dir():
            raise InputError("is a directory, expected a translation memory file", path=path)
        if not exists and (readonly or not create):
            raise InputError("no such translation memory", path=path,
                             hint="Create it with `aligner tm create` or `aligner tm import`.")
        # A file nobody may write (mode bits) is read-only by the tool's own rule too, as for
        # glossaries: root, who may write anything, must not change a memory marked read-only.
        if exists and not readonly and (not os.access(self.path, os.W_OK)
                                        or not self.path.stat().st_mode & 0o222):
            raise OutputError("the translation memory is read-only", path=path,
                              hint="Nothing was changed. Make it writable, or use a copy.")
        try:
            if readonly:
                self.conn = self._connect_readonly()
            else:
                if not exists:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, timeout=120, isolation_level=None,
                                            check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout=120000")
            # The test a concordance search makes of a unit the FTS5 index does not hold yet
            # (Python's lower(): SQLite's lowers ASCII only).
            self.conn.create_function("aligner_contains", 2, _contains, deterministic=True)
            # Three hash indexes take keys in random order: a larger page cache saves re-reads.
            self.conn.execute("PRAGMA cache_size=-65536")
            self._check_or_create(exists)
        except sqlite3.DatabaseError as e:
            if hasattr(self, "conn"):
                self.conn.close()
            msg = str(e)
            if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
                raise _not_a_memory(str(path), "the file is not an SQLite database") from None
            if "readonly" in msg or "read-only" in msg:
                raise OutputError("the translation memory is read-only", path=path,
                                  hint="Nothing was changed. Make it writable, or use a copy.") from None
            if "unable to open" in msg:
                raise OutputError(f"cannot open the translation memory: {msg}", path=path,
                                  hint="Check that the folder exists and is writable.") from None
            raise InputError(f"the translation memory cannot be read: {msg}", path=path) from None
        except OSError as e:
            raise OutputError(f"cannot create the translation memory: {e.strerror}", path=path) from None

    def _connect_readonly(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=120, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            # A WAL database in a folder we cannot write (no -shm can be made): read it as
            # it is on disk, which is safe as long as nobody writes it meanwhile.
            conn.close()
            return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False)

    def _check_or_create(self, exists: bool) -> None:
        c = self.conn
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "tm_info" in tables:
            info = dict(c.execute("SELECT key, value FROM tm_info"))
            if info.get("application") != APPLICATION:
                raise _not_a_memory(self.location, "an SQLite database of another program")
            if info.get("schema") in OLD_SCHEMAS:
                if self.readonly and self.path.stat().st_mode & 0o222 and os.access(self.path.parent, os.W_OK):
                    # A read-only command on a file that may be written: upgrade it once,
                    # through a connection of its own, then read it as asked.
                    SqliteMemory(self.path).close()
                else:
                    self._upgrade()
            elif info.get("schema") != SCHEMA_VERSION:
                raise InputError(f"translation memory schema {info.get('schema')} is not supported "
                                 f"(this aligner reads {SCHEMA_VERSION})", path=self.location,
                                 hint="Export it as TMX with the aligner that made it, then import the TMX.")
            return
        if tables:
            raise _not_a_memory(self.location, "an SQLite database of another program")
        if self.readonly:
            raise _not_a_memory(self.location, "an empty SQLite database")
        c.execute("PRAGMA journal_mode=WAL")
        info = [("application", APPLICATION), ("schema", SCHEMA_VERSION), ("created", now_iso()), ("fts_upto", "0")]
        try:
            c.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "".join(
                f"INSERT INTO tm_info VALUES ('{k}', '{v}');" for k, v in info) + "COMMIT;")
        except sqlite3.OperationalError as e:
            if c.in_transaction:
                c.execute("ROLLBACK")
            if "already exists" not in str(e):
                raise
            self._check_or_create(True)  # another process created it a moment ago

    def _upgrade(self) -> None:
        """Schema 1 had no candidate index, schema 2 one row per (gram, unit): (re)build it
        and file every unit; schemas 1-3 kept every unit in the FTS5 index: fts_upto is the
        last unit, and the delete trigger asks it. One transaction (an interruption leaves
        the old memory)."""
        if self.readonly:
            raise InputError("this translation memory was made by an earlier aligner and needs a one-time "
                             "upgrade, which a read-only file cannot take", path=self.location,
                             hint="Make it writable and run any `aligner tm` command once (e.g. `aligner tm "
                                  "stats`), or use a writable copy.")
        with self._write() as c:
            old = c.execute("SELECT value FROM tm_info WHERE key='schema'").fetchone()[0]
            if old not in OLD_SCHEMAS:
                return  # another process upgraded it meanwhile
            if old in REINDEX_SCHEMAS:
                for t in ("cand_src", "cand_tgt", "grams_src", "grams_tgt"):
                    c.execute(f"DROP TABLE IF EXISTS {t}")
                for stmt in _CAND_SCHEMA.split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                self._build_index(c)
            c.execute("DROP TRIGGER IF EXISTS units_ai")  # schema 1's row trigger
            c.execute("DROP TRIGGER IF EXISTS units_ad")
            c.execute(_TRIGGER)
            c.execute("INSERT OR REPLACE INTO tm_info VALUES ('fts_upto', "
                      "(SELECT CAST(coalesce(max(id), 0) AS TEXT) FROM units))")
            c.execute("UPDATE tm_info SET value=? WHERE key='schema'", (SCHEMA_VERSION,))

    def _write(self):
        if self.readonly:
            raise OutputError("the translation memory was opened read-only", path=self.location)
        self._kept = {}  # (see _fresh)
        return _Transaction(self)

    # --- imports --------------------------------------------------------------------
    def _begin_import(self, file, sha256):
        with self._write() as c:
            if sha256:
                for id_, done, owner in c.execute(
                        "SELECT id, done, owner FROM imports WHERE sha256=? AND finished IS NULL ORDER BY id",
                        (sha256,)).fetchall():
                    if not owner_alive(owner):
                        c.execute("UPDATE imports SET owner=? WHERE id=?", (owner_id(), id_))
                        return id_, done
            cur = c.execute("INSERT INTO imports(file, sha256, started, owner) VALUES (?, ?, ?, ?)",
                            (file, sha256, now_iso(), owner_id()))
            return cur.lastrowid, 0

    def _insert_batch(self, rows, import_id, done, norms=None):
        with self._write() as c:
            last = c.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]
            cur = c.executemany(f"INSERT OR IGNORE INTO units({', '.join(COLUMNS)}, import_id) "
                          f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
                          [r + (import_id,) for r in rows])
            added = max(cur.rowcount, 0)
            # (the concordance index is filled later: _catch_up_fts)
            if added:
                # (new ids are above the last: this transaction holds the write lock)
                self._index_units(c, *new_units(rows, norms, c.execute(
                    "SELECT id, ukey FROM units WHERE id > ?", (last,)).fetchall()))
            c.executemany("INSERT OR IGNORE INTO pairs VALUES (?, ?)", _pairs_of(rows))
            c.execute("UPDATE imports SET done=? WHERE id=?", (done, import_id))
        return added

    def _count_batch(self, c, table, tokens, counts):
        # One statement: the counts go in as one JSON object (parsed by SQLite, not bound one
        # by one), and the upsert returns the totals (the read and the write of the base
        # class in one pass over the B-tree).
        if not tokens:
            return {}
        arg = json.dumps(dict(sorted(zip(tokens, counts))), ensure_ascii=False)
        if "\\u0000" in arg:  # SQLite's JSON cuts a text at a NUL: those go one by one
            return super()._count_batch(c, table, tokens, counts)
        return dict(c.execute(f"INSERT INTO {table}(gram, n) SELECT key, value FROM json_each(?) WHERE true "
                              f"ON CONFLICT (gram) DO UPDATE SET n = {table}.n + excluded.n RETURNING gram, n",
                              (arg,)).fetchall())

    def _finish_import(self, import_id):
        with self._write() as c:
            c.execute("UPDATE imports SET finished=? WHERE id=?", (now_iso(), import_id))

    # --- look-ups -------------------------------------------------------------------
    # What every look-up asks first (the language pairs, whether an import is unfinished,
    # the units holding each token) is kept between look-ups while the file is unchanged:
    # PRAGMA data_version changes when another connection commits, and this connection's
    # own writes drop it (_write). One statement instead of three per look-up.
    def _fresh(self) -> dict:
        v = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if v != self._seen_version or not self._kept:
            self._seen_version, self._kept = v, {"counts": {}}
        return self._kept

    def _pairs(self) -> set[tuple[str, str]]:
        kept = self._fresh()  # (a look-up starts here: _pending and the counts follow)
        if "pairs" not in kept:
            kept["pairs"] = set(self.conn.execute("SELECT src, tgt FROM pairs").fetchall())
        return kept["pairs"]

    def _pending(self) -> bool:
        kept = self._kept if self._kept else self._fresh()
        if "pending" not in kept:
            kept["pending"] = super()._pending()
        return kept["pending"]

    def _lookup_counts(self, table, grams):
        known = (self._kept if self._kept else self._fresh()).setdefault("counts", {}).setdefault(table, {})
        if len(known) > 200_000:
            known.clear()
        missing = [g for g in grams if g not in known]
        if missing:
            got = self._gram_counts(self.conn, table, missing)
            for g in missing:
                known[g] = got.get(g, 0)
        return {g: known[g] for g in grams if known[g]}

    def _rows_by_hash(self, hashes: Sequence[int], column: str) -> list[tuple]:
        out: list[tuple] = []
        for k in range(0, len(hashes), 500):
            chunk = hashes[k:k + 500]
            out += self.conn.execute(
                f"SELECT {_READ} FROM units u WHERE u.{column} IN ({','.join('?' * len(chunk))}) AND {_VISIBLE}",
                chunk).fetchall()
        return out

    # --- the concordance index (built lazily) ----------------------------------------
    def _fts_upto(self) -> int:
        row = self.conn.execute("SELECT value FROM tm_info WHERE key='fts_upto'").fetchone()
        return int(row[0]) if row else 0

    def concordance_pending(self) -> int:
        """How many units are not yet in the concordance (FTS5) index."""
        return self.conn.execute("SELECT count(*) FROM units WHERE id > ?", (self._fts_upto(),)).fetchone()[0]

    def build_concordance(self, progress=None) -> int:
        """Add the units not yet in the concordance index, FTS_BATCH per transaction (an
        interruption keeps what was committed); the number added. A read-only memory whose
        file may be written is indexed through a connection of its own."""
        if self.readonly:
            if not self._may_write():
                return 0
            with SqliteMemory(self.path) as writer:
                return writer.build_concordance(progress)
        added = 0
        while True:
            with self._write() as c:
                upto = self._fts_upto()
                top = c.execute("SELECT id FROM units WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
                                (upto, FTS_BATCH - 1)).fetchone()
                end = top[0] if top else c.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]
                if end <= upto:
                    return added
                n = c.execute("INSERT INTO units_src(rowid, source) SELECT id, source FROM units "
                              "WHERE id > ? AND id <= ?", (upto, end)).rowcount
                c.execute("INSERT INTO units_tgt(rowid, target) SELECT id, target FROM units "
                          "WHERE id > ? AND id <= ?", (upto, end))
                c.execute("INSERT OR REPLACE INTO tm_info VALUES ('fts_upto', ?)", (str(end),))
            added += max(n, 0)
            if progress:
                progress(max(n, 0))

    def _units_deleted(self, c) -> None:
        # A new unit takes the id after the largest left: it must not count as indexed.
        c.execute("UPDATE tm_info SET value = CAST(min(CAST(value AS INTEGER), "
                  "(SELECT coalesce(max(id), 0) FROM units)) AS TEXT) WHERE key = 'fts_upto'")

    def _may_write(self) -> bool:
        return bool(self.path.stat().st_mode & 0o222) and os.access(self.path, os.W_OK) \
            and os.access(self.path.parent, os.W_OK)

    def _search_rows(self, phrase: str, side: str, limit: int) -> list[tuple]:
        table = "units_src" if side == "source" else "units_tgt"
        needle = phrase.lower()
        if len(phrase) >= 3:
            if self.concordance_pending():
                self.build_concordance()
            # FTS5 answers LIKE from the trigram index; % and _ in the phrase only widen the
            # candidates, the check below keeps the real ones. Units the index does not hold
            # yet (a memory that cannot be written) are read as they are.
            upto = self._fts_upto()
            sql = (f"SELECT {_READ} FROM units u WHERE u.id IN (SELECT rowid FROM {table} WHERE {side} LIKE ?) "
                   f"AND u.id <= ? AND {_VISIBLE} "
                   f"UNION ALL SELECT {_READ} FROM units u WHERE u.id > ? AND aligner_contains(u.{side}, ?) "
                   f"AND {_VISIBLE} ORDER BY 1")
            args: tuple = ("%" + phrase + "%", upto, upto, needle)
        else:
            # One or two characters (a Chinese word) are shorter than a trigram: these
            # look-ups read the units in order until `limit` are found.
            sql = f"SELECT {_READ} FROM units u WHERE instr(lower(u.{side}), ?) > 0 AND {_VISIBLE} ORDER BY u.id"
            args = (needle,)
        out = []
        for row in self.conn.execute(sql, args):
            text = row[READ_COLUMNS.index(side)]
            if needle in text.lower():
                out.append(row)
                if len(out) >= limit:
                    break
        return out

    # --- the rest (iter_units, remove, stats: aligner.memory.base.SqlMemory) ------------
    def _stale_imports(self, c) -> list[tuple[int, str | None, int]]:
        return [(id_, f, d) for id_, f, d, o in c.execute(
            "SELECT id, file, done, owner FROM imports WHERE finished IS NULL").fetchall() if not owner_alive(o)]

    def _unindexed(self) -> int:
        return self.concordance_pending()

    def _size(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(str(self.path) + "-wal")) if p.exists())

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error, Ctrl-C included); turns SQLite's
    errors into ones a translator can act on."""

    def __init__(self, tm: SqliteMemory):
        self.tm = tm

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.tm.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise _write_error(self.tm, e) from None
        return self.tm.conn

    def __exit__(self, kind, exc, tb):
        conn = self.tm.conn
        if kind is None:
            try:
                conn.execute("COMMIT")
                return False
            except sqlite3.OperationalError as e:
                conn.execute("ROLLBACK")
                raise _write_error(self.tm, e) from None
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise _write_error(self.tm, exc) from None
        return False


def _write_error(tm: SqliteMemory, e: Exception) -> OutputError:
    msg = str(e)
    if "readonly" in msg:
        return OutputError("the translation memory is read-only", path=tm.location,
                           hint="Nothing was changed. Make it (and its folder) writable, or use a copy.")
    if "full" in msg:
        return OutputError("the disk is full", path=tm.location,
                           hint="Nothing of the last batch was written; free space and run the import again.")
    if "locked" in msg or "busy" in msg:
        return OutputError("the translation memory is busy (another process has been writing to it "
                           "for two minutes)", path=tm.location, hint="Try again when it has finished.")
    return OutputError(f"cannot write the translation memory: {msg}", path=tm.location)


def _contains(text, needle) -> bool:
    return text is not None and needle in text.lower()


def _pairs_of(rows) -> set[tuple[str, str]]:
    """The (source, target) base languages of rows in COLUMNS order."""
    return {(M.base(r[1]), M.base(r[2])) for r in rows}
