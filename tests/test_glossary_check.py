"""`glossary check` (violations in bitexts) and `glossary extract` (proposals from bitexts),
on the seed article paired paragraph by paragraph with its professional translation."""

from __future__ import annotations

import json

import pytest

from aligner.errors import InputError
from aligner.glossary import load_glossaries
from aligner.glossary.check import check_bitext, read_any_bitext
from aligner.glossary.extract import extract_terms, proposals_glossary
from aligner.glossary.formats import FORMATS
from aligner.io.bitext_jsonl import write_bitext
from aligner.model import Bead, Bitext, Document

NEWS = "glossaries/news.tsv"


def paragraphs(lang: str) -> list[str]:
    text = open(f"corpus/article.{lang}.txt", encoding="utf-8").read()
    return [p for p in text.split("\n\n") if p.strip()]


def article_bitext(src: str = "en", tgt: str = "zh", edit=None) -> Bitext:
    a, b = paragraphs(src), paragraphs(tgt)
    assert len(a) == len(b) == 12
    if edit:
        b = edit(list(b))
    return Bitext(Document.from_sentences(src, a), Document.from_sentences(tgt, b),
                  [Bead([i], [i], id=i) for i in range(len(a))])


@pytest.fixture(scope="module")
def news():
    return load_glossaries([NEWS])


def test_the_professional_translation_is_clean(news):
    report = check_bitext(article_bitext(), news)
    assert report.beads == 12 and report.terms == 50
    assert report.violations == []


def test_planted_violations_are_all_found(news):
    def plant(zh):
        zh[2] = zh[2].replace("朱志强", "朱智强")            # forbidden rendering of a name
        zh[5] = zh[5].replace("文职干部", "文职人员")        # civilian cadre left unrendered
        zh[8] = zh[8].replace("中共", "共产党", 1)           # one CCP of four: the others count
        zh[7] = zh[7].replace("中共", "共产党")              # the only CCP of the bead
        zh[10] = zh[10].replace("他说", "骨干说")            # nothing to find: no cadre in bead 10
        return zh

    report = check_bitext(article_bitext(edit=plant), news)
    got = [(v.bead, v.kind, v.term, v.expected, v.found) for v in report.violations]
    assert got == [
        (2, "forbidden", "Zhu Zhiqiang", "朱志强", "朱智强"),
        (5, "missing", "civilian cadre", "文职干部", None),
        (7, "missing", "CCP", "中共", None),
    ]
    v = report.violations[0]
    assert v.src_text[v.start:v.end] == "Zhu Zhiqiang"
    assert "朱智强" in v.tgt_text and v.glossary == f"{NEWS}:9"


def test_zh_en_check_finds_the_translation_s_own_inconsistency(news):
    # The translator wrote "withdraw his membership" for 退党 once; the glossary says
    # "party withdrawal" (as the same translation has it twice elsewhere).
    report = check_bitext(article_bitext("zh", "en"), news)
    assert [(v.bead, v.term, v.expected) for v in report.violations] == [(7, "退党", "party withdrawal")]


def test_untranslated_beads_are_not_violations(news):
    bt = Bitext(Document.from_sentences("en", ["A CCP cadre."]), Document.from_sentences("zh", []),
                [Bead([0], [], id=0)])
    assert check_bitext(bt, news).violations == []


def test_a_bitext_in_other_languages_is_refused(news):
    bt = Bitext(Document.from_sentences("en", ["x"]), Document.from_sentences("fr", ["x"]), [Bead([0], [0])])
    with pytest.raises(InputError, match="the bitext is en-fr"):
        check_bitext(bt, news)


def test_reads_jsonl_tsv_and_tmx_bitexts(tmp_path, news):
    jl = tmp_path / "a.jsonl"
    write_bitext(article_bitext(), jl)
    assert check_bitext(read_any_bitext(jl), news).violations == []

    tsv = tmp_path / "memory.tsv"
    tsv.write_text("source\ttarget\nA CCP cadre.\t一名中共骨干。\nZhu said.\t朱志强说。\n", encoding="utf-8")
    report = check_bitext(read_any_bitext(tsv), news, path=str(tsv))
    assert [(v.bead, v.kind, v.term, v.found) for v in report.violations] == [
        (0, "forbidden", "cadre", "骨干")]

    tmx = tmp_path / "memory.tmx"
    tmx.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence"
 adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="zh-CN"><seg>南京军区的干部</seg></tuv><tuv xml:lang="en-US"><seg>a cadre of the South Capital Military Region</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>中共</seg></tuv><tuv xml:lang="en-US"><seg>the CCP</seg></tuv></tu>
</body></tmx>""", encoding="utf-8")
    report = check_bitext(read_any_bitext(tmx), news)
    assert (report.src_lang, report.tgt_lang) == ("zh", "en")
    assert [(v.bead, v.term, v.expected) for v in report.violations] == [
        (0, "南京军区", "Nanjing Military Region")]


def test_report_json_is_serialisable(news):
    report = check_bitext(article_bitext(edit=lambda zh: [p.replace("干部", "骨干") for p in zh]), news)
    data = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    # the CCP cadre of bead 2 (forbidden 骨干), the civilian cadre of bead 5 (文职骨干)
    assert data["violations"] == len(data["items"]) == 2
    assert [(i["bead"], i["kind"], i["found"]) for i in data["items"]] == [
        (2, "forbidden", "骨干"), (5, "missing", None)]


# --- extract ----------------------------------------------------------------------------------

def test_extract_proposes_names_and_lexicon_terms(tmp_path):
    proposals = extract_terms([("article", article_bitext())])
    got = {(p.source, p.target, p.kind) for p in proposals}
    for row in [("Zhu Zhiqiang", "朱志强", "name"), ("Gu Xiaohua", "顾晓华", "name"),
                ("Nanjing", "南京", "name"), ("Jiangsu Province", "江苏省", "name"),
                ("Nanjing Military Region", "南京军区", "name"), ("Beijing", "北京", "name"),
                ("cadre", "干部", "term"), ("statement", "声明", "term")]:
        assert row in got
    # Not the pieces of a longer name.
    assert ("Zhiqiang", "志强", "name") not in got
    cadre = next(p for p in proposals if p.target == "干部")
    assert cadre.count == 2 and cadre.example.startswith("article#bead 2: 48 year-old")
    assert "CC-CEDICT" in cadre.note

    # A glossary's own terms are left out; the proposals are a glossary file themselves.
    known = load_glossaries([NEWS])
    rest = extract_terms([("article", article_bitext())], glossary=known)
    assert not {(p.source, p.target) for p in rest} & {(t.source, t.target) for t in known}
    path = tmp_path / "proposals.tsv"
    FORMATS["tsv"].write(proposals_glossary(rest), path)
    back = load_glossaries([path])
    assert [t.source for t in back] == [p.source for p in rest]
    assert back.terms[0].extra["count"] == str(rest[0].count)


def test_extract_works_from_the_chinese_side_too():
    proposals = extract_terms([("zh", article_bitext("zh", "en"))], terms=False)
    assert ("Zhu Zhiqiang", "朱志强") in {(p.source, p.target) for p in proposals}
