"""What the review page shows of a bead and of a bitext: plain data (JSON), texts unescaped.

The page puts every text in as text (never as HTML), so nothing here escapes anything.
Glossary terms are found as the exports find them (aligner.formats.review.bead_terms) and
violations as `aligner glossary check` reports them (aligner.glossary.check).
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz.distance import Levenshtein

from aligner.formats.review import bead_terms, violations as recorded_violations
from aligner.glossary.check import check_bitext
from aligner.model import Bead, Bitext
from aligner.review.edits import ANCHOR_STATUSES, Editor

#: Why a bead is next to review; the page filters and jumps by these.
FLAGS = {"low": "low score", "glossary": "glossary violation", "kind": "not 1-1", "mt": "machine translated",
         "fuzzy": "a fuzzy memory match applied"}


def _marks(texts: list[str], sep: str, spans) -> list[dict[str, Any]]:
    """Each sentence with the highlights (found on the joined text) that fall in it."""
    out = []
    pos = 0
    for t in texts:
        end = pos + len(t)
        marks = [[max(h.start, pos) - pos, min(h.end, end) - pos, h.title, bool(h.problem)]
                 for h in spans if h.start < end and h.end > pos]
        out.append({"t": t, "m": marks} if marks else {"t": t})
        pos = end + len(sep)
    return out


#: Fuzzy matches shown per bead (translate keeps at most 3).
MAX_TM_MATCHES = 3
# An English token for the diff: a word or one punctuation mark, with the spaces after it
# (compared without them): the tokens the memory's fuzzy score counts.
_WORD = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")


def source_diff(old: str, new: str, lang: str) -> list[list[str]]:
    """What differs between a memory's source sentence `old` and the new sentence `new`, as
    [op, text] pieces in reading order: "=" in both, "-" only in the memory's sentence, "+"
    only in the new one. Word by word for English (as the memory's fuzzy score counts),
    character by character for Chinese (it has no spaces between words). The edit script is
    rapidfuzz's Levenshtein opcodes, the distance the fuzzy score comes from."""
    if lang.lower().startswith("zh"):
        a, b = list(old), list(new)
        ka, kb = a, b
    else:
        a, b = _WORD.findall(old), _WORD.findall(new)
        ka, kb = [t.strip() or " " for t in a], [t.strip() or " " for t in b]
    out: list[list[str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])

    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(ka, kb).as_list():
        if tag == "equal":
            add("=", "".join(b[j1:j2]))
        else:
            add("-", "".join(a[i1:i2]))
            add("+", "".join(b[j1:j2]))
    return out


def tm_matches(bead: Bead, src_text: str, src_lang: str) -> list[dict[str, Any]]:
    """The fuzzy memory matches a bead carries (meta["tm"], written by `translate --tm`), each
    with the diff of its source against the bead's source sentence."""
    tm = bead.meta.get("tm")
    if not isinstance(tm, dict) or not isinstance(tm.get("matches"), list):
        return []
    out = []
    for m in tm["matches"]:
        if not isinstance(m, dict) or m.get("kind") != "fuzzy" or not isinstance(m.get("source"), str):
            continue
        out.append({"score": m.get("score"), "target": str(m.get("target") or ""),
                    "applied": tm.get("match") == "fuzzy" and bool(tm.get("review")) and not out,
                    "notes": [str(n) for n in m.get("notes") or []],
                    "diff": source_diff(m["source"], src_text, src_lang)})
        if len(out) == MAX_TM_MATCHES:
            break
    return out


def bead_violations(ed: Editor, bead: Bead) -> list[str]:
    """The glossary violations of a bead: checked now when a glossary was given, else those
    recorded in the bitext (by `translate --glossary`)."""
    if ed.glossary is None:
        return recorded_violations(bead)
    if not bead.src or not bead.tgt:
        return []
    bt = ed.bitext
    report = check_bitext(Bitext(bt.source, bt.target, [bead]), ed.glossary)
    return [f"\u201c{v.term}\u201d should be {v.expected}"
            + (f", found forbidden {v.found}" if v.kind == "forbidden" else ", not found")
            for v in report.violations]


def bead_view(ed: Editor, bead: Bead, low_score: float) -> dict[str, Any]:
    bt = ed.bitext
    src = [bt.source.segments[i].text for i in bead.src]
    tgt = [bt.target.segments[j].text for j in bead.tgt]
    src_sep = "" if bt.src_lang == "zh" else " "
    tgt_sep = "" if bt.tgt_lang == "zh" else " "
    src_joined, tgt_joined = src_sep.join(src), tgt_sep.join(tgt)
    terms = bead_terms(bt, bead, src_joined, tgt_joined, ed.glossary)
    viol = bead_violations(ed, bead)
    review = bead.meta.get("review")
    flags = []
    if bead.score is not None and bead.score < low_score and review not in ANCHOR_STATUSES:
        flags.append("low")
    if viol:
        flags.append("glossary")
    if bead.kind != "1-1":
        flags.append("kind")
    if bead.origin == "mt":
        flags.append("mt")
    matches = tm_matches(bead, src_joined, bt.src_lang)
    if bead.origin == "tm" and any(m["applied"] for m in matches):
        flags.append("fuzzy")
    view: dict[str, Any] = {
        "src": _marks(src, src_sep, terms.source), "tgt": _marks(tgt, tgt_sep, terms.target),
        "kind": bead.kind, "score": bead.score, "origin": bead.origin, "review": review,
        "flags": flags, "violations": viol,
    }
    if "original_target" in bead.meta:
        view["original"] = bead.meta["original_target"]
    if matches:
        view["tm"] = matches
    return view


def summary(ed: Editor, low_score: float) -> dict[str, Any]:
    """Counts for the summary line: beads, kinds, what needs review, what was reviewed."""
    kinds: dict[str, int] = {}
    counts = {k: 0 for k in ("low", "mt", "approved", "rejected", "fixed", "edited")}
    for b in ed.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
        review = b.meta.get("review")
        if review in counts:
            counts[review] += 1
        if b.origin == "mt":
            counts["mt"] += 1
        if b.origin == "edited":
            counts["edited"] += 1
        if b.score is not None and b.score < low_score and review not in ANCHOR_STATUSES:
            counts["low"] += 1
    return {"beads": len(ed.beads), "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
            "not_1_1": len(ed.beads) - kinds.get("1-1", 0), **counts,
            "src_lang": ed.bitext.src_lang, "tgt_lang": ed.bitext.tgt_lang,
            "name": ed.path.name if ed.path else "bitext", "low_score": low_score}
