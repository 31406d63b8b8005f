"""The team store: a PostgreSQL database (`--tm postgresql://user@host/db`), via psycopg 3.

The same tables as the SQLite store, so both give the same results (matching and scores
are decided in aligner.memory.base):
- exact matches: B-tree indexes on the hash of each side's normalised text;
- concordance: pg_trgm GIN indexes on source and target (ILIKE for phrases);
- fuzzy candidates: the candidate index shared with SQLite (aligner.memory.base, tables
  cand_*/grams_*; pg_trgm's `%` re-checked thousands of units per look-up, under 1 a
  second at 100,000 units); the memory is never scanned;
- several translators may import at once: every batch is one transaction, its rows are
  inserted in key order with ON CONFLICT DO NOTHING (no deadlock, no duplicate, nothing
  lost; the gram counts are updated in text order, so two batches never wait on each
  other in a circle), and an import holds an advisory lock on its own id while it runs, so only an
  import whose process is gone is resumed by a re-run.
pg_trgm ships with PostgreSQL (Debian: postgresql-contrib); it is a trusted extension, so
the database's owner may create it.
"""

from __future__ import annotations

import re
from typing import Sequence

from aligner.errors import InputError, OutputError
from aligner.memory.base import COLUMNS, READ_SQL, VISIBLE, SqlMemory, new_units, now_iso, owner_id
from aligner.memory.sqlite import APPLICATION, _pairs_of

# Its own schema number: the SQLite store's schema 4 (a lazily built FTS5 index) changed
# nothing here (pg_trgm's GIN indexes are kept by the server as rows come).
SCHEMA_VERSION = "3"
OLD_SCHEMAS = ("1", "2")  # upgraded in place: the candidate index is (re)built

_LOCK_SPACE = 0x616C69  # advisory-lock namespace of aligner ("ali")

