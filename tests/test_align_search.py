"""The search: the banded DP (optimal, monotone, covering), every bead type reachable, bands,
anchors, and bead posteriors, checked against plain reference implementations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from aligner.align import search as S
from aligner.align.band import Band, BeadGrid
from aligner.align.core import align_sentences, bead_types

TYPES = list(bead_types(6))


def reference_dp(band: Band, types, scores):
    """Plain O(states * types) DP over the same band and scores: (best total, path)."""
    n, m, lo, W = band.n, band.m, band.lo, band.width
    best = {(0, 0): (0.0, None)}

    def inside(i, j):
        return 0 <= i <= n and lo[i] <= j < lo[i] + W and j <= m

    for i in range(n + 1):
        for j in range(lo[i], min(lo[i] + W, m + 1)):
            if (i, j) == (0, 0):
                continue
            cands = []
            for t, (a, b) in enumerate(types):
                p = (i - a, j - b)
                if p in best and inside(*p):
                    cands.append((best[p][0] + float(scores[t, i, j - lo[i]]), t))
            if cands:
                v, t = max(cands)
                if math.isfinite(v):
                    best[(i, j)] = (v, t)
    total = best[(n, m)][0]
    path = []
    i, j = n, m
    while (i, j) != (0, 0):
        a, b = types[best[(i, j)][1]]
        path.append((a, b))
        i, j = i - a, j - b
    return total, path[::-1]


def path_total(band, types, scores, path):
    i = j = 0
    total = 0.0
    for a, b in path:
        i, j = i + a, j + b
        total += float(scores[types.index((a, b)), i, j - band.lo[i]])
    return total


def assert_covering(beads, n, m):
    src = [k for s, _ in beads for k in s]
    tgt = [l for _, t in beads for l in t]
    assert src == list(range(n)) and tgt == list(range(m))
    assert all(s or t for s, t in beads)


@pytest.mark.parametrize("n, m, seed", [(1, 1, 0), (5, 7, 1), (9, 4, 2), (12, 12, 3), (0, 3, 4), (3, 0, 5)])
def test_full_band_dp_is_optimal_and_covering(n, m, seed):
    rng = np.random.default_rng(seed)
    band = Band.full(n, m, 6)
    scores = rng.normal(size=(len(TYPES), n + 1, band.width)).astype(np.float32)
    path = S.band_dp(band, TYPES, scores)
    assert_covering(S.path_to_beads(path), n, m)
    ref_total, _ = reference_dp(band, TYPES, scores)
    assert path_total(band, TYPES, scores, path) == pytest.approx(ref_total, abs=1e-3)


def test_banded_dp_is_optimal_within_its_band():
    rng = np.random.default_rng(7)
    n, m = 40, 55
    center = np.linspace(0, m, n + 1)
    band = Band.around(n, m, center, 5, 6)
    assert band.width == 11
    scores = rng.normal(size=(len(TYPES), n + 1, band.width)).astype(np.float32)
    path = S.band_dp(band, TYPES, scores)
    assert_covering(S.path_to_beads(path), n, m)
    ref_total, _ = reference_dp(band, TYPES, scores)
    assert path_total(band, TYPES, scores, path) == pytest.approx(ref_total, abs=1e-3)


@pytest.mark.parametrize("a, b", TYPES)
def test_every_bead_type_is_reachable(a, b):
    """A text of a source and b target sentences whose only good bead is a-b aligns as one
    a-b bead; surrounded by 1-1 beads, it is found in the middle of a longer text too."""
    n, m = a + 4, b + 4
    band = Band.full(n, m, 6)
    scores = np.full((len(TYPES), n + 1, band.width), -5.0, dtype=np.float32)
    one = TYPES.index((1, 1))
    t = TYPES.index((a, b))
    for k in (1, 2):
        scores[one, k, k] = 1.0
    scores[t, 2 + a, 2 + b] = 10.0
    for k in (1, 2):
        scores[one, 2 + a + k, 2 + b + k] = 1.0
    path = S.band_dp(band, TYPES, scores)
    assert path == [(1, 1), (1, 1), (a, b), (1, 1), (1, 1)]


def test_bands_are_connected_and_hold_both_corners():
    for n, m, half in ((10, 30, 2), (30, 10, 3), (100, 100, 4), (7, 7, 1)):
        center = np.sqrt(np.linspace(0, 1, n + 1)) * m  # a curved guess
        band = Band.around(n, m, center, half, 6)
        lo = band.lo
        assert lo[0] == 0 and lo[n] <= m < lo[n] + band.width
        assert np.all(np.diff(lo) >= 0)
        assert np.all(lo[1:] <= lo[:-1] + band.width - 1)


def test_heaviest_chain_matches_brute_force():
    rng = np.random.default_rng(3)
    items = [S.Anchor(int(k), int(l), float(w)) for k, l, w in
             zip(rng.integers(0, 12, 14), rng.integers(0, 12, 14), rng.random(14))]
    items.sort(key=lambda a: (a.k, a.l))
    best = 0.0
    for r in range(len(items) + 1):
        for combo in itertools.combinations(items, r):
            if all(x.k < y.k and x.l < y.l for x, y in zip(combo, combo[1:])):
                best = max(best, sum(x.score for x in combo))
    chain = S.heaviest_chain(items)
    assert all(x.k < y.k and x.l < y.l for x, y in zip(chain, chain[1:]))
    assert sum(x.score for x in chain) == pytest.approx(best)


def test_choose_anchors_matches_the_pair_by_pair_rule():
    # the numpy choice of mutual best pairs against the loop it replaced (kept for weights
    # that are not all positive), ties and runner-ups included
    rng = np.random.default_rng(5)
    for trial in range(300):
        size = int(rng.integers(1, 40))
        weights = rng.choice([0.5, 1.0, 1.5, 2.0], size) if trial % 2 else rng.random(size) * 3 + 0.01
        cands = {(int(k), int(l)): float(w) for k, l, w in
                 zip(rng.integers(0, 9, size), rng.integers(0, 9, size), weights)}
        for margin in (0.0, 1.0):
            fast = S.choose_anchors(cands, margin)
            slow = S.heaviest_chain(S._mutual_pairs(cands, margin))
            assert [(a.k, a.l, a.score) for a in fast] == [(a.k, a.l, a.score) for a in slow]
    # (1, 1) is each other's best; 0 and 2 both prefer target 2: only the heavier pair is mutual
    cands = {(0, 2): 3.0, (1, 1): 2.0, (2, 2): 4.0, (2, 0): 1.0}
    assert [(a.k, a.l) for a in S.choose_anchors(cands, 0.0)] == [(1, 1), (2, 2)]
    # any weights (the loop): the pair below the margin is left out
    assert [(a.k, a.l) for a in S.choose_anchors({(0, 0): -1.0, (1, 1): 2.0}, 0.0)] == [(1, 1)]


def test_row_medians_are_nanmedian():
    rng = np.random.default_rng(8)
    x = rng.choice([np.nan, 0.25, 1.0, 2.0, 3.5], (200, 6))
    x[:, 0] = rng.random(200)  # every row has a number
    assert np.array_equal(S._row_medians(x), np.nanmedian(x, axis=1))


def test_filter_anchors_drops_the_stray_one():
    lens = np.full(100, 10.0)
    anchors = [S.Anchor(k, k, 1.0) for k in range(5, 95, 10)]
    anchors.insert(5, S.Anchor(52, 80, 1.0))  # consistent in order, far off the path
    anchors.sort(key=lambda a: a.k)
    kept = S.filter_anchors(anchors, lens, lens)
    assert (52, 80) not in {(a.k, a.l) for a in kept}
    assert len(kept) == len(anchors) - 1


def test_posteriors_match_enumeration_of_all_paths():
    rng = np.random.default_rng(11)
    types = [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)]
    n, m = 3, 4
    band = Band.full(n, m, 6)
    scores = rng.normal(size=(len(types), n + 1, band.width)).astype(np.float32)
    tau = 1.5

    def paths(i, j):
        if (i, j) == (n, m):
            yield []
            return
        for a, b in types:
            if i + a <= n and j + b <= m:
                for rest in paths(i + a, j + b):
                    yield [(a, b)] + rest

    all_paths = list(paths(0, 0))
    weights = np.array([math.exp(path_total(band, types, scores, p) / tau) for p in all_paths])
    z = weights.sum()
    best = all_paths[int(np.argmax(weights))]
    assert S.band_dp(band, types, scores) == best

    def bead_set(p):
        out, i, j = set(), 0, 0
        for a, b in p:
            out.add((i, j, a, b))
            i, j = i + a, j + b
        return out

    expected = []
    for bead in sorted(bead_set(best), key=lambda x: (x[0], x[1])):
        expected.append(sum(w for w, p in zip(weights, all_paths) if bead in bead_set(p)) / z)
    got = S.bead_posteriors(band, types, scores, best, tau)
    assert got == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_long_text_with_an_inserted_passage_is_aligned_through_the_band():
    """700 numbered sentences (banded search, anchors from the numbers) whose translation has
    a 60-sentence note inserted in the middle: the note comes out as 0-1 beads."""
    n = 700
    en = [f"Item {k + 101} of the list was checked by the clerk on duty." for k in range(n)]
    zh = [f"值班职员检查了清单上的第{k + 101}项。" for k in range(n)]
    note = ["这是译者加的一段附注，原文没有。"] * 60
    zh = zh[:350] + note + zh[350:]
    al = align_sentences(en, zh, "en", "zh")
    assert al.info["search"] == "band"
    beads = al.pairs()
    assert_covering(beads, len(en), len(zh))
    ones = [(s, t) for s, t in beads if len(s) == 1 and len(t) == 1]
    assert all(t[0] == s[0] + (60 if s[0] >= 350 else 0) for s, t in ones)
    assert len(ones) >= n - 4
    inserted = {t[0] for s, t in beads if not s}
    assert set(range(350, 410)) <= inserted | {t for s, ts in beads for t in ts if len(ts) > 1}


def test_shift_rows_is_the_same_target_sentence_in_an_earlier_row():
    """BeadGrid.shift_rows: cell (k, c) of the result holds x at row k - r and the cell of
    the same target sentence, the fill where there is none."""
    rng = np.random.default_rng(3)
    n, m = 60, 75
    center = np.sort(rng.uniform(0, m, n + 1))
    band = Band.around(n, m, center, 4, margin=6)
    grid = BeadGrid(band)
    cl, wc = band.cell_lo, band.cell_width
    for trial in range(3):
        x = rng.integers(1, 1 << 40, size=(n, wc), dtype=np.uint64)
        for r in range(0, 5):
            got = grid.shift_rows(x, r, fill=np.uint64(0))
            want = np.zeros_like(x)
            for k in range(n):
                for c in range(wc):
                    l = cl[k] + c  # the target sentence of cell (k, c)
                    if k - r >= 0 and 0 <= l - cl[k - r] < wc:
                        want[k, c] = x[k - r, l - cl[k - r]]
            want = x if r == 0 else want
            assert np.array_equal(got, want), (trial, r)


def test_window_sums_are_the_row_sums_of_each_window():
    """BeadGrid.window_sum: w[k, c] = x[k, c] + ... + x[k, c + b - 1], windows running past
    the row's end counting zeros, for every b (0 to longer than a row)."""
    rng = np.random.default_rng(5)
    for wc in (1, 2, 7):
        x = rng.integers(-5, 6, size=(4, wc)).astype(np.float32)  # small integers: exact sums
        for b in range(0, wc + 3):
            want = np.array([[x[k, c:c + b].sum() for c in range(wc)] for k in range(4)])
            assert np.array_equal(BeadGrid.window_sum(x, b), want), (wc, b)
