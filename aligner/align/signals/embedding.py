"""Optional: sentence embeddings (a sentence-transformers model such as LaBSE, given by path).

Nothing else depends on this signal; it is used only when asked for
(`--embedding-model PATH`, or `signals=[..., get_signal("embedding", model=PATH)]`), and
needs the optional `sentence-transformers` package. Vectors can also be passed directly
(`src_vectors=`, `tgt_vectors=`, one row per sentence), e.g. computed elsewhere.

A bead's spans are represented by the sums of their sentence vectors, as in Vecalign and
Bertalign; the cosine of the two sums comes from sentence-pair dot products (summed over the
bead's cells) and the dot products of neighbouring sentences of one side (for the norms), so
every bead is scored from per-cell values like the other signals. The score is
scale * (cos - c0) / (1 - c0) per sentence of the bead, c0 the mean cosine of random pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aligner.align.band import Band, BeadGrid
from aligner.align.pairing import Pairing
from aligner.align.signals.base import Signal, register
from aligner.errors import ModelError


def encode(model_path: str, sentences: list[str], batch_size: int = 64) -> np.ndarray:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ModelError("the embedding signal needs the sentence-transformers package",
                         hint="pip install sentence-transformers (an optional extra), or leave the "
                              "embedding signal out.") from None
    try:
        model = SentenceTransformer(str(model_path))
    except Exception as e:  # the library raises many kinds for a broken or missing model
        raise ModelError(f"cannot load the sentence-transformers model: {e}", path=model_path) from None
    return np.asarray(model.encode(sentences, batch_size=batch_size, normalize_embeddings=True),
                      dtype=np.float32)


@register
class EmbeddingSignal(Signal):
    name = "embedding"
    description = "sentence embeddings from a sentence-transformers model (optional, --embedding-model PATH)"
    requires = ("model",)
    scale = 6.0
    max_span = 8

    def applies(self, pairing: Pairing) -> bool:
        return bool(self.options.get("model")) or self.options.get("src_vectors") is not None

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        sv, tv = self.options.get("src_vectors"), self.options.get("tgt_vectors")
        if sv is None or tv is None:
            model = self.options["model"]
            sv = encode(model, pairing.src.sentences)
            tv = encode(model, pairing.tgt.sentences)
        sv, tv = self._unit(np.asarray(sv, dtype=np.float64)), self._unit(np.asarray(tv, dtype=np.float64))
        if len(sv) != pairing.n or len(tv) != pairing.m:
            raise ValueError("one embedding per sentence is needed")
        self.sv, self.tv = sv, tv
        self.scale = float(self.options.get("scale", type(self).scale))
        rng = np.random.default_rng(0)
        if pairing.n and pairing.m:
            k = rng.integers(0, pairing.n, 500)
            l = rng.integers(0, pairing.m, 500)
            self.c0 = float(np.mean(np.sum(sv[k] * tv[l], axis=1)))
        else:
            self.c0 = 0.0
        # dot products of each sentence with the next ones of its own side (span norms)
        self.src_next = self._neighbour_dots(sv)
        self.tgt_next = self._neighbour_dots(tv)

    @staticmethod
    def _unit(v: np.ndarray) -> np.ndarray:
        norm = np.linalg.norm(v, axis=1, keepdims=True)
        return v / np.maximum(norm, 1e-12)

    def _neighbour_dots(self, v: np.ndarray) -> np.ndarray:
        out = np.zeros((len(v), self.max_span))
        for d in range(1, self.max_span):
            if d < len(v):
                out[: len(v) - d, d] = np.sum(v[:-d] * v[d:], axis=1)
        out[:, 0] = 1.0
        return out

    def _span_sq_norm(self, nd: np.ndarray, start: np.ndarray, length: int) -> np.ndarray:
        """||sum of vectors start .. start+length-1||^2 from the neighbour dot products."""
        total = np.full(start.shape, float(length))
        for x in range(length):
            for d in range(1, length - x):
                total = total + 2.0 * nd[np.clip(start + x, 0, len(nd) - 1), d]
        return total

    def score_cells(self, band: Band) -> None:
        cols = band.cell_columns()
        rows = np.repeat(np.arange(band.n), band.cell_width).reshape(cols.shape)
        ok = cols >= 0
        dots = np.zeros(cols.shape)
        dots[ok] = np.sum(self.sv[rows[ok]] * self.tv[cols[ok]], axis=1)
        self._dots = dots

    def release(self) -> None:
        self._dots = None

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        dot = grid.box(self._dots, a, b)
        i0 = np.clip(grid.I - a, 0, None)
        j0 = np.clip(grid.J - b, 0, None)
        ns = self._span_sq_norm(self.src_next, i0, a) if a > 1 else np.ones(grid.I.shape)
        nt = self._span_sq_norm(self.tgt_next, j0, b) if b > 1 else np.ones(grid.I.shape)
        cos = dot / np.sqrt(np.maximum(ns, 1e-9) * np.maximum(nt, 1e-9))
        return self.scale * (cos - self.c0) / max(1.0 - self.c0, 1e-6) * (a + b) / 2.0

    def pair_score(self, k: int, l: int) -> float:
        cos = float(self.sv[k] @ self.tv[l])
        return self.scale * (cos - self.c0) / max(1.0 - self.c0, 1e-6)

    def describe(self) -> dict[str, Any]:
        return {"weight": self.weight, "c0": round(self.c0, 4)}
