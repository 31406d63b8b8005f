"""Reviewing bitexts in the browser: fix beads by hand, and re-align around the fixes.

    editors = open_editors(["out/a.en-zh.jsonl"], glossary=glossary)
    serve(editors, port=0, open_browser=True)          # `aligner review`

`aligner.review.edits` is the editing library (no browser needed), `aligner.review.server`
the local web server and `page.html` the page it serves (plain JavaScript, no download).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from aligner.errors import InputError
from aligner.review.edits import EditError, Editor, SaveRefused


def open_editors(paths: Iterable[str | Path], glossary: Any = None) -> list[Editor]:
    """One Editor per bitext file (each file once, in the order given)."""
    editors: list[Editor] = []
    seen: set[Path] = set()
    for p in paths:
        if str(p) == "-":
            raise InputError("review edits files in place: give a bitext file, not stdin")
        key = Path(p).resolve()
        if key in seen:
            continue
        seen.add(key)
        editors.append(Editor.open(p, glossary=glossary))
    return editors


def serve(editors: list[Editor], **options: Any) -> None:
    from aligner.review.server import serve as _serve

    _serve(editors, **options)


__all__ = ["Editor", "EditError", "SaveRefused", "open_editors", "serve"]
