"""`glossary add/remove` keep the file as it was apart from the row; `lint` finds what a
reviewer must fix, with line numbers."""

from __future__ import annotations

import shutil

import pytest

from aligner.errors import InputError
from aligner.glossary import Term, read_glossary
from aligner.glossary.edit import GlossaryConflict, add_term, remove_terms
from aligner.glossary.lint import lint_glossary

NEWS = "glossaries/news.tsv"


@pytest.fixture
def news(tmp_path):
    path = tmp_path / "news.tsv"
    shutil.copy(NEWS, path)
    return path


def test_add_appends_one_row_and_keeps_every_other_byte(news):
    before = news.read_bytes()
    result = add_term(news, Term("Xi Jinping", "习近平", aliases=["Xi"], note="PRC president"))
    after = news.read_bytes()
    assert result.action == "added"
    assert after.startswith(before)
    assert after[len(before):].decode("utf-8") == "Xi Jinping\t习近平\tXi\t\tpreferred\tPRC president\n"
    assert read_glossary(news).find("Xi said", "en")[0].entry.rendering == "习近平"


def test_add_refuses_a_conflict_unless_forced(news):
    before = news.read_bytes()
    with pytest.raises(GlossaryConflict) as info:
        add_term(news, Term("Cadre", "官员"))
    assert info.value.exit_code == 1 and info.value.line == 29
    assert "--force" in info.value.hint
    assert news.read_bytes() == before  # nothing written
    # forbidding the preferred rendering is a conflict too
    with pytest.raises(GlossaryConflict):
        add_term(news, Term("cadre", "干部", status="forbidden"))

    result = add_term(news, Term("cadre", "官员"), force=True)
    assert result.action == "replaced" and result.lines == [29]
    lines_before = before.decode("utf-8").split("\n")
    lines_after = news.read_text(encoding="utf-8").split("\n")
    assert len(lines_after) == len(lines_before)
    changed = [i for i, (a, b) in enumerate(zip(lines_before, lines_after)) if a != b]
    assert changed == [28]  # line 29, in place; its note is kept
    assert lines_after[28] == "cadre\t官员\t\t\tpreferred\ta Party or state official"


def test_add_of_an_existing_row_changes_nothing(news):
    before = news.read_bytes()
    assert add_term(news, Term("Cadre", "干部")).action == "unchanged"
    assert news.read_bytes() == before


def test_remove_keeps_comments_crlf_and_bom(tmp_path):
    path = tmp_path / "win.tsv"
    path.write_bytes("\ufeff# terms\r\nsource\ttarget\r\ncadre\t干部\r\n# people\r\nZhu\t朱\r\n".encode("utf-8"))
    assert remove_terms(path, "Cadre").lines == [3]
    assert path.read_bytes() == "\ufeff# terms\r\nsource\ttarget\r\n# people\r\nZhu\t朱\r\n".encode("utf-8")
    with pytest.raises(InputError, match="no row for 'cadre'"):
        remove_terms(path, "cadre")


def test_remove_by_chinese_term_or_by_target(news):
    remove_terms(news, "cadre", target="骨干")
    rows = [(t.source, t.target) for t in read_glossary(news)]
    assert ("cadre", "骨干") not in rows and ("cadre", "干部") in rows
    remove_terms(news, "南京军区")
    assert "Nanjing Military Region" not in [t.source for t in read_glossary(news)]


def test_add_creates_a_glossary_and_edits_other_formats(tmp_path):
    path = tmp_path / "new.tsv"
    add_term(path, Term("cadre", "干部"))
    assert path.read_text(encoding="utf-8") == "source\ttarget\tstatus\ncadre\t干部\tpreferred\n"
    add_term(path, Term("朱志强", "Zhu Zhiqiang"))  # given the other way round: swapped
    assert [(t.source, t.target) for t in read_glossary(path)][-1] == ("Zhu Zhiqiang", "朱志强")
    jl = tmp_path / "g.jsonl"
    add_term(jl, Term("cadre", "干部"))
    add_term(jl, Term("CCP", "中共"))
    with pytest.raises(GlossaryConflict):
        add_term(jl, Term("cadre", "骨干"))
    remove_terms(jl, "cadre")
    assert [t.source for t in read_glossary(jl)] == ["CCP"]


