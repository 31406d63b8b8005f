"""Sentence alignment: pair the sentences of a text and its translation into beads.

    bitext = align_documents(src_doc, tgt_doc)                   # Documents in, Bitext out
    result = align_sentences(zh_lines, en_lines, "zh", "en")     # plain lists of sentences

The signals (aligner.align.signals) score candidate beads; the search (aligner.align.search)
finds the best monotone path of beads. Two passes: the first with general parameters, the
second after refitting the length ratio, the dictionary recall and the bead-type priors to
the first alignment of this very text.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from aligner.align import parallel, search as S
from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing, Side
from aligner.align.signals import Signal, get_signal
from aligner.align.signals.embedding import ENCODE_ALL_SENTENCES
from aligner.align.signals.coverage import CombinedCoverage, CoverageSignal
from aligner.errors import InputError
from aligner.model import Bead, Bitext, Document

#: Signals used when the caller names none; each is used only where it applies
#: (translation with a translation, glossary with a glossary, lexicon and names for zh-en).
DEFAULT_SIGNALS = ("length", "lexicon", "cooccurrence", "names", "numbers", "punctuation", "glossary",
                   "translation", "embedding", "paragraph")
#: The aligner without a sentence encoder (`--no-embedding`): dictionaries, lengths and the text.
MODEL_FREE_SIGNALS = tuple(n for n in DEFAULT_SIGNALS if n != "embedding")

#: Weight of each signal's log-likelihood ratio in a bead's score. The coverage signals count
#: each word link twice (from the Chinese word and from the English word), hence about 1/2.
#: Chosen on mac-dev as a whole, with leave-one-chapter-out checks (bench/align_quality.py).
DEFAULT_WEIGHTS: dict[str, float] = {
    "length": 1.0, "lexicon": 0.5, "cooccurrence": 0.5, "names": 1.0, "numbers": 1.0,
    "punctuation": 1.0, "glossary": 1.0, "translation": 0.6, "embedding": 1.0,
}
#: With a translation of the source, the dictionary says less that is new and the same links
#: would be counted again: less weight on the lexicon, more on lengths to balance the evidence.
WITH_TRANSLATION: dict[str, float] = {"length": 1.5, "lexicon": 0.35, "cooccurrence": 0.35}

#: Long texts (see embedding.ENCODE_ALL_SENTENCES) are encoded only where the model-free
#: alignment is uncertain: the sentences of beads whose posterior is below this, with
#: UNCERTAIN_CONTEXT beads either side, at most UNCERTAIN_SHARE of all sentences (the least
#: certain first), so that time stays linear. No neighbours (context 0 rather than 1): on
#: bible-dev 001 and on each mac-dev novel aligned as one long text (its 4 chapters joined)
#: F1 rose (0.9849 -> 0.9855; 0.9551 -> 0.9563) with 22% fewer Bible sentences encoded
#: (docs/benchmarks.md, issue 14, fourth round).
UNCERTAIN_POSTERIOR = 0.9
UNCERTAIN_CONTEXT = 0
UNCERTAIN_SHARE = 0.15

#: With the sentence encoder, lengths say less that is new (a sentence's meaning covers its
#: length): chosen on mac-dev (all 8 chapters, grid of embedding 1-3, lexicon 0.25-0.5,
#: length 0.7-1.0); bench/align_quality.py --loo re-chooses it on one novel.
WITH_EMBEDDING: dict[str, float] = {"length": 0.7}

#: Temperature of the bead posteriors (bead scores), fitted on mac-dev (log loss).
POSTERIOR_TEMPERATURE = 1.5

#: Texts with at most this many DP states are searched exactly (no band).
EXACT_STATES = 400_000
#: Half-width of the band around the anchors, and around the first pass's path.
ANCHOR_HALF_WIDTH = 16
REFINE_HALF_WIDTH = 8
#: Re-centrings of a band whose best path runs along its edge, and the widest band.
MAX_RECENTRE = 8
MAX_WIDTH = 8 * (2 * ANCHOR_HALF_WIDTH + 1)


@dataclass
class AlignedBead:
    src: list[int]
    tgt: list[int]
    score: float
    #: the signals' summed evidence for the bead (log-odds scale, before calibration)
    evidence: float = 0.0


@dataclass
class Alignment:
    beads: list[AlignedBead]
    info: dict[str, Any] = field(default_factory=dict)

    def pairs(self) -> list[tuple[list[int], list[int]]]:
        return [(b.src, b.tgt) for b in self.beads]


def bead_types(max_bead: int = 6) -> tuple[S.BeadType, ...]:
    """0-1, 1-0, 1-k and k-1 up to max_bead, and 2-2, 2-3, 3-2, 3-3, 2-4, 4-2, 3-4, 4-3
    (those that fit in max_bead)."""
    types = [(0, 1), (1, 0)]
    for k in range(1, max_bead + 1):
        types.append((1, k))
        if k > 1:
            types.append((k, 1))
    for t in ((2, 2), (2, 3), (3, 2), (3, 3), (2, 4), (4, 2), (3, 4), (4, 3)):
        if max(t) <= max_bead:
            types.append(t)
    return tuple(types)


def choose_signals(signals: Iterable[str | Signal] | None = None,
                   embedding: bool | str = True) -> list[str | Signal]:
    """The signals to use: `signals` (names or instances; default DEFAULT_SIGNALS), with the
    embedding signal left out when `embedding` is False (the model-free aligner) or using the
    sentence-transformers model at path `embedding` instead of the built-in encoder."""
    names = list(signals if signals is not None else DEFAULT_SIGNALS)
    if embedding is False:
        return [s for s in names if not (s == "embedding" or getattr(s, "name", None) == "embedding")]
    if isinstance(embedding, (str, os.PathLike)):
        names = [s for s in names if not (s == "embedding" or getattr(s, "name", None) == "embedding")]
        names.append(get_signal("embedding", model=str(embedding)))
    return names


def make_signals(names: Iterable[str | Signal] | None, pairing: Pairing,
                 weights: dict[str, float] | None = None) -> list[Signal]:
    """Instances of the named signals (default: DEFAULT_SIGNALS) that apply to the pairing,
    with their weights (DEFAULT_WEIGHTS, WITH_TRANSLATION when there is a translation, then
    `weights`)."""
    chosen = []
    items = list(names if names is not None else DEFAULT_SIGNALS)
    w = dict(DEFAULT_WEIGHTS)
    if any(getattr(i, "name", i) == "embedding" for i in items) and \
            pairing.n + pairing.m <= ENCODE_ALL_SENTENCES:
        w.update(WITH_EMBEDDING)  # a longer text is aligned without the encoder first: model-free weights
    if pairing.translation is not None:
        w.update(WITH_TRANSLATION)
    w.update(weights or {})
    for item in items:
        sig = item if isinstance(item, Signal) else get_signal(item, weight=w.get(item, 1.0))
        if sig.applies(pairing):
            chosen.append(sig)
    return chosen


class Aligner:
    """One alignment run: prepare the signals, search (anchors, band DP), refit the signals
    and the bead-type priors to the first path, search again near it, score the beads."""

    def __init__(self, pairing: Pairing, signals: list[Signal], types: tuple[S.BeadType, ...],
                 progress: Callable[[str], None] | None = None,
                 type_freq: dict[S.BeadType, float] | None = None):
        self.p = pairing
        self.signals = signals
        self.types = tuple(types)
        self.progress = progress or (lambda msg: None)
        zh_src = pairing.src.is_zh if pairing.zh_en is not None else None
        self.zh_is_src = zh_src
        self.type_freq = type_freq  # None: search.ZH_EN_TYPE_FREQ
        self.priors = S.type_priors(self.types, zh_src, freq=type_freq)
        self.info: dict[str, Any] = {"passes": []}
        #: costly signals not used yet (a long text's encoder waits for the uncertain regions)
        self._held_back: list[Signal] = []
        #: (band, signals, scores) of the last band scored while signals were held back
        self._kept: tuple[Band, list[Signal], np.ndarray] | None = None

    # ------------------------------------------------------------------ scoring
    def _scores(self, band: Band) -> np.ndarray:
        """scores[t, i, jj]: the score of a bead of type t ending at state (i, lo[i] + jj)."""
        active = [s for s in self.signals if s.weight and s not in self._held_back]
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] is band and set(kept[1]) <= set(active) and \
                not any(isinstance(s, CoverageSignal) for s in active if s not in kept[1]):
            # the same band as the pass before, with the costly signals now given their
            # sentences: the other signals' scores are those of that pass, only theirs is added
            return self._add_scores(band, kept[2], [s for s in active if s not in kept[1]])
        kept = None  # (its scores are not needed now)
        grid = BeadGrid(band)
        coverage = CombinedCoverage([s for s in active if isinstance(s, CoverageSignal)], grid)
        threads = parallel.available(fork=False)
        if threads:
            coverage.start(self.types)  # the coverage signals' cells in two threads meanwhile
        for s in active:
            if not (threads and isinstance(s, CoverageSignal)):
                s.score_cells(band)
        others = [s for s in active if not isinstance(s, CoverageSignal)]
        out = np.empty((len(self.types), band.n + 1, band.width), dtype=np.float32)
        invalid = ~grid.valid
        # bead types of one target length in turn: the signals' target sums are kept per length
        for ti in sorted(range(len(self.types)), key=lambda x: (self.types[x][1], self.types[x][0])):
            t = self.types[ti]
            a, b = t
            # the other signals first (while the coverage threads work), added in the same order
            parts = [s.bead_score(grid, a, b) if s.weight == 1.0 else s.weight * s.bead_score(grid, a, b)
                     for s in others]
            tot = coverage.bead_score(a, b)  # a new array (or 0.0): the prior added to it
            if isinstance(tot, np.ndarray):
                tot += self.priors[t]
            else:
                tot = np.full(grid.I.shape, self.priors[t] + tot)
            for part in parts:
                tot += part
            tot[invalid] = -np.inf
            out[ti] = tot
        coverage.join()
        grid.clear()
        for s in self.signals:
            s.release()
        if self._held_back:
            self._kept = (band, active, out)  # for `_add_scores`, if the next pass has this band
        return out

    def _add_scores(self, band: Band, out: np.ndarray, added: list[Signal]) -> np.ndarray:
        """`out` (the scores of a band without the signals `added`, none of them a coverage
        signal), with theirs added in place."""
        grid = BeadGrid(band)
        for s in added:
            s.score_cells(band)
        for ti in sorted(range(len(self.types)), key=lambda x: (self.types[x][1], self.types[x][0])):
            a, b = self.types[ti]
            part = sum(s.weight * s.bead_score(grid, a, b) for s in added)
            out[ti] += np.where(grid.valid, part, 0.0).astype(np.float32)
        grid.clear()
        for s in added:
            s.release()
        return out

    def _dp(self, band: Band) -> tuple[list[S.BeadType], float, np.ndarray]:
        scores = self._scores(band)
        path = S.band_dp(band, list(self.types), scores)
        return path, S.path_score(band, list(self.types), scores, path), scores

    def _first_band(self) -> Band:
        n, m = self.p.n, self.p.m
        margin = max(max(a, b) for a, b in self.types)
        if (n + 1) * (m + 1) <= EXACT_STATES:
            self.info["search"] = "exact"
            return Band.full(n, m, margin)
        diag = S.length_diagonal(self.p.src.lengths, self.p.tgt.lengths)
        # one index per signal's keys, searched with each window below
        keyed = [S.AnchorIndex(k[0], k[1], n, m) for k in (s.anchor_keys() for s in self.signals)
                 if k is not None]
        # Two rounds: anchors rare within a wide window around the length diagonal, then,
        # around the path they give, anchors rare within a narrow window (many more of them).
        center = diag
        anchors: list = []
        for window_half in (max(50, int(0.1 * max(n, m))), 50):
            cands: dict = {}
            for index in keyed:
                found = index.pairs(center, window_half, max_df=8)
                for pair, w in found.items():
                    cands[pair] = cands.get(pair, 0.0) + w
            for s in self.signals:
                if s in self._held_back or not s.weight:
                    continue
                found = s.anchor_pairs(center, window_half)
                for pair, w in (found or {}).items():
                    cands[pair] = cands.get(pair, 0.0) + s.weight * w
            found = S.choose_anchors(cands, min_margin=0.0)
            found = S.filter_anchors(found, self.p.src.lengths, self.p.tgt.lengths)
            if len(found) >= len(anchors):
                anchors = found
                center = S.anchor_center(anchors, self.p.src.lengths, self.p.tgt.lengths)
        self.info["anchors"] = len(anchors)
        self.info["search"] = "band"
        return Band.around(n, m, center, ANCHOR_HALF_WIDTH, margin)

    def _search(self, band: Band) -> list[S.BeadType]:
        """DP in the band; while the best path runs along an edge of the band (so the band,
        not the evidence, may have decided it), move the band onto that path and search
        again, and after two moves (or one that found nothing better) double the band's
        width, up to MAX_WIDTH. A long run of inserted target sentences needs a band as wide
        as the run; time stays linear in the length of the texts."""
        path, total, scores = self._dp(band)
        tries = 0
        stuck = False  # the last try found nothing better
        while S.touches_edge(band, path) and band.width < band.m + 1 and tries < MAX_RECENTRE:
            tries += 1
            grow = (stuck or tries > 2) and band.width * 2 <= MAX_WIDTH
            if stuck and not grow:
                break
            if grow:  # twice as wide, holding the old band (so nothing is lost)
                center = band.lo + (band.width - 1) / 2.0
                new_band = Band.around(band.n, band.m, center, band.width, band.margin)
            else:  # as wide, centred on the path
                lower, upper = S.path_states(path)
                new_band = Band.around(band.n, band.m, (lower + upper) / 2.0, band.width // 2, band.margin)
            new_path, new_total, new_scores = self._dp(new_band)
            stuck = new_total <= total + 1e-6
            if not stuck or grow:  # a wider band holds the old one: keep it to grow from
                band, path, total, scores = new_band, new_path, max(new_total, total), new_scores
        self._last = (band, scores)
        self.info["passes"].append({"band_width": int(band.width), "states": int(band.n_states),
                                    "recentred": tries})
        return path

    def run(self, prepare: bool = True) -> Alignment:
        # Python's cycle collector would scan the millions of objects of a book's analyses
        # (words, key sets) again and again while they are built: a tenth of the run time.
        # The alignment makes no reference cycles of note; collection resumes afterwards.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            with contextlib.ExitStack() as helpers:  # (helper processes stop with the run)
                self._helpers = helpers
                return self._run(prepare)
        finally:
            if was_enabled:
                gc.enable()

    def _run(self, prepare: bool) -> Alignment:
        n, m = self.p.n, self.p.m
        if n == 0 or m == 0:
            # the only possible alignment: every sentence unaligned, surely right
            beads = [AlignedBead([i], [], 1.0) for i in range(n)] + [AlignedBead([], [j], 1.0) for j in range(m)]
            return Alignment(beads, {"search": "trivial"})
        t0 = time.perf_counter()
        if prepare and any(s.uses_zh_words for s in self.signals):
            # the Chinese words, and what signals need of the Chinese sentences, beside this
            # process meanwhile
            work = {s.name: w for s in self.signals if s.uses_zh_words
                    for w in [s.zh_work(self.p)] if w is not None}
            self.p.start_analysis(work=work)
        if prepare:
            self._start_helpers()
        for s in sorted(self.signals, key=lambda s: s.uses_zh_words):  # those last
            if prepare:
                s.prepare(self.p)
            else:
                s.reset()
        self._held_back = [s for s in self.signals if s.costly and getattr(s, "restricted", False)]
        self.info["prepare_s"] = round(time.perf_counter() - t0, 3)
        self.progress("first pass")
        band = self._first_band()
        path = self._search(band)
        # refit to this text, then search again in a narrow band around the first path
        pairs = S.path_to_beads(path)
        for s in self.signals:
            s.reestimate(pairs)
        counts: dict = {}
        for t in path:
            counts[t] = counts.get(t, 0) + 1
        self.priors = S.type_priors(self.types, self.zh_is_src, counts, freq=self.type_freq)
        self._kept = None  # the signals and priors changed: no score of the first pass holds
        self.progress("second pass")
        margin = band.margin
        if band.width >= m + 1:
            band2 = band
        else:
            lower, upper = S.path_states(path)
            band2 = Band.from_bounds(n, m, lower, upper, margin, min_width=2 * REFINE_HALF_WIDTH + 1)
        path = self._search(band2)
        beads = [AlignedBead(src, tgt, 0.0) for src, tgt in S.path_to_beads(path)]
        self._bead_confidence(beads)
        if self._held_back:
            # a long text: the costly signals look only where the alignment is uncertain
            src_mask, tgt_mask = self._uncertain(beads)
            for s in self._held_back:
                s.restrict(src_mask, tgt_mask)
            self._held_back = []
            self.info["uncertain"] = [int(src_mask.sum()), int(tgt_mask.sum())]
            if src_mask.any() and tgt_mask.any():
                self.progress("uncertain regions")
                path = self._search(self._last[0])
                beads = [AlignedBead(src, tgt, 0.0) for src, tgt in S.path_to_beads(path)]
                self._bead_confidence(beads)
        self.info["signals"] = {s.name: s.describe() for s in self.signals}
        self.info["seconds"] = round(time.perf_counter() - t0, 3)
        return Alignment(beads, self.info)

    def _start_helpers(self) -> None:
        """The helper processes the signals ask for (aligner.align.parallel.helper), until the
        run ends: a long text's sentence encoder loads on the second core while the
        model-free passes run here, then encodes the uncertain sentences; this process never
        loads it (a second of CPU, 100 MB)."""
        for s in self.signals:
            ask = getattr(s, "helper_warm", None)
            want = ask(self.p) if ask is not None and s.weight else None
            if want is not None:
                self._helpers.enter_context(parallel.helper(*want))

    def _uncertain(self, beads: list[AlignedBead]) -> tuple[np.ndarray, np.ndarray]:
        """Sentence masks of the beads below UNCERTAIN_POSTERIOR and their neighbours, the
        least certain first, up to UNCERTAIN_SHARE of the sentences."""
        n, m = self.p.n, self.p.m
        src_mask, tgt_mask = np.zeros(n, bool), np.zeros(m, bool)
        budget = int(UNCERTAIN_SHARE * (n + m))
        used = 0
        order = sorted((b.score, x) for x, b in enumerate(beads) if b.score < UNCERTAIN_POSTERIOR)
        for _, x in order:
            if used >= budget:
                break
            for y in range(max(0, x - UNCERTAIN_CONTEXT), min(len(beads), x + UNCERTAIN_CONTEXT + 1)):
                b = beads[y]
                new_s = [k for k in b.src if not src_mask[k]]
                new_t = [l for l in b.tgt if not tgt_mask[l]]
                src_mask[new_s] = True
                tgt_mask[new_t] = True
                used += len(new_s) + len(new_t)
        return src_mask, tgt_mask

    def _bead_confidence(self, beads: list[AlignedBead]) -> None:
        """A bead's score is the probability that it is right: its posterior over all the
        alignments of the band, each weighted by exp(total score / POSTERIOR_TEMPERATURE)
        (forward-backward). A bead whose boundaries compete with others gets a low score,
        whatever its evidence; on mac-dev, beads scored over 0.9 are 99% right.
        `evidence` keeps the signals' summed log-likelihood ratio."""
        band, scores = self._last
        path = [(len(b.src), len(b.tgt)) for b in beads]
        post = S.bead_posteriors(band, list(self.types), scores, path, POSTERIOR_TEMPERATURE)
        i = j = 0
        for bead, p in zip(beads, post):
            a, b = len(bead.src), len(bead.tgt)
            i += a
            j += b
            t = self.types.index((a, b))
            bead.evidence = round(float(scores[t, i, j - band.lo[i]]) - self.priors[(a, b)], 3)
            bead.score = round(p, 4)


