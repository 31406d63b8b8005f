"""Glossary files are shared, versioned and sometimes confidential: edits through the real CLI
never lose a row, a link, a mode or a read-only flag; what is written reads back as written;
terms match as written; huge cells cannot stall or crash a command; the headers people write
are read as docs/glossaries.md says."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.glossary import read_glossary

REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def cli(*args: str, cwd: Path) -> subprocess.Popen:
    """The installed command as a user runs it, in its own process."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "aligner", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --- concurrent edits ----------------------------------------------------------------------

def test_eight_concurrent_adds_all_land(tmp_path):
    g = tmp_path / "shared.tsv"
    g.write_text("source\ttarget\ncadre\t干部\n", encoding="utf-8")
    terms = [(f"Term{i}", "术语" + "一二三四五六七八"[i]) for i in range(8)]
    procs = [cli("glossary", "add", g, s, t, cwd=tmp_path) for s, t in terms]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert all("added" in err for _, err in outs)
    rows = {(t.source, t.target) for t in read_glossary(g)}
    assert rows == {("cadre", "干部"), *terms}
    assert g.read_text(encoding="utf-8").startswith("source\ttarget\ncadre\t干部\n")
    assert [p.name for p in tmp_path.iterdir()] == ["shared.tsv"]  # no lock or temporary file left


# --- links, modes, read-only files ---------------------------------------------------------

def test_add_through_a_symlink_writes_the_shared_file(tmp_path):
    shared = tmp_path / "team" / "news.tsv"
    shared.parent.mkdir()
    shared.write_text("source\ttarget\ncadre\t干部\n", encoding="utf-8")
    link = tmp_path / "mine.tsv"
    link.symlink_to(shared)
    assert run("glossary", "add", link, "Xi Jinping", "习近平").exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(shared)
    assert "Xi Jinping\t习近平" in shared.read_text(encoding="utf-8")
    assert run("glossary", "remove", link, "cadre").exit_code == 0
    assert link.is_symlink() and "cadre" not in shared.read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".tsv", ".csv", ".jsonl"])
def test_edits_keep_the_mode(tmp_path, suffix):
    g = tmp_path / f"private{suffix}"
    assert run("glossary", "add", g, "cadre", "干部").exit_code == 0
    os.chmod(g, 0o600)
    assert run("glossary", "add", g, "Xi Jinping", "习近平").exit_code == 0
    assert stat.S_IMODE(g.stat().st_mode) == 0o600
    assert run("glossary", "remove", g, "cadre").exit_code == 0
    assert stat.S_IMODE(g.stat().st_mode) == 0o600
    assert [t.source for t in read_glossary(g)] == ["Xi Jinping"]


def test_a_read_only_glossary_is_refused(tmp_path):
    g = tmp_path / "approved.tsv"
    g.write_text("source\ttarget\ncadre\t干部\n", encoding="utf-8")
    os.chmod(g, 0o444)
    before = g.read_bytes()
    for args in (("add", g, "Xi Jinping", "习近平"), ("remove", g, "cadre")):
        result = run("glossary", *args)
        assert result.exit_code == 5, result.output
        assert "read-only" in result.output and "Traceback" not in result.output
    assert g.read_bytes() == before and stat.S_IMODE(g.stat().st_mode) == 0o444


# --- headers people write ------------------------------------------------------------------

