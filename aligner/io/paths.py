"""Which paths are the same file: no command may write over one of its inputs, or write two
of its outputs to one file.

A path names a file in more ways than its spelling: `./a.txt` and `a.txt`, a symbolic link
and the file it points to, two hard links of one inode. `guard_outputs` compares what the
paths are on disk (the resolved path, and device and inode for files that exist), and is
called by every command that writes, before it writes anything.

    guard_outputs(inputs=[src, tgt], outputs=[out, *exports])   # OutputError (exit 5) if not
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from aligner.errors import OutputError

__all__ = ["file_keys", "guard_outputs", "is_within", "same_file"]


def cache_dir(*parts: str) -> Path:
    """Where aligner keeps what it can always rebuild (the CC-CEDICT index, built glossary
    matchers): $ALIGNER_CACHE/aligner, else $XDG_CACHE_HOME/aligner, else ~/.cache/aligner."""
    base = os.environ.get("ALIGNER_CACHE") or os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser().joinpath("aligner", *parts)


def _usable(p: str | os.PathLike | None) -> bool:
    return p is not None and str(p) not in ("", "-")


def file_keys(path: str | os.PathLike) -> set[object]:
    """What identifies the file a path names: its resolved path, and (device, inode) when it
    exists. Two paths name one file when their keys meet."""
    p = Path(path)
    keys: set[object] = {p.resolve()}
    try:
        st = os.stat(p)  # follows symbolic links
    except OSError:
        return keys
    keys.add((st.st_dev, st.st_ino))
    return keys


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return bool(file_keys(a) & file_keys(b))


def is_within(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """`path` is `folder` or somewhere below it (after resolving links)."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents


def guard_outputs(inputs: Iterable[str | os.PathLike | None], outputs: Iterable[str | os.PathLike | None],
                  *, hint: str | None = None) -> None:
    """Refuse (OutputError, before anything is written) an output that is one of the inputs
    (same path, a symbolic link to it, a hard link of it) or the same file as another output.
    "-" (stdin, stdout) and None are left out."""
    seen_in: dict[object, str] = {}
    for p in inputs:
        if _usable(p):
            for key in file_keys(p):  # type: ignore[arg-type]
                seen_in.setdefault(key, str(p))
    seen_out: dict[object, str] = {}
    for out in outputs:
        if not _usable(out):
            continue
        keys = file_keys(out)  # type: ignore[arg-type]
        for key in keys:
            if key in seen_in:
                raise OutputError(f"the output would overwrite the input {seen_in[key]}", path=str(out),
                                  hint=hint or "Choose another output file; nothing was written.")
        for key in keys:
            if key in seen_out:
                raise OutputError(f"two outputs would be the same file: {seen_out[key]} and {out}",
                                  path=str(out), hint="Give them different names; nothing was written.")
        for key in keys:
            seen_out[key] = str(out)
