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
from typing import TYPE_CHECKING, Iterable, NamedTuple

from aligner.errors import InputError

if TYPE_CHECKING:
    from aligner.formats.base import Format

__all__ = ["DEFAULT_LOW_SCORE", "format_for_path", "get_format", "names", "register"]

# Beads whose score is below this are flagged for review (XLIFF state, HTML, DOCX).
# Scores are the aligner's / translator's confidence in [0, 1]. Here, not in base, so that
# the CLI's options (and `aligner --help`) import no format module.
DEFAULT_LOW_SCORE = 0.5

class _Entry(NamedTuple):
    """Where a format's class is and what it can do (see base.KINDS), and the file
    extensions that choose it, written here so that names(kind=...) and format_for_path
    import no format module (test_formats checks them against the classes)."""
    target: str
    kinds: frozenset
    extensions: tuple = ()
    read_extensions: tuple = ()

    def suffixes_for(self, want: str) -> tuple:
        # Format.suffixes_for's rule
        return self.extensions if want == "write" else (self.read_extensions or self.extensions)


_REGISTRY: dict[str, _Entry] = {}
_LOADED: dict[str, "Format"] = {}


def register(fmt: "type[Format] | str", *, name: str | None = None, kinds: Iterable[str] | None = None,
             extensions: Iterable[str] | None = None, read_extensions: Iterable[str] = ()):
    """Make a format available by its name: a Format subclass (its kinds and extensions are
    read from it), or a "module:Class" string imported on first use (then give `name`,
    `kinds` and its `extensions`; without them, choosing a format by file name imports it).
    Returns `fmt`, so it can decorate a class."""
    if isinstance(fmt, str):
        if not name or kinds is None:
            raise ValueError("a lazily registered format needs name= and kinds=")
        _REGISTRY[name] = _Entry(fmt, frozenset(kinds), tuple(extensions) if extensions is not None else None,
                                 tuple(read_extensions))
        _LOADED.pop(name, None)
        return fmt
    instance = fmt()
    _REGISTRY[instance.name] = _Entry(f"{fmt.__module__}:{fmt.__qualname__}", instance.kinds,
                                      tuple(instance.extensions), tuple(instance.read_extensions))
    _LOADED[instance.name] = instance
    return fmt


_XLF = (".xlf", ".xliff")
for _name, _target, _kinds, _ext, _read in (
    ("tmx", "aligner.formats.tmx:TmxFormat", ("read", "write", "memory"), (".tmx",), ()),
    ("xliff", "aligner.formats.xliff:XliffFormat", ("read", "write", "memory", "document"), _XLF,
     _XLF + (".sdlxliff", ".mqxliff")),
    ("xliff2", "aligner.formats.xliff2:Xliff2Format", ("read", "write", "memory"), _XLF, ()),
    ("tsv", "aligner.formats.tsv:TsvFormat", ("read", "write", "memory"), (".tsv", ".tab"), (".tsv", ".tab", ".txt")),
    ("csv", "aligner.formats.tsv:CsvFormat", ("read", "write", "memory"), (".csv",), ()),
    ("jsonl", "aligner.formats.jsonl:JsonlFormat", ("read", "write"), (".jsonl",), ()),
    ("docx", "aligner.formats.docx:DocxFormat", ("write", "document"), (".docx",), ()),
    ("html", "aligner.formats.html:HtmlFormat", ("write", "document"), (".html", ".htm"), (".html", ".htm", ".xhtml")),
    ("srt", "aligner.formats.subtitles:SrtFormat", ("document",), (".srt",), ()),
    ("vtt", "aligner.formats.subtitles:VttFormat", ("document",), (".vtt",), ()),
    ("markdown", "aligner.formats.markdown:MarkdownFormat", ("document",), (".md", ".markdown"), ()),
    ("odt", "aligner.formats.odf:OdfFormat", ("document",), (".odt", ".odp"), ()),
    ("epub", "aligner.formats.epub:EpubFormat", ("document",), (".epub",), ()),
    ("pptx", "aligner.formats.pptx:PptxFormat", ("document",), (".pptx",), ()),
):
    register(_target, name=_name, kinds=_kinds, extensions=_ext, read_extensions=_read)


def suffixes(name: str, want: str = "write") -> tuple[str, ...]:
    """The file extensions that choose format `name` for `want` (imports its module only
    when it was registered without them)."""
    entry = _REGISTRY[name]
    if entry.extensions is None:
        return _load(name).suffixes_for(want)
    return entry.suffixes_for(want)


def names(kind: str | None = None) -> list[str]:
    """The registered formats' names, in the order they were registered; only those that
    can do `kind` ("read", "write", "memory", "document") when given. Imports no format
    module."""
    return [n for n, entry in _REGISTRY.items() if kind is None or kind in entry.kinds]


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
    for name in names(want):
        if suffix in suffixes(name, want):
            return name
    return None
