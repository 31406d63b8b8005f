"""File formats: one module per format, each owning its reader and its writer, chosen by
name or file extension.

    from aligner.formats import get_format, format_for_path
    get_format("tmx").write_bitexts([bitext], "out/article.tmx")
    [bitext] = get_format(format_for_path("memory.xlf", want="read")).read_bitexts("memory.xlf")
    get_format("xliff").read_units(data, "memory.xlf")      # translation units (Memory)

Formats: tmx, xliff (1.2), xliff2 (2.0), tsv, csv (read and write; translation memories), jsonl (the
bitext file, read and write), docx, html (write). The interface is
`aligner.formats.base.Format`. The registry holds "module:Class" strings and imports
a format's module on first use, so listing the names (for --help) imports no lxml or
python-docx. Add a format by writing a module with a `Format` subclass and calling
`register("package.module:Class", name=..., kinds=...)` (or `register(cls)`).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from aligner.errors import InputError

if TYPE_CHECKING:
    from aligner.formats.base import Format

__all__ = ["DEFAULT_LOW_SCORE", "format_for_path", "get_format", "names", "register"]

# Beads whose score is below this are flagged for review (XLIFF state, HTML, DOCX).
# Scores are the aligner's / translator's confidence in [0, 1]. Here, not in base, so that
# the CLI's options (and `aligner --help`) import no format module.
DEFAULT_LOW_SCORE = 0.5

# name -> (where its class is, what it can do: see base.KINDS). The kinds are written here
# so that names(kind=...) needs no import; test_formats checks them against the classes.
_REGISTRY: dict[str, tuple[str, frozenset[str]]] = {}
_LOADED: dict[str, "Format"] = {}


def register(fmt: "type[Format] | str", *, name: str | None = None, kinds: Iterable[str] | None = None):
    """Make a format available by its name: a Format subclass (its kinds are read from
    it), or a "module:Class" string imported on first use (then give `name` and `kinds`).
    Returns `fmt`, so it can decorate a class."""
    if isinstance(fmt, str):
        if not name or kinds is None:
            raise ValueError("a lazily registered format needs name= and kinds=")
        _REGISTRY[name] = (fmt, frozenset(kinds))
        _LOADED.pop(name, None)
        return fmt
    instance = fmt()
    _REGISTRY[instance.name] = (f"{fmt.__module__}:{fmt.__qualname__}", instance.kinds)
    _LOADED[instance.name] = instance
    return fmt


for _name, _target, _kinds in (
    ("tmx", "aligner.formats.tmx:TmxFormat", ("read", "write", "memory")),
    ("xliff", "aligner.formats.xliff:XliffFormat", ("read", "write", "memory", "document")),
    ("xliff2", "aligner.formats.xliff2:Xliff2Format", ("read", "write", "memory")),
    ("tsv", "aligner.formats.tsv:TsvFormat", ("read", "write", "memory")),
    ("csv", "aligner.formats.tsv:CsvFormat", ("read", "write", "memory")),
    ("jsonl", "aligner.formats.jsonl:JsonlFormat", ("read", "write")),
    ("docx", "aligner.formats.docx:DocxFormat", ("write", "document")),
    ("html", "aligner.formats.html:HtmlFormat", ("write", "document")),
    ("srt", "aligner.formats.subtitles:SrtFormat", ("document",)),
    ("vtt", "aligner.formats.subtitles:VttFormat", ("document",)),
    ("markdown", "aligner.formats.markdown:MarkdownFormat", ("document",)),
    ("odt", "aligner.formats.odf:OdfFormat", ("document",)),
    ("epub", "aligner.formats.epub:EpubFormat", ("document",)),
    ("pptx", "aligner.formats.pptx:PptxFormat", ("document",)),
):
    register(_target, name=_name, kinds=_kinds)


def names(kind: str | None = None) -> list[str]:
    """The registered formats' names, in the order they were registered; only those that
    can do `kind` ("read", "write", "memory", "document") when given. Imports no format
    module."""
    return [n for n, (_, kinds) in _REGISTRY.items() if kind is None or kind in kinds]


def _load(name: str) -> "Format":
    if name not in _LOADED:
        module, _, cls = _REGISTRY[name][0].partition(":")
        _LOADED[name] = getattr(importlib.import_module(module), cls)()
    return _LOADED[name]


_WHAT = {None: "", "read": "input ", "memory": "translation-memory ", "write": "export ", "document": "document "}


def get_format(name: str, want: str | None = None) -> "Format":
    """The format called `name` (any case); InputError listing the formats when there is
    none, or none that can do `want` under that name."""
    key = (name or "").lower()
    if key not in _REGISTRY or (want is not None and want not in _REGISTRY[key][1]):
        raise InputError(f"unknown {_WHAT.get(want, '')}format {name!r}", hint="Formats: " + ", ".join(sorted(names(want))))
    return _load(key)


def formats(kind: str | None = None) -> list["Format"]:
    """The format objects that can do `kind` (imports their modules)."""
    return [_load(n) for n in names(kind)]


def format_for_path(path: str | Path, want: str = "write") -> str | None:
    """The name of the format a file name asks for ("review.html" -> "html"), for writing
    or for `want` ("read", "memory", "document"); None when its extension says nothing."""
    suffix = Path(str(path)).suffix.lower()
    if not suffix:
        return None
    for fmt in formats(want):
        if suffix in fmt.suffixes_for(want):
            return fmt.name
    return None
