"""Every command against hostile input (tests/hostile/cases.py): correct output, or one clear
message naming the file and line with a documented exit code; never a traceback, a partial
file or a lost one."""

from __future__ import annotations

import pytest

from .cases import all_cases, run_case

CASES = all_cases()


def _param(case):
    marks = [pytest.mark.xfail(reason=case.known_bug, strict=True)] if case.known_bug else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_input(case, hostile_corpus, packages_root, fixture_packages, tmp_path):
    outcome = run_case(case, tmp_path / "work", hostile_corpus, packages_root, fixture_packages)
    assert outcome.passed, outcome.describe()


def test_every_command_is_attacked():
    commands = {c.command for c in CASES}
    assert {"translate", "import", "export", "models install", "glossary list", "glossary add",
            "glossary remove", "glossary lint", "glossary check", "glossary convert",
            "glossary extract"} <= commands
    for command in commands:
        tried = [c for c in CASES if c.command == command]
        assert any(not c.ok for c in tried), f"{command}: no refused case"


def test_a_file_name_that_is_not_valid_utf8(packages_root, tmp_path):
    """A file name with a byte that is not UTF-8 (Python keeps it as a lone surrogate) is
    translated; the bitext, which is UTF-8 JSON, shows that byte as U+FFFD."""
    import os

    from click.testing import CliRunner

    from aligner.cli import main
    from aligner.io.bitext_jsonl import read_bitext

    from .corpus import EN

    name = os.fsdecode(b"caf\xe9.en.txt")  # Latin-1 bytes, as old archives name files
    (tmp_path / name).write_text(EN, encoding="utf-8")
    r = CliRunner().invoke(main, ["translate", str(tmp_path / name), "--out", str(tmp_path / "out")],
                           env={"ARGOS_PACKAGES_DIR": str(packages_root)})
    assert r.exit_code == 0, r.output
    outputs = sorted(os.fsencode(p.name) for p in (tmp_path / "out").iterdir())
    assert outputs == [b"caf\xe9.en-zh.jsonl", b"caf\xe9.zh.txt"]
    bitext = read_bitext(tmp_path / "out" / os.fsdecode(b"caf\xe9.en-zh.jsonl"))
    assert bitext.source.path.endswith("caf\ufffd.en.txt") and bitext.source.text == EN