_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS tm_info(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS imports(id BIGSERIAL PRIMARY KEY, file TEXT, sha256 TEXT, started TEXT,
                                   finished TEXT, done BIGINT NOT NULL DEFAULT 0, owner TEXT);
CREATE TABLE IF NOT EXISTS units(
    id BIGSERIAL PRIMARY KEY,
    ukey BIGINT NOT NULL UNIQUE,
    src_lang TEXT NOT NULL, tgt_lang TEXT NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL,
    src_hash BIGINT NOT NULL, tgt_hash BIGINT NOT NULL,
    prev TEXT, next TEXT,
    origin TEXT NOT NULL, file TEXT, created TEXT, changed TEXT, author TEXT,
    notes TEXT, meta TEXT,
    import_id BIGINT);
CREATE TABLE IF NOT EXISTS pairs(src TEXT NOT NULL, tgt TEXT NOT NULL, PRIMARY KEY (src, tgt));
CREATE INDEX IF NOT EXISTS units_src_hash ON units(src_hash);
CREATE INDEX IF NOT EXISTS units_tgt_hash ON units(tgt_hash);
CREATE INDEX IF NOT EXISTS units_src_trgm ON units USING gin (source gin_trgm_ops);
CREATE INDEX IF NOT EXISTS units_tgt_trgm ON units USING gin (target gin_trgm_ops);
"""
# The candidate index (schema 3: posting lists packed per gram and range of ids); "C": grams
# compare as bytes, as in SQLite.
_CAND_SCHEMA = """
CREATE TABLE IF NOT EXISTS cand_src(gram TEXT COLLATE "C" NOT NULL, blk BIGINT NOT NULL, ids BYTEA NOT NULL,
                                    PRIMARY KEY (gram, blk));
CREATE TABLE IF NOT EXISTS cand_tgt(gram TEXT COLLATE "C" NOT NULL, blk BIGINT NOT NULL, ids BYTEA NOT NULL,
                                    PRIMARY KEY (gram, blk));
CREATE TABLE IF NOT EXISTS grams_src(gram TEXT COLLATE "C" PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS grams_tgt(gram TEXT COLLATE "C" PRIMARY KEY, n BIGINT NOT NULL);
"""

_READ, _VISIBLE = READ_SQL, VISIBLE


def _safe_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


class PostgresMemory(SqlMemory):
    P = "%s"
    SCHEMA_VERSION = SCHEMA_VERSION

    def __init__(self, url: str, *, create: bool = True, readonly: bool = False):
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            raise InputError("PostgreSQL memories need psycopg", hint="pip install 'psycopg[binary]'") from None
        self.psycopg = psycopg
        self.location = _safe_url(url)
        self.readonly = readonly
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as e:
            reason = str(e).strip().splitlines()[0].strip() if str(e).strip() else "no answer"
            raise InputError(f"cannot connect to the translation memory: {reason}", path=self.location,
                             hint="Check that the server runs and the URL (host, port, user, database) "
                                  "is right. Nothing was changed.") from None
        except psycopg.ProgrammingError as e:
            raise InputError(f"not a PostgreSQL URL: {e}", path=self.location,
                             hint="For example postgresql://user@host:5432/memory") from None
        try:
            self._check_or_create(create)
            if readonly:
                self.conn.execute("SET default_transaction_read_only = on")
        except BaseException:
            self.conn.close()
            raise

    def _check_or_create(self, create: bool) -> None:
        c = self.conn
        has_info = c.execute("SELECT to_regclass('tm_info') IS NOT NULL").fetchone()[0]
        if has_info:
            info = dict(c.execute("SELECT key, value FROM tm_info").fetchall())
            if info.get("application") != APPLICATION:
                raise InputError("not a translation memory: the database holds another program's tm_info",
                                 path=self.location)
            if info.get("schema") in OLD_SCHEMAS:
                self._upgrade()
            elif info.get("schema") != SCHEMA_VERSION:
                raise InputError(f"translation memory schema {info.get('schema')} is not supported "
                                 f"(this aligner reads {SCHEMA_VERSION})", path=self.location,
                                 hint="Export it as TMX with the aligner that made it, then import the TMX.")
            return
        if self.readonly or not create:
            raise InputError("no translation memory in this database", path=self.location,
                             hint="Create it with `aligner tm create --tm URL`.")
        others = c.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                           "AND table_name IN ('units', 'imports')").fetchone()[0]
        if others:
            raise InputError("not a translation memory: the database has tables named units/imports of "
                             "another program", path=self.location, hint="Use a database of its own.")
        try:
            with c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_SPACE,))
                c.execute(_SCHEMA)
                c.execute(_CAND_SCHEMA)
                c.execute("INSERT INTO tm_info VALUES ('application', %s), ('schema', %s), ('created', %s) "
                          "ON CONFLICT DO NOTHING", (APPLICATION, SCHEMA_VERSION, now_iso()))
        except self.psycopg.errors.FeatureNotSupported as e:
            raise InputError(f"the server cannot create the pg_trgm extension: {e}", path=self.location,
                             hint="Install PostgreSQL's contrib modules (Debian: postgresql-contrib).") from None
        except self.psycopg.errors.UndefinedFile as e:
            raise InputError(f"the server has no pg_trgm extension: {str(e).splitlines()[0]}", path=self.location,
                             hint="Install PostgreSQL's contrib modules (Debian: postgresql-contrib).") from None
        except self.psycopg.errors.InsufficientPrivilege as e:
            raise OutputError(f"not allowed to create the memory's tables: {str(e).splitlines()[0]}",
                              path=self.location, hint="Ask for CREATE rights on the database.") from None

    def _upgrade(self) -> None:
        """Schema 1 had no candidate index, schema 2 one row per (gram, unit): (re)build it
        and file every unit, in one transaction."""
        if self.readonly:
            raise InputError("this translation memory was made by an earlier aligner and needs a one-time "
                             "upgrade", path=self.location, hint="Open it once with write access.")
        with self._write() as c:
            c.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_SPACE,))
            if c.execute("SELECT value FROM tm_info WHERE key='schema'").fetchone()[0] not in OLD_SCHEMAS:
                return  # another process upgraded it meanwhile
            c.execute("DROP TABLE IF EXISTS cand_src, cand_tgt, grams_src, grams_tgt")
            c.execute(_CAND_SCHEMA)
            self._build_index(c)
            c.execute("UPDATE tm_info SET value=%s WHERE key='schema'", (SCHEMA_VERSION,))

    def _write(self):
        if self.readonly:
            raise OutputError("the translation memory was opened read-only", path=self.location)
        return _Transaction(self)

    # --- imports --------------------------------------------------------------------
    def _begin_import(self, file, sha256):
        with self._write() as c:
            if sha256:
                rows = c.execute("SELECT id, done FROM imports WHERE sha256=%s AND finished IS NULL ORDER BY id "
                                 "FOR UPDATE", (sha256,)).fetchall()
                for id_, done in rows:
                    # A running import holds its lock; one whose process is gone does not.
                    if c.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE, id_)).fetchone()[0]:
                        c.execute("UPDATE imports SET owner=%s WHERE id=%s", (owner_id(), id_))
                        return id_, done
            id_ = c.execute("INSERT INTO imports(file, sha256, started, owner) VALUES (%s, %s, %s, %s) RETURNING id",
                            (file, sha256, now_iso(), owner_id())).fetchone()[0]
            c.execute("SELECT pg_advisory_lock(%s, %s)", (_LOCK_SPACE, id_))
            return id_, 0

    def _insert_batch(self, rows, import_id, done, norms=None):
        with self._write() as c:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS units_in (LIKE units INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
            cols = ", ".join(COLUMNS)
            with c.cursor().copy(f"COPY units_in ({cols}, import_id) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r + (import_id,))
            # Ids were drawn in file order by COPY (the column default); rows go in in key order.
            cur = c.execute(f"INSERT INTO units (id, {cols}, import_id) SELECT id, {cols}, import_id "
                            f"FROM units_in ORDER BY ukey ON CONFLICT (ukey) DO NOTHING "
                            f"RETURNING id, ukey")
            added = cur.rowcount
            new = cur.fetchall()
            if new:
                self._index_units(c, *new_units(rows, norms, new))
            c.execute("UPDATE imports SET done=%s WHERE id=%s", (done, import_id))
            for pair in sorted(_pairs_of(rows)):
                c.execute("INSERT INTO pairs VALUES (%s, %s) ON CONFLICT DO NOTHING", pair)
        return max(added, 0)

    def _finish_import(self, import_id):
        with self._write() as c:
            c.execute("UPDATE imports SET finished=%s WHERE id=%s", (now_iso(), import_id))
        self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_SPACE, import_id))

    # --- look-ups -------------------------------------------------------------------
    def _pairs(self) -> set[tuple[str, str]]:
        return set(self.conn.execute("SELECT src, tgt FROM pairs").fetchall())

    def _rows_by_hash(self, hashes: Sequence[int], column: str) -> list[tuple]:
        if not hashes:
            return []
        return self.conn.execute(f"SELECT {_READ} FROM units u WHERE u.{column} = ANY(%s) AND {_VISIBLE}",
                                 (list(hashes),)).fetchall()

    def _many(self, c, sql, rows):
        if rows:
            c.cursor().executemany(sql, rows)

    def _add_postings(self, c, table, rows):
        _copy_upsert(c, table, "postings_in", ("gram", "blk", "ids"), ('TEXT COLLATE "C"', "BIGINT", "BYTEA"),
                     rows, f"ON CONFLICT (gram, blk) DO UPDATE SET ids = {table}.ids || excluded.ids")

    def _add_counts(self, c, table, items):
        _copy_upsert(c, table, "counts_in", ("gram", "n"), ('TEXT COLLATE "C"', "BIGINT"),
                     items, f"ON CONFLICT (gram) DO UPDATE SET n = {table}.n + excluded.n")

    def _gram_counts(self, c, table, grams):
        if not grams:
            return {}
        return dict(c.execute(f"SELECT gram, n FROM {table} WHERE gram = ANY(%s)", (list(grams),)).fetchall())

    def _search_rows(self, phrase: str, side: str, limit: int) -> list[tuple]:
        pattern = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self.conn.execute(f"SELECT {_READ} FROM units u WHERE u.{side} ILIKE %s AND {_VISIBLE} "
                                 f"ORDER BY u.id LIMIT %s", (pattern, limit)).fetchall()

    # --- the rest (iter_units, remove, stats: aligner.memory.base.SqlMemory) ------------
    def _stale_imports(self, c) -> list[tuple[int, str | None, int]]:
        # A running import holds the advisory lock on its id; one whose process is gone does not.
        out = []
        for id_, f, d in c.execute("SELECT id, file, done FROM imports WHERE finished IS NULL").fetchall():
            with c.transaction():
                if c.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, id_)).fetchone()[0]:
                    out.append((id_, f, d))
        return out

    def _size(self) -> int:
        return self.conn.execute(
            "SELECT pg_total_relation_size('units') + pg_total_relation_size('imports')").fetchone()[0]

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None


class _Transaction:
    def __init__(self, tm: PostgresMemory):
        self.tm = tm
        self._tx = None

    def __enter__(self):
        self._tx = self.tm.conn.transaction()
        self._tx.__enter__()
        return self.tm.conn

    def __exit__(self, kind, exc, tb):
        self._tx.__exit__(kind, exc, tb)
        errors = self.tm.psycopg.errors
        if isinstance(exc, (errors.ReadOnlySqlTransaction, errors.InsufficientPrivilege)):
            raise OutputError(f"the translation memory cannot be written: {str(exc).splitlines()[0]}",
                              path=self.tm.location, hint="Nothing was changed. Ask for write rights.") from None
        if isinstance(exc, self.tm.psycopg.OperationalError):
            raise OutputError(f"the connection to the translation memory failed: {str(exc).splitlines()[0]}",
                              path=self.tm.location,
                              hint="Nothing of the last batch was written; run the command again.") from None
        return False


def _copy_upsert(c, table: str, temp: str, columns, types, rows, on_conflict: str) -> None:
    """COPY rows into a temporary table, then one upsert into `table` in key order: concurrent
    batches take the locks of the rows they share in one order (no deadlock)."""
    if not rows:
        return
    cols = ", ".join(columns)
    c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ("
              + ", ".join(f"{n} {t}" for n, t in zip(columns, types)) + ") ON COMMIT DELETE ROWS")
    c.execute(f"DELETE FROM {temp}")
    with c.cursor().copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(r)
    key = ", ".join(columns[:-1])
    c.execute(f"INSERT INTO {table}({cols}) SELECT {cols} FROM {temp} ORDER BY {key} {on_conflict}")
