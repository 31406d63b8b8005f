"""The search: anchors first, then dynamic programming over beads in a band around them.

1. Anchors. Rare keys that a source and a target sentence share (a rare word's translation,
   a number, a name, a glossary term) are looked up in an inverted index, so only pairs that
   share something are ever compared. Pairs that are each other's best match become anchor
   candidates; the heaviest chain of candidates that increases in both texts is kept.
2. Band DP. The path must pass near the anchors: a band of states around the line through
   them is searched with every bead type (0-1, 1-0, 1-1 ... 1-6, 6-1, 2-2 ... 3-3). If the best
   path runs along the edge of the band, the band is widened and the search repeated.
Time and memory are O((n + m) * band width); texts short enough are searched exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

from aligner.align.band import Band

BeadType = tuple[int, int]

#: How often each bead type occurs, as (Chinese sentences, English sentences), from the MAC
#: corpus figures in the data README (1-1 61%, 1-2 21%, 1-3 7%, 2-1 4% ...: the development
#: data, of which mac-dev is a part). They are the starting point only: after a first
#: alignment the priors are re-estimated from the text; bench/align_quality.py --loo
#: replaces them by the counts of the training novel.
ZH_EN_TYPE_FREQ: dict[BeadType, float] = {
    (1, 1): 0.61, (1, 2): 0.21, (1, 3): 0.07, (2, 1): 0.04, (1, 4): 0.02, (2, 2): 0.02,
    (2, 3): 0.01, (1, 0): 0.005, (0, 1): 0.005, (1, 5): 0.005, (3, 1): 0.004, (3, 2): 0.003,
    (2, 4): 0.003, (1, 6): 0.002, (3, 3): 0.002, (4, 1): 0.002, (4, 2): 0.001, (5, 1): 0.001,
    (6, 1): 0.0005, (3, 4): 0.001, (4, 3): 0.0005,
}
_FLOOR = 0.0003


def type_priors(types: tuple[BeadType, ...], zh_is_src: bool | None,
                counts: dict[BeadType, int] | None = None, strength: float = 50.0,
                freq: dict[BeadType, float] | None = None) -> dict[BeadType, float]:
    """log P(type) for the search; `counts` (from a first alignment) update the base
    frequencies (`freq`, default ZH_EN_TYPE_FREQ, as (Chinese, English) sentences) as a
    Dirichlet posterior with `strength` pseudo-beads of prior."""
    freq = ZH_EN_TYPE_FREQ if freq is None else freq
    base = {}
    for a, b in types:
        if zh_is_src is None:  # not Chinese-English: symmetric
            f = 0.5 * (freq.get((a, b), _FLOOR) + freq.get((b, a), _FLOOR))
        elif zh_is_src:
            f = freq.get((a, b), _FLOOR)
        else:
            f = freq.get((b, a), _FLOOR)
        base[(a, b)] = f
    z = sum(base.values())
    base = {t: f / z for t, f in base.items()}
    if counts:
        total = sum(counts.get(t, 0) for t in types)
        post = {t: (counts.get(t, 0) + strength * base[t]) / (total + strength) for t in types}
    else:
        post = base
    return {t: math.log(max(p, 1e-6)) for t, p in post.items()}


# ------------------------------------------------------------------------------ the DP
def band_dp(band: Band, types: list[BeadType], scores: np.ndarray) -> list[BeadType]:
    """Best path through the band. scores[t, i, jj]: score of a bead of types[t] that ends
    at state (i, lo[i] + jj). Returns the bead types along the path, first to last.

    Row by row: a bead (a, b) into row i comes from row i - a shifted by a constant number
    of columns, so all bead types of a row are one gather from the rows above and an argmax;
    0-1 beads (moves within a row) are a running maximum."""
    n, m, W = band.n, band.m, band.width
    lo = band.lo
    NEG = -np.inf
    horiz = [t for t, (a, b) in enumerate(types) if a == 0]
    if any(types[t] != (0, 1) for t in horiz):
        raise ValueError("only 0-1 beads may leave source sentences out of a row")
    h_t = horiz[0] if horiz else -1
    # best is kept flat, with one extra cell that stays -inf: gathers outside the band land there
    best = np.full((n + 1) * W + 1, NEG)
    back = np.full((n + 1, W), -1, dtype=np.int8)
    cols = np.arange(W)
    widths = np.minimum(W, m - lo + 1)  # states j <= m
    if h_t >= 0:
        # running sums of the 0-1 beads along each row (its first cell has none)
        hc = scores[h_t].astype(np.float64)
        hc[:, 0] = 0.0
        np.cumsum(hc, axis=1, out=hc)
    x = np.full(W, NEG)
    x[0] = 0.0  # state (0, 0): lo[0] is 0
    bx = np.full(W, -1, dtype=np.int64)
    # (the row loop's numpy calls are few and direct: their overhead, not their work, is
    # what a row costs)
    maximum, accumulate, where = np.maximum, np.maximum.accumulate, np.where
    for i0, idx_rows in _gather_blocks(band, types):
        # this block's scores with each row's bead types contiguous
        block = np.ascontiguousarray(scores[:, i0:i0 + len(idx_rows), :].transpose(1, 0, 2))
        for r, idx in enumerate(idx_rows):
            i = i0 + r
            if i > 0:
                cand = best[idx]
                cand += block[r]
                bx = cand.argmax(axis=0)
                x = maximum.reduce(cand, axis=0)  # = cand[bx, cols]
            width = int(widths[i])
            if width < W:
                x[width:] = NEG
            if h_t >= 0 and width > 1:
                # 0-1 beads within the row: best[j] = max(x[j], best[j-1] + s[j])
                c = hc[i, :width]
                xw = x[:width]
                run = accumulate(xw - c)
                run += c
                from_left = run > xw + 1e-9
                x[:width] = where(from_left, run, xw)
                bx[:width] = where(from_left, h_t, bx[:width])
            best[i * W:(i + 1) * W] = x
            back[i] = bx
    back[best[:-1].reshape(n + 1, W) == NEG] = -1  # unreachable states
    # trace back from (n, m)
    i, jj = n, m - lo[n]
    if not (0 <= jj < W) or not np.isfinite(best[i * W + jj]):
        raise RuntimeError("no path through the band")  # cannot happen for a connected band
    path: list[BeadType] = []
    while i > 0 or lo[i] + jj > 0:
        t = int(back[i, jj])
        a, b = types[t]
        path.append((a, b))
        j = lo[i] + jj - b
        i -= a
        jj = j - lo[i]
    path.reverse()
    return path


def _gather_blocks(band: Band, types: list[BeadType], rows: int = 256):
    """For blocks of rows i0 .. i0 + rows - 1: idx[r, t, jj], the flat index into the DP
    table of the state a bead of types[t] ending at (i0 + r, lo + jj) comes from (the
    sentinel (n + 1) * W where there is none). Built for a block at a time with numpy, so the
    row loop does one gather per row."""
    n, m, W = band.n, band.m, band.width
    lo = band.lo
    A = np.array([a for a, _ in types], dtype=np.int64)
    B = np.array([b for _, b in types], dtype=np.int64)
    cols = np.arange(W)
    sentinel = (n + 1) * W
    widths = np.minimum(W, m - lo + 1)
    for i0 in range(0, n + 1, rows):
        i = np.arange(i0, min(n + 1, i0 + rows))
        p = i[:, None] - A[None, :]  # (rows, T)
        ok = (A[None, :] > 0) & (p >= 0)
        pc = np.maximum(p, 0)
        src = (lo[i][:, None] - lo[pc] - B[None, :])[:, :, None] + cols  # (rows, T, W)
        valid = ok[:, :, None] & (src >= 0) & (src < W) & (cols[None, None, :] < widths[i][:, None, None])
        yield i0, np.where(valid, pc[:, :, None] * W + src, sentinel)


def _successor_blocks(band: Band, types: list[BeadType], rows: int = 256):
    """For blocks of rows, last block first: idx[r, t, jj], the flat index into the DP table
    of the state a bead of types[t] starting at (i0 + r, lo + jj) ends at, and sidx[r, t, jj],
    the flat index of that bead's score in scores (t, i, jj); both are the sentinels
    ((n + 1) * W, and 0) where there is no such bead."""
    n, m, W = band.n, band.m, band.width
    lo = band.lo
    T = len(types)
    A = np.array([a for a, _ in types], dtype=np.int64)
    B = np.array([b for _, b in types], dtype=np.int64)
    cols = np.arange(W)
    sentinel = (n + 1) * W
    widths = np.minimum(W, m - lo + 1)
    starts = list(range(0, n + 1, rows))
    for i0 in reversed(starts):
        i = np.arange(i0, min(n + 1, i0 + rows))
        nxt = i[:, None] + A[None, :]  # (rows, T)
        ok = (A[None, :] > 0) & (nxt <= n)
        nc = np.minimum(nxt, n)
        dst = (lo[i][:, None] - lo[nc] + B[None, :])[:, :, None] + cols  # (rows, T, W)
        valid = ok[:, :, None] & (dst >= 0) & (dst < W) & (cols[None, None, :] < widths[i][:, None, None])
        idx = np.where(valid, nc[:, :, None] * W + dst, sentinel)
        sidx = np.where(valid, (np.arange(T)[None, :, None] * (n + 1) + nc[:, :, None]) * W + dst, -1)
        yield i0, idx, sidx


def bead_posteriors(band: Band, types: list[BeadType], scores: np.ndarray,
                    path: list[BeadType], temperature: float = 1.0) -> list[float]:
    """For every bead of `path`, the probability that it is part of the alignment, summed
    over all paths of the band weighted by exp(score / temperature) (forward-backward; the
    same gathers as `band_dp`, prepared for blocks of rows, with log-sum-exp for max).
    The backward pass runs in a forked child beside the forward one where it can
    (aligner.align.parallel): the same code on the same numbers."""
    from aligner.align.parallel import Beside

    n, m, W = band.n, band.m, band.width
    lo = band.lo
    S = scores.astype(np.float64) / temperature
    hc = _row_sums_01(S, types)
    backward = Beside(_backward, band, types, S, hc)
    fwd = _forward(band, types, S, hc)
    bwd = backward.result()
    log_z = fwd[n * W + (m - lo[n])]
    out = []
    i = j = 0
    for a, b in path:
        t = types.index((a, b))
        i2, j2 = i + a, j + b
        lp = fwd[i * W + (j - lo[i])] + S[t, i2, j2 - lo[i2]] + bwd[i2 * W + (j2 - lo[i2])] - log_z
        out.append(float(np.exp(min(lp, 0.0))) if np.isfinite(lp) else 0.0)
        i, j = i2, j2
    return out


def _row_sums_01(S: np.ndarray, types: list[BeadType]) -> np.ndarray | None:
    """Running sums of the 0-1 beads' scores along each row (its first cell has none)."""
    h_t = next((t for t, ab in enumerate(types) if ab == (0, 1)), -1)
    if h_t < 0:
        return None
    hc = S[h_t].copy()
    hc[:, 0] = 0.0
    np.cumsum(hc, axis=1, out=hc)
    return hc