def align_sentences(src: Sequence[str], tgt: Sequence[str], src_lang: str, tgt_lang: str, *,
                    translation: Sequence[str] | None = None, glossary: Any = None,
                    signals: Iterable[str | Signal] | None = None,
                    weights: dict[str, float] | None = None, max_bead: int = 6,
                    progress: Callable[[str], None] | None = None,
                    embedding: bool | str = True,
                    paragraphs: tuple[Sequence[int], Sequence[int]] | None = None) -> Alignment:
    """Align two lists of sentences. `translation`: the source sentences translated into the
    target language, one per source sentence. `embedding`: False for the model-free aligner,
    a path for a sentence-transformers model instead of the built-in encoder. `paragraphs`:
    the paragraph of each source and each target sentence (the paragraph signal's evidence)."""
    if translation is not None and len(translation) != len(src):
        raise ValueError(f"the translation has {len(translation)} lines, the source {len(src)} sentences")
    src_par, tgt_par = (list(paragraphs[0]), list(paragraphs[1])) if paragraphs is not None else (None, None)
    pairing = Pairing(Side(src_lang, list(src), src_par), Side(tgt_lang, list(tgt), tgt_par),
                      Side(tgt_lang, list(translation)) if translation is not None else None,
                      glossary)
    sigs = make_signals(choose_signals(signals, embedding), pairing, weights)
    aligner = Aligner(pairing, sigs, bead_types(max_bead), progress)
    return aligner.run()


