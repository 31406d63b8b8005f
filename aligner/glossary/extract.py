"""Propose glossary entries from bitexts, for a terminologist to review.

Two kinds of evidence, both on aligned beads (so a proposal always comes with a bead that
shows it):

* names: capitalised English words (one to four, plus a place word such as Province,
  City or Military Region) whose letters spell the pinyin of a run of Chinese characters
  in the other side of the bead (pypinyin, every reading of every character): Zhu Zhiqiang
  <-> 朱志强, Jiangsu Province <-> 江苏省. At least two Chinese characters, so that English
  words that happen to be one syllable of pinyin ("He") do not pair with anything.
* terms: Chinese words of the bead (jieba) whose CC-CEDICT definition occurs in the English
  side (word boundaries, plural and verb inflections: cadre, cadres), in at least
  `min_count` beads: 干部 <-> cadre, 声明 <-> statement.

The proposals are a valid glossary TSV (source, target, note, plus `kind`, `count` and
`example` columns), so they can be linted, edited and merged as they are.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from aligner.glossary.match import Matcher
from aligner.text.dictionary import definitions_by_simplified
from aligner.text.scripts import has_cjk
from aligner.text.tokens import EN_STOPWORDS, zh_tagged_words
from aligner.glossary.model import Glossary, Term, concept_key
from aligner.model import Bitext

# English place and organisation words and their usual Chinese suffixes.
PLACE_WORDS = {
    "Province": ["省"], "City": ["市"], "County": ["县"], "District": ["区"], "Town": ["镇"],
    "Township": ["乡"], "Village": ["村"], "Military Region": ["军区"], "Region": ["区", "地区"],
    "River": ["江", "河"], "Lake": ["湖"], "Mountain": ["山"], "Mountains": ["山"],
    "Island": ["岛"], "Road": ["路"], "Street": ["街"], "Square": ["广场"],
    "University": ["大学"], "Prefecture": ["州"], "Autonomous Region": ["自治区"],
}
_CAP_RUN = re.compile(r"[A-Z][a-z]+(?:['\-][a-z]+)*(?:[ \-]+[A-Z][a-z]+(?:['\-][a-z]+)*)*")
# jieba part-of-speech tags of words that can be terms: nouns, verbs, adjectives, idioms,
# abbreviations (not prepositions, locatives, adverbs, pronouns, numbers, time words).
_TERM_POS = set("nvailj")


@dataclass
class Proposal:
    source: str  # English
    target: str  # Chinese
    kind: str  # "name" or "term"
    count: int  # beads that support it
    example: str  # "file#bead N: source text"
    note: str

    def as_term(self) -> Term:
        return Term(self.source, self.target, note=self.note,
                    extra={"kind": self.kind, "count": str(self.count), "example": self.example})


@functools.lru_cache(maxsize=None)
def _readings(ch: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    if not has_cjk(ch):
        return ()
    return tuple(dict.fromkeys(r.replace("ü", "v") for r in pinyin(ch, style=Style.NORMAL,
                                                                    heteronym=True)[0]))


def _spell(letters: str, zh: str, i: int) -> list[int]:
    """Ends j such that zh[i:j] reads exactly `letters` (pinyin, no tones)."""
    out = []

    def walk(pos: int, k: int) -> None:
        if pos == len(letters):
            out.append(k)
            return
        if k >= len(zh):
            return
        for r in _readings(zh[k]):
            if letters.startswith(r, pos):
                walk(pos + len(r), k + 1)

    walk(0, i)
    return out


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().replace("ü", "v"))


def _name_candidates(run: str) -> Iterable[tuple[str, str, list[str]]]:
    """(English name, its pinyin part, Chinese suffixes) for every sub-run of words."""
    tokens = run.split()
    for a in range(len(tokens)):
        for b in range(a + 1, min(len(tokens), a + 5) + 1):
            sub = tokens[a:b]
            name = " ".join(sub)
            yield name, name, []
            for n in (2, 1):
                if len(sub) > n and " ".join(sub[-n:]) in PLACE_WORDS:
                    yield name, " ".join(sub[:-n]), PLACE_WORDS[" ".join(sub[-n:])]


def _names_in_bead(en: str, zh: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for m in _CAP_RUN.finditer(en):
        for name, core, suffixes in _name_candidates(m.group()):
            first = core.split()[0].lower() if core.split() else ""
            if not core or first in EN_STOPWORDS:
                continue
            letters = _letters(core)
            if len(letters) < 2:
                continue
            for i in range(len(zh)):
                if not _readings(zh[i]) or not letters.startswith(tuple(_readings(zh[i]))):
                    continue
                for j in _spell(letters, zh, i):
                    if suffixes:
                        for s in suffixes:
                            if zh.startswith(s, j) and j - i >= 1:
                                found.add((name, zh[i:j + len(s)]))
                    elif j - i >= 2:
                        found.add((name, zh[i:j]))
    # Keep the longest English name for each Chinese name, and drop pairs inside a longer
    # pair of the bead (Zhiqiang/志强 inside Zhu Zhiqiang/朱志强).
    best: dict[str, str] = {}
    for name, chinese in found:
        if len(name) > len(best.get(chinese, "")):
            best[chinese] = name
    pairs = {(n, c) for c, n in best.items()}
    return {(n, c) for n, c in pairs
            if not any((n, c) != (n2, c2) and n in n2 and c in c2 for n2, c2 in pairs)}


@functools.lru_cache(maxsize=None)
def definitions(word: str) -> tuple[str, ...]:
    """English definitions of a simplified Chinese word in CC-CEDICT (loaded once), cleaned
    into phrases that can occur in a translation ("to demobilize" -> "demobilize")."""
    out: list[str] = []
    for d in definitions_by_simplified().get(word, ()):
        d = _clean_definition(d)
        if d and d not in out:
            out.append(d)
    return tuple(out)


def _clean_definition(d: str) -> str | None:
    d = d.strip()
    if not d or d.startswith(("abbr.", "CL:", "see ", "variant of", "surname", "old variant",
                              "used in", "(")):
        d = re.sub(r"^\([^)]*\)\s*", "", d) if d.startswith("(") else ""
        if not d:
            return None
    d = re.sub(r"\([^)]*\)", "", d)
    d = d.split(",")[0].strip()
    for prefix in ("to ", "the "):
        if d.startswith(prefix):
            d = d[len(prefix):]
    if not d or has_cjk(d) or not re.fullmatch(r"[A-Za-z][A-Za-z \-']*[A-Za-z]", d):
        return None
    if len(d.split()) > 4 or d.lower() in EN_STOPWORDS or len(d) < 3:
        return None
    return d


def extract_terms(bitexts: Iterable[tuple[str, Bitext]], *, min_count: int = 2,
                  glossary: Glossary | None = None, names: bool = True, terms: bool = True
                  ) -> list[Proposal]:
    """Proposals from (name, bitext) pairs, most supported first. Terms already in
    `glossary` (either side) are left out."""
    beads: list[tuple[str, int, str, str]] = []  # (file, bead id, english, chinese)
    for name, bt in bitexts:
        if {bt.src_lang, bt.tgt_lang} != {"en", "zh"}:
            continue
        for bead in bt.beads:
            if not bead.src or not bead.tgt:
                continue
            s, t = bt.src_text(bead), bt.tgt_text(bead)
            en, zh = (s, t) if bt.src_lang == "en" else (t, s)
            beads.append((name, bead.id, en, zh))

    support: dict[tuple[str, str, str], list[tuple[str, int, str]]] = {}
    notes: dict[tuple[str, str, str], str] = {}
    if names:
        for name, bid, en, zh in beads:
            for eng, chinese in _names_in_bead(en, zh):
                key = (eng, chinese, "name")
                support.setdefault(key, []).append((name, bid, en))
                notes[key] = "name; pinyin " + " ".join(
                    _readings(c)[0] if _readings(c) else c for c in chinese)
    if terms:
        words_per_bead = []
        vocabulary: set[str] = set()
        for _, _, _, zh in beads:
            ws = {w for w, flag in zh_tagged_words(zh) if len(w) >= 2 and
                  flag[:1] in _TERM_POS and has_cjk(w) and definitions(w)}
            words_per_bead.append(ws)
            vocabulary |= ws
        matcher = Matcher("en")
        for w in vocabulary:
            for d in definitions(w):
                matcher.add(d, (w, d), inflect=True)
        for (name, bid, en, zh), ws in zip(beads, words_per_bead):
            if not ws:
                continue
            hits = {}
            for s, e, (w, d) in matcher.find_all(en):
                if w in ws:
                    hits.setdefault((w, d), en[s:e])
            for (w, d) in hits:
                key = (d, w, "term")
                support.setdefault(key, []).append((name, bid, en))
                notes[key] = "CC-CEDICT: " + "; ".join(definitions(w)[:4])

    known_en: set[str] = set()
    known_zh: set[str] = set()
    if glossary is not None:
        for t in glossary.terms:
            known_en.add(concept_key(t.side("en"), "en"))
            known_zh.add(concept_key(t.side("zh"), "zh"))
    proposals = []
    for (eng, chinese, kind), where in support.items():
        count = len({(n, b) for n, b, _ in where})
        if kind == "term" and count < min_count:
            continue
        if concept_key(eng, "en") in known_en or concept_key(chinese, "zh") in known_zh:
            continue
        n, b, text = where[0]
        example = f"{n}#bead {b}: {' '.join(text.split())[:100]}"
        proposals.append(Proposal(eng, chinese, kind, count, example, notes[(eng, chinese, kind)]))
    # A term proposal that is only a piece of a name proposal's Chinese is noise.
    name_targets = [p.target for p in proposals if p.kind == "name"]
    proposals = [p for p in proposals if p.kind == "name" or
                 not any(p.target in t and p.target != t for t in name_targets)]
    proposals.sort(key=lambda p: (-p.count, p.kind, p.source.lower()))
    return proposals


def proposals_glossary(proposals: list[Proposal]) -> Glossary:
    cols = ["source", "target", "aliases", "case", "status", "note", "kind", "count", "example"]
    return Glossary([p.as_term() for p in proposals], columns=cols)
