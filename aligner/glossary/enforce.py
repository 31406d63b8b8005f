"""Glossary terms in machine translation: every term found in a source sentence must appear
with its glossary rendering in the translation, and no forbidden rendering may remain.

For each sentence, in order, until the glossary is satisfied:

1. verify: count the renderings of each term in the translation (a rendering inside a longer
   rendering of another term of the sentence does not count: 南京 inside 南京军区 is not
   "Nanjing"). Terms the model already got right are left alone ("ok", method "model").
2. replace: a forbidden rendering of a term in the sentence is replaced by the glossary
   rendering (method "forbidden"); otherwise the target pieces the term's source pieces are
   aligned to (by the decoder's attention: the pieces whose attention peaks on, or puts most
   of its mass on, the term) are replaced by the rendering (method "attention"). Spans that
   hold another term's correct rendering are never touched. English renderings get spaces
   around them (and a capital at the start of a sentence); Chinese ones get none.
3. re-decode: for a term still missing, the sentence is translated again with a target
   prefix that ends in the rendering (CTranslate2 `target_prefix`), so the model continues
   the sentence after the term (method "prefix"). Where the continuation goes back to the
   old translation says which old words were the model's rendering of the term: those are
   replaced and the rest of the old translation is kept (the spliced text gets the model's
   attention by forced decoding); a continuation that never rejoins is kept whole only if
   it keeps most of the old words. Either way the result must satisfy more terms than
   before. Each (term, place) is tried once: where attention puts the term, then where it
   stands in the source, proportionally; up to three rounds.
4. loose attention: a term still missing after both (a trained model's attention can be
   spread so thin that no piece peaks on the term) replaces the one target piece (whole
   word in English) that puts the largest share of its attention on the term, if that share
   is at least twice what uniform attention would give (method "attention"), on top of the
   edits already made.
5. insert: a term still missing gets its rendering inserted where attention puts it (or
   where the term stands in the source, proportionally), removing nothing (method "insert",
   so that a reviewer can find these).
6. verify again: a term that is still missing, or whose forbidden rendering remains, is
   "failed" (honestly: nothing claims success that the text does not show).

`enforce_translations` returns one `Enforced` per sentence: the corrected `.text` and
`.terms`, one JSON-able dict per term occurrence in the source:
    {"source": "cadre", "matched": "cadres", "start": 52, "end": 58, "target": "干部",
     "status": "ok" | "enforced" | "failed", "method": "model" | "forbidden" | "attention"
     | "prefix" | "insert" | "none", "target_start": 20, "target_end": 22, "glossary": "news.tsv:27"}
(`start`/`end` index the source sentence, `target_start`/`target_end` the final translation,
when the rendering could be located).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

from aligner.text.normalize import norm_zh
from aligner.text.scripts import HAN_RANGES, has_cjk
from aligner.glossary.model import Direction, Glossary, Match

METHODS = ("attention", "prefix", "insert")
_OPEN = " \t\"'“‘(（[「『《"
# A loose alignment (aligned_span(loose=True)) needs this many times the uniform share.
LOOSE_FACTOR = 2.0
# Words a prefix re-decode may put between the rendering and where it rejoins the old text.
GLUE = 1
_PIECE_GAP = 32  # characters a piece may be from the previous one before we stop trusting it


@dataclass
class Enforced:
    text: str
    terms: list[dict[str, Any]] = field(default_factory=list)
    changed: bool = False


def enforce_translations(engine, sources: list[str], translations: list, glossary: Glossary,
                         src_lang: str, tgt_lang: str, *,
                         methods: Sequence[str] = METHODS) -> list[Enforced]:
    """Correct `translations` (engine.translate results for `sources`) so that every glossary
    term found in a source appears with its rendering. `methods` picks the correction steps
    ("attention", "prefix", "insert"); forbidden renderings are always replaced."""
    if len(sources) != len(translations):
        raise ValueError("one translation per source sentence is needed")
    direction = glossary.direction(src_lang, tgt_lang)
    states = [_Sentence(direction, s, t) for s, t in zip(sources, translations)]
    todo = [st for st in states if st.matches and not st.satisfied()]

    if "attention" in methods and engine is not None:
        missing = [st for st in todo if not st.has_attention()]
        if missing:
            # The caller translated without attention: translate these sentences again with it.
            fresh = engine.translate([st.source for st in missing], return_attention=True)
            for st, tr in zip(missing, fresh):
                st.reset(tr)
    for st in todo:
        st.correct(use_attention="attention" in methods)

    def refresh() -> None:
        # Sentences whose text was spliced (rejoin) and still miss a term: the model's
        # attention for the new text, so the next steps place terms by it.
        stale = [st for st in states if st.stale and st.matches and not st.satisfied()]
        if stale and "attention" in methods:
            for st, tr in zip(stale, engine.attention_for([st.source for st in stale],
                                                          [st.text for st in stale])):
                st.reset(tr)

    if "prefix" in methods and engine is not None:
        for _ in range(3):  # each round tries one new (term, place) per sentence
            refresh()
            failing = [st for st in states if st.matches and not st.satisfied()]
            jobs = [(st, st.prefix_for_next_missing(engine)) for st in failing]
            jobs = [(st, p) for st, p in jobs if p is not None]
            if not jobs:
                break
            outs = engine.translate([st.source for st, _ in jobs],
                                    target_prefixes=[p for _, p in jobs],
                                    return_attention="attention" in methods)
            for (st, p), tr in zip(jobs, outs):
                st.rejoin(engine, p, tr) or st.accept_if_better(tr, "prefix", st.pending_rendering)
        refresh()
    if "attention" in methods:
        # Last, for terms neither step placed: the piece that looks at the term most.
        for st in states:
            if st.matches and not st.satisfied():
                st.correct_loose()
    if "insert" in methods:
        # The last resort: the rendering goes in where the term belongs, nothing is removed.
        for st in states:
            if st.matches and not st.satisfied():
                st.insert_missing()
    return [st.result() for st in states]


@dataclass
class _Text:
    """A translation made by editing the model's (no attention of its own)."""
    text: str
    source_tokens: list[str]
    target_tokens: list[str] = field(default_factory=list)
    attention: list | None = None


