"""What the review formats (XLIFF states, HTML, DOCX, TMX notes) say about a bead:
whether it needs review and why, where the glossary terms are, and a summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aligner.model import Bead, Bitext

# --- review flags -----------------------------------------------------------------------

def violations(bead: Bead) -> list[str]:
    """Glossary violations recorded on a bead (bead.meta["violations"]), as sentences."""
    out = []
    for v in bead.meta.get("violations") or []:
        if isinstance(v, dict):
            msg = v.get("message")
            if not msg:
                # {"source"/"term", "target"/"expected", "found", "kind"}, as glossary check reports them
                src, tgt = v.get("term") or v.get("source"), v.get("target") or v.get("expected")
                found = v.get("found")
                msg = f"{src} should be translated as {tgt}" if src and tgt else ", ".join(
                    f"{k}: {val}" for k, val in v.items())
                if found:
                    msg += f" (found {found})"
                elif v.get("kind") == "missing":
                    msg += " (not found)"
            out.append(str(msg))
        else:
            out.append(str(v))
    return out


def review_reasons(bead: Bead, low_score: float) -> list[str]:
    """Why a bead needs a reviewer's eye; empty when it does not."""
    reasons = []
    if bead.origin == "mt":
        reasons.append("machine translation")
    if bead.score is not None and bead.score < low_score:
        reasons.append(f"low score {bead.score:.2f}")
    if not bead.src:
        reasons.append("no source sentence")
    if not bead.tgt:
        reasons.append("not translated")
    if bead.meta.get("violations"):
        reasons.append("glossary violation")
    if any(isinstance(t, dict) and str(t.get("status") or "ok").lower() not in OK_TERM_STATUSES
           for t in bead.meta.get("terms") or []):
        reasons.append("glossary term not applied")
    return reasons


# --- the glossary check, as `aligner glossary check` runs it ---------------------------

def check_glossary(bitexts: list[Bitext], glossary: Any) -> list[dict[int, list[dict[str, Any]]]]:
    """Per bitext, {bead id: findings} of `glossary check` (aligner.glossary.check) on it:
    every term whose expected rendering is missing from the bead's target, or whose
    forbidden rendering is there. Empty lists when no glossary (or no aligner Glossary)
    is given. InputError when the glossary is of another language pair."""
    if glossary is None or not hasattr(glossary, "direction"):
        return [{} for _ in bitexts]
    from aligner.glossary.check import check_bitext

    out = []
    for bt in bitexts:
        found: dict[int, list[dict[str, Any]]] = {}
        for v in check_bitext(bt, glossary).violations:
            found.setdefault(v.bead, []).append({"kind": v.kind, "term": v.term, "source": v.source,
                                                 "expected": v.expected, "found": v.found})
        out.append(found)
    return out


def finding_text(f: dict[str, Any]) -> str:
    """One finding of the glossary check as a reviewer reads it."""
    if f.get("kind") == "forbidden":
        return f"{f['term']}: expected {f['expected']}, found forbidden {f['found']}"
    return f"{f['term']}: expected {f['expected']}, not found"


def term_origins(bead: Bead) -> list[str]:
    """For each glossary term the translation handled (bead.meta["terms"], written by
    `translate --glossary`): whether the model rendered it right by itself or
    enforcement put it there."""
    out = []
    for t in bead.meta.get("terms") or []:
        if not isinstance(t, dict):
            continue
        status = str(t.get("status") or "").lower()
        label = f"{t.get('source')} \u2192 {t.get('target')}"
        if status == "ok":
            out.append(f"{label}: right from the model")
        elif status == "enforced":
            how = f" ({t['method']})" if t.get("method") else ""
            out.append(f"{label}: put there by enforcement{how}")
        elif status:
            out.append(f"{label}: {status}")
    return out


# --- glossary terms ---------------------------------------------------------------------

# Statuses of bead.meta["terms"] entries that mean "the term was rendered as the glossary
# says"; any other status (missing, violated, ...) is shown as a problem.
OK_TERM_STATUSES = {"ok", "found", "matched", "applied", "kept", "enforced", "used", "consistent", "protected"}


@dataclass
class Highlight:
    start: int
    end: int
    title: str
    problem: bool = False


@dataclass
class BeadTerms:
    source: list[Highlight] = field(default_factory=list)
    target: list[Highlight] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # bead.meta["terms"] as given


def _term_sides(term: Any) -> tuple[str | None, str | None]:
    if isinstance(term, str):
        return term, None
    if isinstance(term, dict):
        return term.get("source"), term.get("target")
    return getattr(term, "source", None), getattr(term, "target", None)


def _find_all(text: str, needle: str, latin: bool) -> list[tuple[int, int]]:
    if not needle:
        return []
    pattern = re.escape(needle)
    if latin and needle[:1].isalnum() and needle[-1:].isalnum() and needle.isascii():
        pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"  # whole words: "Zhu", not "Zhuhai"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE if latin else 0)]


def _span(text: str, start: Any, end: Any, expect: str | None) -> list[tuple[int, int]]:
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return []
    if expect is not None and text[start:end].lower() != expect.lower():
        return []
    return [(start, end)]