@pytest.mark.parametrize("name,content,langs", [
    ("codes.tsv", "en\tzh\ncadre\t干部\nXi Jinping\t习近平\n", ("en", "zh")),
    ("names.tsv", "English\tChinese\ncadre\t干部\nXi Jinping\t习近平\n", ("en", "zh")),
    ("regions.csv", "zh-CN,en-US\n干部,cadre\n习近平,Xi Jinping\n", ("zh", "en")),
    ("chinese.tsv", "中文\t英文\n干部\tcadre\n习近平\tXi Jinping\n", ("zh", "en")),
    ("canonical.tsv", "source\ttarget\ncadre\t干部\nXi Jinping\t习近平\n", ("en", "zh")),
    ("none.tsv", "cadre\t干部\nXi Jinping\t习近平\n", ("en", "zh")),
    ("none.csv", "干部,cadre\n习近平,Xi Jinping\n", ("zh", "en")),
])
def test_headers_people_write(tmp_path, name, content, langs):
    g = tmp_path / name
    g.write_text(content, encoding="utf-8")
    result = run("glossary", "list", g, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[:result.output.rindex("]") + 1])
    en, zh = ("source", "target") if langs[0] == "en" else ("target", "source")
    assert [(r[en], r[zh]) for r in rows] == [("cadre", "干部"), ("Xi Jinping", "习近平")]
    assert all((r["src_lang"], r["tgt_lang"]) == langs for r in rows)
    assert run("glossary", "lint", g).exit_code == 0
    # and it is used: the term is found and enforced by its languages
    assert read_glossary(g).find("a cadre said", "en")[0].entry.rendering == "干部"
    # an edit appends a row in the file's own columns, the rest kept (TSV is edited as text)
    assert run("glossary", "add", g, "Zhu Zhiqiang", "朱志强").exit_code == 0
    if name.endswith(".tsv"):
        assert g.read_text(encoding="utf-8").startswith(content)
    assert read_glossary(g).languages == langs
    assert read_glossary(g).find("Zhu Zhiqiang", "en")[0].entry.rendering == "朱志强"


def test_a_header_that_names_nothing_is_still_an_error(tmp_path):
    g = tmp_path / "typo.tsv"
    g.write_text("sourse\ttraget\ncadre\t干部\n", encoding="utf-8")
    result = run("glossary", "list", g)
    assert result.exit_code == 3 and "typo.tsv:1" in result.output and "'source'" in result.output


# --- what is written reads back as written; terms match as written ------------------------

