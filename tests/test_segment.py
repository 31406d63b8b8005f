"""Sentence segmentation: the rules for English and Chinese, Markdown structure, presplit,
the exact-offset invariant (hypothesis), and the corpus article and its gold alignment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.model import Document
from aligner.segment import segment, segment_text, split_sentences

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def sents(text: str, lang: str = "en") -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


def seg_texts(text: str, lang: str = "en", presplit: bool = False) -> list[str]:
    return segment_text(text, lang, presplit=presplit).segment_texts()


# --- English ---------------------------------------------------------------------------

def test_en_basic_ends():
    assert sents("It rained. We stayed in! Did you? Yes…  Fine.") == [
        "It rained.", "We stayed in!", "Did you?", "Yes…", "Fine."]


@pytest.mark.parametrize("text", [
    "Mr. Smith met Mrs. Jones and Dr. Watson at St. Paul's.",
    "Prof. Li and Gen. Grant of the U.S. Army met Gov. Brown.",
    "The U.S. State Department and the U.K. Foreign Office agreed.",
    "The U.N. Security Council met.",
    "Acme Inc. Was sold to Foo Corp. Last year.",
    "Sen. Warren and Rep. Pelosi spoke on Jan. 10 and Feb. 3 this year.",
    "He left on Aug. 5, Sept. 9, Oct. 1, Nov. 2 or Dec. 31.",
    "She read No. 5 and Vol. 2 of the series.",
    "Apples vs. Oranges is a debate.",
    "Martin Luther King Jr. Day is a holiday.",
    "Smith & Co. Ltd. Announced profits.",
])
def test_en_abbreviations_do_not_end_sentences(text):
    assert sents(text) == [text]


def test_en_lowercase_abbreviations():
    assert sents("Bring fruit, e.g. apples, i.e. food, etc. and more.") == [
        "Bring fruit, e.g. apples, i.e. food, etc. and more."]
    assert sents("Some fruit (e.g. Apples) is red.") == ["Some fruit (e.g. Apples) is red."]


def test_en_decimals_and_numbers():
    assert sents("Growth was 3.5 percent. It was 2.75 in 2008.") == [
        "Growth was 3.5 percent.", "It was 2.75 in 2008."]
    # a sentence ending in a number, next sentence starting with a digit
    assert sents("He joined in 1981. 1994 was the year he left.") == [
        "He joined in 1981.", "1994 was the year he left."]


def test_en_initials():
    assert sents("J. K. Rowling wrote it. George R. R. Martin did not.") == [
        "J. K. Rowling wrote it.", "George R. R. Martin did not."]


def test_en_closing_quotes_and_brackets_stay_with_the_sentence():
    text = "Second, the CCP is far from democratic.” Third, it fails."
    assert sents(text) == ["Second, the CCP is far from democratic.”", "Third, it fails."]
    assert sents("He left (for good.) Then she came.") == ["He left (for good.)", "Then she came."]
    assert sents('"Stop!" She ran.') == ['"Stop!"', "She ran."]


def test_en_sentence_goes_on_after_quote_and_lowercase():
    assert sents('"Help!" he said. Nobody came.') == ['"Help!" he said.', "Nobody came."]
    assert sents("“It is of great significance,” he said.") == ["“It is of great significance,” he said."]


def test_en_opening_quote_starts_a_new_sentence():
    assert sents("He said so. “It is late.” Then he left.") == [
        "He said so.", "“It is late.”", "Then he left."]


def test_en_ellipsis():
    assert sents("I wonder... maybe not. Well… fine.") == ["I wonder... maybe not.", "Well… fine."]
    assert sents("He paused... Then he spoke.") == ["He paused...", "Then he spoke."]


def test_en_no_space_no_split():
    assert sents("See www.example.com.Now.") == ["See www.example.com.Now."]


def test_en_line_breaks():
    # byline and date lines: separate segments
    assert sents("By Gu Xiaohua, Epoch Times\nJanuary 25, 2009 Updated: January 26, 2009") == [
        "By Gu Xiaohua, Epoch Times", "January 25, 2009 Updated: January 26, 2009"]
    # wrapped prose: next line in lower case, or the line before ends mid-sentence
    assert sents("The party was\nfounded in 1921.") == ["The party was\nfounded in 1921."]
    assert sents("He lives in New York\nand works there.") == ["He lives in New York\nand works there."]
    assert sents("He met the\nPresident in Beijing.") == ["He met the\nPresident in Beijing."]
    assert sents("He came from Nanjing,\nJiangsu Province.") == ["He came from Nanjing,\nJiangsu Province."]
    # a line ending in a full stop: the sentence rules decide (Mr. does not end it)
    assert sents("He met Mr.\nSmith. He left.") == ["He met Mr.\nSmith.", "He left."]
    assert sents("One.\nTwo.") == ["One.", "Two."]
    # a blank line always ends a sentence
    assert sents("no end here\n\nand a new one") == ["no end here", "and a new one"]


def test_en_segments_exclude_whitespace():
    text = "  First one.   Second one.  \n"
    spans = split_sentences(text, "en")
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one."]
    assert split_sentences("   \n \t ", "en") == []
    assert split_sentences("", "en") == []


# --- Chinese ---------------------------------------------------------------------------

def test_zh_basic_ends():
    assert sents("天晴了。我们出去吧！好吗？好！？走。", "zh") == [
        "天晴了。", "我们出去吧！", "好吗？", "好！？", "走。"]


def test_zh_quote_inside_and_closing_quote_attached():
    text = "他说：“第一，中共不是为人民服务的党。第二，中共毫不民主。”"
    assert sents(text, "zh") == ["他说：“第一，中共不是为人民服务的党。", "第二，中共毫不民主。”"]
    assert sents("他笑了。”她说不。", "zh") == ["他笑了。”", "她说不。"]
    assert sents("（这是注释！）正文在此。", "zh") == ["（这是注释！）", "正文在此。"]
    assert sents("「好。」她走了。", "zh") == ["「好。」", "她走了。"]


def test_zh_quote_inside_sentence_does_not_split():
    # no end punctuation inside the quotation: one sentence
    assert sents("他被扣上“反党分子”的帽子。后来走了。", "zh") == ["他被扣上“反党分子”的帽子。", "后来走了。"]
    # a quotation ending in ！ followed by a speech tag: one sentence
    assert sents("“走吧！”他说。我们走了。", "zh") == ["“走吧！”他说。", "我们走了。"]
    assert sents("“你来吗？”她笑着问，“还是不来？”", "zh") == ["“你来吗？”她笑着问，“还是不来？”"]


def test_zh_ellipsis():
    assert sents("他想了想……然后走了。", "zh") == ["他想了想……", "然后走了。"]
    assert sents("等等……”他说不出话来。", "zh") == ["等等……”", "他说不出话来。"]


def test_zh_semicolon():
    # ；joins the clauses of one sentence ...
    assert sents("他没有房子；也没有工作。", "zh") == ["他没有房子；也没有工作。"]
    # ... and ends a segment where a space or the line end follows it
    assert sents("第一条；\n第二条；", "zh") == ["第一条；", "第二条；"]
    assert sents("第一条； 第二条。", "zh") == ["第一条；", "第二条。"]


def test_zh_half_width_punctuation():
    assert sents("真的吗?是的!好.走了.", "zh") == ["真的吗?", "是的!", "好.", "走了."]
    assert sents("Yahoo!Inc是公司。增长3.5%。", "zh") == ["Yahoo!Inc是公司。", "增长3.5%。"]
    assert sents("访问www.example.com。", "zh") == ["访问www.example.com。"]


def test_zh_newlines_are_boundaries():
    assert sents("大纪元时报记者顾晓华报道\n2009年1月25日 更新：2009年1月26日", "zh") == [
        "大纪元时报记者顾晓华报道", "2009年1月25日 更新：2009年1月26日"]


def test_zh_language_tag_variants():
    assert sents("一。二。", "zh-CN") == ["一。", "二。"]


# --- Documents: paragraphs, Markdown, presplit ----------------------------------------------

def test_paragraphs_and_ids():
    doc = segment_text("One. Two.\n\nThree.\n", "en")
    assert [(s.id, s.text, s.paragraph) for s in doc.segments] == [
        (0, "One.", 0), (1, "Two.", 0), (2, "Three.", 1)]


def test_markdown_heading_and_lists_markers_stay_outside():
    text = ("# The Title\n"
            "Intro line. Second sentence.\n"
            "\n"
            "- first item\n"
            "- second item. With two sentences.\n"
            "* star item\n"
            "+ plus item\n"
            "1. numbered item\n"
            "2) other numbered\n"
            "## Sub heading\n"
            "Text.\n")
    doc = segment_text(text, "en")
    assert [(s.text, s.paragraph) for s in doc.segments] == [
        ("The Title", 0), ("Intro line.", 1), ("Second sentence.", 1),
        ("first item", 2), ("second item.", 3), ("With two sentences.", 3),
        ("star item", 4), ("plus item", 5), ("numbered item", 6), ("other numbered", 7),
        ("Sub heading", 8), ("Text.", 9)]
    # the marker is just before the segment, so a translation can go behind it
    first_item = doc.segments[3]
    assert text[first_item.start - 2:first_item.start] == "- "
    heading = doc.segments[0]
    assert text[:heading.start] == "# "


def test_markdown_chinese_and_rules():
    text = "# 标题\n\n- 第一项。第二句。\n\n---\n\n正文。\n"
    doc = segment_text(text, "zh")
    assert doc.segment_texts() == ["标题", "第一项。", "第二句。", "正文。"]
    assert [s.paragraph for s in doc.segments] == [0, 1, 1, 2]


def test_list_item_continuation_line():
    text = "- a long item that\n  goes on here.\n- next"
    assert seg_texts(text) == ["a long item that\n  goes on here.", "next"]


def test_not_markdown():
    # `#tag` is no heading, `-5 degrees` no list item
    assert seg_texts("#tag is here.\n\n-5 degrees today.") == ["#tag is here.", "-5 degrees today."]


def test_presplit():
    text = "  First line. Still first.  \n\n# not a heading here\nthird line\n   \n"
    doc = segment_text(text, "en", presplit=True)
    assert [(s.text, s.paragraph) for s in doc.segments] == [
        ("First line. Still first.", 0), ("# not a heading here", 1), ("third line", 1)]
    for s in doc.segments:
        assert text[s.start:s.end] == s.text


def test_segment_resets_and_returns_doc():
    doc = Document(lang="en", text="One. Two.")
    assert segment(doc) is doc
    segment(doc)
    assert [s.id for s in doc.segments] == [0, 1]


# --- The invariant, for any text ------------------------------------------------------------

_MARKER = re.compile(r"[ \t]*(?:#{1,6}|[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
from aligner.segment import _FENCE  # noqa: E402  (the same opening-fence rule)

_TABLE_ROW = re.compile(r"[ \t]{0,3}\|")
_TABLE_DELIMITER = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)*[ \t]*:?-+:?[ \t]*\|?[ \t]*")
_RULE = re.compile(r"[ \t]{0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*")


def check_invariant(doc: Document, presplit: bool) -> None:
    text = doc.text
    pos = 0
    rebuilt = []
    for i, s in enumerate(doc.segments):
        assert s.id == i
        assert pos <= s.start < s.end, "segments must be in order, non-overlapping, non-empty"
        assert s.text == text[s.start:s.end]
        assert s.text.strip() == s.text and s.text, "no surrounding whitespace"
        rebuilt.append(text[pos:s.start])
        rebuilt.append(s.text)
        pos = s.end
    rebuilt.append(text[pos:])
    assert "".join(rebuilt) == text
    paragraphs = [s.paragraph for s in doc.segments]
    assert paragraphs == sorted(paragraphs)
    # every character outside segments is whitespace, or (not presplit) Markdown structure
    covered = [False] * len(text)
    for s in doc.segments:
        covered[s.start:s.end] = [True] * (s.end - s.start)
    line_start = 0
    fence = ""  # inside a fenced code block, which is kept as it is, untranslated
    for line in text.split("\n"):
        marker_end = line_start
        if not presplit:
            stripped = line.strip(" \t")
            m = _FENCE.match(line)
            if fence:
                if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence) \
                        and len(line) - len(line.lstrip(" ")) <= 3:
                    fence = ""
                line_start += len(line) + 1
                continue
            if m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):
                fence = m.group(1)
                line_start += len(line) + 1
                continue
        if not presplit:
            if _RULE.fullmatch(line):
                marker_end = line_start + len(line)
            else:
                m = _MARKER.match(line)
                if m:
                    marker_end = line_start + m.end()
        # A Markdown table row's pipes (and a whole delimiter row) are structure too.
        table = not presplit and _TABLE_ROW.match(line) is not None
        for k in range(line_start, line_start + len(line)):
            if not covered[k] and not text[k].isspace():
                if table and (text[k] == "|" or _TABLE_DELIMITER.fullmatch(line)):
                    continue
                assert k < marker_end, f"lost text {text[k]!r} at {k} in {line!r}"
        line_start += len(line) + 1


_ALPHABET = st.sampled_from(list(
    "aZq Mr.U.S e.g3.5 J K \n\n\t  。！？；…，：“”‘’\"'()（）「」《》[]#-*+1.)!?,;:"
    "中文的人他说了好") + ["\r", "\u3000", "\u00a0", "Ж", "é", "😀", "...", "……", "。”", "\n- ", "\n# ", "\n1. "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join), st.sampled_from(["en", "zh"]), st.booleans())
def test_invariant_any_text(text, lang, presplit):
    doc = segment_text(text, lang, presplit=presplit)
    check_invariant(doc, presplit)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "zh"]), st.booleans())
def test_invariant_arbitrary_unicode(text, lang, presplit):
    check_invariant(segment_text(text, lang, presplit=presplit), presplit)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["", "   ", "A long line of prose. " * 40, "长句子。" * 200, "x"]),
                max_size=12).map("\n".join), st.sampled_from(["en", "zh"]))
def test_invariant_long_and_empty_lines(text, lang):
    check_invariant(segment_text(text, lang), False)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_split_sentences_spans_are_trimmed_and_ordered(lang):
    text = "  Hello there.  你好。\n\n  Next!  下一个！  "
    spans = split_sentences(text, lang)
    last = 0
    for a, b in spans:
        assert last <= a < b
        assert text[a:b].strip() == text[a:b]
        last = b


# --- The corpus article --------------------------------------------------------------------

@pytest.fixture(scope="module")
def article():
    en = segment_text((CORPUS / "article.en.txt").read_text(encoding="utf-8"), "en")
    zh = segment_text((CORPUS / "article.zh.txt").read_text(encoding="utf-8"), "zh")
    return en, zh


def test_article_segments(article):
    en, zh = article
    # title, byline, date, then the sentences; the translator split two English sentences in
    # two and joined two pairs into one (article.gold), so the counts agree but not the order
    assert len(en.segments) == len(zh.segments) == 22
    assert en.segments[1].text == "By Gu Xiaohua, Epoch Times"
    assert en.segments[2].text == "January 25, 2009 Updated: January 26, 2009"
    assert zh.segments[1].text == "大纪元时报记者顾晓华报道"
    assert en.segments[12].text == "“First the CCP is not a party of service to the people."
    assert zh.segments[13].text == "他说：“第一，中共不是为人民服务的党。"
    assert zh.segments[16].text.endswith("手段。”")
    assert zh.segments[4].text == "他以真实姓名宣布其中共党员身份作废。"
    assert sorted({s.paragraph for s in en.segments}) == sorted({s.paragraph for s in zh.segments})
    check_invariant(en, False)
    check_invariant(zh, False)


def _read_gold(path: Path) -> list[tuple[list[int], list[int]]]:
    beads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"\[([\d,]*)\]:\[([\d,]*)\]", line.strip())
        assert m, f"malformed gold line {line!r}"
        beads.append(tuple([int(x) for x in g.split(",") if x] for g in m.groups()))
    return beads


def test_article_gold_covers_every_segment_once_in_order(article):
    en, zh = article
    beads = _read_gold(CORPUS / "article.gold")
    src = [i for s, _ in beads for i in s]
    tgt = [j for _, t in beads for j in t]
    assert src == list(range(len(en.segments)))
    assert tgt == list(range(len(zh.segments)))
