"""The optimised alignment numerics against straightforward references, on a real bitext
(corpus/article, its English and Chinese sentences): the band's bead scores of every coverage
signal against the signal's own one-bead computation, the banded DP against a plain DP over
the same states, the posteriors against a plain forward-backward, and anchor candidates that
do not depend on the order of a set of words."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from aligner.align import core as C
from aligner.align import search as S
from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing, Side
from aligner.align.signals.coverage import CombinedCoverage, CoverageSignal

REPO = Path(__file__).resolve().parent.parent
TYPES = list(C.bead_types(6))


def _lines(name: str) -> list[str]:
    return [s for s in (REPO / "corpus" / name).read_text(encoding="utf-8").split("\n") if s.strip()]


@pytest.fixture(scope="module")
def aligner():
    """An Aligner over the article with every model-free signal prepared and refitted to a
    first alignment (so the co-occurrence signal has learned pairs)."""
    pairing = Pairing(Side("en", _lines("article.en.txt")), Side("zh", _lines("article.zh.txt")))
    sigs = C.make_signals(C.choose_signals(None, False), pairing)
    al = C.Aligner(pairing, sigs, tuple(TYPES))
    for s in sigs:
        s.prepare(pairing)
    band = Band.full(pairing.n, pairing.m, 6)
    path = S.band_dp(band, TYPES, al._scores(band))
    for s in sigs:
        s.reestimate(S.path_to_beads(path))
    return al


def _narrow_band(al) -> Band:
    p = al.p
    return Band.around(p.n, p.m, S.length_diagonal(p.src.lengths, p.tgt.lengths), 3, 6)


def test_coverage_bead_scores_equal_the_one_bead_computation(aligner):
    band = _narrow_band(aligner)
    cov = [s for s in aligner.signals if isinstance(s, CoverageSignal)]
    assert {s.name for s in cov} >= {"lexicon", "cooccurrence", "names", "numbers"}
    assert sum(len(v) for v in aligner.signals[[s.name for s in aligner.signals].index("cooccurrence")]
               .pairs.values()) > 0
    for s in cov:
        s.score_cells(band)
    grid = BeadGrid(band)
    combined = CombinedCoverage(cov, grid)
    checked = 0
    for a, b in TYPES:
        if a == 0 or b == 0:
            continue
        got = combined.bead_score(a, b)
        singles = {s.name: s.bead_score(grid, a, b) for s in cov}
        for i in range(a, band.n + 1):
            for jj in range(band.width):
                j = int(band.lo[i]) + jj
                if j - b < 0 or j > band.m or j - b < band.lo[i - a] or j - b >= band.lo[i - a] + band.width:
                    continue  # the bead starts outside the band
                src, tgt = list(range(i - a, i)), list(range(j - b, j))
                want = {s.name: s.bead_evidence(src, tgt) for s in cov}
                for name, v in singles.items():
                    assert v[i, jj] == pytest.approx(want[name], abs=1e-3), (name, a, b, i, j)
                assert got[i, jj] == pytest.approx(sum(s.weight * want[s.name] for s in cov), abs=2e-3)
                checked += 1
    for s in cov:
        s.release()
    assert checked > 1000


def _reference_dp(band: Band, scores: np.ndarray):
    n, m, lo, W = band.n, band.m, band.lo, band.width
    best = {(0, 0): (0.0, None)}
    for i in range(n + 1):
        for j in range(int(lo[i]), min(int(lo[i]) + W, m + 1)):
            if (i, j) == (0, 0):
                continue
            cands = []
            for t, (a, b) in enumerate(TYPES):
                p = (i - a, j - b)
                if p in best and 0 <= p[0] and lo[p[0]] <= p[1] < lo[p[0]] + W:
                    cands.append((best[p][0] + float(scores[t, i, j - lo[i]]), t))
            if cands:
                v, t = max(cands)
                if math.isfinite(v):
                    best[(i, j)] = (v, t)
    path, (i, j) = [], (n, m)
    while (i, j) != (0, 0):
        a, b = TYPES[best[(i, j)][1]]
        path.append((a, b))
        i, j = i - a, j - b
    return best[(n, m)][0], path[::-1]


def _reference_posteriors(band: Band, scores: np.ndarray, path, temperature: float):
    n, m, lo, W = band.n, band.m, band.lo, band.width

    def inside(i, j):
        return 0 <= i <= n and lo[i] <= j < lo[i] + W and j <= m

    def lse(xs):
        xs = [x for x in xs if x > -math.inf]
        if not xs:
            return -math.inf
        top = max(xs)
        return top + math.log(sum(math.exp(x - top) for x in xs))

    def s(t, i, j):
        return float(scores[t, i, j - lo[i]]) / temperature

    states = [(i, j) for i in range(n + 1) for j in range(int(lo[i]), min(int(lo[i]) + W, m + 1))]
    fwd = {(0, 0): 0.0}
    for i, j in states[1:]:
        fwd[(i, j)] = lse([fwd[(i - a, j - b)] + s(t, i, j) for t, (a, b) in enumerate(TYPES)
                           if inside(i - a, j - b) and (i - a, j - b) in fwd])
    bwd = {(n, m): 0.0}
    for i, j in reversed(states[:-1]):
        bwd[(i, j)] = lse([bwd[(i + a, j + b)] + s(t, i + a, j + b) for t, (a, b) in enumerate(TYPES)
                           if inside(i + a, j + b) and (i + a, j + b) in bwd])
    out, i, j = [], 0, 0
    for a, b in path:
        t = TYPES.index((a, b))
        out.append(math.exp(fwd[(i, j)] + s(t, i + a, j + b) + bwd[(i + a, j + b)] - fwd[(n, m)]))
        i, j = i + a, j + b
    return out


def test_banded_dp_and_posteriors_equal_plain_references(aligner):
    band = _narrow_band(aligner)
    assert band.width < band.m + 1  # a real band, not the whole table
    scores = aligner._scores(band)
    path = S.band_dp(band, TYPES, scores)
    total, ref_path = _reference_dp(band, scores)
    assert S.path_score(band, TYPES, scores, path) == pytest.approx(total, abs=1e-6)
    assert path == ref_path
    got = S.bead_posteriors(band, TYPES, scores, path, C.POSTERIOR_TEMPERATURE)
    want = _reference_posteriors(band, scores, path, C.POSTERIOR_TEMPERATURE)
    assert got == pytest.approx(want, abs=1e-9)
    assert min(got) < 0.99  # some bead is uncertain: the sums over other paths are exercised


def test_anchor_candidates_do_not_depend_on_the_order_of_the_keys(aligner):
    """Python's sets of words iterate in an order that changes with the string hashing of
    each run: the anchor candidates, their sums and their order (which breaks ties between
    anchors) must come out the same whatever the order of each sentence's keys."""
    lex = next(s for s in aligner.signals if s.name == "lexicon")
    src_keys, tgt_keys = lex.anchor_keys()
    src_keys, tgt_keys = src_keys * 5, tgt_keys * 5
    n, m = len(src_keys), len(tgt_keys)
    runs = []
    for flip in (False, True):
        src = [sorted(k, reverse=flip) for k in src_keys]
        tgt = [sorted(k, reverse=flip) for k in tgt_keys]
        runs.append(list(S.candidate_pairs(src, tgt, n, m, max_df=8, window=np.linspace(0, m, n + 1),
                                           window_half=20).items()))
    assert len(runs[0]) > 20
    assert runs[0] == runs[1]


