"""Sentence alignment: pair the sentences of an article and its existing translation.

    from aligner.align import align_documents, align_files
    bitext = align_documents(src_doc, tgt_doc)                       # Documents -> Bitext
    bitext = align_files("ch1.zh.txt", "ch1.en.txt", translation="ch1.trans")

Signals (aligner.align.signals: length, lexicon, cooccurrence, names, numbers, punctuation,
glossary, translation, embedding) score candidate beads; the search (aligner.align.search)
finds anchors and runs a banded dynamic programme over bead types 0-1 .. 6-1 and 2-2 .. 3-3.
"""

from aligner.align.core import (DEFAULT_SIGNALS, DEFAULT_WEIGHTS, AlignedBead, Alignment,
                                align_documents, align_sentences, bead_types)
from aligner.align.evaluate import read_gold, strict_counts
from aligner.align.files import align_batch, align_files, match_directories, plan_align, read_pairs_list, write_pair
from aligner.align.signals import available_signals, get_signal

__all__ = ["align_documents", "align_sentences", "align_files", "align_batch", "match_directories",
           "plan_align", "write_pair", "read_pairs_list", "read_gold", "strict_counts", "bead_types", "available_signals",
           "get_signal", "AlignedBead", "Alignment", "DEFAULT_SIGNALS", "DEFAULT_WEIGHTS"]
