"""Term matching: word boundaries, case rules, inflections, aliases, longest match, Chinese
substrings with full-width folding, offsets into the original text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.glossary import Glossary, Term, load_glossaries
from aligner.glossary.match import Matcher, count_cjk, inflections, is_acronym, norm_zh

NEWS = "glossaries/news.tsv"


@pytest.fixture(scope="module")
def news() -> Glossary:
    return load_glossaries([NEWS])


def found(g: Glossary, text: str, lang: str) -> list[tuple[str, str]]:
    return [(m.text, m.entry.rendering) for m in g.find(text, lang)]


def test_offsets_point_into_the_original_text(news):
    text = "48 year-old Chinese Communist Party (CCP) cadre, Zhu Zhiqiang, a resident of Nanjing"
    for m in news.find(text, "en"):
        assert text[m.start:m.end] == m.text
    assert found(news, text, "en") == [
        ("Chinese Communist Party", "中国共产党"), ("CCP", "中共"), ("cadre", "干部"),
        ("Zhu Zhiqiang", "朱志强"), ("Nanjing", "南京")]


def test_english_word_boundaries(news):
    assert found(news, "Nanjingese cadreship and CCPX", "en") == []
    assert found(news, "(cadre)", "en") == [("cadre", "干部")]
    assert found(news, "the CCP’s actions", "en") == [("CCP", "中共")]


def test_case_rules(news):
    # Insensitive by default, whatever the capitals.
    assert found(news, "CADRE, Cadre and cadre", "en") == [("CADRE", "干部"), ("Cadre", "干部"),
                                                           ("cadre", "干部")]
    # All-capital acronyms are case-sensitive by default.
    assert found(news, "the ccp and the Ccp", "en") == []
    # The case column overrides both defaults.
    g = Glossary([Term("Party", "党", case="sensitive"), Term("WHO", "世卫组织", case="insensitive")])
    assert found(g, "party Party who", "en") == [("Party", "党"), ("who", "世卫组织")]


def test_inflections_and_aliases(news):
    text = "cadres and party withdrawals; he was demobilized, demobilised; Zhu; Nanking"
    assert found(news, text, "en") == [
        ("cadres", "干部"), ("party withdrawals", "退党"), ("demobilized", "复员"),
        ("demobilised", "复员"), ("Zhu", "朱志强"), ("Nanking", "南京")]
    assert "cadres" in inflections("cadre") and "parties" in inflections("party")
    assert inflections("Zhu Zhiqiang") == [] and inflections("CCP") == []


def test_longest_match_wins(news):
    text = "in Nanjing Military Region and the Nanjing Goods & Materials Group Corporation, Nanjing"
    assert found(news, text, "en") == [
        ("Nanjing Military Region", "南京军区"),
        ("Nanjing Goods & Materials Group Corporation", "南京物资集团公司"),
        ("Nanjing", "南京")]
    assert found(news, "a civilian cadre", "en") == [("civilian cadre", "文职干部")]


def test_chinese_substrings_longest_first(news):
    text = "江苏省南京市居民朱志强在南京军区担任文职干部"
    assert found(news, text, "zh") == [
        ("江苏省", "Jiangsu Province"), ("南京", "Nanjing"), ("朱志强", "Zhu Zhiqiang"),
        ("南京军区", "Nanjing Military Region"), ("文职干部", "civilian cadre")]


def test_chinese_full_width_folding_keeps_original_offsets(news):
    text = "今年ＧＤＰ增长，中共（ＣＣＰ）"
    ms = news.find(text, "zh")
    assert [(text[m.start:m.end], m.entry.rendering) for m in ms] == [("ＧＤＰ", "GDP"), ("中共", "CCP")]
    # NFKC changes the length of some characters (㈱, ﬁ): offsets still index the original.
    text = "㈱㈱南京①朱志强"
    assert [(text[m.start:m.end]) for m in news.find(text, "zh")] == ["南京", "朱志强"]


def test_latin_words_in_chinese_keep_word_boundaries(news):
    assert found(news, "GDPR规定；GDP增长", "zh") == [("GDP", "GDP")]


def test_zh_en_direction_accepts_aliases_and_knows_forbidden_renderings(news):
    d = news.direction("zh", "en")
    entry = d.find("朱志强说")[0].entry
    assert entry.rendering == "Zhu Zhiqiang"
    assert "Zhu" in entry.accepted
    # "Chu Chih-chiang -> 朱志强, forbidden": 朱志强 is an approved target, so the English
    # side is the forbidden one.
    assert entry.forbidden == ("Chu Chih-chiang",)
    en_entry = news.direction("en", "zh").find("Zhu Zhiqiang")[0].entry
    assert en_entry.forbidden == ("朱智强",)
    assert [m.text for m in news.find_forbidden("Chu Chih-chiang said", "en")] == ["Chu Chih-chiang"]
    assert [m.text for m in news.find_forbidden("骨干朱智强", "zh")] == ["骨干", "朱智强"]


def test_is_acronym():
    assert is_acronym("CCP") and is_acronym("U.S.") and is_acronym("G20")
    assert not is_acronym("Nanjing") and not is_acronym("A") and not is_acronym("中共")


# --- the selection rule against a plain reference implementation ----------------------

def naive_leftmost_longest(keys: list[str], text: str, words: bool) -> list[tuple[int, int]]:
    """Scan left to right; at each position take the longest key that starts there (English:
    on word boundaries)."""
    out, i = [], 0
    low = text.lower() if words else text
    while i < len(text):
        best = None
        if not words or i == 0 or not low[i - 1].isalnum():
            for k in keys:
                k = k.lower() if words else k
                if low.startswith(k, i) and (not words or i + len(k) == len(text)
                                             or not low[i + len(k)].isalnum()):
                    if best is None or len(k) > best:
                        best = len(k)
        if best:
            out.append((i, i + best))
            i += best
        else:
            i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.text("南京军区中共", min_size=1, max_size=4), min_size=1, max_size=6),
       text=st.text("南京军区中共，", max_size=30))
def test_chinese_selection_matches_the_reference(keys, text):
    m = Matcher("zh")
    for i, k in enumerate(keys):
        m.add(k, i)
    got = [(s, e) for s, e, _ in m.find(text)]
    assert got == naive_leftmost_longest(keys, text, words=False)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.lists(st.sampled_from(["ab", "b", "abc", "c"]), min_size=1, max_size=3)
                     .map(" ".join), min_size=1, max_size=5),
       text=st.lists(st.sampled_from(["ab", "b", "abc", "c", ",", "x"]), max_size=12).map(" ".join))
def test_english_selection_matches_the_reference(keys, text):
    m = Matcher("en")
    for i, k in enumerate(keys):
        m.add(k, i)
    got = [(s, e) for s, e, _ in m.find(text)]
    assert got == naive_leftmost_longest(keys, text, words=True)


def test_find_all_reports_overlapping_matches():
    m = Matcher("zh")
    for k in ("南京", "南京军区", "军区"):
        m.add(k, k)
    assert sorted(p for _, _, p in m.find_all("南京军区")) == ["军区", "南京", "南京军区"]
    assert [p for _, _, p in m.find("南京军区")] == ["南京军区"]


def test_the_seed_article_terms_are_all_found(news):
    text = open("corpus/article.en.txt", encoding="utf-8").read()
    names = {m.entry.source for m in news.find(text, "en")}
    for term in ("Zhu Zhiqiang", "Gu Xiaohua", "Epoch Times", "Nanjing", "Jiangsu Province",
                 "Nanjing Military Region", "Nanjing Goods & Materials Group Corporation",
                 "Chinese Communist Party", "CCP", "cadre", "civilian cadre", "Olympic Games",
                 "anti-party element", "party withdrawal", "Beijing", "captain", "demobilize"):
        assert term in names
    assert re.search("Zhu Zhiqiang", text)


# --- Chinese: Latin word boundaries, folding and offsets (the daachorse path) ----------

def naive_chinese_with_latin(keys: list[str], text: str) -> list[tuple[int, int]]:
    """Leftmost-longest substrings (case-folded), where a key that starts or ends with an
    ASCII letter/digit must not continue a Latin word of the text on that side."""
    def latin(c: str) -> bool:
        return c.isascii() and c.isalnum()

    low = text.lower()
    out, i = [], 0
    while i < len(text):
        best = 0
        for k in (k.lower() for k in keys):
            j = i + len(k)
            if (low.startswith(k, i) and len(k) > best
                    and not (latin(k[0]) and i > 0 and latin(low[i - 1]))
                    and not (latin(k[-1]) and j < len(low) and latin(low[j]))):
                best = len(k)
        if best:
            out.append((i, i + best))
            i += best
        else:
            i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.text("南京GDPgdp1-", min_size=1, max_size=4), min_size=1, max_size=6),
       text=st.text("南京GDPgdp1- ，", max_size=30))
def test_chinese_latin_boundaries_match_the_reference(keys, text):
    m = Matcher("zh")
    for i, k in enumerate(keys):
        m.add(k, i)
    got = [(s, e) for s, e, _ in m.find(text)]
    assert got == naive_chinese_with_latin(keys, text)
    every = {(s, e) for s, e, _ in m.find_all(text)}
    assert set(got) <= every


def test_full_width_latin_keeps_word_boundaries(news):
    # Full-width letters are folded before the boundary test: ＧＤＰＲ is one word, like GDPR.
    text = "ＧＤＰＲ规定；ＧＤＰ增长；GDP2"
    assert [(m.start, m.end) for m in news.find(text, "zh")] == [(7, 10)]


def reference_norm_zh(text: str) -> tuple[str, list[int]]:
    """The folding character by character, with the offset of each folded character."""
    import unicodedata

    parts, offsets = [], []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch)
        n = n.lower() if len(n.lower()) == len(n) else n
        parts.append(n)
        offsets += [i] * len(n)
    return "".join(parts), offsets + [len(text)]


@settings(max_examples=300, deadline=None)
@given(text=st.text("南京AaＧｄ　，…㈱ﬁİ①½\u0301", max_size=25))
def test_norm_zh_folds_each_character_and_maps_offsets(text):
    folded, offsets = norm_zh(text)
    want, want_offsets = reference_norm_zh(text)
    assert folded == want
    if offsets is None:  # only when no character changed length
        assert len(folded) == len(text)
    else:
        assert offsets == want_offsets


def test_chinese_matches_map_back_through_nfkc_and_latin_marks():
    m = Matcher("zh")
    for k in ("gdp", "南京", "南京军区", "…南京"):
        m.add(k, k)
    text = "㈱ＧＤＰ…南京军区GDP"  # ㈱ -> (株), … -> ... : the folded text is longer
    found = [(text[s:e], p) for s, e, p in m.find(text)]
    assert found == [("ＧＤＰ", "gdp"), ("…南京", "…南京"), ("GDP", "gdp")]
    every = sorted((text[s:e], p) for s, e, p in m.find_all(text))
    assert every == sorted([("GDP", "gdp"), ("ＧＤＰ", "gdp"), ("…南京", "…南京"), ("南京", "南京"),
                            ("南京军区", "南京军区")])


def test_sentinel_characters_in_forms_and_texts_are_plain_characters():
    m = Matcher("zh")
    for k in ("GDP", "\ufdd0", "\ufdd0GDP"):
        m.add(k, k)
    text = "\ufdd0GDP\ufdd1GDPR\ufdd0"
    assert [(s, e, p) for s, e, p in m.find(text)] == [(0, 4, "\ufdd0GDP"), (9, 10, "\ufdd0")]


def test_first_payload_wins_and_find_all_lists_each_once():
    for lang, form, variant in (("zh", "南京", "南京"), ("en", "cadres", "cadre")):
        m = Matcher(lang)
        a, b = object(), object()
        m.add(form, a)
        m.add(variant, b, inflect=True)  # en: "cadre" inflects to "cadres", a second route
        m.add(form, a)
        m.add(" ", b)  # blank forms are ignored
        text = f"{form}, {form}"
        assert [p for _, _, p in m.find(text)] == [a, a]
        assert [p for _, _, p in m.find_all(text)].count(b) == 2
        assert [p for _, _, p in m.find_all(text)].count(a) == 2


def test_matcher_built_for_listing_still_finds():
    m = Matcher("zh")
    for k in ("南京", "南京军区", "军区"):
        m.add(k, k)
    m.build(overlapping=True)
    assert sorted(p for _, _, p in m.find_all("南京军区")) == ["军区", "南京", "南京军区"]
    assert [p for _, _, p in m.find("南京军区")] == ["南京军区"]  # builds the other automaton
    assert len(m) == 3
    with pytest.raises(RuntimeError):
        m.add("中共", "中共")


def test_a_whole_document_matches_like_its_sentences(news, monkeypatch):
    import gc

    def touched(*args):
        raise AssertionError("library code changed the process-wide garbage collector")

    for name in ("disable", "enable", "freeze", "set_threshold"):
        monkeypatch.setattr(gc, name, touched)
    g = load_glossaries([NEWS])  # loading, building and matching leave the collector alone
    assert g.direction("zh", "en").source_matcher and g.direction("en", "zh").rendering_matcher
    for lang, path in (("en", "corpus/article.en.txt"), ("zh", "corpus/article.zh.txt")):
        sentences = open(path, encoding="utf-8").read().split("\n")
        while sum(map(len, sentences)) <= 50_000:  # a whole document, not a sentence
            sentences += sentences
        text = "\n".join(sentences)
        want, at = [], 0
        for s in sentences:
            want += [(m.start + at, m.end + at, m.entry.id) for m in news.find(s, lang)]
            at += len(s) + 1
        assert gc.isenabled()
        assert [(m.start, m.end, m.entry.id) for m in news.find(text, lang)] == want
        assert gc.isenabled()


def test_count_cjk_counts_characters():
    assert count_cjk("中文abc字，𠀀") == 4
    assert count_cjk("") == 0


def test_find_indexed_is_find_without_the_tuples():
    for lang, forms, text in (("zh", ["南京", "GDP", "南京军区"], "南京军区的ＧＤＰ，南京"),
                              ("en", ["cadre", "CCP", "party cadre"], "a CCP party cadres and cadre")):
        m = Matcher(lang)
        for f in forms:
            m.add(f, f, sensitive=f.isupper(), inflect=True)
        found, payloads = m.find_indexed(text)
        rows = found if payloads is None else [(s, e, payloads[i]) for s, e, i in found]
        assert rows == m.find(text) and rows
        assert m.find_indexed("") == ([], None)


def test_lone_surrogates_in_texts_and_forms():
    # A text decoded with errors="surrogateescape" keeps undecodable bytes as lone surrogates.
    text = b"\xff\xfe\xe5\x8d\x97\xe4\xba\xac GDP".decode("utf-8", "surrogateescape")
    m = Matcher("zh")
    for k in ("南京", "GDP", "\udcfe南"):
        m.add(k, k)
    assert [(text[s:e], p) for s, e, p in m.find(text)] == [("\udcfe南", "\udcfe南"), ("GDP", "GDP")]
    assert sorted(p for _, _, p in m.find_all(text)) == ["GDP", "南京", "\udcfe南"]
    en = Matcher("en")
    en.add("nanjing", 1)
    assert en.find("\udc80 Nanjing") == [(2, 9, 1)]


PLAIN_ROWS = [("Zhu Zhiqiang", "朱志强"), ("party cadre", "党干部"), ("CCP", "中共"), ("cadre", "干部"),
              ("C++", "C++语言"), ("Nanjing Military Region", "南京军区"), ("Nanjing", "南京"),
              ("cadre", "骨干"), ("WTO", "世贸组织"), ("GDP", "国内生产总值"), ("A", "甲"),
              ("party", "党"), ("policy", "政策"), ("Pig Wall", "猪墙")]
PLAIN_TEXTS = {"en": ["48 year-old CCP cadres, Zhu Zhiqiang of the Nanjing Military Region, used C++ and GDP",
                      "party cadres, parties, policies, a policy; the wto and the WTO; CADRE Cadre cadre. A"],
               "zh": ["中共干部朱志强在南京军区用C++语言，国内生产总值GDP", "党干部、骨干、世贸组织、甲、猪墙"]}


def _observed(g: Glossary) -> list:
    """Everything a caller sees of a glossary: its rows, and per direction every entry, every
    match and every rendering found in PLAIN_TEXTS."""
    def term(t):
        return (t.where, t.fields())

    out = [[term(t) for t in g.terms]]
    for src, tgt in (("en", "zh"), ("zh", "en")):
        d = g.direction(src, tgt)
        out.append([(m.start, m.end, m.text, term(m.term), m.entry.id) for text in PLAIN_TEXTS[src]
                    for m in g.find(text, src)])
        out.append([(m.start, m.end, m.text, term(m.term), m.entry.id) for text in PLAIN_TEXTS[tgt]
                    for m in d.renderings(text)])
        out.append([(e.id, term(e.term), e.source, e.rendering, e.accepted, e.forms, e.sensitive,
                     [r.where for r in e.rows]) for e in d.entries])
    return out


def test_plain_rows_read_as_columns_match_like_terms(tmp_path):
    """A TSV of plain rows (source, target, note) is read column by column and its terms are
    made on first use: the rows, entries and matches are those of the row-by-row reader."""
    from aligner.glossary.formats.base import build_glossary
    from aligner.glossary.formats.tsv import TsvFormat

    en_zh = tmp_path / "en-zh.tsv"
    en_zh.write_text("source\ttarget\tnote\n" + "".join(f"{e}\t{z}\tn{i}\n" for i, (e, z) in
                                                           enumerate(PLAIN_ROWS)), encoding="utf-8")
    zh_en = tmp_path / "zh-en.tsv"
    zh_en.write_text("zh\ten\n全国人大\tNPC\n干部们\tcadre group\n", encoding="utf-8")
    for paths in ([en_zh], [en_zh, zh_en], [zh_en, en_zh]):
        lazy = load_glossaries(paths)
        assert lazy._stores is not None  # (the column store, not a list of terms)
        # The row-by-row reader (as for lint, which keeps each row as written)
        rows = Glossary.merge(build_glossary(TsvFormat().parse(p.read_bytes(), str(p), keep_raw=True),
                                             str(p)) for p in paths)
        assert rows._stores is None
        # Directions built from the columns, then the rows asked for...
        assert _observed(lazy) == _observed(rows)
        # ... or the rows first (every term made), then directions built from the terms.
        again = load_glossaries(paths)
        assert [t.fields() for t in again.terms] == [t.fields() for t in rows.terms]
        assert _observed(again) == _observed(rows)
        # A match's term is the glossary's own row, whenever the rows are made.
        fresh = load_glossaries(paths)
        m = fresh.find("the CCP cadre", "en")
        assert [x.text for x in m] == ["CCP", "cadre"]
        made = {id(t): t for t in fresh.terms}
        assert made.get(id(m[0].term)) is m[0].term and made.get(id(m[1].term)) is m[1].term
        assert len(fresh) == len(rows)
