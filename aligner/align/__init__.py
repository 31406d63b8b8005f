"""Sentence alignment: pair the sentences of an article and its existing translation.

    from aligner.align import align_documents, align_files
    bitext = align_documents(src_doc, tgt_doc)                       # Documents -> Bitext
    bitext = align_files("ch1.zh.txt", "ch1.en.txt", translation="ch1.trans")

Signals (aligner.align.signals: length, lexicon, cooccurrence, names, numbers, punctuation,
glossary, translation, embedding) score candidate beads; the search (aligner.align.search)
finds anchors and runs a banded dynamic programme over bead types 0-1 .. 6-1 and 2-2 .. 3-3.

The names below are imported on first use (PEP 562), so that `aligner.align.parallel` can
start its helper process before numpy and the aligner are imported (`parallel.helper`).
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module that defines it
_EXPORTS = {
    "DEFAULT_SIGNALS": "core", "DEFAULT_WEIGHTS": "core", "AlignedBead": "core", "Alignment": "core",
    "align_documents": "core", "align_sentences": "core", "bead_types": "core",
    "read_gold": "evaluate", "strict_counts": "evaluate",
    "align_batch": "files", "align_files": "files", "match_directories": "files", "plan_align": "files",
    "read_pairs_list": "files", "write_pair": "files",
    "available_signals": "signals", "get_signal": "signals",
}

__all__ = ["align_documents", "align_sentences", "align_files", "align_batch", "match_directories",
           "plan_align", "write_pair", "read_pairs_list", "read_gold", "strict_counts", "bead_types", "available_signals",
           "get_signal", "AlignedBead", "Alignment", "DEFAULT_SIGNALS", "DEFAULT_WEIGHTS"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule (aligner.align.core ...), as the eager imports made them
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
