"""Bilingual exports: the command-level API of `aligner export`, over aligner.formats.

    from aligner.export import export_bitexts
    export_bitexts([bitext], "tmx", "out/article.tmx")              # or fmt=None: from the suffix
    export_bitexts(bitexts, "html", "review.html", low_score=0.6, glossary=glossary)

Formats (EXPORTERS): tmx, xliff, tsv, csv, jsonl, docx, html. Each is an
`aligner.formats.base.Format` with `name`, `suffix` and `write(bitexts,
path_or_stream, **options)`; a format's reader and writer live in one module of
aligner.formats. The modules aligner.export.tmx, .xliff, .tsv, .jsonl, .docx, .html and
.review are kept as aliases of those for existing callers.
"""

from aligner.export.base import (DEFAULT_LOW_SCORE, EXPORTERS, Exporter, ExportOptions, export, export_bitexts,
                                 format_for_path, get_exporter, register)

__all__ = ["DEFAULT_LOW_SCORE", "EXPORTERS", "Exporter", "ExportOptions", "export", "export_bitexts",
           "format_for_path", "get_exporter", "register"]