def _forward(band: Band, types: list[BeadType], S: np.ndarray, hc: np.ndarray | None) -> np.ndarray:
    """log of the summed weights of all paths from (0, 0) to each state (flat, one extra
    cell of -inf)."""
    n, m, W = band.n, band.m, band.width
    lo = band.lo
    NEG = -np.inf
    widths = np.minimum(W, m - lo + 1)
    fwd = np.full((n + 1) * W + 1, NEG)
    reduce, accumulate = np.logaddexp.reduce, np.logaddexp.accumulate
    with np.errstate(invalid="ignore"):
        for i0, idx_rows in _gather_blocks(band, types):
            block = np.ascontiguousarray(S[:, i0:i0 + len(idx_rows), :].transpose(1, 0, 2))
            for r, idx in enumerate(idx_rows):
                i = i0 + r
                width = int(widths[i])
                if i == 0:
                    x = np.full(W, NEG)
                    x[0] = 0.0
                else:
                    cand = fwd[idx]
                    cand += block[r]
                    x = reduce(cand, axis=0)
                x[width:] = NEG
                if hc is not None and width > 1:
                    c = hc[i, :width]
                    x[:width] = accumulate(x[:width] - c) + c
                fwd[i * W:(i + 1) * W] = x
    return fwd


def _backward(band: Band, types: list[BeadType], S: np.ndarray, hc: np.ndarray | None) -> np.ndarray:
    """log of the summed weights of all paths from each state to (n, m) (flat, one extra
    cell of -inf)."""
    n, m, W = band.n, band.m, band.width
    lo = band.lo
    NEG = -np.inf
    widths = np.minimum(W, m - lo + 1)
    # flat, with one extra cell (-inf) that the gathers of invalid successors land on
    s_flat = np.append(S.reshape(-1), NEG)
    bwd = np.full((n + 1) * W + 1, NEG)
    reduce, accumulate = np.logaddexp.reduce, np.logaddexp.accumulate
    with np.errstate(invalid="ignore"):
        for i0, idx_rows, sidx_rows in _successor_blocks(band, types):
            # this block's successor scores, gathered at once
            succ = s_flat[sidx_rows]
            for r in range(len(idx_rows) - 1, -1, -1):
                i = i0 + r
                width = int(widths[i])
                cand = bwd[idx_rows[r]]
                cand += succ[r]
                y = reduce(cand, axis=0)
                if i == n:
                    y[m - lo[n]] = 0.0
                y[width:] = NEG
                if hc is not None and width > 1:
                    d = hc[i, :width]
                    y[:width] = accumulate((y[:width] + d)[::-1])[::-1] - d
                bwd[i * W:(i + 1) * W] = y
    return bwd


