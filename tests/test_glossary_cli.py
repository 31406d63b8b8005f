"""`aligner glossary ...` as a user types it: the examples of docs/commands.md run, exit codes, JSON
output, and errors as one message without a traceback."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.cli import main
from aligner.glossary import read_glossary

REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for d in ("corpus", "glossaries"):
        shutil.copytree(REPO / d, tmp_path / d)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def docs_glossary_commands() -> list[tuple[str, int]]:
    text = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    section = text.split("\n## glossary\n", 1)[1].split("\n## ", 1)[0]
    out = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.splitlines():
            if not line.startswith("aligner "):
                continue
            command, _, comment = line.partition("  #")
            out.append((command.strip(), 1 if "exit 1" in comment else 0))
    return out


def test_readme_examples_run(workdir, argos_dir):
    commands = docs_glossary_commands()
    assert len(commands) >= 12
    (workdir / "try").mkdir()  # where the examples write
    for command, code in commands:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == code, f"{command}\n{result.output}"
    assert (workdir / "try" / "news.tbx").exists() and (workdir / "try" / "proposals.tsv").exists()
    assert (workdir / "try" / "my-terms.tsv").read_text(encoding="utf-8") == \
        "source\ttarget\taliases\tstatus\tnote\ncadre\t官员\t\tpreferred\ncadre\t骨干\t\tforbidden\tbackbone\n"


def test_help_has_examples():
    for cmd in ("list", "add", "remove", "lint", "check", "extract", "convert"):
        result = run("glossary", cmd, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output and "aligner glossary" in result.output


def test_list_json(workdir):
    result = run("glossary", "list", "glossaries/news.tsv", "--json")
    rows = json.loads(result.stdout)
    assert rows[0]["line"] == 9 and rows[0]["source"] == "Zhu Zhiqiang" and rows[0]["aliases"] == ["Zhu"]


def test_lint_exit_codes_and_json(workdir):
    assert run("glossary", "lint", "glossaries/news.tsv").exit_code == 0
    bad = workdir / "bad.tsv"
    bad.write_text("source\ttarget\ncadre\t干部\ncadre\t骨干\n", encoding="utf-8")
    result = run("glossary", "lint", str(bad))
    assert result.exit_code == 1
    assert f'{bad}:3: error: conflict: "cadre" has targets 干部 (line 2) and 骨干 (line 3)' in result.output
    data = json.loads(run("glossary", "lint", str(bad), "--json").stdout)
    assert data["error"] == 1 and data["problems"][0]["line"] == 3


def test_check_json_and_tsv_memory(workdir):
    memory = workdir / "memory.tsv"
    memory.write_text("source\ttarget\nA CCP cadre.\t一名中共骨干。\nThe CCP.\t中共。\n", encoding="utf-8")
    result = run("glossary", "check", str(memory), "-g", "glossaries/news.tsv", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["violations"] == 1
    item = data["items"][0]
    assert (item["bead"], item["kind"], item["term"], item["expected"], item["found"]) == \
        (0, "forbidden", "cadre", "干部", "骨干")
    memory.write_text("source\ttarget\nThe CCP.\t中共。\n", encoding="utf-8")
    assert run("glossary", "check", str(memory), "-g", "glossaries/news.tsv").exit_code == 0


def test_errors_are_one_message_with_file_and_line(workdir):
    broken = workdir / "broken.tsv"
    broken.write_text("source\ttarget\ncadre\t干部\nZhu\t朱\tx\n", encoding="utf-8")
    for args in (["glossary", "list", str(broken)], ["glossary", "lint", "missing.tsv"],
                 ["glossary", "check", "corpus/article.en.txt", "-g", str(broken)],
                 ["glossary", "convert", str(broken), "out.tbx"]):
        result = run(*args)
        assert result.exit_code == 3, (args, result.output)
        assert result.output.startswith("aligner: error: ")
        assert "Traceback" not in result.output
    result = run("glossary", "list", str(broken))
    assert f"aligner: error: {broken}:3: 3 fields but the header has 2 columns" in result.output
    assert not (workdir / "out.tbx").exists()


def test_convert_to_stdout_and_usage_errors(workdir):
    result = run("glossary", "convert", "glossaries/news.tsv", "-", "--to", "jsonl")
    first = json.loads(result.stdout.splitlines()[0])
    assert first["source"] == "Zhu Zhiqiang" and first["tgt_lang"] == "zh"
    assert run("glossary", "convert", "glossaries/news.tsv", "-").exit_code == 2  # needs --to
    assert run("glossary", "add", "x.tsv", "cadre").exit_code == 2  # needs a target or dnt


@pytest.mark.parametrize("name, header, sep", [("terms.csv", "English,中文", ","), ("terms.tsv", "en\tzh", "\t"),
                                               ("terms.csv", "zh-CN,en-US", ",")])
def test_add_keeps_the_header_people_wrote(tmp_path, name, header, sep):
    """A spreadsheet with language-named columns and two columns stays that way after
    `glossary add`: no source/target rename, no empty optional columns."""
    path = tmp_path / name
    first = ["朱志强", "Zhu Zhiqiang"] if header.startswith("zh") else ["Zhu Zhiqiang", "朱志强"]
    path.write_text(header + "\n" + sep.join(first) + "\n", encoding="utf-8")
    pair = ["干部", "cadre"] if header.startswith("zh") else ["cadre", "干部"]
    result = run("glossary", "add", str(path), *pair)
    assert result.exit_code == 0, result.output
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == header
    assert rows[1:] == [sep.join(first), sep.join(pair)]
    glossary = read_glossary(path)
    assert [(t.source, t.target) for t in glossary.terms] == [tuple(first), tuple(pair)]
    # a row that needs a column the file lacks adds that column only
    result = run("glossary", "add", str(path), *(["官员", "cadre"] if header.startswith("zh") else ["cadre", "骨干"]),
                 "--status", "forbidden")
    if sep == "\t":  # TSV is edited line by line: it says which column to add, and changes nothing
        assert result.exit_code == 3 and "needs column(s) status" in result.output
        assert path.read_text(encoding="utf-8").splitlines() == rows
        return
    assert result.exit_code == 0, result.output
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0] == header + sep + "status"


def test_quiet_leaves_stderr_empty_in_convert_and_extract(workdir):
    result = CliRunner().invoke(main, ["glossary", "convert", "glossaries/news.tsv", "news.tbx", "-q"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert read_glossary("news.tbx").terms
    loud = CliRunner().invoke(main, ["glossary", "convert", "glossaries/news.tsv", "news2.tbx"])
    assert "news2.tbx: " in loud.stderr  # the summary -q takes away
    bitext = CliRunner().invoke(main, ["align", "corpus/article.en.txt", "corpus/article.zh.txt",
                                       "-o", "a.jsonl", "-q", "--no-embedding"])
    assert bitext.exit_code == 0, bitext.output
    result = CliRunner().invoke(main, ["glossary", "extract", "a.jsonl", "-o", "p.tsv", "-q"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert (workdir / "p.tsv").read_text(encoding="utf-8").startswith("source\t")
