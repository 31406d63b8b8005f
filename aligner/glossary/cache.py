"""A cache of built glossary matchers, so that loading a large glossary a second time skips
building its automatons (bench/glossary_speed.py, 100,000 terms: the build is most of the
load; unpickling the built automatons takes a tenth of it).

The key is a SHA-256 over everything the build depends on: the matcher's inputs exactly as
given (forms, payloads, case flags, inflection, language, which Chinese automaton), the
source of the modules that build the automatons (match.py, automata.py, inflect.py and the
text normalisation), and the versions of Python, pyahocorasick and daachorse. A glossary file
edited, merged with another, or read by another version of aligner is another key, so a
stale matcher is never used. Keying by the inputs rather than the files' bytes also covers
glossaries made in memory and every route from file to matcher.

Files live in `$ALIGNER_CACHE/aligner/glossary` (else `$XDG_CACHE_HOME`, else `~/.cache`),
are written atomically (aligner.io.atomic), and start with a header that repeats the key and
the SHA-256 of the body: a truncated, corrupted or foreign file is ignored (the matcher is
built and the file overwritten) before anything of it is unpickled, and unpickling admits
only the two automaton classes. Only matchers of at least MIN_FORMS forms are cached (a small
one builds faster than a file is read). A file read is touched, and the files least
recently used are removed beyond MAX_BYTES in all (a 100,000-term glossary's two source
matchers take 44 MB; its rendering matchers about as much again). Set
ALIGNER_GLOSSARY_CACHE=0 to switch the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
from array import array
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

MIN_FORMS = 10_000
MAX_BYTES = 500_000_000
_MAGIC = b"aligner glossary matcher 1\n"
_ALLOWED = {("ahocorasick", "Automaton"), ("daachorse", "CharwiseDoubleArrayAhoCorasick")}
_code: bytes | None = None


def enabled() -> bool:
    return os.environ.get("ALIGNER_GLOSSARY_CACHE", "1").strip().lower() not in ("0", "off", "no", "false")


def cache_dir() -> Path:
    from aligner.io.paths import cache_dir

    return cache_dir("glossary")


def _code_digest() -> bytes:
    """What the build's result depends on besides its inputs: the building code and libraries."""
    global _code
    if _code is None:
        import ahocorasick
        import daachorse

        from aligner.glossary import automata, inflect, match
        from aligner.text import normalize, scripts

        h = hashlib.sha256(_MAGIC)
        for mod in (match, automata, inflect, normalize, scripts, sys.modules[__name__]):
            h.update(Path(mod.__file__).read_bytes())
        # The libraries' compiled code itself (a few MB, milliseconds; importlib.metadata's
        # version look-up took 45 ms): another build of either is another key.
        for lib in (ahocorasick, daachorse):
            where = Path(lib.__file__)
            files = sorted(where.parent.glob("*.so")) + sorted(where.parent.glob("*.pyd")) \
                if where.name == "__init__.py" else [where]
            for f in files:
                h.update(f.read_bytes())
        h.update(f"{sys.version} {sys.platform} {sys.maxsize}\n".encode())
        _code = h.digest()
    return _code


def key(lang: str, overlapping: bool, batches: list[tuple[list[str], list[Any], list[bool], bool]]) -> bytes | None:
    """The cache key of a matcher's inputs (its add_many calls, in order), or None where they
    are not cacheable (too few forms, payloads other than entry numbers). The batches are
    hashed as one concatenation and their sizes: lint adds 100,000 forms one call each."""
    sizes = array("q", map(len, map(itemgetter(0), batches)))
    if sum(sizes) < MIN_FORMS:
        return None
    if len(batches) == 1:  # the glossary's matchers: one call, no copies
        forms, payloads, sens, _ = batches[0]
    else:
        forms, payloads, sens = (list(chain.from_iterable(map(itemgetter(i), batches))) for i in range(3))
    if set(map(type, payloads)) - {int}:
        return None
    try:
        numbers = array("q", payloads)
    except OverflowError:
        return None
    h = hashlib.sha256(_code_digest())
    h.update(f"{lang} {overlapping} {len(batches)}\n".encode())
    h.update(sizes.tobytes())
    h.update(bytes(map(bool, map(itemgetter(3), batches))))  # inflect, per batch
    joined = "\x00".join(forms)
    h.update(joined.encode("utf-8", "surrogatepass"))
    if joined.count("\x00") != len(forms) - 1:  # a form with \x00 in it: the lengths part them
        h.update(array("q", map(len, forms)).tobytes())
    h.update(numbers.tobytes())
    try:
        h.update(bytes(sens))  # bools (a byte each, in C)
    except (TypeError, ValueError):
        h.update(bytes(map(bool, sens)))
    return h.digest()


def _path(lang: str, k: bytes) -> Path:
    return cache_dir() / f"{lang}-{k.hex()[:40]}.matcher"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a matcher")
        return super().find_class(module, name)


def load(lang: str, k: bytes) -> dict | None:
    """The state stored under key `k`, or None (missing, unreadable, corrupted, foreign)."""
    try:
        data = _path(lang, k).read_bytes()
        head = len(_MAGIC)
        if data[:head] != _MAGIC or data[head:head + 32] != k:
            return None
        body = memoryview(data)[head + 64:]
        if hashlib.sha256(body).digest() != data[head + 32:head + 64]:
            return None
        state = _Unpickler(io.BytesIO(body)).load()
        with contextlib.suppress(OSError):
            os.utime(_path(lang, k))  # recently used: kept by _prune
        return state if isinstance(state, dict) and state.get("lang") == lang else None
    except Exception:  # anything wrong with a cache file means: build instead
        return None


def store(lang: str, k: bytes, state: dict) -> None:
    """Write the state under key `k`, atomically; a cache that cannot be written is no error."""
    from aligner.io.atomic import atomic_write_bytes

    try:
        body = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        path = _path(lang, k)
        atomic_write_bytes(path, _MAGIC + k + hashlib.sha256(body).digest() + body)
        _prune(path.parent)
    except Exception:
        return


def _prune(directory: Path) -> None:
    """Remove the least recently used files beyond MAX_BYTES (the newest always stays)."""
    files = []
    for p in directory.glob("*.matcher"):
        with contextlib.suppress(OSError):
            st = p.stat()
            files.append((st.st_mtime, st.st_size, p))
    total = 0
    for i, (_, size, p) in enumerate(sorted(files, key=lambda f: f[0], reverse=True)):
        total += size
        if i and total > MAX_BYTES:
            with contextlib.suppress(OSError):
                p.unlink()
