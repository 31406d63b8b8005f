"""The search space: a band of DP states around a guessed path, and bead sums over it.

A DP state (i, j) means "the first i source and j target sentences are aligned". Row i of
the band holds the states j = lo[i] .. lo[i] + width - 1, so memory and time are
O((n + 1) * width) instead of O(n * m). A short text gets one row as wide as the target
(the exact, unbanded search).

Signals work on sentence *cells* (k, l): the pair of source sentence k and target sentence
l. Cell row k holds l = lo[k] - margin .. lo[k] + width + margin - 1, which contains every
cell of every bead between two states of the band (margin = the longest bead side).
`BeadGrid` turns per-sentence and per-cell values into per-bead sums for one bead type
(a source sentences, b target sentences) ending at every state, with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Band:
    n: int
    m: int
    lo: np.ndarray  # int64, length n + 1, non-decreasing
    width: int
    margin: int

    @classmethod
    def full(cls, n: int, m: int, margin: int) -> "Band":
        return cls(n, m, np.zeros(n + 1, dtype=np.int64), m + 1, margin)

    @classmethod
    def around(cls, n: int, m: int, center: np.ndarray, half: int, margin: int) -> "Band":
        """A band of the given half-width around a (monotone) guessed path center[i]."""
        width = 2 * half + 1
        if width >= m + 1:
            return cls.full(n, m, margin)
        c = np.maximum.accumulate(np.round(np.asarray(center, dtype=float)).astype(np.int64))
        lo = np.clip(c - half, 0, max(m - width + 1, 0))
        lo[0] = 0
        lo[n] = max(m - width + 1, 0)
        lo = np.maximum.accumulate(lo)
        # consecutive rows must overlap so that every row stays reachable
        for i in range(1, n + 1):
            if lo[i] > lo[i - 1] + width - 1:
                lo[i] = lo[i - 1] + width - 1
        # and the last row must reach m: pull rows down from the end if needed
        lo[n] = max(m - width + 1, 0)
        for i in range(n - 1, -1, -1):
            if lo[i] < lo[i + 1] - (width - 1):
                lo[i] = lo[i + 1] - (width - 1)
        lo = np.minimum.accumulate(lo[::-1])[::-1]
        lo[0] = 0
        return cls(n, m, lo, width, margin)

    @classmethod
    def from_bounds(cls, n: int, m: int, lower: np.ndarray, upper: np.ndarray,
                    margin: int, min_width: int = 1) -> "Band":
        """The narrowest uniform band holding lower[i] <= j <= upper[i] on each row."""
        span = int(np.max(upper - lower)) + 1 if n >= 0 else 1
        width = max(span, min_width)
        center = (np.asarray(lower) + np.asarray(upper)) / 2.0
        return cls.around(n, m, center, (width + 1) // 2, margin)

    @property
    def cell_lo(self) -> np.ndarray:
        return self.lo[: self.n] - self.margin

    @property
    def cell_width(self) -> int:
        return self.width + 2 * self.margin

    @property
    def n_states(self) -> int:
        return (self.n + 1) * self.width

    def cell_columns(self) -> np.ndarray:
        """Target sentence index of every cell, shape (n, cell_width); -1 outside the text."""
        cols = self.cell_lo[:, None] + np.arange(self.cell_width)[None, :]
        return np.where((cols >= 0) & (cols < self.m), cols, -1)


@dataclass
class BeadGrid:
    """Per-bead sums for every end state of a band, one bead type at a time."""

    band: Band
    _cache: dict = field(default_factory=dict, repr=False)
    # Arrays whose id() is part of a cache key are kept alive, so no id is ever reused.
    _alive: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        b = self.band
        self.I = np.repeat(np.arange(b.n + 1), b.width).reshape(b.n + 1, b.width)
        self.J = b.lo[:, None] + np.arange(b.width)[None, :]
        self.valid = self.J <= b.m
        self._Jc = np.clip(self.J, 0, b.m)
        self._tgt_b = -1
        self._gather_b = -1

    # --------------------------------------------------------------- per-sentence sums
    def src_span(self, values: np.ndarray, a: int) -> np.ndarray:
        """Sum of values[i - a : i] for every end state (i, j) (0 where i < a)."""
        self._alive[id(values)] = values
        key = ("src", id(values), a)
        out = self._cache.get(key)
        if out is None:
            p = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
            i = np.arange(self.band.n + 1)
            s = np.where(i >= a, p[i] - p[np.maximum(i - a, 0)], 0.0)
            out = np.broadcast_to(s[:, None], self.I.shape)
            self._cache[key] = out
        return out

    def tgt_span(self, values: np.ndarray, b: int) -> np.ndarray:
        """Sum of values[j - b : j] for every end state (i, j). A full array: only those of
        the last b asked for are kept (the search asks for the bead types of one b in turn),
        read-only."""
        self._alive[id(values)] = values
        key = ("tgt", id(values), b)
        out = self._cache.get(key)
        if out is None:
            if self._tgt_b != b:
                for k in [k for k in self._cache if k[0] == "tgt"]:
                    del self._cache[k]
                self._tgt_b = b
            q = self._prefix(values)
            # the sum ending at each target position, then gathered for every state
            j = np.arange(len(q))
            out = np.where(j >= b, q[j] - q[np.maximum(j - b, 0)], 0.0)[self._Jc]
            out.flags.writeable = False
            self._cache[key] = out
        return out

    def _prefix(self, values: np.ndarray) -> np.ndarray:
        self._alive[id(values)] = values
        key = ("prefix", id(values))
        q = self._cache.get(key)
        if q is None:
            q = self._cache[key] = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
        return q

    # --------------------------------------------------------------- per-cell sums
    @staticmethod
    def _row_windows(x: np.ndarray, b: int) -> np.ndarray:
        """w[k, c] = sum(x[k, c : c + b]) (windows running past the row's end count zeros)."""
        wc = x.shape[1]
        p = np.zeros((x.shape[0], wc + 1), dtype=np.float64)
        np.cumsum(x, axis=1, out=p[:, 1:])
        # p[:, min(c + b, wc)] - p[:, c], with slices (no gathers)
        out = np.empty((x.shape[0], wc), dtype=np.float64)
        full = min(max(wc - b + 1, 0), wc)  # windows that end inside the row
        np.subtract(p[:, b:b + full], p[:, :full], out=out[:, :full])
        np.subtract(p[:, wc:wc + 1], p[:, full:wc], out=out[:, full:])
        return out

    def box(self, x: np.ndarray, a: int, b: int, row_cap: np.ndarray | None = None) -> np.ndarray:
        """Sum over the bead's cells (rows i-a..i-1, columns j-b..j-1) of x, with each source
        row's sum capped at row_cap[k] (a sentence cannot be covered more than fully)."""
        if a == 0 or b == 0 or self.band.n == 0:
            return np.zeros(self.I.shape)
        self._alive[id(x)] = x
        self._alive[id(row_cap)] = row_cap
        wkey = ("rw", id(x), id(row_cap), b)
        w = self._cache.get(wkey)
        if w is None:
            w = self._row_windows(x, b)
            if row_cap is not None:
                w = np.minimum(w, row_cap[:, None])
            self._cache[wkey] = w
        return self.rows_sum(w, a, b)

    # ------------------------------------------------------- exact coverage building blocks
    def shift_rows(self, x: np.ndarray, r: int, fill=0) -> np.ndarray:
        """y[k, c] = x[k - r, c'] where c' is the column of the same target sentence in row
        k - r (fill where that row or cell does not exist)."""
        if r == 0:
            return x
        cl = self.band.cell_lo
        k = np.arange(x.shape[0])
        src = k - r
        shift = (cl[k] - cl[np.clip(src, 0, max(len(cl) - 1, 0))])[:, None]
        c = np.arange(x.shape[1])[None, :] + shift
        rows = np.broadcast_to(src[:, None], x.shape)
        ok = (rows >= 0) & (c >= 0) & (c < x.shape[1])
        v = x[np.clip(rows, 0, x.shape[0] - 1), np.clip(c, 0, x.shape[1] - 1)]
        return np.where(ok, v, fill)

    @staticmethod
    def window_or(x: np.ndarray, b: int) -> np.ndarray:
        """w[k, c] = x[k, c] | x[k, c + 1] | ... | x[k, c + b - 1] (bit masks)."""
        out = x.copy()
        for t in range(1, b):
            out[:, :-t] |= x[:, t:]
        return out

    @staticmethod
    def window_sum(x: np.ndarray, b: int) -> np.ndarray:
        return BeadGrid._row_windows(x, b)

    def _row_gather(self, v: np.ndarray, r: int, b: int) -> np.ndarray:
        """For every end state (i, j): v[i - r, column of j - b] (0 outside)."""
        key = ("gather", r, b, v.shape[1])
        where = self._cache.get(key)
        if where is None:  # the same cells for every array of this shape: kept while b is asked for
            if self._gather_b != b:  # (the search asks for the bead types of one b in turn)
                for k in [k for k in self._cache if k[0] == "gather"]:
                    del self._cache[k]
                self._gather_b = b
            cl = self.band.cell_lo
            k = self.I[:, 0] - r
            kk = np.clip(k, 0, max(self.band.n - 1, 0))
            col = (self.band.lo - b - cl[kk])[:, None] + np.arange(self.band.width)[None, :]
            ok = (col >= 0) & (col < v.shape[1])
            ok &= (k >= 0)[:, None]
            where = self._cache[key] = (np.where(ok, kk[:, None] * v.shape[1] + col, 0), ok)
        flat, ok = where
        if v.shape[0] == 0:
            return np.zeros(self.I.shape, dtype=v.dtype)
        return np.where(ok, np.ravel(v).take(flat), 0.0)

    def rows_sum(self, v: np.ndarray, a: int, b: int) -> np.ndarray:
        """For every end state (i, j): sum over r = 1..a of v[i - r, column of j - b]
        (v holds, per cell row, values of windows of b target sentences starting there).
        The search asks for a = 1, 2, 3 ... with one b in turn: the sum for a - 1 is kept and
        one row added (a bead type costs one gather, not a)."""
        self._alive[id(v)] = v
        key = ("rows", id(v), b)
        done = self._cache.get(key)
        if done is not None and done[0] <= a:
            r0, out = done
            out = out.copy()
        else:
            r0, out = 0, np.zeros(self.I.shape)
        for r in range(r0 + 1, a + 1):
            out += self._row_gather(v, r, b)
        self._cache[key] = (a, out)
        return out.copy()  # callers add to it

    def at_last_row(self, v: np.ndarray, a: int, b: int) -> np.ndarray:
        """For every end state (i, j) with i >= a: v[i - 1, column of j - b]."""
        return np.where(self.I >= a, self._row_gather(v, 1, b), 0.0)

    def clear(self) -> None:
        self._cache.clear()
        self._alive.clear()
