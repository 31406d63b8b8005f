"""Glossary files: the shipped news glossary, TSV/CSV/TBX/JSONL round trips, and malformed
files (one clear error naming the file and line)."""

from __future__ import annotations

import pytest

from aligner.errors import InputError, UsageError
from aligner.glossary import Glossary, Term, load_glossaries, read_glossary, write_glossary
from aligner.glossary.formats import FORMATS, get_format
from aligner.glossary.lint import lint_glossary

NEWS = "glossaries/news.tsv"
ARTICLE_EN = open("corpus/article.en.txt", encoding="utf-8").read()
ARTICLE_ZH = open("corpus/article.zh.txt", encoding="utf-8").read()


# --- the shipped glossary -----------------------------------------------------------------

def test_news_glossary_is_clean_and_en_zh():
    g = read_glossary(NEWS)
    assert g.languages == ("en", "zh")
    report = lint_glossary(NEWS)
    assert report.errors == [] and report.counts()["warning"] == 0


def test_news_glossary_renders_the_article_as_its_translation_does():
    """Every approved term of the glossary that occurs in the English article is rendered
    in the Chinese article exactly as the glossary says (the glossary is consistent with a
    professional translation), and no forbidden rendering occurs there."""
    g = read_glossary(NEWS)
    d = g.direction("en", "zh")
    found = {m.entry.id: m.entry for m in d.find(ARTICLE_EN)}
    assert len(found) >= 25
    for e in found.values():
        assert e.rendering in ARTICLE_ZH, e.source
        for bad in e.forbidden:
            assert bad not in ARTICLE_ZH


def test_news_glossary_has_the_documented_examples():
    rows = {(t.source, t.target, t.status) for t in read_glossary(NEWS)}
    for row in [("Zhu Zhiqiang", "朱志强", "preferred"), ("Gu Xiaohua", "顾晓华", "preferred"),
                ("Epoch Times", "大纪元时报", "preferred"), ("CCP", "中共", "preferred"),
                ("Chinese Communist Party", "中国共产党", "preferred"),
                ("cadre", "干部", "preferred"), ("cadre", "骨干", "forbidden"),
                ("Olympic Games", "奥运会", "preferred"), ("anti-party element", "反党分子", "preferred"),
                ("GDP", "GDP", "dnt")]:
        assert row in rows
    zhu = next(t for t in read_glossary(NEWS) if t.source == "Zhu Zhiqiang")
    assert zhu.aliases == ["Zhu"] and zhu.note


# --- round trips ----------------------------------------------------------------------------

def rich_glossary() -> Glossary:
    terms = [
        Term("Zhu Zhiqiang", "朱志强", aliases=["Zhu", "Mr Zhu"], note='subject, "Zhu" later'),
        Term("Zhu Zhiqiang", "猪之墙", status="forbidden", note="a homophone, 2009"),
        Term("Pig Wall", "朱志强", status="forbidden", note="machine translation, zh->en"),
        Term("CCP", "中共", case="sensitive", note="abbreviation, not 共产党"),
        Term("cadre", "干部", case="insensitive", note="line one\nline two, with a comma"),
        Term("GDP", "", status="dnt", note=""),
        Term("Epoch Times", "大纪元时报", extra={"domain": "media", "reviewed": "2024-05-01"}),
    ]
    g = Glossary(terms, columns=["source", "target", "aliases", "case", "status", "note", "domain",
                                 "reviewed"])
    for t in g.terms:
        t.extra = {"domain": t.extra.get("domain", ""), "reviewed": t.extra.get("reviewed", "")}
    return g


@pytest.mark.parametrize("fmt", ["csv", "tbx", "jsonl", "tsv"])
def test_round_trip_keeps_every_field(tmp_path, fmt):
    g = rich_glossary()
    if fmt == "tsv":  # TSV cannot hold a line break inside a field (documented)
        g.terms[4].note = "line one, with a comma"
    path = tmp_path / f"g.{fmt}"
    write_glossary(g, path)
    back = read_glossary(path)
    assert [t.fields() for t in back.terms] == [t.fields() for t in g.terms]
    # and once more through another format
    again = tmp_path / "again.tsv"
    g2 = back
    if fmt != "tsv":
        g2.terms[4].note = g2.terms[4].note.replace("\n", " ")
    write_glossary(g2, again)
    assert [t.fields() for t in read_glossary(again).terms] == [t.fields() for t in g2.terms]


def test_tbx_marks_forbidden_renderings_as_deprecated(tmp_path):
    path = tmp_path / "g.tbx"
    write_glossary(rich_glossary(), path)
    xml = path.read_text(encoding="utf-8")
    assert "<term>猪之墙</term>\n            <termNote type=\"administrativeStatus\">deprecatedTerm-admn-sts" in xml
    # Pig Wall -> 朱志强 forbids the English side.
    assert "<term>Pig Wall</term>\n            <termNote type=\"administrativeStatus\">deprecatedTerm-admn-sts" in xml


