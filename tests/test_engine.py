"""aligner.translate.engine: a real Argos package through sentencepiece and CTranslate2."""

from __future__ import annotations

import numpy as np
import pytest

import fixture_model
from aligner.errors import ModelError, UsageError
from aligner.translate.engine import Engine, Translation


@pytest.fixture
def en_zh(argos_dir) -> Engine:
    return Engine.load("en", "zh")


def expected_pieces(engine: Engine, text: str, direction: str) -> list[str]:
    table = fixture_model.piece_table(direction)
    return [table[p] for p in engine.sp.encode(text, out_type=str)]


def test_missing_model_names_the_pair_and_both_ways_to_install(empty_argos_dir):
    with pytest.raises(ModelError) as e:
        Engine.load("en", "zh")
    msg = str(e.value)
    assert "no en→zh translation model is installed" in msg
    assert "aligner models install en zh" in msg and "aligner models install FILE.argosmodel" in msg
    assert e.value.exit_code == 4


def test_translation_contract(en_zh):
    sentence = "Zhu Zhiqiang, a CCP cadre of Nanjing."
    [t] = en_zh.translate([sentence], return_attention=True)
    assert isinstance(t, Translation)
    assert t.source_tokens == ["▁Zhu", "▁Zhiqiang", ",", "▁a", "▁CCP", "▁cadre", "▁of", "▁Nanjing", "."]
    assert t.target_tokens == ["猪", "之墙", "，", "一个", "共产党的", "骨干", "的", "南金", "。"]
    assert t.text == "猪之墙，一个共产党的骨干的南金。"
    # The fixture copies position t to position t: attention is the identity matrix.
    att = np.array(t.attention)
    assert att.shape == (len(t.target_tokens), len(t.source_tokens))
    assert np.allclose(att, np.eye(len(t.source_tokens)), atol=1e-3)
    assert t.score is not None and -0.01 < t.score <= 0.0  # a sure model: log-prob near 0
    [plain] = en_zh.translate([sentence])
    assert plain.attention is None and plain.text == t.text


def test_wrong_renderings_are_what_the_tables_say(argos_dir):
    for direction, wrong in fixture_model.WRONG_RENDERINGS.items():
        src, tgt = direction.split("-")
        engine = Engine.load(src, tgt)
        terms = list(wrong)
        out = engine.translate(terms)
        for term, t in zip(terms, out):
            assert t.text == wrong[term], (term, t.text)


def test_batches_keep_input_order(argos_dir):
    engine = Engine.load("en", "zh", batch_size=2, beam_size=1)
    sentences = ["the party", "", "Zhu said that the CCP is not democratic.", "cadre", "  ",
                 "He was warned by the CCP not to appeal in Beijing."] * 3
    out = engine.translate(sentences)
    assert len(out) == len(sentences)
    for s, t in zip(sentences, out):
        if not s.strip():
            assert t.text == "" and t.source_tokens == [] and t.target_tokens == []
        else:
            assert t.target_tokens == expected_pieces(engine, s, "en-zh")
    seen = []
    engine.translate(sentences, progress=seen.append)
    assert sum(seen) == len(sentences)


def test_zh_to_en(argos_dir):
    engine = Engine.load("zh", "en")
    [t] = engine.translate(["朱志强是南京市的干部。"])
    assert t.source_tokens == ["▁朱", "志强", "是", "南京", "市", "的", "干部", "。"]
    assert t.text == "Pig Wall is South Capital City of backbone."
    assert engine.detokenize(engine.tokenize("南京")) == "南京"


def test_target_prefix_forces_the_start(en_zh):
    # A prefix is made of target-vocabulary pieces; the fixture then goes on position by position.
    [t] = en_zh.translate(["Nanjing is in Jiangsu."], target_prefixes=[["北京"]])
    assert t.target_tokens == ["北京", "是", "在", "江苏", "。"]
    assert t.text == "北京是在江苏。"
    [t] = en_zh.translate(["Nanjing is in Jiangsu."], target_prefixes=[[]])
    assert t.text == "南金是在江苏。"
    with pytest.raises(ValueError):
        en_zh.translate(["a", "b"], target_prefixes=[["x"]])


