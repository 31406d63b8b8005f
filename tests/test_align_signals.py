"""Alignment signals, one by one: numbers, names, lexicon, length, punctuation, translation,
glossary, co-occurrence and embeddings, each through the real signal code on real sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aligner.align.band import Band, BeadGrid
from aligner.align.cedict import load_lexicon
from aligner.align.numerals import en_numbers, zh_numbers
from aligner.align.pairing import Pairing, Side
from aligner.align.signals import available_signals, get_signal
from aligner.align.signals.names import en_names, pinyin_syllables, zh_pinyin_runs
from aligner.text.tokens import en_content_stems, stem

REPO = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------ numbers
@pytest.mark.parametrize("zh, en", [
    ("一九九九年", "in 1999"),
    ("四千万人", "40 million people"),
    ("四千万人", "forty million people"),
    ("我二十一岁时", "At twenty-one"),
    ("十四队", "the fourteenth team"),
    ("3万元", "30,000 yuan"),
    ("一千零五十", "one thousand and fifty"),
    ("2009年1月25日", "January 25, 2009"),
    ("三点五", "3.5"),
    ("两百", "two hundred"),
])
def test_numbers_match_across_scripts(zh, en):
    z, e = zh_numbers(zh), en_numbers(en)
    assert z and set(z) <= set(e) | set(z) and set(z) & set(e), (z, e)
    assert set(e) - {"month:1", "2009", "25"} <= set(z) | {"month:1", "2009", "25"}


def test_numbers_values():
    assert zh_numbers("一亿二千万") == ["120000000"]
    assert zh_numbers("2009年1月25日") == ["month:1", "2009", "25"]
    assert en_numbers("January 25, 2009") == ["month:1", "25", "2009"]
    assert en_numbers("two thousand three hundred") == ["2300"]
    assert en_numbers("a dozen eggs") == ["12"]


def test_numbers_ignore_idioms_and_one():
    # 一样 "alike", 十分 "very", 千万 "by all means", and the value 1 ("a", "one")
    assert zh_numbers("他们一样十分高兴，千万不要走") == []
    assert en_numbers("one day he came") == []
    assert en_numbers("May I come in?") == []
    assert zh_numbers("十分钟") == ["10"]


def test_zh_numbers_of_sentences_without_numerals():
    # (no digit or numeral character: nothing is parsed)
    assert zh_numbers("他说：你们去吧，不要怕。") == []
    assert zh_numbers("第３章") == ["3"]  # a full-width digit is a digit
    assert zh_numbers("三月里，两百人") == ["month:3", "3", "200"]


# ------------------------------------------------------------------------ names
def test_pinyin_syllables():
    assert pinyin_syllables("Qingyang") == 2
    assert pinyin_syllables("Zhiqiang") == 2
    assert pinyin_syllables("Chen") == 1
    assert pinyin_syllables("Smith") == 0
    assert pinyin_syllables("Abraham") == 0


def test_english_names_and_chinese_pinyin():
    vocab = load_lexicon().en_vocab
    names = en_names("That year Chen Qingyang was twenty-six. Long ago Zhu Zhiqiang went to Nanjing.", vocab)
    assert names == ["chen", "qingyang", "zhu", "zhiqiang", "nanjing"]  # not "Long" (starts a sentence)
    wanted = {"chen", "qingyang", "zhu", "zhiqiang"}
    prefixes = {w[:i] for w in wanted for i in range(1, len(w) + 1)}
    assert zh_pinyin_runs("陈清扬当时二十六岁", wanted, prefixes) == {"chen", "qingyang"}
    assert zh_pinyin_runs("朱志强于1月10日发表声明", wanted, prefixes) == {"zhu", "zhiqiang"}
    assert zh_pinyin_runs("她在山上十五队", wanted, prefixes) == set()


def _pairing(src, tgt, src_lang="zh", tgt_lang="en", translation=None, glossary=None):
    return Pairing(Side(src_lang, list(src)), Side(tgt_lang, list(tgt)),
                   Side(tgt_lang, list(translation)) if translation is not None else None, glossary)


def _pair_scores(name, pairing, **options):
    sig = get_signal(name, **options)
    assert sig.applies(pairing)
    sig.prepare(pairing)
    return np.array([[sig.pair_score(k, l) for l in range(pairing.m)] for k in range(pairing.n)]), sig


ZH = ["陈清扬当时二十六岁，就在我插队的地方当医生。",
      "有一天她从山上下来，和我讨论她不是破鞋的问题。",
      "朱志强于1981年参军，后来在南京军区担任上尉。",
      "你为什么不说话？"]
EN = ["That year Chen Qingyang was twenty-six and a doctor who happened to work where I did.",
      "One day she came down the mountain to discuss the fact that she was not damaged goods.",
      "Zhu enlisted in the military in 1981 and later became a captain in Nanjing Military Region.",
      "Why don't you say anything?"]


def test_names_signal_pairs_named_sentences():
    scores, _ = _pair_scores("names", _pairing(ZH, EN))
    assert scores[0, 0] > 0 and scores[0, 0] == scores[0].max()
    assert scores[2, 2] > 0 and scores[2, 2] == scores[2].max()
    assert scores[1, 1] == 0  # no name in either sentence


def test_numbers_signal_pairs_sentences_with_the_same_year():
    scores, _ = _pair_scores("numbers", _pairing(ZH, EN))
    assert scores[2, 2] > 0 and scores[2].argmax() == 2
    assert scores[0, 0] > 0  # 二十六 = twenty-six


# ------------------------------------------------------------------------ lexicon
def test_lexicon_index_and_stems():
    lex = load_lexicon()
    assert "doctor" in lex.word_stems("医生")
    assert {"mountain", "hill"} <= lex.word_stems("山")
    assert lex.word_stems("朱志强们")  # unknown word: read through its known pieces
    assert stem("went") == stem("goes") == "go"
    assert en_content_stems("The doctors were discussing it") == ["doctor", "discuss"]


def test_lexicon_signal_prefers_translations_in_both_directions():
    for src, tgt, sl, tl in ((ZH, EN, "zh", "en"), (EN, ZH, "en", "zh")):
        scores, _ = _pair_scores("lexicon", _pairing(src, tgt, sl, tl))
        for k in range(3):  # the last pair shares only function words (why, say)
            assert scores[k].argmax() == k, (sl, k, scores[k])
            assert scores[k, k] > 0


def test_lexicon_cache_is_reused(tmp_path, monkeypatch):
    import aligner.align.cedict as C

    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    monkeypatch.setattr(C, "_LEXICON", None)
    first = C.load_lexicon()
    assert list(tmp_path.rglob("cedict-*.pickle"))
    monkeypatch.setattr(C, "_LEXICON", None)
    again = C.load_lexicon()
    assert again.source == "cache" and again.zh2en == first.zh2en


# ------------------------------------------------------------------------ length
def test_length_signal_prefers_proportional_spans():
    # 40 Chinese characters for 120 English ones: the ratio, 3, comes from the documents
    p = _pairing(["一" * 20, "二" * 20], ["a" * 30, "b" * 30, "c" * 60])
    sig = get_signal("length")
    sig.prepare(p)
    assert sig.pair_score(1, 2) > sig.pair_score(1, 0)
    grid = BeadGrid(Band.full(2, 3, 6))
    one_two = sig.bead_score(grid, 1, 2)[1, 2]   # 一 x20 with a+b (60 = 20 * 3)
    one_one = sig.bead_score(grid, 1, 1)[1, 1]   # 一 x20 with a (30)
    assert one_two > 0 > one_one
    assert sig.bead_score(grid, 1, 0).max() == 0  # 1-0 beads carry no length evidence


# ------------------------------------------------------------------------ punctuation
def test_punctuation_signal():
    p = _pairing(["你为什么不说话？", "他走了。"], ["Why don't you talk?", "He left."])
    scores, _ = _pair_scores("punctuation", p)
    assert scores[0, 0] > scores[0, 1]
    assert scores[1, 1] > scores[1, 0]


# ------------------------------------------------------------------------ translation
def test_translation_signal_english_and_chinese_targets():
    trans_en = ["Chen Qingyang was twenty-six years old and worked as a doctor where I jumped in.",
                "One day she came down from the mountain and discussed with me that she was not a broken shoe.",
                "Zhu Zhiqiang joined the army in 1981 and later served as a captain in the Nanjing Military Region.",
                "Why do you not say anything?"]
    scores, sig = _pair_scores("translation", _pairing(ZH, EN, translation=trans_en))
    assert [scores[k].argmax() for k in range(4)] == [0, 1, 2, 3]
    trans_zh = ["那年 陈清扬 二十六岁 ， 是 一名 医生 。", "有 一天 她 下山 来 讨论 她 不是 破鞋 。",
                "朱 在 1981 年 参军 ， 后来 成为 南京军区 的 上尉 。", "你 为什么 不 说话 ？"]
    scores, _ = _pair_scores("translation", _pairing(EN, ZH, "en", "zh", translation=trans_zh))
    assert [scores[k].argmax() for k in range(4)] == [0, 1, 2, 3]
    assert not get_signal("translation").applies(_pairing(ZH, EN))


# ------------------------------------------------------------------------ glossary
def test_glossary_signal_anchors_terms():
    from aligner.glossary import load_glossaries

    g = load_glossaries([REPO / "glossaries" / "news.tsv"])
    en = ["Zhu Zhiqiang issued a statement.", "He was warned not to appeal in Beijing."]
    zh = ["他被警告不要在北京上访。", "朱志强发表了声明。"]
    scores, _ = _pair_scores("glossary", _pairing(en, zh, "en", "zh", glossary=g))
    assert scores[0, 1] > 0 and scores[0, 1] > scores[0, 0]
    assert not get_signal("glossary").applies(_pairing(en, zh, "en", "zh"))


# ------------------------------------------------------------------------ co-occurrence
def test_cooccurrence_learns_pairs_from_a_first_alignment():
    zh = ["破鞋偷汉。"] * 3 + ["她走了。", "破鞋不是破鞋。"]
    en = ["Damaged goods cheat.", "Damaged goods cheat.", "Damaged goods cheat.", "She left.",
          "Damaged goods are not damaged goods."]
    p = _pairing(zh, en)
    sig = get_signal("cooccurrence")
    sig.prepare(p)
    assert sig.pair_score(0, 0) == 0  # nothing learned yet
    sig.reestimate([([k], [k]) for k in range(5)])
    assert "damag" in sig.pairs.get("破鞋", set())
    assert sig.pair_score(4, 4) > 0
    sig.reset()
    assert sig.pairs == {} and sig.pair_score(4, 4) == 0


# ------------------------------------------------------------------------ embeddings
def test_embedding_signal_from_vectors():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(6, 16))
    src = base
    tgt = np.vstack([base[0], base[1], base[2] * 0.5, base[2] * 0.5 + 0.01, base[3], base[4], base[5]])
    p = _pairing([f"s{i}" for i in range(6)], [f"t{i}" for i in range(7)], "en", "zh")
    # target 3 is a near twin of target 2 (the two halves of one translation): twin_cos
    # above 1 keeps their evidence, which this test is about
    sig = get_signal("embedding", src_vectors=src, tgt_vectors=tgt, twin_cos=1.01)
    assert sig.applies(p)
    sig.prepare(p)
    assert sig.pair_score(0, 0) > sig.pair_score(0, 4)
    band = Band.full(6, 7, 6)
    sig.score_cells(band)
    grid = BeadGrid(band)
    # the 1-2 bead (2 -> 2, 3) is scored from the sum of the two target vectors: its margin
    # is that of the whole translation, above the half-bead 1-1
    x12, _ = sig.margin(grid, 1, 2)
    x11, _ = sig.margin(grid, 1, 1)
    assert x12[3, 4] > x11[3, 3]
    assert x12[3, 4] == pytest.approx(sig.bead_margin([2], [2, 3]), abs=1e-5)
    assert sig.bead_score(grid, 1, 2)[3, 4] > 0 > sig.pair_score(0, 4)
    assert get_signal("embedding").applies(p)  # the built-in encoder needs no model path


def test_registry():
    names = available_signals()
    for n in ("length", "lexicon", "names", "numbers", "punctuation", "glossary", "translation",
              "cooccurrence", "embedding"):
        assert n in names
    with pytest.raises(KeyError, match="unknown alignment signal"):
        get_signal("nonsense")


def test_length_median_is_numpys_to_the_bit():
    import random

    from aligner.align.signals.length import _median

    rng = random.Random(7)
    for n in (1, 2, 3, 20, 21, 400, 401):
        d = [rng.gauss(0, 1) * rng.choice([1, 1e-3, 1e5]) for _ in range(n)]
        assert _median(d) == float(np.median(d))


def test_length_fit_variance_recovers_a_constructed_spread():
    # the shipped v0, v1 and background come from fit_variance on gold beads: on beads drawn
    # with a known spread (var = v0 + v1 / L) and wrong beads of a known spread, it finds them
    from aligner.align.signals.length import fit_variance

    rng = np.random.default_rng(3)
    L = rng.uniform(15, 400, 20000)
    delta = rng.normal(0.0, np.sqrt(0.005 + 3.0 / L))
    wrong = rng.normal(0.0, 0.7, 20000)
    got = fit_variance([(delta[:10000], L[:10000]), (delta[10000:], L[10000:])], [wrong])
    assert got["v0"] == pytest.approx(0.005, abs=0.002)
    assert got["v1"] == pytest.approx(3.0, rel=0.1)
    assert got["background"] == pytest.approx(0.7, rel=0.03)
