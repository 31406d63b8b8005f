"""Bilingual exports: one module per format behind one interface, chosen by name.

    from aligner.export import export_bitexts
    export_bitexts([bitext], "tmx", "out/article.tmx")              # or fmt=None: from the suffix
    export_bitexts(bitexts, "html", "review.html", low_score=0.6, glossary=glossary)

Formats (EXPORTERS): tmx, xliff, tsv, csv, jsonl, docx, html. Each is an `Exporter`
with `name`, `suffix` and `write(bitexts, path_or_stream, **options)`; add a format by
writing a module with a registered subclass and importing it below.
"""

from aligner.export.base import (DEFAULT_LOW_SCORE, EXPORTERS, Exporter, ExportOptions, export_bitexts,
                                 format_for_path, get_exporter, register)
from aligner.export import docx, html, jsonl, tmx, tsv, xliff  # noqa: F401  (they register themselves)

__all__ = ["DEFAULT_LOW_SCORE", "EXPORTERS", "Exporter", "ExportOptions", "export_bitexts",
           "format_for_path", "get_exporter", "register"]