def _reference_candidate_pairs(src_keys, tgt_keys, n, m, max_df, window, window_half, max_global_df=200):
    """candidate_pairs as a plain loop over an inverted index of dicts and lists, with bisect."""
    import bisect

    index_s: dict = {}
    for k, keys in enumerate(src_keys):
        for key in keys:
            index_s.setdefault(key, []).append(k)
    index_t: dict = {}
    for l, keys in enumerate(tgt_keys):
        for key in keys:
            if key in index_s:
                index_t.setdefault(key, []).append(l)
    if window is None:
        window, window_half = np.linspace(0, m, n + 1), max(n, m)
    half = int(window_half or 0)
    try:
        order = sorted(index_t)
    except TypeError:
        order = sorted(index_t, key=repr)
    scores: dict = {}
    for key in order:
        ls, ks = index_t[key], index_s[key]
        if len(ks) > max_global_df or len(ls) > max_global_df:
            continue
        for k in ks:
            c = window[k]
            a, b = bisect.bisect_left(ls, c - half), bisect.bisect_right(ls, c + half)
            if b <= a or b - a > max_df:
                continue
            ka = bisect.bisect_left(ks, k - half * n / max(m, 1))
            kb = bisect.bisect_right(ks, k + half * n / max(m, 1))
            if kb - ka > max_df:
                continue
            w = math.log((2 * half + 1) / (b - a)) + math.log((2 * half + 1) / (kb - ka))
            for l in ls[a:b]:
                scores[(k, l)] = scores.get((k, l), 0.0) + w
    return scores