def test_max_decoding_length_caps_the_output(argos_dir):
    engine = Engine.load("en", "zh", max_decoding_length=3)
    [t] = engine.translate(["Zhu said that the CCP is not democratic."])
    assert len(t.target_tokens) == 3 and t.text == "猪说那"


def test_unknown_words_take_the_visible_fallback(en_zh):
    [t] = en_zh.translate(["Hello cadre"])
    assert t.text == "他llo骨干"  # `▁He` is a known word; the rest of "Hello" is copied


def test_devices(argos_dir):
    import ctranslate2

    assert Engine.load("en", "zh", device="auto").device in ("cpu", "cuda")
    if ctranslate2.get_cuda_device_count() == 0:
        with pytest.raises(UsageError, match="no CUDA device"):
            Engine.load("en", "zh", device="cuda")


def test_broken_packages_are_model_errors(argos_dir):
    model_bin = argos_dir / "translate-en_zh-fixture" / "model" / "model.bin"
    model_bin.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="CTranslate2 cannot load its model"):
        Engine.load("en", "zh")
    (argos_dir / "translate-zh_en-fixture" / "sentencepiece.model").unlink()
    with pytest.raises(ModelError, match="sentencepiece.model"):
        Engine.load("zh", "en")


def test_sentence_longer_than_the_model_allows_is_a_model_error(en_zh):
    too_long = " ".join(["the"] * (fixture_model.MAX_POSITIONS + 5))
    with pytest.raises(ModelError, match="model failed"):
        en_zh.translate([too_long])


def test_fixture_tables_cover_the_seed_article(fixture_packages):
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    zh = (fixture_model.REPO_CORPUS / "article.zh.txt").read_text(encoding="utf-8")
    en = (fixture_model.REPO_CORPUS / "article.en.txt").read_text(encoding="utf-8")
    splits = {"南京市": ["南京", "市"], "南京军区": ["南京", "军区"], "中共党员": ["中共", "党员"]}
    for word in {w for w in jieba.cut(zh) if w.strip()}:
        assert all(part in fixture_model.ZH_EN for part in splits.get(word, [word])), word
    for word in set(fixture_model.ENGLISH_WORD.findall(en)):
        assert word in fixture_model.EN_ZH, word
    # ...and sentencepiece keeps every word whole: no piece of the articles takes the fallback.
    assert fixture_model.unknown_pieces(en, "en-zh", fixture_packages["en-zh"] / "sentencepiece.model") == []
    assert fixture_model.unknown_pieces(zh, "zh-en", fixture_packages["zh-en"] / "sentencepiece.model") == []


def test_replicas_and_threads_come_from_the_cores(argos_dir, monkeypatch):
    """Issue 16: replicas (inter_threads) from the cores this process may use, at most
    MAX_REPLICAS, the rest as intra_threads; --threads caps the total."""
    from aligner.translate import engine as engine_mod

    monkeypatch.setattr(engine_mod.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert engine_mod.available_cores() == 2
    assert engine_mod.choose_threads(0) == (2, 1)
    assert engine_mod.choose_threads(1) == (1, 1)
    assert engine_mod.choose_threads(16) == (engine_mod.MAX_REPLICAS, 16 // engine_mod.MAX_REPLICAS)
    assert engine_mod.choose_threads(3, "cuda") == (1, 3)
    eng = Engine.load("en", "zh", threads=0)
    assert (eng.inter_threads, eng.intra_threads) == (2, 1)
    assert eng.translator.num_translators == 2
    # Several batches in flight across the replicas: results still come back in input order.
    sentences = ["Zhu said.", "He said.", "The CCP cadre was warned.", ""] * 20
    eng.batch_size = 3
    streamed = [t.text for t in eng.translate_iter(iter(sentences), window=7)]
    assert streamed == [t.text for t in Engine.load("en", "zh", threads=1).translate(sentences)]
    assert streamed[:4] == ["猪说。", "他说。", "该共产党的骨干被警告。", ""]