class _Sentence:
    """One source sentence, its translation as it is being corrected, and its term matches."""

    def __init__(self, direction: Direction, source: str, translation):
        self.d = direction
        self.source = source
        self.matches: list[Match] = direction.find(source)
        self.methods: list[str | None] = [None] * len(self.matches)  # per occurrence
        self.pending_rendering = ""
        self.pending_head = ""
        self.tried: set[tuple[str, str]] = set()  # (text, prefix) re-decoded already
        self.reset(translation)
        self.original = self.text

    def reset(self, translation, stale: bool = False) -> None:
        self.tr = translation
        self.stale = stale  # the text is not the model's: no attention of its own
        self.text: str = translation.text
        # The edits made on the model's text (self.tr.text), kept so that later edits can
        # be made on the same text with valid piece offsets.
        self.edits: list[tuple[int, int, str]] = []

    def has_attention(self) -> bool:
        return bool(getattr(self.tr, "attention", None))

    # --- verification ---------------------------------------------------------------

    def _state(self, text: str) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[Match]]]:
        """Per entry id: the spans of its renderings that count, and forbidden occurrences."""
        wanted = {m.entry.id for m in self.matches}
        occ = [r for r in self.d.renderings(text) if r.entry.id in wanted]
        counted: dict[int, list[tuple[int, int]]] = {i: [] for i in wanted}
        for r in occ:
            inside_other = any(o.entry.id != r.entry.id and o.start <= r.start and r.end <= o.end
                               and (o.end - o.start) > (r.end - r.start) for o in occ)
            span = (r.start, r.end)
            if not inside_other and span not in counted[r.entry.id]:
                counted[r.entry.id].append(span)
        bad: dict[int, list[Match]] = {i: [] for i in wanted}
        for f in self.d.forbidden(text):
            if f.entry.id in wanted:
                bad[f.entry.id].append(f)
        return counted, bad

    def _needed(self) -> dict[int, int]:
        need: dict[int, int] = {}
        for m in self.matches:
            need[m.entry.id] = need.get(m.entry.id, 0) + 1
        return need

    def unsatisfied(self, text: str | None = None) -> set[int]:
        counted, bad = self._state(self.text if text is None else text)
        return {i for i, n in self._needed().items() if len(counted[i]) < n or bad[i]}

    def satisfied(self) -> bool:
        return not self.unsatisfied()

    # --- step 2: replacements in the text --------------------------------------------

    def correct(self, use_attention: bool, loose: bool = False) -> None:
        """Forbidden renderings, then attention-aligned spans, replaced in one set of edits
        made on the translation as the model produced it (so piece offsets stay valid).
        `loose`: a second pass on the same text for the terms still missing, with the
        loose alignment (aligned_span(loose=True)), on top of the first pass's edits."""
        unsat = self.unsatisfied()
        if not unsat:
            return
        base = self.tr.text
        counted, bad = self._state(base)
        need = self._needed()
        have = {i: list(counted[i]) for i in counted}
        protected = [s for i, spans in counted.items() if i not in unsat for s in spans]
        edits: list[tuple[int, int, str]] = list(self.edits)
        if loose:
            # Renderings the first pass put in count as present (only their number matters).
            now, _ = self._state(self.text)
            have = {i: list(now[i]) for i in now}

        def free(span: tuple[int, int]) -> bool:
            return not any(s[0] < span[1] and span[0] < s[1] for s in protected) and \
                not any(e[0] < span[1] and span[0] < e[1] for e in edits)

        # A forbidden rendering of a term in this sentence is a wrong rendering of it.
        for m_idx, m in enumerate(self.matches):
            occs = bad.get(m.entry.id)
            while occs:
                f = occs.pop(0)
                if free((f.start, f.end)):
                    edits.append((f.start, f.end, m.entry.rendering))
                    have[m.entry.id].append((f.start, f.end))
                    self.methods[m_idx] = "forbidden"
                    break
        for i, occs in bad.items():  # more forbidden occurrences than source occurrences
            for f in occs:
                if free((f.start, f.end)):
                    edits.append((f.start, f.end, self.d.entries[i].rendering))
        if use_attention and self.has_attention():
            src_spans = piece_spans(self.tr.source_tokens, self.source)
            tgt_spans = piece_spans(self.tr.target_tokens, base)
            for m_idx, m in enumerate(self.matches):
                if m.entry.id not in unsat or self.methods[m_idx] is not None:
                    continue
                if len(have[m.entry.id]) >= need[m.entry.id]:
                    continue
                span = aligned_span(self.tr, src_spans, tgt_spans, m.start, m.end, self.d.tgt_lang,
                                    loose=loose)
                if span is None:
                    continue
                if any(s[0] < span[1] and span[0] < s[1] for s in counted[m.entry.id]):
                    continue  # the model put the right rendering here already
                if not free(span):
                    continue
                edits.append((span[0], span[1], m.entry.rendering))
                have[m.entry.id].append(span)
                self.methods[m_idx] = "attention"
        if len(edits) > len(self.edits):
            self.edits = edits
            self.text = _apply(base, edits, self.d.tgt_lang)

    def correct_loose(self) -> None:
        """The loose attention pass, where the text is still the model's text plus this
        sentence's own edits (a prefix re-decode replaces both, with its own attention)."""
        if self.has_attention():
            self.correct(use_attention=True, loose=True)

    # --- step 3: re-decoding with a target prefix -------------------------------------

    def prefix_for_next_missing(self, engine) -> list[str] | None:
        """The target prefix for the next re-decode: the translation up to where a missing
        term belongs, then its rendering. Each (term, place) is tried once: where attention
        puts the term, then where it stands in the source, proportionally (a trained model's
        attention can point to the wrong place), so a second round tries something new."""
        unsat = self.unsatisfied()
        counted, _ = self._state(self.text)
        seen: dict[int, int] = {}
        for m in self.matches:
            k = seen.get(m.entry.id, 0)
            seen[m.entry.id] = k + 1
            if m.entry.id not in unsat or k < len(counted[m.entry.id]):
                continue
            # Where the term should start in the translation: where attention puts it (the
            # first target piece looking at the term, or else at a later source word), or
            # else proportionally to the source.
            places = [self._attention_position(m),
                      round(len(self.text) * m.start / max(1, len(self.source)))]
            for pos in places:
                if pos is None:
                    continue
                pos = _snap(self.text, pos, self.d.tgt_lang)
                head = self.text[:pos]
                # Keep what the translation already gets right up to that point.
                for spans in counted.values():
                    for s, e in spans:
                        if s < len(head) < e:
                            head = self.text[:e]
                rendering = m.entry.rendering
                sep = ""
                if self.d.tgt_lang != "zh":
                    head = head.rstrip()
                    sep = " " if head and head[-1] not in _OPEN else ""
                    if not head.strip(_OPEN):
                        rendering = rendering[:1].upper() + rendering[1:]
                key = (self.text, head + sep + rendering)
                if key in self.tried:
                    continue
                self.tried.add(key)
                self.pending_rendering = rendering
                self.pending_head = head + sep
                return engine.tokenize(head + sep + rendering)
        return None

    def rejoin(self, engine, prefix: list[str], tr) -> bool:
        """Where the model, after the forced rendering, goes back to its own translation:
        the words of the old text it skipped there are what it had rendered the term as.
        Those are replaced by the rendering (and the few words the model put before
        rejoining), and the rest of the old text is kept as it was. The model decides what
        the wrong rendering was; a continuation that never rejoins is left to
        accept_if_better."""
        head = self.pending_head
        if not self.text.startswith(head):
            return False
        full = engine.detokenize(tr.target_tokens)
        forced = engine.detokenize(prefix)
        if not full.startswith(forced):
            return False
        cont = full[len(forced):]
        tail = self.text[len(head):]
        old = list(_TOKENS.finditer(tail))
        new = list(_TOKENS.finditer(cont))
        n = len(_TOKENS.findall(self.pending_rendering))
        cap = max(1, n)  # words of the old text the rendering may stand for
        if not new:
            # The model ended the sentence after the rendering: the old words after it
            # must be few enough to be the term's wrong rendering and nothing else; what
            # follows them (the full stop) stays.
            if len(old) > max(1, n):
                return False
            glue, rest = "", tail[old[-1].end():] if old else tail
        else:
            sm = difflib.SequenceMatcher(None, [m.group().lower() for m in old],
                                         [m.group().lower() for m in new], autojunk=False)
            block = next((b for b in sm.get_matching_blocks()
                          if b.size and b.size >= min(2, len(old) - b.a)), None)
            if block is None or block.a > cap or block.b > GLUE:
                return False
            glue = cont[:new[block.b].start()]
            rest = tail[old[block.a].start():]
        text = head + self.pending_rendering + glue + rest
        if self.d.tgt_lang != "zh" and glue == "" and rest[:1].isalnum():
            text = head + self.pending_rendering + " " + rest
        before, after = self.unsatisfied(), self.unsatisfied(text)
        if not (len(after) < len(before) and not (after - before)):
            return False
        fixed = before - after
        for i, m in enumerate(self.matches):
            if m.entry.id in fixed and self.methods[i] is None:
                self.methods[i] = "prefix"
        # The attention no longer belongs to this text: later steps place by the source.
        self.reset(_Text(text, tr.source_tokens), stale=True)
        return True

    def _attention_position(self, m: Match) -> int | None:
        """The offset in the translation where the term's rendering belongs, by attention:
        the first target piece whose attention peaks on the term's source pieces, else the
        first one peaking on a source piece after the term. None without attention or once
        the text no longer is the one the attention belongs to."""
        if not self.has_attention() or self.text != self.tr.text:
            return None
        src_spans = piece_spans(self.tr.source_tokens, self.source)
        tgt_spans = piece_spans(self.tr.target_tokens, self.text)
        after = None
        for t, row in enumerate(self.tr.attention[:len(tgt_spans)]):
            row = list(row[:len(src_spans)])
            if tgt_spans[t] is None or not row:
                continue
            best = max(range(len(row)), key=row.__getitem__)
            sp = src_spans[best]
            if sp is None:
                continue
            if sp[0] < m.end and m.start < sp[1]:
                return tgt_spans[t][0]
            if after is None and sp[0] >= m.end:
                after = tgt_spans[t][0]
        return after

    def insert_missing(self) -> None:
        """Insert the rendering of each term still missing where attention (or, failing
        that, the term's place in the source) puts it, outside other renderings."""
        unsat = self.unsatisfied()
        counted, _ = self._state(self.text)
        seen: dict[int, int] = {}
        edits = []
        for i, m in enumerate(self.matches):
            k = seen.get(m.entry.id, 0)
            seen[m.entry.id] = k + 1
            if m.entry.id not in unsat or k < len(counted[m.entry.id]):
                continue
            pos = self._attention_position(m)
            if pos is None:
                pos = round(len(self.text) * m.start / max(1, len(self.source)))
            pos = _snap(self.text, pos, self.d.tgt_lang)
            for spans in counted.values():
                for s, e in spans:
                    if s < pos < e:
                        pos = e
            edits.append((pos, pos, m.entry.rendering))
            self.methods[i] = "insert"
        if edits:
            self.text = _apply(self.text, edits, self.d.tgt_lang)

    def accept_if_better(self, tr, method: str, rendering: str = "") -> bool:
        """Keep a re-decoded translation only if it satisfies more terms, breaks none that
        were right, and keeps most of the sentence (a model that loses its place after the
        prefix would otherwise trade one term for half a sentence)."""
        text = tr.text
        before = self.unsatisfied()
        after = self.unsatisfied(text)
        if len(after) < len(before) and not (after - before) and \
                _keeps_content(self.text, text, rendering):
            fixed = before - after
            for i, m in enumerate(self.matches):
                if m.entry.id in fixed and self.methods[i] is None:
                    self.methods[i] = method
            self.reset(tr)
            return True
        return False

    # --- the result -----------------------------------------------------------------

    def result(self) -> Enforced:
        if not self.matches:
            return Enforced(self.text, [], False)
        counted, bad = self._state(self.text)
        unsat = self.unsatisfied()
        unchanged = self.text == self.original
        taken: dict[int, int] = {}
        terms = []
        for i, m in enumerate(self.matches):
            e = m.entry
            k = taken.get(e.id, 0)
            taken[e.id] = k + 1
            spans = sorted(counted[e.id])
            if e.id in unsat:
                status, method = "failed", self.methods[i] or "none"
            elif self.methods[i] is not None and not unchanged:
                status, method = "enforced", self.methods[i]
            else:
                status, method = "ok", "model"
            rec = {"source": e.source, "matched": m.text, "start": m.start, "end": m.end,
                   "target": e.rendering, "status": status, "method": method}
            if k < len(spans):
                rec["target_start"], rec["target_end"] = spans[k]
            if status == "failed" and bad[e.id]:
                rec["forbidden"] = [f.text for f in bad[e.id]]
            rec["glossary"] = m.term.where
            terms.append(rec)
        return Enforced(self.text, terms, not unchanged)