# --- lint -----------------------------------------------------------------------------------

def test_lint_reports_each_problem_with_its_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text(
        "source\ttarget\taliases\tcase\tstatus\tnote\n"   # 1
        "cadre\t干部\t\t\t\t\n"                            # 2
        "cadre\t骨干\t\t\t\t\n"                            # 3 conflict
        "Zhu Zhiqiang\t朱志强\tZhu\t\t\t\n"                # 4
        "Zhu\t朱\t\t\t\t\n"                                # 5 alias conflict
        "cadre\t干部\t\t\t\t\n"                            # 6 duplicate
        "Nanjing \t南京\t\t\t\t\n"                         # 7 padded
        "Beijing\tBeijing\t\t\t\t\n"                       # 8 wrong script
        "Nanjing Military Region\t南京军区\t\t\t\t\n"      # 9
        "Jiangsu\t江苏\t\t\tobsolete\t\n"                  # 10 bad status
        "Shanghai\t上海\tx\ty\tz\tw\textra\n"              # 11 too many fields
        "Peking University\t北京大学\t\t\t\t\n"            # 12
        "Beijing University\t北京大学\t\t\t\t\n",          # 13 shared target (warning)
        encoding="utf-8")
    report = lint_glossary(path)
    text = "\n".join(report.format(p) for p in report.problems)
    p = str(path)
    assert f'{p}:3: error: conflict: "cadre" has targets 干部 (line 2) and 骨干 (line 3)' in text
    assert f'{p}:4: error: conflict: alias "Zhu" of "Zhu Zhiqiang" is also the term on line 5 (朱)' in text
    assert f'{p}:6: error: duplicate: "cadre" -> 干部 (preferred) repeats line 2' in text
    assert f"{p}:7: error: whitespace: source 'Nanjing ' has spaces around it" in text
    assert f"{p}:8: error: script: 'Beijing' should be Chinese" in text
    assert f'{p}:9: info: substring' not in text  # the info is on the shorter term's line
    assert f'{p}:7: info: substring: "Nanjing" in "Nanjing Military Region" / "南京" in "南京军区" (line 9)' in text
    assert f"{p}:10: error: status: unknown status 'obsolete'" in text
    assert f"{p}:11: error: columns: 7 fields but the header has 6 columns" in text
    assert f"{p}:13: warning: shared-target: 北京大学 is the target of \"Peking University\" (line 12)" in text
    assert not report.ok
    assert report.counts()["warning"] == 1


def test_a_term_that_starts_with_a_hash_is_a_comment_and_lint_says_so(tmp_path):
    # "#1 Party" is a comment in TSV; a row shaped like a term is the likely mistake, so lint
    # warns (and loading reads the other rows, ignoring it).
    path = tmp_path / "hash.tsv"
    path.write_text("source\ttarget\n#1 Party\t第一党\n# a real comment\ncadre\t干部\n", encoding="utf-8")
    report = lint_glossary(path)
    text = "\n".join(report.format(p) for p in report.problems)
    assert f"{path}:2: warning: comment: this line starts with # and is read as a comment, not as the term '#1 Party'" \
        in text
    assert report.counts()["warning"] == 1 and report.ok
    assert [t.source for t in read_glossary(path).terms] == ["cadre"]


def test_lint_of_a_clean_glossary_has_no_errors(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("source,target,status\ncadre,干部,\ncadre,骨干,forbidden\n", encoding="utf-8")
    report = lint_glossary(path)
    assert report.ok and report.problems == []


def test_lint_of_a_file_without_header_reads_its_first_row_as_a_term(tmp_path):
    # issue 10: a two-column list without a header is read (docs/glossaries.md); a header
    # row that names no known column and is no term pair is still an error.
    path = tmp_path / "x.tsv"
    path.write_text("cadre\t干部\n", encoding="utf-8")
    report = lint_glossary(path)
    assert report.errors == [] and report.terms == 1
    path.write_text("term\trendering\ncadre\t干部\n", encoding="utf-8")
    report = lint_glossary(path)
    assert [(p.line, p.code) for p in report.errors] == [(1, "header"), (1, "header")]