def _non_overlapping(spans: list[Highlight]) -> list[Highlight]:
    # Leftmost first, then the longest, then problems before plain terms at the same place.
    spans = sorted(spans, key=lambda h: (h.start, -(h.end - h.start), not h.problem))
    out: list[Highlight] = []
    for h in spans:
        if h.end > h.start and (not out or h.start >= out[-1].end):
            out.append(h)
    return out


def bead_terms(bitext: Bitext, bead: Bead, src_text: str, tgt_text: str, glossary: Any = None) -> BeadTerms:
    """Where glossary terms occur in a bead's two sides.

    From bead.meta["terms"] (written when translating: {"source", "target", "status",
    and the offsets "start"/"end", "target_start"/"target_end"}) and, when a glossary is
    given, from `glossary.find(text, lang)` on each side and `glossary.find_forbidden`
    on the target (forbidden renderings are marked as problems).
    """
    result = BeadTerms()
    src_latin = bitext.src_lang != "zh"
    tgt_latin = bitext.tgt_lang != "zh"
    for entry in bead.meta.get("terms") or []:
        if not isinstance(entry, dict):
            continue
        result.entries.append(entry)
        s, t = entry.get("source") or "", entry.get("target") or ""
        status = str(entry.get("status") or "ok")
        problem = status.lower() not in OK_TERM_STATUSES
        title = f"glossary: {s} \u2192 {t} ({status})"
        if entry.get("forbidden"):
            title += "; forbidden rendering used: " + ", ".join(map(str, entry["forbidden"]))
        # Offsets written by the translation (into the sentence and its translation) when
        # they fit this bead's text; otherwise every occurrence of the term is marked.
        at = _span(src_text, entry.get("start"), entry.get("end"), entry.get("matched") or s)
        result.source += [Highlight(a, b, title, problem)
                          for a, b in (at or _find_all(src_text, entry.get("matched") or s, src_latin))]
        at = _span(tgt_text, entry.get("target_start"), entry.get("target_end"), None) \
            if len(bead.tgt) == 1 else []
        result.target += [Highlight(a, b, title, problem) for a, b in (at or _find_all(tgt_text, t, tgt_latin))]
    if glossary is not None:
        for text, lang, spans in ((src_text, bitext.src_lang, result.source),
                                  (tgt_text, bitext.tgt_lang, result.target)):
            for m in glossary.find(text, lang) or []:
                s, t = _term_sides(getattr(m, "term", None))
                label = f"{s} \u2192 {t}" if s and t else (s or text[m.start:m.end])
                spans.append(Highlight(m.start, m.end, f"glossary: {label}"))
        find_forbidden = getattr(glossary, "find_forbidden", None)
        if find_forbidden is not None:
            for m in find_forbidden(tgt_text, bitext.tgt_lang) or []:
                entry = getattr(m, "entry", None)
                use = getattr(entry, "rendering", None)
                title = f"glossary: {tgt_text[m.start:m.end]} is forbidden" + (f"; use {use}" if use else "")
                result.target.append(Highlight(m.start, m.end, title, True))
    result.source = _non_overlapping(result.source)
    result.target = _non_overlapping(result.target)
    return result


def term_notes(bead: Bead) -> list[str]:
    """bead.meta["terms"] as one-line notes for TMX/XLIFF."""
    notes = []
    for entry in bead.meta.get("terms") or []:
        if isinstance(entry, dict):
            notes.append(f"glossary term: {entry.get('source')} = {entry.get('target')}"
                         + (f" ({entry['status']})" if entry.get("status") else ""))
    return notes


# --- summary ----------------------------------------------------------------------------

def summarize(bitexts: list[Bitext], low_score: float, findings: list[dict] | None = None) -> dict[str, Any]:
    """Counts for a review's header. `findings` (from check_glossary) count as glossary
    violations and as beads to review."""
    findings = findings or [{} for _ in bitexts]
    checked = {(k, b.id) for k, bt in enumerate(bitexts) for b in bt.beads if findings[k].get(b.id)}
    beads = [b for bt in bitexts for b in bt.beads]
    pairs = [(k, b) for k, bt in enumerate(bitexts) for b in bt.beads]
    scores = [b.score for b in beads if b.score is not None]
    origins: dict[str, int] = {}
    for b in beads:
        origins[b.origin] = origins.get(b.origin, 0) + 1
    return {
        "documents": len(bitexts),
        "beads": len(beads),
        "origins": origins,
        "review": sum(1 for k, b in pairs if review_reasons(b, low_score) or (k, b.id) in checked),
        "low_score": sum(1 for b in beads if b.score is not None and b.score < low_score),
        "violations": sum(1 for k, b in pairs if b.meta.get("violations") or (k, b.id) in checked),
        "missing_terms": sum(len(v) for f in findings for v in f.values()),
        "terms": sum(len(b.meta.get("terms") or []) for b in beads),
        "mean_score": (sum(scores) / len(scores)) if scores else None,
        "kinds": _count(b.kind for b in beads),
    }


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out