# --- pieces, alignment, edits ----------------------------------------------------------

def piece_spans(pieces: Sequence[str], text: str) -> list[tuple[int, int] | None]:
    """Character span in `text` of each sentencepiece piece (None for pieces that are not
    in the text, e.g. <unk> or a lone word-start marker). Pieces are looked up in order, in
    the text as written and, failing that, in its full-width-folded NFKC form (which is what
    sentencepiece normalises to)."""
    folded, offsets = None, None
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for p in pieces:
        core = p.replace("\u2581", " ").strip()
        if not core or core in ("<unk>", "<s>", "</s>", "\u2047"):
            spans.append(None)
            continue
        i = text.find(core, pos)
        if 0 <= i <= pos + _PIECE_GAP:
            spans.append((i, i + len(core)))
            pos = i + len(core)
            continue
        if folded is None:
            folded, offsets = norm_zh(text)
        fpos = pos if offsets is None else _folded_index(offsets, pos)
        key = unicodedata.normalize("NFKC", core).lower()
        j = folded.find(key, fpos)
        if 0 <= j <= fpos + _PIECE_GAP:
            s, e = (j, j + len(key)) if offsets is None else (offsets[j], offsets[j + len(key)])
            spans.append((s, e))
            pos = e
        else:
            spans.append(None)
    return spans


