"""Coverage signals: evidence from units (words, numbers, names, terms) that find a
counterpart in the other span, and their numerics over a band.

`CoverageSignal` is the base class of the lexicon, co-occurrence, names, numbers, glossary and
translation signals: each only says what a sentence's units and offered keys are; the naive
Bayes score, its exact bit-mask sums for merged beads and its refit to a first alignment live
here. `CombinedCoverage` adds the cell values of all coverage signals before the bead sums, so
that a bead type costs one pass over the band however many there are.
"""

from __future__ import annotations

import math
from itertools import chain, repeat
from typing import Any, ClassVar, Hashable

import numpy as np

from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal


#: 256, 256^2, ... 256^7: how many bytes past the first a mask uses (searchsorted)
_BYTE_LIMITS = np.array([1 << (8 * q) for q in range(1, 8)], dtype=np.uint64)


class CoverageSignal(Signal):
    """Evidence from units (words, numbers, names, terms) that find a counterpart.

    Each sentence has *units*, each a set of keys, and *offers* a set of keys. A source unit
    is covered by a target span when one of its keys is offered by a sentence of that span,
    and the other way round. A unit covered by chance has probability c (the share of the
    other text's sentences offering one of its keys); in a true translation p = c + rho (1 - c).
    Naive Bayes then gives every covered unit log(p / c) and every uncovered one log(1 - rho):
    a covered rare word is strong evidence, a covered common word almost none. For a span of
    b sentences the chance grows to 1 - (1 - c)^b, so merged beads do not win by size alone.

    Coverage is exact for merged beads (a unit covered by two sentences of a span counts once):
    each cell keeps a bit mask of the units covered, and a bead ORs the masks of its cells.
    """

    #: default recall beyond chance of source units / target units
    rho_src: ClassVar[float] = 0.3
    rho_tgt: ClassVar[float] = 0.3
    #: learn rho from the first alignment of the text
    adapt: ClassVar[bool] = True
    #: units per sentence that are scored (bits of a mask); the rest of a very long
    #: sentence is ignored
    MAX_UNITS: ClassVar[int] = 64
    #: share of the uncovered units' evidence, log(1 - rho) each, counted against a pairing.
    #: 0: misses are not independent (a loose translation drops whole phrases), and counting
    #: them made the search leave long, freely translated sentences unaligned (mac-dev F1
    #: 0.930 with 1, 0.942 with 0, lexicon weight 1).
    base_scale: float = 0.0

    def units(self, pairing: Pairing) -> tuple[list[list[frozenset]], list[list[frozenset]]]:
        raise NotImplementedError

    def offers(self, pairing: Pairing) -> tuple[list[set], list[set]]:
        raise NotImplementedError

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        self._units = self._interned(self.units(pairing))
        self._offers = self.offers(pairing)
        self.max_span = int(self.options.get("max_span", 8))
        self.base_scale = float(self.options.get("base_scale", type(self).base_scale))
        self._index()
        self.reset()

    def reset(self) -> None:
        self._rho = [float(self.options.get("rho_src", self.rho_src)),
                     float(self.options.get("rho_tgt", self.rho_tgt))]
        self._fit_alphas()

    def _interned(self, units) -> tuple:
        """The units, at most MAX_UNITS per sentence, with equal key sets shared (a book repeats
        its words: one set per distinct word, not per occurrence)."""
        pool: dict = {}
        get = pool.setdefault
        return tuple([[get(u, u) for u in sent[: self.MAX_UNITS]] for sent in side] for side in units)

    def _index(self) -> None:
        """Integer arrays of the (key, sentence, unit) and (key, sentence) entries, sorted
        for joins, and every unit's chance of being covered at random."""
        # The units' key sets, each distinct one once (a book repeats its words: the
        # occurrences then only look their set up), in order of first occurrence (source
        # units, then target units); key ids in order of first appearance, which is the same
        # over the distinct sets as over all occurrences. The per-key work runs in C (map,
        # dict.fromkeys, fromiter), not in Python loops.
        flat = [list(chain.from_iterable(units)) for units in self._units]
        distinct: dict = dict.fromkeys(chain(flat[0], flat[1]))
        sets = list(distinct)
        distinct.update(zip(sets, range(len(sets))))
        first = dict.fromkeys(chain.from_iterable(sets))
        kid: dict[Hashable, int] = dict(zip(first, range(len(first))))
        set_size = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
        set_keys = np.fromiter(map(kid.__getitem__, chain.from_iterable(sets)), dtype=np.int64,
                               count=int(set_size.sum()))
        set_start = np.concatenate([[0], np.cumsum(set_size)])
        self._unit_entries = []  # per side: key, sentence, unit
        self._offer_entries = []  # per side: key, sentence (sorted by key, sentence)
        self._unit_start = []  # per side: index of each sentence's first unit
        for side in (0, 1):
            units = self._units[side]
            per_sentence = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
            flat_units = flat[side]
            occ = np.fromiter(map(distinct.__getitem__, flat_units), dtype=np.int64, count=len(flat_units))
            sizes = set_size[occ]
            # each occurrence's keys: its set's run of set_keys
            ends = np.cumsum(sizes)
            keys = set_keys[np.repeat(set_start[occ] - (ends - sizes), sizes) + np.arange(int(ends[-1]) if len(ends) else 0)]
            starts = np.concatenate([[0], np.cumsum(per_sentence)])
            unit_sent = np.repeat(np.arange(len(units), dtype=np.int64), per_sentence)
            unit_pos = np.arange(len(flat_units), dtype=np.int64) - starts[unit_sent]
            self._unit_entries.append((keys, np.repeat(unit_sent, sizes), np.repeat(unit_pos, sizes)))
            self._unit_start.append(starts)
        for side in (0, 1):
            offers = self._offers[side]
            lens = np.fromiter(map(len, offers), dtype=np.int64, count=len(offers))
            ids = np.fromiter(map(kid.get, chain.from_iterable(offers), repeat(-1)), dtype=np.int64,
                              count=int(lens.sum()))
            sents = np.repeat(np.arange(len(offers), dtype=np.int64), lens)
            known = ids >= 0  # keys no unit of the other side has cover nothing
            # sorted by (key, sentence): as integer codes, which np.sort orders faster than
            # lexsort orders the pairs (the same arrays)
            code = np.sort(ids[known] * (len(offers) + 1) + sents[known])
            self._offer_entries.append((code // (len(offers) + 1), code % (len(offers) + 1)))
        self._nkeys = len(kid)
        self._geometry: dict = {}
        # chance of a unit: 1 - prod over its keys of (1 - df(key) / sentences of the other side)
        self._chance = []
        for side in (0, 1):
            other = 1 - side
            total = max(len(self._offers[other]), 1)
            df = np.bincount(self._offer_entries[other][0], minlength=self._nkeys).astype(np.float64)
            keys, sents, us = self._unit_entries[side]
            gu = self._unit_start[side][sents] + us  # global unit index
            nunits = int(self._unit_start[side][-1])
            # summed per unit in entry order, as np.add.at would, but at bincount's speed
            log_miss = np.bincount(gu, weights=np.log1p(-np.minimum(df[keys] / total, 0.999)),
                                   minlength=nunits)[:nunits]
            self._chance.append(np.clip(1.0 - np.exp(log_miss), 0.5 / total, 0.999))

    def _fit_alphas(self) -> None:
        spans = np.arange(1, self.max_span + 1)[None, :]
        self._alpha = []  # per side: (units, span sizes)
        self._base = []
        for side in (0, 1):
            rho = min(max(self._rho[side], 0.01), 0.95)
            c = self._chance[side][:, None]
            cb = 1.0 - (1.0 - c) ** spans  # chance for spans of 1..max_span sentences
            self._alpha.append(np.log1p(rho * (1.0 - cb) / cb) - math.log1p(-rho))
            nun = np.diff(self._unit_start[side]).astype(np.float64)
            self._base.append(nun * math.log1p(-rho) * self.base_scale)

    # ------------------------------------------------------------------ per band
    def score_cells(self, band: Band, sides: tuple[int, ...] = (0, 1)) -> None:
        """Bit masks of the units each cell's sentences cover in each other (a join of unit
        keys with offered keys, restricted to the band's cells: no Python loop per cell).
        `sides`: the masks of the source units (0), of the target units (1), or both; the
        two are independent (CombinedCoverage.start computes them in two threads)."""
        # each side forgets only its own cached cells (the other side's thread may be using its)
        cache = self.__dict__.setdefault("_cell_cache", {})
        for key in list(cache):  # a copy: the other thread may change the dict meanwhile
            if (0 if key == "wor" or key[0] == "s" else 1) in sides:
                cache.pop(key, None)
        if 0 in sides:
            self._ms = self._source_masks(band)
            self._ms_any = bool(self._ms.any())
        if 1 in sides:
            self._cols = np.clip(band.cell_columns(), 0, None)
            self._mt = self._target_masks(band)
            self._mt_any = bool(self._mt.any())

    def _source_masks(self, band: Band) -> np.ndarray:
        """Source units covered by target offers: for entry (key, k, u), targets l in row k."""
        n, wc = band.n, band.cell_width
        cl = band.cell_lo
        M = band.m + 2 * wc + 2
        ms = np.zeros((n, wc), dtype=np.uint64)
        keys, sents, us = self._unit_entries[0]
        okeys, osents = self._offer_entries[1]
        if len(keys) and len(okeys):
            code = okeys * M + (osents + wc + 1)
            lo_c = keys * M + (cl[sents] + wc + 1)
            first = np.searchsorted(code, lo_c)
            last = np.searchsorted(code, lo_c + wc)
            rows, pos, bits = self._expand(first, last, sents, us)
            if len(rows):
                c = osents[pos] - cl[rows]
                np.bitwise_or.at(ms, (rows, c), np.left_shift(np.uint64(1), bits.astype(np.uint64)))
        return ms

    def _target_masks(self, band: Band) -> np.ndarray:
        """Target units covered by source offers: entry (key, l, u), sources k whose row holds l."""
        n, wc = band.n, band.cell_width
        cl = band.cell_lo
        mt = np.zeros((n, wc), dtype=np.uint64)
        keys, sents, us = self._unit_entries[1]
        okeys, osents = self._offer_entries[0]
        if len(keys) and len(okeys) and n:
            k_hi = np.searchsorted(cl, sents, side="right")  # rows with cl[k] <= l
            k_lo = np.searchsorted(cl, sents - wc, side="right")  # rows with cl[k] > l - wc
            code = okeys * (n + 1) + osents
            first = np.searchsorted(code, keys * (n + 1) + k_lo)
            last = np.searchsorted(code, keys * (n + 1) + k_hi)
            ls, pos, bits = self._expand(first, last, sents, us)
            if len(ls):
                rows = osents[pos]
                c = ls - cl[rows]
                np.bitwise_or.at(mt, (rows, c), np.left_shift(np.uint64(1), bits.astype(np.uint64)))
        return mt

    @staticmethod
    def _expand(first: np.ndarray, last: np.ndarray, sents: np.ndarray, us: np.ndarray):
        """Every (entry, matching position) pair of a searchsorted range join."""
        counts = np.maximum(last - first, 0)
        total = int(counts.sum())
        if total == 0:
            e = np.zeros(0, dtype=np.int64)
            return e, e, e
        idx = np.repeat(np.arange(len(first)), counts)
        offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return sents[idx], first[idx] + offs, us[idx]

    def release(self) -> None:
        self._cell_cache = {}
        self._ms = self._mt = None

    _NIBBLE_BITS = ((np.arange(16)[:, None] >> np.arange(4)[None, :]) & 1).astype(np.float64)

    def _table_geometry(self, side: int):
        """The nibble tables' layout: each sentence has a group of 16 entries per four of its
        units, the groups of all sentences one after another (most sentences have far
        fewer units than MAX_UNITS: no room is kept for units they do not have). Returns
        the number of groups, each sentence's first entry, and where each unit's alpha goes
        in the (group, unit of the four) layout (cached until the units change)."""
        geom = self._geometry.get(side)
        if geom is None:
            start = self._unit_start[side]
            nun = np.diff(start)
            groups = (nun + 3) // 4
            gstart = np.concatenate([[0], np.cumsum(groups)])
            k = np.repeat(np.arange(len(nun)), nun)
            u = np.arange(int(start[-1])) - np.repeat(start[:-1], nun)
            geom = self._geometry[side] = (int(gstart[-1]), gstart[:-1] * 16, gstart[k] * 4 + u)
        return geom

    def _nibble_tables(self, side: int, span: int) -> tuple[np.ndarray, np.ndarray]:
        """(tables, first): tables[first[k] + 16 q + v] is the summed alpha (for spans of
        `span` sentences) of the units of sentence k whose bits are set in v, the q-th group
        of four bits of a mask. Entry v = 0 of every group is 0, and 16 groups of zeros
        end the tables, so a sentence's empty nibbles past its own groups read 0 too."""
        ngroups, first, pos = self._table_geometry(side)
        tables = np.zeros((ngroups + 16, 16))
        if ngroups and len(self._alpha[side]):
            dense = np.zeros(ngroups * 4)
            dense[pos] = self._alpha[side][:, min(span, self.max_span) - 1]
            tables[:ngroups] = np.einsum("gi,vi->gv", dense.reshape(-1, 4), self._NIBBLE_BITS)
        return tables.reshape(-1), first

    @staticmethod
    def _weighted_popcount(masks: np.ndarray, tables: tuple[np.ndarray, np.ndarray],
                           rows: np.ndarray) -> np.ndarray:
        """sum over the set bits t of masks[k, c] of the alpha of unit t of sentence
        rows[k, c], four bits at a time through `tables` (see `_nibble_tables`; float32:
        these arrays are kept for every span size while a band is scored)."""
        out = np.zeros(masks.shape, dtype=np.float32)
        # only the cells that cover something (most of a band covers nothing; an empty
        # mask adds the tables' zeros)
        nz = np.flatnonzero(masks)
        if not len(nz):
            return out
        flat, first = tables
        m = masks.reshape(-1)[nz].astype("<u8", copy=False)
        by = m.view(np.uint8).reshape(-1, 8)  # the masks' bytes, lowest first (little-endian)
        base = first[np.broadcast_to(rows, masks.shape).reshape(-1)[nz]]
        acc = np.zeros(len(nz), dtype=np.float32)
        col = by[:, 0]
        acc += flat[base + (col & 15)]
        acc += flat[base + 16 + (col >> 4)]
        # byte q only for the cells whose masks reach it: most masks end in their first byte
        # or two, and the groups past a mask's highest bit would only add the tables' zeros
        # (the sums are the same, in the same order)
        higher = np.searchsorted(_BYTE_LIMITS, m, side="right")  # bytes used past the first
        for q in range(1, 8):
            cells = np.flatnonzero(higher >= q)
            if not len(cells):
                break
            col = by[cells, q]
            b = base[cells] + 32 * q
            a = acc[cells]
            a += flat[b + (col & 15)]
            a += flat[b + 16 + (col >> 4)]
            acc[cells] = a
        out.reshape(-1)[nz] = acc
        return out

    def src_cells(self, b: int) -> np.ndarray:
        """Per cell (k, c): alpha of the source units of k covered by targets c .. c+b-1."""
        if not self._ms_any:  # no source unit is covered anywhere in the band
            return np.zeros(self._ms.shape, dtype=np.float32)
        last = self._cell_cache.get("wor")  # (b', masks of windows of b'): spans grow one at a time
        if last is not None and last[0] < b:
            t0, masks = last[0], last[1].copy()
        else:
            t0, masks = 1, self._ms.copy()
        for t in range(t0, b):  # as BeadGrid.window_or does
            masks[:, :-t] |= self._ms[:, t:]
        self._cell_cache["wor"] = (b, masks)
        rows = np.arange(masks.shape[0])[:, None]
        return self._weighted_popcount(masks, self._nibble_tables(0, b), rows)

    def tgt_cells(self, grid: BeadGrid, a: int) -> np.ndarray:
        """Per cell (k, c): alpha of the target units of l covered by sources k-a+1 .. k."""
        if not self._mt_any:  # no target unit is covered anywhere in the band
            return np.zeros(self._mt.shape, dtype=np.float32)
        last = self._cell_cache.get("or")  # (a', masks of a' rows): spans grow one at a time
        if last is not None and last[0] < a:
            r0, masks = last[0], last[1].copy()
        else:
            r0, masks = 1, self._mt.copy()
        for r in range(r0, a):
            masks |= grid.shift_rows(self._mt, r, fill=np.uint64(0))
        self._cell_cache["or"] = (a, masks)
        return self._weighted_popcount(masks, self._nibble_tables(1, a), self._cols)

    def span_base(self, grid: BeadGrid, a: int, b: int) -> np.ndarray | float:
        """The uncovered units' evidence of a bead (0 unless base_scale is set)."""
        if not self.base_scale or a == 0 or b == 0:
            return 0.0
        return grid.src_span(self._base[0], a) + grid.tgt_span(self._base[1], b)

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        """The signal on its own (the search adds the cell values of all coverage signals
        first, which gives the same sums with fewer passes, see `combined_bead_scores`)."""
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        key = ("s", b)
        sv = self._cell_cache.get(key)
        if sv is None:
            sv = self._cell_cache[key] = self.src_cells(b)
        key = ("t", a)
        tv = self._cell_cache.get(key)
        if tv is None:
            tv = self._cell_cache[key] = self.tgt_cells(grid, a)
        out = grid.rows_sum(sv, a, b)
        out += grid.at_last_row(grid.window_sum(tv, b), a, b)
        return out + self.span_base(grid, a, b)


    # ------------------------------------------------------------------ single beads
    def _covered(self, side: int, k: int, offer: set) -> list[int]:
        return [u for u, keys in enumerate(self._units[side][k]) if not keys.isdisjoint(offer)]

    def _span_alpha(self, side: int, k: int, units: list[int], span: int) -> float:
        if not units:
            return 0.0
        base = self._unit_start[side][k]
        return float(self._alpha[side][base + np.array(units), min(span, self.max_span) - 1].sum())

    def bead_evidence(self, src_ids: list[int], tgt_ids: list[int]) -> float:
        """The signal's score of one bead, computed directly."""
        if not src_ids or not tgt_ids:
            return 0.0
        offer_t = set().union(*(self._offers[1][l] for l in tgt_ids))
        offer_s = set().union(*(self._offers[0][k] for k in src_ids))
        z = 0.0
        for k in src_ids:
            z += self._base[0][k] + self._span_alpha(0, k, self._covered(0, k, offer_t), len(tgt_ids))
        for l in tgt_ids:
            z += self._base[1][l] + self._span_alpha(1, l, self._covered(1, l, offer_s), len(src_ids))
        return z

    def pair_score(self, k: int, l: int) -> float:
        return self.bead_evidence([k], [l])

    def span_coverage(self, src_ids: list[int], tgt_ids: list[int]) -> tuple[int, int, int, int]:
        """(covered, total) source units and (covered, total) target units of a bead."""
        offer_t: set = set().union(*(self._offers[1][l] for l in tgt_ids)) if tgt_ids else set()
        offer_s: set = set().union(*(self._offers[0][k] for k in src_ids)) if src_ids else set()
        cs = ts = ct = tt = 0
        for k in src_ids:
            ts += len(self._units[0][k])
            cs += len(self._covered(0, k, offer_t))
        for l in tgt_ids:
            tt += len(self._units[1][l])
            ct += len(self._covered(1, l, offer_s))
        return cs, ts, ct, tt

    def reestimate(self, beads: list[tuple[list[int], list[int]]]) -> None:
        """rho = (covered share - chance share) / (1 - chance share) over the aligned beads."""
        if not self.adapt:
            return
        stats = self._coverage_stats(beads)
        for side in (0, 1):
            cov, chance, units = stats[side]
            if units >= 30 and units > chance:
                rho = (cov - chance) / (units - chance)
                self._rho[side] = min(max(rho, 0.02), 0.9)
        self._fit_alphas()

    def _coverage_stats(self, beads: list[tuple[list[int], list[int]]]) -> list[list[float]]:
        """Per side, over the beads with both sides: the units covered by the other side of
        their bead, the units expected covered by chance, and the units (as `span_coverage`
        counts them, bead by bead, but with joins of the key arrays)."""
        bead_of, sizes = bead_numbers(beads, len(self._units[0]), len(self._units[1]))
        sizes = [sizes[0].astype(np.float64), sizes[1].astype(np.float64)]
        nk = max(self._nkeys, 1)
        stats = []
        for side in (0, 1):
            other = 1 - side
            starts = self._unit_start[side]
            nunits = int(starts[-1])
            nun = np.diff(starts)
            unit_bead = np.repeat(bead_of[side], nun)
            in_bead = unit_bead >= 0
            keys, sents, us = self._unit_entries[side]
            okeys, osents = self._offer_entries[other]
            ob = bead_of[other][osents]
            offered = np.sort((ob * nk + okeys)[ob >= 0])  # (np.unique hashes: slower here)
            eb = bead_of[side][sents]
            code = eb * nk + keys
            pos = np.minimum(np.searchsorted(offered, code), max(len(offered) - 1, 0))
            hit = (eb >= 0) & (offered[pos] == code) if len(offered) else np.zeros(len(code), bool)
            covered = np.zeros(nunits, dtype=bool)
            covered[(starts[sents] + us)[hit]] = True
            span = sizes[other][unit_bead[in_bead]]  # the other side's sentences in the bead
            chance = float(np.sum(1 - (1 - self._chance[side][in_bead]) ** span))
            stats.append([float(covered.sum()), chance, int(in_bead.sum())])
        return stats

    def _unit_chances(self, side: int, k: int) -> np.ndarray:
        st = self._unit_start[side]
        return self._chance[side][st[k]:st[k + 1]]

    def describe(self) -> dict[str, Any]:
        return {"weight": self.weight, "rho": [round(r, 3) for r in self._rho]}

    def anchor_keys(self):
        return self._offers


def bead_numbers(beads: list[tuple[list[int], list[int]]], n: int, m: int):
    """([bead of each source sentence, of each target sentence], [source sentences of each
    bead, target sentences of each bead]) over the beads with both sides, numbered in order
    (-1: a sentence in no such bead); numpy arrays, built without a loop of numpy calls."""
    both = [(s, t) for s, t in beads if s and t]
    out, sizes = [], []
    for side, length in ((0, n), (1, m)):
        ids = [b[side] for b in both]
        size = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(size.sum()))
        of = np.full(length, -1, dtype=np.int64)
        of[flat] = np.repeat(np.arange(len(ids), dtype=np.int64), size)  # a later bead wins, as before
        out.append(of)
        sizes.append(size)
    return out, sizes


class CombinedCoverage:
    """The weighted sum of several coverage signals' cell values, per span size, so that a
    bead type costs one pass over the band however many coverage signals there are."""

    def __init__(self, signals: list[CoverageSignal], grid: BeadGrid):
        self.signals = signals
        self.grid = grid
        self._src: dict[int, Any] = {}
        self._tgt: dict[int, Any] = {}

    def start(self, types) -> None:
        """Score the signals' cells (`CoverageSignal.score_cells`, which the caller then
        leaves out) and compute the cell sums the bead types will ask for, in two threads
        beside the caller: the source masks and spans in one, the target masks and spans in
        the other, each span summed over the signals in their order, as `bead_score` would
        (numpy releases the GIL for the array work, so they run side by side; the sums are
        the same). `bead_score` waits for the span it needs."""
        import threading

        if not self.signals:
            return
        g = self.grid
        plan = (("s", sorted({b for a, b in types if a and b}), lambda s, b: s.src_cells(b), self._src),
                ("t", sorted({a for a, b in types if a and b}), lambda s, a: s.tgt_cells(g, a), self._tgt))
        self._ready = {(kind, x): threading.Event() for kind, spans, _, _ in plan for x in spans}
        self._errors: list[BaseException] = []

        def run(kind, spans, cells, cache):
            try:
                for s in self.signals:
                    s.score_cells(g.band, sides=(0,) if kind == "s" else (1,))
                for x in spans:
                    cache[x] = self._sum(lambda s: cells(s, x))
                    self._ready[(kind, x)].set()
            except BaseException as e:  # raised again where the span is asked for
                self._errors.append(e)
                for ev in self._ready.values():
                    ev.set()

        self._threads = [threading.Thread(target=run, args=p, daemon=True, name="aligner-coverage")
                         for p in plan]
        for t in self._threads:
            t.start()

    def join(self) -> None:
        """Wait for the threads of `start` (all their spans are then computed)."""
        for t in getattr(self, "_threads", ()):
            t.join()
        self._threads = []

    def _wait(self, kind: str, span: int) -> None:
        ev = getattr(self, "_ready", {}).get((kind, span))
        if ev is not None:
            ev.wait()
            if self._errors:
                raise self._errors[0]

    def _sum(self, get) -> np.ndarray:
        total = None
        for s in self.signals:
            v = get(s)
            total = v * s.weight if total is None else total + v * s.weight
        return total

    def bead_score(self, a: int, b: int) -> np.ndarray | float:
        if a == 0 or b == 0 or not self.signals:
            return 0.0
        g = self.grid
        self._wait("s", b)
        self._wait("t", a)
        sv = self._src.get(b)
        if sv is None:
            sv = self._src[b] = self._sum(lambda s: s.src_cells(b))
        tv = self._tgt.get(a)
        if tv is None:
            tv = self._tgt[a] = self._sum(lambda s: s.tgt_cells(g, a))
        out = g.rows_sum(sv, a, b)
        out += g.at_last_row(g.window_sum(tv, b), a, b)
        for s in self.signals:
            if s.base_scale:
                out += s.weight * s.span_base(g, a, b)
        return out