def check(tmp_path: Path, glossary: Path, *pairs: tuple[str, str]) -> dict:
    memory = tmp_path / "memory.tsv"
    memory.write_text("source\ttarget\n" + "".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
    result = run("glossary", "check", memory, "-g", glossary, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_term_starting_with_hash_is_written_as_a_term_and_enforced(tmp_path):
    g = tmp_path / "tags.tsv"
    assert run("glossary", "add", g, "#MeToo", "米兔", "--note", 'say "Me Too"\tin speech').exit_code == 0
    assert run("glossary", "add", g, '"Big Bang" theory', "大爆炸理论").exit_code == 0
    rows = [(t.source, t.target, t.note) for t in read_glossary(g)]
    assert rows == [("#MeToo", "米兔", 'say "Me Too"\tin speech'), ('"Big Bang" theory', "大爆炸理论", "")]
    report = check(tmp_path, g, ("The #MeToo movement.", "米兔运动。"), ("The #MeToo wave.", "浪潮。"))
    assert report["terms"] == 2 and report["violations"] == 1 and report["items"][0]["term"] == "#MeToo"
    # every writer: conversions keep it a term
    for suffix in (".tsv", ".csv", ".jsonl", ".tbx"):
        out = tmp_path / f"copy{suffix}"
        assert run("glossary", "convert", g, out).exit_code == 0
        assert [(t.source, t.target, t.note) for t in read_glossary(out)] == rows
    # a hand-written #MeToo row is a comment, and lint says so
    hand = tmp_path / "hand.tsv"
    hand.write_text("source\ttarget\ncadre\t干部\n#MeToo\t米兔\n", encoding="utf-8")
    result = run("glossary", "lint", hand)
    assert "hand.tsv:3: warning: comment" in result.output and '"#MeToo"' in result.output


def test_terms_with_edge_punctuation_match_as_written(tmp_path):
    g = tmp_path / "tech.tsv"
    g.write_text("source\ttarget\nC++\tC++语言\n$100\t一百美元\n(NYSE)\t（纽交所）\n", encoding="utf-8")
    report = check(tmp_path, g, ("He got a C in maths.", "他数学得了C。"),
                   ("It costs 100 yuan.", "它值100元。"), ("NYSE shares fell.", "纽交所股价下跌。"))
    assert report["terms"] == 0 and report["violations"] == 0
    report = check(tmp_path, g, ("I like C++.", "我喜欢C++语言。"), ("It costs $100.", "它值一百美元。"),
                   ("Listed (NYSE) today.", "今天上市（纽交所）。"), ("C++ and C.", "C和D。"))
    assert report["terms"] == 4 and [v["term"] for v in report["items"]] == ["C++"]
    # C++ and C are two terms, not a conflict
    g.write_text("source\ttarget\nC++\tC++语言\nC\tC语言\n", encoding="utf-8")
    assert run("glossary", "lint", g, "--no-info").exit_code == 0
    assert [m.text for m in read_glossary(g).find("C++ or C", "en")] == ["C++", "C"]


def test_a_term_with_nothing_to_match_is_a_lint_error(tmp_path):
    g = tmp_path / "dots.tsv"
    g.write_text("source\ttarget\ncadre\t干部\n...\t省略号\n", encoding="utf-8")
    result = run("glossary", "lint", g)
    assert result.exit_code == 1 and "dots.tsv:3: error: empty" in result.output


# --- huge cells ----------------------------------------------------------------------------

def test_a_10_mb_cell_is_an_error_with_its_line_not_a_stall(tmp_path):
    g = tmp_path / "huge.tsv"
    g.write_text("source\ttarget\tnote\ncadre\t干部\t\n" + "x" + "a b " * 2_500_000 + "\t中\t\n"
                 + "Zhu\t朱\t" + "n " * 5_000_000 + "\n", encoding="utf-8")
    result = run("glossary", "lint", g)
    assert result.exit_code == 1
    assert "huge.tsv:3: error: too-long: the source is 10,000,000 characters long" in result.output
    assert len(result.output) < 2_000  # values are shortened in messages
    for args in (("list", g), ("check", tmp_path / "m.tsv", "-g", g)):
        (tmp_path / "m.tsv").write_text("source\ttarget\ncadre\t干部\n", encoding="utf-8")
        result = run("glossary", *args)
        assert result.exit_code == 3 and "huge.tsv:3:" in result.output and "at most 1,000" in result.output
    # a cell of a million short aliases is one huge cell too
    g.write_text("source\ttarget\taliases\ncadre\t干部\t" + "|".join(f"c{i}" for i in range(1_000_000))
                 + "\n", encoding="utf-8")
    result = run("glossary", "lint", g)
    assert result.exit_code == 1 and "huge.tsv:2: error: too-long: the aliases cell" in result.output
    # a long note is no term: the glossary without the huge term loads and matches
    g.write_text("source\ttarget\tnote\ncadre\t干部\t" + "n " * 5_000_000 + "\n", encoding="utf-8")
    text = "a cadre " * 1_250_000  # 10 MB of text
    assert len(read_glossary(g).find(text, "en")) == 1_250_000


# --- through translate ---------------------------------------------------------------------

def test_translate_enforces_terms_as_written_and_refuses_a_huge_cell(argos_dir, tmp_path):
    src = tmp_path / "maths.en.txt"
    src.write_text("He got a C in maths.\nShe writes C++ every day.\n", encoding="utf-8")
    tech = tmp_path / "tech.tsv"
    tech.write_text("source\ttarget\nC++\tC++语言\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run("translate", src, "--to", "zh", "--out", out, "--glossary", tech)
    assert res.exit_code == 0, res.output
    [bt] = list(out.glob("*.jsonl"))
    beads = [json.loads(line) for line in bt.read_text(encoding="utf-8").splitlines()[1:]]
    terms = [[t["matched"] for t in b.get("meta", {}).get("terms", [])] for b in beads if b.get("src")]
    assert terms == [[], ["C++"]]
    lines = (out / "maths.zh.txt").read_text(encoding="utf-8").splitlines()
    assert "C++语言" not in lines[0] and "C++语言" in lines[1]

    huge = tmp_path / "huge.tsv"
    huge.write_text("source\ttarget\ncadre\t干部\n" + "x" * 10_000_000 + "\t中\n", encoding="utf-8")
    out2 = tmp_path / "out2"
    res = run("translate", src, "--to", "zh", "--out", out2, "--glossary", huge)
    assert res.exit_code == 3 and "huge.tsv:3:" in res.output and "Traceback" not in res.output
    assert not out2.exists() or not any(out2.iterdir())