def _folded_index(offsets: list[int], pos: int) -> int:
    for j, o in enumerate(offsets):
        if o >= pos:
            return j
    return len(offsets) - 1


def aligned_span(tr, src_spans, tgt_spans, start: int, end: int, tgt_lang: str,
                 loose: bool = False) -> tuple[int, int] | None:
    """The character span of the translation aligned to source characters [start, end):
    target pieces whose attention peaks on the term's source pieces, or puts at least half
    its mass there; the tightest run of such pieces around the best one, widened to whole
    words for English. `loose`: when no piece qualifies (a trained model's attention is
    spread out), the one piece that puts the largest share of its attention on the term,
    if that share is at least LOOSE_FACTOR times what uniform attention would give it."""
    n_src = len(src_spans)
    S = {i for i, sp in enumerate(src_spans) if sp is not None and sp[0] < end and start < sp[1]}
    if not S or not tr.attention:
        return None
    aligned = []
    masses: dict[int, float] = {}
    best_share, best_t = 0.0, None
    for t, row in enumerate(tr.attention[:len(tgt_spans)]):
        if tgt_spans[t] is None:
            continue
        row = list(row[:n_src])
        if not row:
            continue
        total = sum(row) or 1.0
        best = max(range(len(row)), key=row.__getitem__)
        mass = sum(row[s] for s in S if s < len(row)) / total
        if best in S or mass >= 0.5:
            aligned.append(t)
        masses[t] = mass
        if mass > best_share:
            best_share, best_t = mass, t
    if not aligned and loose and best_t is not None and \
            best_share >= min(0.5, LOOSE_FACTOR * len(S) / max(1, n_src)):
        aligned = [best_t]
    if not aligned:
        return None
    # The longest contiguous run (allowing one-piece gaps): stray pieces elsewhere in the
    # sentence that happen to look at the term are not part of its rendering.
    runs: list[list[int]] = [[aligned[0]]]
    for t in aligned[1:]:
        if t - runs[-1][-1] <= 2:
            runs[-1].append(t)
        else:
            runs.append([t])
    run = max(runs, key=len)
    # A trained model's attention can look at the term from half the sentence (a repeated
    # word, a model that has lost its place): the rendering is not longer than a few pieces
    # per source piece, so keep the window of that length that looks at the term most.
    cap = max(3, 3 * len(S))
    if len(run) > cap:
        at = max(range(len(run) - cap + 1),
                 key=lambda k: sum(masses.get(t, 0.0) for t in run[k:k + cap]))
        run = run[at:at + cap]
    t0, t1 = run[0], run[-1]
    pieces = tr.target_tokens
    if tgt_lang != "zh":
        # Whole words: a piece without the word-start marker continues the previous word.
        while t0 > 0 and not pieces[t0].startswith("\u2581") and tgt_spans[t0 - 1] is not None \
                and pieces[t0][:1].isalnum():
            t0 -= 1
        while t1 + 1 < len(pieces) and tgt_spans[t1 + 1] is not None and \
                not pieces[t1 + 1].startswith("\u2581") and pieces[t1 + 1][:1].isalnum():
            t1 += 1
    spans = [tgt_spans[t] for t in range(t0, t1 + 1) if tgt_spans[t] is not None]
    if not spans:
        return None
    return spans[0][0], spans[-1][1]