def test_anchor_candidates_equal_a_plain_inverted_index(aligner):
    """The array index gives the pairs of the loop over keys, in its order and with its sums
    to the last bit, for every signal's keys and for windows with fractional positions."""
    p = aligner.p
    diag = S.length_diagonal(p.src.lengths, p.tgt.lengths)
    checked = 0
    for s in aligner.signals:
        keys = s.anchor_keys()
        if keys is None:
            continue
        index = S.AnchorIndex(keys[0], keys[1], p.n, p.m)
        for window, half in ((diag, 50), (diag + 0.37, 3), (None, None)):
            got = list(index.pairs(window, half, max_df=8).items())
            assert got == list(_reference_candidate_pairs(keys[0], keys[1], p.n, p.m, 8, window, half).items())
            checked += len(got)
    assert checked > 100
    rng = np.random.default_rng(7)
    for trial in range(200):  # small random texts, keys of two kinds (sorted by repr), tight limits
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        pool = [f"k{x}" for x in range(12)] + ([3, 4] if trial % 3 == 0 else [])
        src = [{pool[i] for i in rng.choice(len(pool), int(rng.integers(0, 5)))} for _ in range(n)]
        tgt = [{pool[i] for i in rng.choice(len(pool), int(rng.integers(0, 5)))} for _ in range(m)]
        window = np.sort(rng.uniform(-3, m + 3, n + 1)) if trial % 2 else None
        half = int(rng.integers(0, 8)) if window is not None else None
        for max_df, max_global in ((8, 200), (2, 3)):
            got = S.candidate_pairs(src, tgt, n, m, max_df=max_df, window=window, window_half=half,
                                    max_global_df=max_global)
            want = _reference_candidate_pairs(src, tgt, n, m, max_df, window, half, max_global)
            assert list(got.items()) == list(want.items())


def test_punctuation_cue_counts_equal_counting_each_sentence():
    from aligner.align.signals.punctuation import CUES, cue_counts

    sentences = _lines("article.en.txt") + _lines("article.zh.txt") + [
        "", 'a"b"c"', '...!!!!?？“「『"""', '𠀀"…... and ...', "x" * 5, "“Why?” “Because!”"]
    got = cue_counts(sentences)
    for cue, (chars, _) in CUES.items():
        for i, s in enumerate(sentences):
            if cue == "quote":
                c = sum(s.count(ch) for ch in chars if ch != '"') + (s.count('"') + 1) // 2
            else:
                c = sum(s.count(ch) for ch in chars) + (s.count("...") if cue == "ellipsis" else 0)
            assert got[cue][i] == min(c, 3), (cue, s)
    assert sum(v.sum() for v in got.values()) > 10
