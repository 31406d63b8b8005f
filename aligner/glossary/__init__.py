"""Glossaries: names and terms that stay the same in every translation.

    from aligner.glossary import load_glossaries
    g = load_glossaries(["glossaries/news.tsv"])
    g.find("a CCP cadre", "en")          # [Match(start=2, end=5, text='CCP', ...), ...]

Modules: model (Term, Glossary, Match), match (the Aho-Corasick matcher), formats (tsv,
csv, tbx, jsonl), edit (add/remove rows keeping the file), lint, check (a bitext against a
glossary), extract (propose terms from bitexts), enforce (terms in machine translation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from aligner.glossary.formats import read_glossary, write_glossary
from aligner.glossary.model import Direction, Entry, Glossary, Match, Term

__all__ = ["Direction", "Entry", "Glossary", "Match", "Term", "load_glossaries", "read_glossary",
           "write_glossary"]


def load_glossaries(paths: Iterable[str | Path]) -> Glossary:
    """One Glossary from one or more files (any supported format, by suffix). Rows keep
    their file and line; where files disagree, the earlier file wins."""
    return Glossary.merge(read_glossary(p) for p in paths)