def path_score(band: Band, types: list[BeadType], scores: np.ndarray, path: list[BeadType]) -> float:
    """The total score of a path (the sum of its beads' scores)."""
    i = j = 0
    total = 0.0
    for a, b in path:
        i, j = i + a, j + b
        total += float(scores[types.index((a, b)), i, j - band.lo[i]])
    return total


def path_to_beads(path: list[BeadType]) -> list[tuple[list[int], list[int]]]:
    beads = []
    i = j = 0
    for a, b in path:
        beads.append((list(range(i, i + a)), list(range(j, j + b))))
        i += a
        j += b
    return beads


def path_states(path: list[BeadType], interpolate: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """For every source row i, the lowest and highest target position the path visits
    (rows inside a many-to-many bead get an interpolated position, or none: upper = -1)."""
    n = sum(a for a, _ in path)
    lower = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    upper = np.full(n + 1, -1, dtype=np.int64)
    i = j = 0
    lower[0] = upper[0] = 0
    for a, b in path:
        if a == 0:
            j += b
            upper[i] = max(upper[i], j)
            continue
        for r in range(1 if interpolate else a, a + 1):
            # a many-to-many bead passes between rows; interpolate its target position
            jr = j + (b * r) // a
            lower[i + r] = min(lower[i + r], jr)
            upper[i + r] = max(upper[i + r], jr)
        i += a
        j += b
    return lower, upper


# ---------------------------------------------------------------------------- anchors
@dataclass
class Anchor:
    k: int
    l: int
    score: float


def candidate_pairs(src_keys: list, tgt_keys: list, n: int, m: int,
                    max_df: int = 8, window: np.ndarray | None = None,
                    window_half: int | None = None, max_global_df: int = 200) -> dict[tuple[int, int], float]:
    """Sparse pair similarities from keys that are rare near each other (an inverted index,
    so the cost is the number of pairs sharing a rare key, never n * m).

    A key counts for a source sentence k if at most `max_df` target sentences within the
    window around k's expected position offer it (and at most `max_df` source sentences
    around it do); its weight is the inverse of those local frequencies. A name that recurs
    in every chapter of a book is thus still a good anchor within each chapter.

    The index is two sorted arrays of (key, sentence) entries and every window a range found
    by `searchsorted` (no Python loop per key or per sentence). The pairs come in the order,
    and with the sums, of visiting the keys in sorted order, each key's source sentences in
    turn and the target sentences in each window: the same in every run (in set order they
    changed with Python's string hashing), and the order breaks ties between anchors."""
    return AnchorIndex(src_keys, tgt_keys, n, m, max_global_df).pairs(window, window_half, max_df)


class AnchorIndex:
    """The inverted index of `candidate_pairs`, built once for the keys of a signal and
    searched with several windows."""

    def __init__(self, src_keys: list, tgt_keys: list, n: int, m: int, max_global_df: int = 200):
        self.n, self.m = n, m
        none = np.zeros(0, dtype=np.int64)
        self.s_r = self.s_k = self.t_r = self.t_l = none  # (key rank, sentence) entries
        # key ids: source keys in order of first appearance; target entries of other keys drop out
        kid: dict = dict.fromkeys(chain.from_iterable(src_keys))
        for x, key in enumerate(kid):
            kid[key] = x
        s_ids = np.fromiter(map(kid.__getitem__, chain.from_iterable(src_keys)), dtype=np.int64)
        s_sent = np.repeat(np.arange(len(src_keys), dtype=np.int64),
                           np.fromiter(map(len, src_keys), dtype=np.int64, count=len(src_keys)))
        t_ids = np.fromiter(map(kid.get, chain.from_iterable(tgt_keys), repeat(-1)), dtype=np.int64)
        t_sent = np.repeat(np.arange(len(tgt_keys), dtype=np.int64),
                           np.fromiter(map(len, tgt_keys), dtype=np.int64, count=len(tgt_keys)))
        shared = t_ids >= 0
        t_ids, t_sent = t_ids[shared], t_sent[shared]
        if not len(t_ids) or not len(s_ids):
            return
        # the keys both sides offer, in sorted order (as the target side first offers them where
        # keys of several kinds sort by repr and two reprs are equal)
        keys = list(kid)
        first_t = np.unique(t_ids, return_index=True)
        in_t = first_t[0][np.argsort(first_t[1], kind="stable")]
        offered = [keys[x] for x in in_t.tolist()]
        try:
            order = sorted(range(len(offered)), key=offered.__getitem__)
        except TypeError:  # keys of several kinds
            order = sorted(range(len(offered)), key=lambda x: repr(offered[x]))
        rank = np.full(len(keys), -1, dtype=np.int64)
        rank[in_t[np.array(order, dtype=np.int64)]] = np.arange(len(order), dtype=np.int64)
        # keys offered by more than max_global_df sentences of either side say nothing
        df_s = np.bincount(s_ids, minlength=len(keys))
        df_t = np.bincount(t_ids, minlength=len(keys))
        usable = (rank >= 0) & (df_s <= max_global_df) & (df_t <= max_global_df)
        s_keep = usable[s_ids]
        s_r, s_k = rank[s_ids[s_keep]], s_sent[s_keep]
        t_keep = usable[t_ids]
        t_r, t_l = rank[t_ids[t_keep]], t_sent[t_keep]
        if not len(s_r) or not len(t_r):
            return
        # entries sorted by (key rank, sentence)
        s_order = np.lexsort((s_k, s_r))
        self.s_r, self.s_k = s_r[s_order], s_k[s_order]
        t_order = np.lexsort((t_l, t_r))
        self.t_r, self.t_l = t_r[t_order], t_l[t_order]

    def pairs(self, window: np.ndarray | None = None, window_half: int | None = None,
              max_df: int = 8) -> dict[tuple[int, int], float]:
        n, m = self.n, self.m
        if window is None:
            window = np.linspace(0, m, n + 1)
            window_half = max(n, m)
        half = int(window_half or 0)
        if not len(self.s_r) or not len(self.t_r):
            return {}
        s_r, s_k, t_r, t_l = self.s_r, self.s_k, self.t_r, self.t_l
        # integer codes of the entries for range searches
        big_t = m + 4 * half + 8
        big_s = n + 4 * half + 8
        s_code = s_r * big_s + s_k
        t_code = t_r * big_t + t_l
        # bisect_left(ls, x) counts l < x, that is l < ceil(x); bisect_right(ls, y) counts
        # l <= y, that is l < floor(y) + 1: integer bounds, exact whatever the window's floats
        c = window[s_k]
        lo_t = np.clip(np.ceil(c - half), -2 * half - 2, m + 2 * half + 2).astype(np.int64)
        hi_t = np.clip(np.floor(c + half) + 1, -2 * half - 2, m + 2 * half + 2).astype(np.int64)
        a = np.searchsorted(t_code, s_r * big_t + np.maximum(lo_t, 0))
        b = np.searchsorted(t_code, s_r * big_t + np.maximum(hi_t, 0))
        span = half * n / max(m, 1)
        lo_s = np.clip(np.ceil(s_k - span), 0, n + 2 * half + 2).astype(np.int64)
        hi_s = np.clip(np.floor(s_k + span) + 1, 0, n + 2 * half + 2).astype(np.int64)
        ka = np.searchsorted(s_code, s_r * big_s + lo_s)
        kb = np.searchsorted(s_code, s_r * big_s + hi_s)
        nt, ns = b - a, kb - ka
        ok = (nt > 0) & (nt <= max_df) & (ns <= max_df)
        if not ok.any():
            return {}
        # the weights as math.log gives them, from a table (numpy's log may differ in the last bit)
        logs = np.array([0.0] + [math.log((2 * half + 1) / x) for x in range(1, max_df + 1)])
        w = logs[nt[ok]] + logs[ns[ok]]
        counts = nt[ok]
        total = int(counts.sum())
        entry = np.repeat(np.arange(len(counts)), counts)
        pos = a[ok][entry] + (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))
        pair = s_k[ok][entry] * (m + 1) + t_l[pos]
        uniq, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
        # summed in visiting order (bincount adds its weights one after another, as the loop did)
        sums = np.bincount(inverse.reshape(-1), weights=w[entry], minlength=len(uniq))
        by_first = np.argsort(first, kind="stable")
        u = uniq[by_first]
        return dict(zip(zip((u // (m + 1)).tolist(), (u % (m + 1)).tolist()), sums[by_first].tolist()))


def choose_anchors(cands: dict[tuple[int, int], float], min_margin: float = 1.0) -> list[Anchor]:
    """Mutual best pairs (with a margin over the runner-up), then the heaviest chain that
    increases in both texts."""
    if not cands:
        return []
    kl = np.fromiter(chain.from_iterable(cands), dtype=np.int64, count=2 * len(cands)).reshape(-1, 2)
    w = np.fromiter(cands.values(), dtype=np.float64, count=len(cands))
    if not (w > 0).all():  # the runner-up rule below holds for positive weights only
        return heaviest_chain(_mutual_pairs(cands, min_margin))
    # for every sentence of either side: its best pair (the first of the heaviest, in the
    # order of `cands`) and the runner-up's weight (the heaviest of the others, 0 if none)
    k_key, k_other, k_entry, k_second = _best_pairs(kl[:, 0], kl[:, 1], w)
    l_key, l_other, _, l_second = _best_pairs(kl[:, 1], kl[:, 0], w)
    # k's best pair (k, l) is mutual when l's best pair is (k, l) too
    at = np.minimum(np.searchsorted(l_key, k_other), len(l_key) - 1)
    s = w[k_entry]
    ok = (l_key[at] == k_other) & (l_other[at] == k_key)
    ok &= s - np.maximum(k_second, l_second[at]) >= min_margin
    order = np.lexsort((k_other[ok], k_key[ok]))
    mutual = [Anchor(k, l, v) for k, l, v in zip(k_key[ok][order].tolist(), k_other[ok][order].tolist(),
                                                  s[ok][order].tolist())]
    return heaviest_chain(mutual)


def _best_pairs(key: np.ndarray, other: np.ndarray, w: np.ndarray):
    """Per distinct key (sorted): the key, the other sentence of its heaviest pair (the first
    in entry order among equals), that pair's entry, and the runner-up's weight."""
    order = np.lexsort((np.arange(len(key)), -w, key))
    ks = key[order]
    first = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    nxt = first + 1
    ends = np.append(first[1:], len(ks))
    second = np.where(nxt < ends, w[order[np.minimum(nxt, len(ks) - 1)]], 0.0)
    best = order[first]
    return ks[first], other[best], best, second


def _mutual_pairs(cands: dict[tuple[int, int], float], min_margin: float) -> list[Anchor]:
    """The mutual best pairs of `choose_anchors`, pair by pair (for any weights)."""
    best_s: dict[int, list] = {}
    best_t: dict[int, list] = {}
    for (k, l), s in cands.items():
        for d, key, other in ((best_s, k, l), (best_t, l, k)):
            cur = d.get(key)
            if cur is None:
                d[key] = [s, other, 0.0]
            elif s > cur[0]:
                d[key] = [s, other, cur[0]]
            elif s > cur[2]:
                cur[2] = s
    mutual = []
    for k, (s, l, second) in best_s.items():
        bt = best_t.get(l)
        if bt is not None and bt[1] == k and s - max(second, bt[2]) >= min_margin:
            mutual.append(Anchor(k, l, s))
    mutual.sort(key=lambda a: (a.k, a.l))
    return mutual


def heaviest_chain(items: list[Anchor]) -> list[Anchor]:
    """Maximum-weight chain strictly increasing in k and l (items sorted by k).
    O(N log N) with a Fenwick tree over l for prefix maxima."""
    if not items:
        return []
    ls = sorted({a.l for a in items})
    rank = {l: r + 1 for r, l in enumerate(ls)}
    size = len(ls)
    tree_v = [0.0] * (size + 1)
    tree_i = [-1] * (size + 1)

    def query(r: int) -> tuple[float, int]:
        v, idx = 0.0, -1
        while r > 0:
            if tree_v[r] > v:
                v, idx = tree_v[r], tree_i[r]
            r -= r & -r
        return v, idx

    def update(r: int, v: float, idx: int) -> None:
        while r <= size:
            if v > tree_v[r]:
                tree_v[r], tree_i[r] = v, idx
            r += r & -r

    total = [0.0] * len(items)
    prev = [-1] * len(items)
    # items with the same k must not chain: process each k group after querying all of it
    g = 0
    while g < len(items):
        h = g
        while h < len(items) and items[h].k == items[g].k:
            h += 1
        for x in range(g, h):
            v, idx = query(rank[items[x].l] - 1)
            total[x] = v + items[x].score
            prev[x] = idx
        for x in range(g, h):
            update(rank[items[x].l], total[x], x)
        g = h
    x = max(range(len(items)), key=lambda t: total[t])
    chain = []
    while x >= 0:
        chain.append(items[x])
        x = prev[x]
    chain.reverse()
    return chain


def _length_axes(src_len: np.ndarray, tgt_len: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative lengths, the source's scaled to the target's total: a path that keeps both
    texts at the same share of their length has y = x."""
    cs = np.concatenate([[0.0], np.cumsum(np.maximum(src_len, 1.0))])
    ct = np.concatenate([[0.0], np.cumsum(np.maximum(tgt_len, 1.0))])
    return cs * (ct[-1] / cs[-1]), ct


def filter_anchors(anchors: list[Anchor], src_len: np.ndarray, tgt_len: np.ndarray,
                   neighbours: int = 3, tolerance: float = 3.0) -> list[Anchor]:
    """Drop anchors that disagree with their neighbours. On the length axes an anchor's
    offset y - x changes only slowly along a translation (and in steps where a passage was
    left out); an anchor whose offset is far from the median offset of the anchors around it
    (more than `tolerance` average target sentences) is a chance match."""
    if len(anchors) < 3:
        return anchors
    X, Y = _length_axes(src_len, tgt_len)
    d = np.array([(Y[a.l] + Y[a.l + 1]) / 2 - (X[a.k] + X[a.k + 1]) / 2 for a in anchors])
    tau = tolerance * (Y[-1] / max(len(tgt_len), 1))
    keep = np.ones(len(anchors), dtype=bool)
    for _ in range(3):
        idx = np.nonzero(keep)[0]
        if len(idx) < 3:
            break
        dd = d[idx]
        # the `neighbours` anchors either side of each (fewer at the ends: NaN, left out)
        padded = np.concatenate([np.full(neighbours, np.nan), dd, np.full(neighbours, np.nan)])
        win = np.lib.stride_tricks.sliding_window_view(padded, 2 * neighbours + 1)
        med = _row_medians(np.delete(win, neighbours, axis=1))
        bad = np.abs(dd - med) > tau
        if not bad.any():
            break
        keep[idx[bad]] = False
    return [a for a, k in zip(anchors, keep) if k]


def _row_medians(x: np.ndarray) -> np.ndarray:
    """The median of each row's numbers, NaN left out (rows have at least one): the mean of
    the two middle ones, as np.nanmedian gives it, which would sort the rows as masked arrays
    (and import numpy.ma)."""
    srt = np.sort(x, axis=1)  # NaN last
    count = x.shape[1] - np.count_nonzero(np.isnan(x), axis=1)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    rows = np.arange(len(x))
    return (srt[rows, low] + srt[rows, high]) / 2.0


def anchor_center(anchors: list[Anchor], src_len: np.ndarray, tgt_len: np.ndarray) -> np.ndarray:
    """The guessed path: for every source position, the target position that keeps the
    length offset of the anchors around it (the length diagonal where there are none)."""
    m = len(tgt_len)
    X, Y = _length_axes(src_len, tgt_len)
    xs = [0.0] + [(X[a.k] + X[a.k + 1]) / 2 for a in anchors] + [X[-1]]
    ds = [0.0] + [(Y[a.l] + Y[a.l + 1]) / 2 - (X[a.k] + X[a.k + 1]) / 2 for a in anchors] + [0.0]
    d = np.interp(X, xs, ds)
    y = np.clip(X + d, 0.0, Y[-1])
    return np.interp(y, Y, np.arange(m + 1, dtype=float))


def length_diagonal(src_len: np.ndarray, tgt_len: np.ndarray) -> np.ndarray:
    """The path that keeps the two texts at the same share of their total length."""
    return anchor_center([], src_len, tgt_len)


def touches_edge(band: Band, path: list[BeadType]) -> bool:
    """Does the path run along a side of the band (where the band, not the text, stopped it)?"""
    if band.width >= band.m + 1:
        return False
    lower, upper = path_states(path, interpolate=False)
    lo = band.lo
    hi = lo + band.width - 1
    for i in range(band.n + 1):
        if upper[i] < 0:
            continue
        if lo[i] > 0 and lower[i] <= lo[i]:
            return True
        if hi[i] < band.m and upper[i] >= hi[i]:
            return True
    return False

