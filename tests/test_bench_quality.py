"""The quality benchmark's weight selection for leave-one-novel-out (bench/align_quality.py
`choose_weights`): the shipped weights are kept unless a grid point beats them on the training
chapters by more than one standard error of the paired difference. Constructed results: gold
beads 1-1 on the diagonal, runs that find a chosen number of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def Q():
    spec = importlib.util.spec_from_file_location("align_quality", REPO / "bench" / "align_quality.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(Q, n: int, missed: set[int]):
    """One chapter of n gold 1-1 beads; the run gets the beads in `missed` wrong (each one's
    target merged into the next bead: one bead fewer predicted, two gold beads lost)."""
    gold = [([i], [i]) for i in range(n)]
    pred = []
    i = 0
    while i < n:
        if i in missed and i + 1 < n:
            pred.append(([i, i + 1], [i, i + 1]))
            i += 2
        else:
            pred.append(([i], [i]))
            i += 1
    return Q.Result(pred, gold)


GRID = [{"lexicon": 0.5, "length": 1.0}, {"lexicon": 0.35, "length": 1.0}]
SHIPPED = {"lexicon": 0.5, "length": 1.0, "names": 1.0}


def test_a_difference_within_one_standard_error_keeps_the_shipped_weights(Q):
    # the shipped point misses 2 x 20 beads of 1000, the other 2 x 18 and 2 of its own: it
    # finds 2 gold beads more, with 6 discordant ones (one SE: 2 sqrt(6) ~ 4.9 beads)
    shipped = [_run(Q, 1000, set(range(0, 200, 10)))]
    other = [_run(Q, 1000, set(range(0, 180, 10)) | {501})]
    assert Q.f1(*Q.pooled(other))[2] > Q.f1(*Q.pooled(shipped))[2]
    best, se = Q.choose_weights(GRID, [shipped, other], SHIPPED)
    assert best == 0
    assert se > Q.f1(*Q.pooled(other))[2] - Q.f1(*Q.pooled(shipped))[2] > 0


def test_a_clear_gain_on_the_training_chapters_chooses_the_grid_point(Q):
    # the shipped point misses 2 x 60 beads, the other 2 x 5: far beyond one standard error
    shipped = [_run(Q, 1000, set(range(0, 600, 10)))]
    other = [_run(Q, 1000, set(range(0, 50, 10)))]
    best, se = Q.choose_weights(GRID, [shipped, other], SHIPPED)
    assert best == 1
    assert 0 < se < Q.f1(*Q.pooled(other))[2] - Q.f1(*Q.pooled(shipped))[2]


def test_the_error_is_paired_over_chapters(Q):
    # the 200 gold beads both runs lose are no evidence either way: one SE comes only from the
    # beads where the runs differ, summed over the chapters (2 here: sqrt(2) beads), so the
    # other point's 2 beads more are beyond it (unpaired, the shared losses would hide them)
    a = [_run(Q, 500, set(range(0, 400, 4))), _run(Q, 500, {3})]
    b = [_run(Q, 500, set(range(0, 400, 4))), _run(Q, 500, set())]
    best, se = Q.choose_weights(GRID, [a, b], SHIPPED)
    discordant = sum(len(x.hits ^ y.hits) for x, y in zip(a, b))
    assert discordant == 2
    _, predicted, gold = Q.pooled(a)
    assert se == pytest.approx(2 * 2 ** 0.5 / (predicted + gold))
    assert best == 1


def test_without_the_shipped_point_in_the_grid_the_best_is_taken(Q):
    runs = [[_run(Q, 100, {1, 5})], [_run(Q, 100, {1})]]
    best, se = Q.choose_weights(GRID, runs, {"lexicon": 0.7, "length": 1.0})
    assert (best, se) == (1, 0.0)
