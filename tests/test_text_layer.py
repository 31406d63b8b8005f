"""The text layer (aligner.text): one definition of a Chinese character, used everywhere."""

from __future__ import annotations

import logging

import pytest

from aligner.text import dictionary, lemmas, normalize, scripts, tokens

EXT_B = "\U00020000"  # 𠀀, CJK Unified Ideographs Extension B
EXT_B2 = "\U0002a6d6"


@pytest.mark.parametrize("ch", ["中", "\u3400", "\uf900", EXT_B, EXT_B2, "\U0002f800", "\U00030000"])
def test_han_characters_of_every_block_are_chinese(ch):
    assert scripts.is_han(ch)
    assert scripts.has_cjk("abc" + ch)
    assert scripts.count_cjk(f"a{ch}b{ch}{ch}") == 3


@pytest.mark.parametrize("ch", ["A", "é", "。", "，", "１", "\u3000", "\U0001f600"])
def test_other_characters_are_not(ch):
    assert not scripts.is_han(ch)
    assert not scripts.has_cjk(ch)
    assert scripts.count_cjk(ch) == 0


def test_latin_words_are_counted():
    assert scripts.count_latin_words("Café au lait, 中文 Zürich") == 4


def test_extension_b_is_chinese_for_the_segmenter():
    from aligner.segment import split_sentences

    # A full stop between two Han characters ends a Chinese sentence (not 3.5 or a URL) ...
    text = f"甲{EXT_B}.{EXT_B}乙。"
    assert [text[a:b] for a, b in split_sentences(text, "zh")] == [f"甲{EXT_B}.", f"{EXT_B}乙。"]
    # ... and a speech tag of Han characters after a quotation belongs to its sentence.
    text = f"“走！”{EXT_B}说。他走了。"
    assert [text[a:b] for a, b in split_sentences(text, "zh")] == [f"“走！”{EXT_B}说。", "他走了。"]


def test_extension_b_is_chinese_for_the_aligner():
    from aligner.align.pairing import Side

    side = Side("zh", [f"他写了{EXT_B}字。", "。"])
    assert EXT_B in side.zh_words[0]
    assert side.zh_words[1] == []  # punctuation alone has no words


def test_extension_b_is_chinese_for_the_glossary():
    from aligner.glossary.lint import lint_terms
    from aligner.glossary.match import Matcher, is_acronym
    from aligner.glossary.model import Glossary, Term

    m = Matcher("zh")
    m.add(f"{EXT_B}{EXT_B2}", "rare")
    text = f"看{EXT_B}{EXT_B2}字"
    assert [(text[s:e], p) for s, e, p in m.find(text)] == [(f"{EXT_B}{EXT_B2}", "rare")]
    assert not is_acronym(f"{EXT_B}AB")
    # a Chinese target written only in Extension B characters is in the right script
    g = Glossary([Term("rare word", EXT_B + EXT_B2)])
    assert g.src_lang == "en" and g.tgt_lang == "zh"
    assert not [p for p in lint_terms(g) if p.code == "script"]


def test_extension_b_is_chinese_for_language_detection():
    from aligner.io.text import contradicted_language, detect_language

    text = EXT_B * 3 + EXT_B2 + " ok go"
    assert detect_language(text) == "zh"
    assert contradicted_language(text, "en") == "zh"
    assert contradicted_language(text, "zh") is None


def test_fullwidth_folding_keeps_lengths():
    assert normalize.fold_fullwidth("ＧＤＰ　１２％") == "GDP 12%"
    assert normalize.fold_fullwidth("中文") == "中文"
    assert normalize.norm_en("Ｕ.S. “Cadre”") == "u s   cadre "
    assert len(normalize.norm_en("İstanbul")) == len("İstanbul")


def test_norm_zh_maps_offsets_back_when_nfkc_expands():
    folded, offsets = normalize.norm_zh("甲…乙")
    assert folded == "甲...乙"
    assert offsets == [0, 1, 1, 1, 2, 3]
    assert normalize.norm_zh("ＡＢ中") == ("ab中", None)
    assert normalize.fold_zh("ＣＣＰ") == "ccp"


def test_english_stems_and_lemmas():
    assert tokens.stem("went") == tokens.stem("goes") == tokens.stem("going") == "go"
    assert tokens.stem("children's") == "child"
    assert tokens.en_content_stems("The children went to the markets.") == ["child", "go", "market"]
    assert lemmas.base_form("taught") == "teach"
    # no King James table: archaic forms are left to the stemmer
    assert not {"hath", "unto", "begat", "smote", "thee"} & set(lemmas.IRREGULAR)


def test_one_stop_word_list_covers_both_old_ones():
    assert {"the", "whose", "us", "thing", "say"} <= tokens.EN_STOPWORDS
    assert "的" in tokens.ZH_STOPWORDS


def test_jieba_tokenizer_is_private_and_leaves_jieba_settings_alone():
    import jieba

    level = jieba.default_logger.level
    tok = tokens.jieba_tokenizer()
    assert tok is not jieba.dt and tok is tokens.jieba_tokenizer()
    assert jieba.default_logger.level == level
    assert tokens.zh_words("叶文洁看着他们。") == ["叶文洁", "看着", "他们"]
    assert ("干部", "n") in tokens.zh_tagged_words("干部")


def test_cedict_is_parsed_once_for_both_users():
    first = dictionary.entries()
    assert dictionary.entries() is first and len(first) > 100_000
    assert any("cadre" in d for d in dictionary.definitions_by_simplified()["干部"])
    from aligner.glossary.extract import definitions

    assert "cadre" in definitions("干部")
