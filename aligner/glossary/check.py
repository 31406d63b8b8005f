"""Check a bitext against a glossary: every bead whose source contains a term but whose
target lacks the glossary rendering, or contains a forbidden rendering of it, is a
violation (bead id, term, expected and found text).

    report = check_bitext(read_bitext("out/article.en.zh.jsonl"), glossary)
    report.violations   # [Violation(bead=3, kind="missing", term="cadre", expected="干部", ...)]

The direction is the bitext's (source language -> target language). Acceptable renderings
are the target of every approved row for the term and, into English, the term's aliases;
a rendering counts wherever it appears in the bead's target (the glossary checks that
the term is rendered, not how often). Beads without a target (1-0: an untranslated
sentence) are not checked: the aligner reports those.

Bitexts come from `aligner translate`/`align` (JSONL), or from translation memories
(TMX, XLIFF, TSV, CSV), read as `aligner import` reads them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aligner.errors import InputError
from aligner.glossary.model import Glossary
from aligner.io.bitext_jsonl import read_bitext
from aligner.model import Bitext


@dataclass
class Violation:
    bead: int
    kind: str  # "missing": no acceptable rendering; "forbidden": a forbidden rendering is there
    term: str  # the term as written in the source
    source: str  # the glossary's form of the term
    expected: str
    found: str | None  # the forbidden rendering found, or None when nothing was recognised
    start: int  # offsets of the term in the bead's source text
    end: int
    src_text: str
    tgt_text: str
    glossary: str  # file:line of the glossary row

    def describe(self) -> str:
        if self.kind == "forbidden":
            return (f"bead {self.bead}: \"{self.term}\" should be {self.expected}, found forbidden "
                    f"{self.found}: {_short(self.tgt_text)}")
        return (f"bead {self.bead}: \"{self.term}\" should be {self.expected}, not found in: "
                f"{_short(self.tgt_text)}")


@dataclass
class CheckReport:
    path: str | None
    src_lang: str
    tgt_lang: str
    beads: int = 0
    terms: int = 0  # term occurrences found in the sources
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        return {"bitext": self.path, "src_lang": self.src_lang, "tgt_lang": self.tgt_lang,
                "beads": self.beads, "terms": self.terms, "violations": len(self.violations),
                "items": [asdict(v) for v in self.violations]}


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check_bitext(bitext: Bitext, glossary: Glossary, *, path: str | None = None) -> CheckReport:
    """All violations of `glossary` in `bitext`, in bead order."""
    src, tgt = bitext.src_lang, bitext.tgt_lang
    for lang in (src, tgt):
        if lang not in (glossary.src_lang, glossary.tgt_lang):
            raise InputError(f"the bitext is {src}-{tgt} but the glossary is "
                             f"{glossary.src_lang}-{glossary.tgt_lang}", path=path)
    d = glossary.direction(src, tgt)
    report = CheckReport(path, src, tgt)
    for bead in bitext.beads:
        report.beads += 1
        if not bead.src or not bead.tgt:
            continue
        src_text, tgt_text = bitext.src_text(bead), bitext.tgt_text(bead)
        found = d.find(src_text)
        if not found:
            continue
        report.terms += len(found)
        present = {r.entry.id for r in d.renderings(tgt_text)}
        forbidden: dict[int, list[str]] = {}
        for f in d.forbidden(tgt_text):
            forbidden.setdefault(f.entry.id, []).append(f.text)
        reported = set()
        for m in found:
            e = m.entry
            if e.id in reported:
                continue
            bad = forbidden.get(e.id)
            if bad or e.id not in present:
                reported.add(e.id)
                report.violations.append(Violation(
                    bead=bead.id, kind="forbidden" if bad else "missing", term=m.text,
                    source=e.source, expected=e.rendering, found=bad[0] if bad else None,
                    start=m.start, end=m.end, src_text=src_text, tgt_text=tgt_text,
                    glossary=m.term.where))
    return report


# --- reading bitexts of several kinds -------------------------------------------------

def read_any_bitext(path: str | Path, *, src_lang: str | None = None,
                    tgt_lang: str | None = None) -> Bitext:
    """A bitext from aligner's JSONL, or from a translation memory (TMX, XLIFF, TSV, CSV)
    read by `aligner.io.tm_import` exactly as `aligner import` reads it."""
    from aligner.io.tm_import import format_for_tm, import_tm

    name = str(path)
    if Path(name).suffix.lower() not in (".jsonl", ".json", ".ndjson") and format_for_tm(name):
        return import_tm(name, src_lang=src_lang, tgt_lang=tgt_lang)
    return read_bitext(name)
