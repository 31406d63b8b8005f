"""Translation memories: what a translator has translated before, reused before any MT.

    from aligner.memory import open_memory
    with open_memory("memory.sqlite") as tm:             # or "postgresql://host/db", or None
        tm.import_file("last-year.tmx")
        matches = tm.lookup(["The cadre resigned."], "en", "zh")[0]

Stores, chosen by the spec (STORES): an SQLite file (the default; `default_path()` when no
spec is given) or a PostgreSQL URL for a team's shared memory. Both implement
`aligner.memory.base.TranslationMemory`; matching and scores are in aligner.memory.match,
reuse in translation in aligner.memory.reuse.
"""

from __future__ import annotations

import os
from pathlib import Path

from aligner.memory.base import ORIGINS, ImportResult, Match, Stats, TranslationMemory, Unit

__all__ = ["open_memory", "default_path", "STORES", "ORIGINS", "ImportResult", "Match", "Stats",
           "TranslationMemory", "Unit"]

STORES = ("sqlite", "postgresql")


def default_path() -> Path:
    """$XDG_DATA_HOME/aligner/memory.sqlite (~/.local/share/aligner/memory.sqlite)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "aligner" / "memory.sqlite"


def store_for(spec: str | os.PathLike | None) -> str:
    s = str(spec or "")
    if s.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    return "sqlite"


def open_memory(spec: str | os.PathLike | None = None, *, create: bool = True,
                readonly: bool = False) -> TranslationMemory:
    """The memory named by `spec`: a postgresql:// URL, or an SQLite file (created when
    missing unless `create` is False; None: default_path()). Raises InputError/OutputError
    with one clear message for a file that is not a memory, a read-only one, a refused
    connection."""
    if store_for(spec) == "postgresql":
        from aligner.memory.postgresql import PostgresMemory

        return PostgresMemory(str(spec), create=create, readonly=readonly)
    from aligner.memory.sqlite import SqliteMemory

    return SqliteMemory(spec if spec else default_path(), create=create, readonly=readonly)