def test_reads_tbx_3_from_another_tool(tmp_path):
    path = tmp_path / "cat.tbx"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>from a CAT tool</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <descrip type="definition">party official</descrip>
      <langSec xml:lang="en-US"><termSec><term>cadre</term></termSec></langSec>
      <langSec xml:lang="zh-CN">
        <termSec><term>干部</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>骨干</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>""", encoding="utf-8")
    g = read_glossary(path)
    assert [(t.source, t.target, t.status, t.note) for t in g] == [
        ("cadre", "干部", "preferred", "party official"), ("cadre", "骨干", "forbidden", "party official")]
    assert g.languages == ("en", "zh")


def test_zh_en_glossary_is_detected_and_works_in_both_directions(tmp_path):
    path = tmp_path / "zh-en.tsv"
    path.write_text("source\ttarget\n干部\tcadre\n朱志强\tZhu Zhiqiang\n", encoding="utf-8")
    g = load_glossaries([path])
    assert g.languages == ("zh", "en")
    assert [m.entry.rendering for m in g.find("CCP cadre Zhu Zhiqiang", "en")] == ["干部", "朱志强"]
    assert [m.entry.rendering for m in g.find("干部朱志强", "zh")] == ["cadre", "Zhu Zhiqiang"]


def test_format_by_suffix_or_name(tmp_path):
    assert get_format(path="x.TBX").name == "tbx" and get_format("csv").name == "csv"
    with pytest.raises(UsageError, match="cannot tell the glossary format"):  # a usage error: exit 2
        get_format(path="terms.xlsx")
    with pytest.raises(UsageError, match="unknown glossary format"):
        get_format("xlsx")
    assert set(FORMATS) == {"tsv", "csv", "tbx", "jsonl"}


# --- malformed files ------------------------------------------------------------------------

def bad(tmp_path, name: str, data: bytes | str) -> InputError:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(InputError) as info:
        read_glossary(path)
    assert info.value.path == str(path)
    return info.value


@pytest.mark.parametrize("name,data,line,message", [
    ("a.tsv", "# c\nsource\ttarget\ncadre\t干部\nZhu\t朱\textra\n", 4, "3 fields but the header has 2"),
    ("b.tsv", "source\ttarget\tstatus\ncadre\t干部\tpreferred\nZhu\t朱\tdeprecated\n", 3, "unknown status"),
    ("c.tsv", "source\ttarget\tcase\ncadre\t干部\tupper\n", 2, "unknown case"),
    ("d.tsv", "source\ttarget\ncadre\t\n", 2, "empty target"),
    ("e.tsv", "source\ttarget\n\t干部\n", 2, "empty source"),
    ("f.tsv", "term\ttranslation\ncadre\t干部\n", 1, "no 'source' column"),
    ("g.tsv", "source,target\ncadre,干部\n", 1, "no 'source' column"),
    ("h.tsv", b"source\ttarget\ncadre\t\xb8\xc9\xb2\xbf\n", 2, "not UTF-8"),
    ("i.csv", 'source,target\ncadre,干部\n"Zhu, "Zhiqiang",朱志强\n', 3, "malformed CSV"),
    ("j.jsonl", '{"source": "cadre", "target": "干部"}\n{"source": "Zhu", \n', 2, "not valid JSON"),
    ("k.jsonl", '{"source": "cadre", "target": "干部"}\n["Zhu", "朱"]\n', 2, "expected a JSON object"),
    ("l.tbx", "<martif><text><body>\n<termEntry>\n</body></text></martif>", 3, "not well-formed XML"),
])
def test_malformed_rows_name_the_line(tmp_path, name, data, line, message):
    err = bad(tmp_path, name, data)
    assert err.line == line
    assert message in err.message


def test_empty_binary_and_comment_only_files(tmp_path):
    assert "empty" in bad(tmp_path, "e.tsv", b"").message
    assert "binary" in bad(tmp_path, "b.tsv", b"source\ttarget\n\x00\x01\x02").message
    # UTF-16 with a byte-order mark (Excel's "Unicode text") is read; without one it is refused.
    assert "no terms" in bad(tmp_path, "u.tsv", "source\ttarget\n".encode("utf-16")).message
    assert "UTF-16" in (bad(tmp_path, "u.tsv", "source\ttarget\n".encode("utf-16-le")).hint or "")
    assert "no header" in bad(tmp_path, "c.tsv", "# only a comment\n").message
    assert "no terms" in bad(tmp_path, "h.tsv", "source\ttarget\n").message
    with pytest.raises(InputError, match="no such glossary"):
        read_glossary(tmp_path / "missing.tsv")


def test_hostile_tbx_is_refused(tmp_path):
    laughs = """<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>&b;</term></tig></langSet>
<langSet xml:lang="zh"><tig><term>干部</term></tig></langSet></termEntry></body></text></martif>"""
    assert "entities" in bad(tmp_path, "laughs.tbx", laughs).message
    external = """<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>&x;</term></tig></langSet>
<langSet xml:lang="zh"><tig><term>干部</term></tig></langSet></termEntry></body></text></martif>"""
    assert "entities" in bad(tmp_path, "xxe.tbx", external).message
    assert "not a TBX" in bad(tmp_path, "html.tbx", "<html><body/></html>").message


def test_bom_and_crlf_are_fine(tmp_path):
    path = tmp_path / "win.tsv"
    path.write_bytes("\ufeffsource\ttarget\r\ncadre\t干部\r\n".encode("utf-8"))
    assert [(t.source, t.target, t.line) for t in read_glossary(path)] == [("cadre", "干部", 2)]