def _is_cjkish(ch: str) -> bool:
    return has_cjk(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _apply(text: str, edits: list[tuple[int, int, str]], tgt_lang: str) -> str:
    """Replace spans (non-overlapping) with renderings, fixing the spaces around them."""
    out = text
    for start, end, rendering in sorted(edits, reverse=True):
        before, after = out[:start], out[end:]
        if tgt_lang == "zh":
            if has_cjk(rendering):
                # No spaces between Chinese words: drop one the model put next to the term.
                if before.endswith(" ") and (len(before) == 1 or _is_cjkish(before[-2])):
                    before = before[:-1]
                if after.startswith(" ") and (len(after) == 1 or _is_cjkish(after[1])):
                    after = after[1:]
        else:
            if before and (before[-1].isalnum() or _is_cjkish(before[-1])):
                before += " "
            if after and (after[0].isalnum() or after[0] in "(“\"") and rendering[-1:].isalnum():
                after = " " + after
            if not before.strip(_OPEN) and rendering[:1].islower():
                rendering = rendering[:1].upper() + rendering[1:]
        out = before + rendering + after
    return out


_WORD = re.compile(r"\w")
_TOKENS = re.compile(f"[{HAN_RANGES}]|[^\\W{HAN_RANGES}]+")  # a Han character, or a word


def _keeps_content(old: str, new: str, rendering: str, share: float = 0.15) -> bool:
    """Whether the new translation keeps the old one's words (Chinese: characters), apart
    from the wrong rendering being replaced (as many words as the rendering has) or a
    small share of the sentence that a model may reword."""
    from collections import Counter

    a = Counter(t.lower() for t in _TOKENS.findall(old))
    b = Counter(t.lower() for t in _TOKENS.findall(new))
    lost = sum(a.values()) - sum((a & b).values())
    return lost <= max(len(_TOKENS.findall(rendering)), int(share * sum(a.values())))


def _snap(text: str, pos: int, tgt_lang: str) -> int:
    pos = max(0, min(len(text), pos))
    if tgt_lang == "zh":
        return pos
    # Move back to the start of the word.
    while 0 < pos < len(text) and _WORD.match(text[pos - 1]) and _WORD.match(text[pos]):
        pos -= 1
    return pos