def align_documents(src_doc: Document, tgt_doc: Document, *,
                    translation: Sequence[str] | Document | None = None, glossary: Any = None,
                    signals: Iterable[str | Signal] | None = None,
                    weights: dict[str, float] | None = None, max_bead: int = 6,
                    progress: Callable[[str], None] | None = None,
                    embedding: bool | str = True) -> Bitext:
    """Pair the segments of a document and its translation into a Bitext (origin "aligned").

    translation: the source segments translated into the target language (a list, one per
    source segment, or a Document with as many segments), used by the "translation" signal.
    glossary: an aligner.glossary.Glossary whose terms anchor the alignment.
    signals: names (or Signal instances) to use instead of DEFAULT_SIGNALS.
    embedding: False for the model-free aligner (no sentence encoder); a path to use that
    sentence-transformers model instead of the built-in USE multilingual encoder.
    Every bead gets `score` (the probability it is right) and meta["evidence"].
    """
    if src_doc.lang == tgt_doc.lang:
        raise InputError(f"both texts are in the same language ({src_doc.lang})",
                         path=tgt_doc.path,
                         hint="Align a text with its translation; give --from/--to if a language was misdetected.")
    trans_lines = translation.segment_texts() if isinstance(translation, Document) else translation
    if trans_lines is not None and len(trans_lines) != len(src_doc.segments):
        where = translation.path if isinstance(translation, Document) else None
        raise InputError(f"the translation has {len(trans_lines)} sentences, the source "
                         f"{src_doc.name} has {len(src_doc.segments)}", path=where,
                         hint="The translation must have one line per source sentence, in order.")
    result = align_sentences(src_doc.segment_texts(), tgt_doc.segment_texts(), src_doc.lang,
                             tgt_doc.lang, translation=trans_lines, glossary=glossary,
                             signals=signals, weights=weights, max_bead=max_bead, progress=progress,
                             embedding=embedding,
                             paragraphs=([s.paragraph for s in src_doc.segments],
                                         [s.paragraph for s in tgt_doc.segments]))
    beads = [Bead(src=b.src, tgt=b.tgt, score=b.score, origin="aligned", id=i,
                  meta={"evidence": b.evidence})
             for i, b in enumerate(result.beads)]
    meta: dict[str, Any] = {"aligner": _public_info(result.info)}
    if isinstance(translation, Document) and translation.path:
        meta["translation"] = translation.path
    if glossary is not None and getattr(glossary, "paths", None):
        meta["glossaries"] = list(glossary.paths)
    return Bitext(src_doc, tgt_doc, beads, meta)


def _public_info(info: dict[str, Any]) -> dict[str, Any]:
    # not the run time: aligning the same texts again must write the same bytes
    keep = ("search", "anchors", "passes", "signals", "uncertain")
    return {k: info[k] for k in keep if k in info}
