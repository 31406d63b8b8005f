"""`aligner translate` end to end, with the real fixture models (tests/fixture_model.py).

Expected translations are computed from the fixture's word table (sentencepiece pieces mapped
through `fixture_model.piece_table`), line by line, never by the code under test.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixture_model
from aligner.cli import main
from aligner.errors import EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT, InputError
from aligner.io.bitext_jsonl import dumps_bitext, read_bitext
from aligner.io.text import read_document
from aligner.translate import Engine, output_paths, translate_document, translate_files

REPO = Path(__file__).resolve().parent.parent
EN = REPO / "corpus" / "article.en.txt"
ZH = REPO / "corpus" / "article.zh.txt"
MARKER = re.compile(r"^(#{1,6} |- |\d+\. )")


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def expected_article(text: str, direction: str, packages: dict[str, Path]) -> str:
    """The fixture's translation of an article: each line through the word table, Markdown
    markers kept. (The table is word for word, so a line translated whole equals its
    sentences translated one by one and joined the target language's way.)"""
    sp_model = packages[direction] / "sentencepiece.model"
    out = []
    for line in text.split("\n"):
        m = MARKER.match(line)
        marker = m.group(0) if m else ""
        out.append(marker + fixture_model.reference_translation(line[len(marker):], direction, sp_model))
    return "\n".join(out)


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """(bytes, mtime, inode) of every file: an atomic rewrite gives a new inode."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(root.rglob("*")) if p.is_file()}


def set_mtimes(root: Path, ns: int = 1_000_000_000 * 10**9) -> None:
    """Give every file one explicit modification time (2001), which a rewrite cannot keep."""
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(ns, ns))


@pytest.mark.parametrize("source, direction", [(EN, "en-zh"), (ZH, "zh-en")])
def test_translate_the_seed_article(source, direction, argos_dir, fixture_packages, tmp_path):
    src, tgt = direction.split("-")
    out = tmp_path / "out"
    r = run("translate", source, "--from", src, "--to", tgt, "--out", out)
    assert r.exit_code == 0, r.output
    text_out, bitext_out = out / f"article.{tgt}.txt", out / f"article.{src}-{tgt}.jsonl"
    assert sorted(p.name for p in out.iterdir()) == sorted([text_out.name, bitext_out.name])
    source_text = source.read_text(encoding="utf-8")
    expected = expected_article(source_text, direction, fixture_packages)
    assert text_out.read_text(encoding="utf-8") == expected
    # Same paragraphs: the blank lines are where they were.
    assert [not line for line in expected.split("\n")] == [not line for line in source_text.split("\n")]
    for wrong in fixture_model.WRONG_RENDERINGS[direction].values():
        if direction == "en-zh" and wrong == "古小花":
            assert wrong in expected
    assert "translated 1 file, 22 sentences" in r.output

    bitext = read_bitext(bitext_out)
    doc = read_document(source)
    assert bitext.src_lang == src and bitext.tgt_lang == tgt
    assert bitext.source.text == source_text and bitext.target.text == expected
    assert len(bitext.beads) == len(doc.segments) == 22
    sp_model = fixture_packages[direction] / "sentencepiece.model"
    for i, (bead, s, t) in enumerate(bitext.pairs()):
        assert (bead.src, bead.tgt, bead.origin, bead.id) == ([i], [i], "mt", i)
        assert s == doc.segments[i].text
        assert t == fixture_model.reference_translation(s, direction, sp_model)
        assert bead.score is not None and 0 < bead.score <= 1
        assert bitext.target.segments[i].paragraph == doc.segments[i].paragraph
    meta = bitext.meta
    assert meta["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert meta["model"] == {"name": f"translate-{src}_{tgt}-fixture", "from": src, "to": tgt,
                             "version": "0.1-fixture"}
    assert meta["options"]["beam_size"] == 4 and meta["options"]["presplit"] is False
    # Round trip: what read_bitext gives back writes the same file.
    assert dumps_bitext(bitext) == bitext_out.read_text(encoding="utf-8")


def test_markdown_structure_is_kept(argos_dir, fixture_packages, tmp_path):
    md = tmp_path / "notes.en.md"
    md.write_text("# Former Officer Withdraws\n\nZhu said that the CCP is not democratic. He was warned.\n\n"
                  "- Nanjing Military Region\n- the Epoch Times\n\n1. First the CCP is not a party.\n"
                  "2. Second, Zhu has no house.\n\n## Gu Xiaohua\n", encoding="utf-8")
    r = run("translate", md, "--to", "zh", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    out = (tmp_path / "out" / "notes.zh.md").read_text(encoding="utf-8")
    expected = expected_article(md.read_text(encoding="utf-8"), "en-zh", fixture_packages)
    assert out == expected
    assert out.startswith("# 前军官退出\n\n猪说那该共产党的是不民主。他被警告。\n\n- 南金军区\n- 该时代周刊\n\n1. ")
    assert out.endswith("\n\n## 古小花\n")
    assert (tmp_path / "out" / "notes.en-zh.jsonl").is_file()


def test_a_directory_of_files_in_one_run(argos_dir, fixture_packages, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "one.en.txt").write_text("Zhu said.\n", encoding="utf-8")
    (src / "two.txt").write_text("The CCP cadre was warned. He said.\n\nGu Xiaohua, Epoch Times\n", encoding="utf-8")
    (src / "sub" / "three.zh.txt").write_text("朱志强说。\n", encoding="utf-8")
    (src / "skip.csv").write_text("not an article", encoding="utf-8")
    summary = translate_files([src], out_dir=tmp_path / "out")  # languages detected per file
    assert (summary.files, summary.skipped, summary.sentences) == (3, 0, 5)
    out = tmp_path / "out"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "one.en-zh.jsonl", "one.zh.txt", "sub", "sub/three.en.txt", "sub/three.zh-en.jsonl",
        "two.en-zh.jsonl", "two.zh.txt"]
    assert (out / "one.zh.txt").read_text(encoding="utf-8") == "猪说。\n"
    assert (out / "two.zh.txt").read_text(encoding="utf-8") == "该共产党的骨干被警告。他说。\n\n古小花，时代周刊\n"
    assert (out / "sub" / "three.en.txt").read_text(encoding="utf-8") == "Pig Wall said.\n"
    assert summary.sentences_per_second > 0
    assert "translated 3 files, 5 sentences" in summary.describe()
    # A file named both on its own and through its directory is translated once.
    again = translate_files([src / "one.en.txt", src], out_dir=tmp_path / "out2", force=True)
    assert again.files == 3


def test_stdin_to_stdout(argos_dir, tmp_path, monkeypatch):
    tmp_path = tmp_path / "cwd"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["translate", "-", "--from", "zh", "--to", "en", "-q"],
                           input="朱志强是干部。他说：“中共不是民主的党。”\n".encode())
    assert r.exit_code == 0, r.output
    assert r.stdout == "Pig Wall is backbone. he said: “ Communist is not democratic of party.”\n"
    assert list(tmp_path.iterdir()) == []  # no bitext without --out
    r = CliRunner().invoke(main, ["translate", "-", "--out", "o"], input="Nanjing cadres.".encode())
    assert r.exit_code == 0
    assert r.stdout == "南金骨干。"
    bitext = read_bitext(tmp_path / "o" / "stdin.en-zh.jsonl")
    assert [t for _, _, t in bitext.pairs()] == ["南金骨干。"]


def test_real_subprocess(argos_dir, fixture_packages, tmp_path):
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(argos_dir)}
    p = subprocess.run([sys.executable, "-m", "aligner", "translate", str(EN), "--to", "zh",
                        "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True,
                       cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "translated 1 file, 22 sentences" in p.stderr and "sentences/s" in p.stderr
    assert (tmp_path / "out" / "article.zh.txt").read_text(encoding="utf-8") == \
        expected_article(EN.read_text(encoding="utf-8"), "en-zh", fixture_packages)
    p = subprocess.run([sys.executable, "-m", "aligner", "translate", "-", "--from", "en"],
                       input="the cadre", env=env, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert p.returncode == 0 and p.stdout == "该骨干"


def test_missing_model_exits_4_and_writes_nothing(empty_argos_dir, tmp_path):
    out = tmp_path / "out"
    r = run("translate", EN, "--to", "zh", "--out", out)
    assert r.exit_code == EXIT_MODEL
    assert "no en→zh translation model is installed" in r.output
    assert "aligner models install en zh" in r.output and "aligner models install FILE.argosmodel" in r.output
    assert not out.exists()
    p = subprocess.run([sys.executable, "-m", "aligner", "translate", str(ZH), "--out", str(out)],
                       env={**os.environ, "ARGOS_PACKAGES_DIR": str(empty_argos_dir)},
                       capture_output=True, text=True, cwd=REPO, timeout=300)
    assert p.returncode == EXIT_MODEL and "no zh→en translation model" in p.stderr
    assert "Traceback" not in p.stderr and not out.exists()


def _three_files(root: Path) -> Path:
    src = root / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("Zhu said.\n", encoding="utf-8")
    (src / "b.en.txt").write_text("The CCP cadre was warned. He said.\n", encoding="utf-8")
    (src / "c.en.txt").write_text("Gu Xiaohua, Epoch Times\n", encoding="utf-8")
    return src


def test_rerun_skips_complete_outputs_and_finishes_the_rest(argos_dir, tmp_path):
    src = _three_files(tmp_path)
    reference = tmp_path / "reference"
    translate_files([src], "en", "zh", reference)
    out = tmp_path / "out"
    first = translate_files([src], "en", "zh", out)
    assert (first.files, first.skipped) == (3, 0)
    before = snapshot(out)
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in snapshot(reference).items()}

    set_mtimes(out)
    before = snapshot(out)
    again = translate_files([src], "en", "zh", out)
    assert (again.files, again.skipped, again.sentences) == (0, 3, 0)
    assert snapshot(out) == before  # not rewritten: same bytes, same inodes, same set mtimes
    r = run("translate", src, "--from", "en", "--out", out)
    assert "nothing to translate; 3 files already up to date" in r.output

    # An interrupted run: b's article was written, its bitext never was (a killed process also
    # leaves a temporary .part file behind).
    (out / "b.en-zh.jsonl").unlink()
    stale = out / ".b.en-zh.jsonl.x1y2z3.part"
    stale.write_text('{"type": "bitext", "partial')
    os.utime(stale, (time.time() - 60, time.time() - 60))
    resumed = translate_files([src], "en", "zh", out)
    assert (resumed.files, resumed.skipped) == (1, 2)
    assert [r.source for r in resumed.results if not r.skipped] == [str(src / "b.en.txt")]
    after = snapshot(out)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in snapshot(reference).items()}
    for name in ("a.zh.txt", "a.en-zh.jsonl", "c.zh.txt", "c.en-zh.jsonl"):
        assert after[name][1:] == before[name][1:]  # untouched: same set mtime, same inode
    assert not stale.exists()

    forced = translate_files([src], "en", "zh", out, force=True)
    assert (forced.files, forced.skipped) == (3, 0)
    assert {k: v[0] for k, v in snapshot(out).items()} == {k: v[0] for k, v in snapshot(reference).items()}


def test_interrupted_run_resumes_to_identical_outputs(argos_dir, tmp_path):
    src = _three_files(tmp_path)
    reference = tmp_path / "reference"
    translate_files([src], "en", "zh", reference)
    out = tmp_path / "out"
    (out / "b.en-zh.jsonl").mkdir(parents=True)  # b's bitext cannot be written: the run stops there
    r = run("translate", src, "--from", "en", "--out", out)
    assert r.exit_code == EXIT_OUTPUT
    assert "b.en-zh.jsonl" in r.output
    assert not list(out.glob(".*.part"))  # no partial file left
    assert (out / "a.en-zh.jsonl").is_file() and not (out / "c.zh.txt").exists()
    (out / "b.en-zh.jsonl").rmdir()
    resumed = translate_files([src], "en", "zh", out)
    assert (resumed.files, resumed.skipped) == (2, 1)  # a was complete; b and c are done now
    assert {k: v[0] for k, v in snapshot(out).items()} == {k: v[0] for k, v in snapshot(reference).items()}


def test_changed_source_or_options_are_translated_again(argos_dir, tmp_path):
    src = _three_files(tmp_path)
    out = tmp_path / "out"
    translate_files([src], "en", "zh", out)
    assert translate_files([src], "en", "zh", out, beam_size=2).files == 3  # other options
    (src / "a.en.txt").write_text("Zhu said. He was warned.\n", encoding="utf-8")
    again = translate_files([src], "en", "zh", out, beam_size=2)
    assert (again.files, again.skipped) == (1, 2)
    assert (out / "a.zh.txt").read_text(encoding="utf-8") == "猪说。他被警告。\n"


def test_presplit_one_segment_per_line(argos_dir, tmp_path):
    f = tmp_path / "lines.txt"
    f.write_text("Zhu said. He was warned.\nThe cadre\n", encoding="utf-8")
    translate_files([f], "en", "zh", tmp_path / "out", presplit=True)
    bitext = read_bitext(tmp_path / "out" / "lines.en-zh.jsonl")
    assert [s for _, s, _ in bitext.pairs()] == ["Zhu said. He was warned.", "The cadre"]
    assert (tmp_path / "out" / "lines.zh.txt").read_text(encoding="utf-8") == "猪说。他被警告。\n该骨干\n"
    assert bitext.meta["options"]["presplit"] is True


def test_encodings(argos_dir, tmp_path, fixture_packages):
    text = ZH.read_text(encoding="utf-8")
    expected = expected_article(text, "zh-en", fixture_packages)
    for enc in ("gb18030", "utf-16"):
        f = tmp_path / enc / "article.zh.txt"
        f.parent.mkdir()
        f.write_bytes(text.encode(enc))  # utf-16 writes a BOM
        translate_files([f], out_dir=tmp_path / enc / "out")
        assert (tmp_path / enc / "out" / "article.en.txt").read_text(encoding="utf-8") == expected
    f = tmp_path / "gb18030" / "article.zh.txt"
    r = run("translate", f, "--encoding", "utf-8", "--out", tmp_path / "bad")
    assert r.exit_code == EXIT_INPUT
    assert f"{f}:1: cannot be decoded as utf-8" in r.output and "--encoding" in r.output
    assert not (tmp_path / "bad").exists()


def test_bad_inputs_write_nothing(argos_dir, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    good = tmp_path / "good.en.txt"
    good.write_text("Zhu said.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run("translate", good, empty, "--out", out)
    assert r.exit_code == EXIT_INPUT
    assert f"{empty}: empty file" in r.output
    assert not out.exists()
    r = run("translate", tmp_path / "missing.txt", "--out", out)
    assert r.exit_code == EXIT_INPUT and "no such file" in r.output
    r = run("translate", good, "--from", "zh", "--out", out)
    assert r.exit_code == EXIT_INPUT and "looks English, but --from zh" in r.output
    r = run("translate", good, "--to", "en", "--out", out)
    assert r.exit_code == EXIT_INPUT and "already in en" in r.output
    r = CliRunner().invoke(main, ["translate", str(good)])
    assert r.exit_code == 2 and "--out" in r.output
    assert not out.exists()


def test_outputs_never_collide_or_overwrite_inputs(argos_dir, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "x.en.txt").write_text("Zhu said.\n", encoding="utf-8")
    r = run("translate", tmp_path / "a" / "x.en.txt", tmp_path / "b" / "x.en.txt", "--out", tmp_path / "out")
    assert r.exit_code == EXIT_OUTPUT and "would both be written" in r.output
    assert not (tmp_path / "out").exists()
    # A Chinese file misnamed .en.txt would be overwritten by its own translation.
    misnamed = tmp_path / "c" / "y.en.txt"
    misnamed.parent.mkdir()
    misnamed.write_text("朱志强说。\n", encoding="utf-8")
    r = run("translate", misnamed, "--out", misnamed.parent)
    assert r.exit_code == EXIT_OUTPUT and "would overwrite the input" in r.output
    assert misnamed.read_text(encoding="utf-8") == "朱志强说。\n"


def test_library_api_without_the_cli(argos_dir, fixture_packages):
    engine = Engine.load("zh", "en", beam_size=2)
    doc = read_document(ZH)
    bitext = translate_document(engine, doc, "en")
    assert bitext.target.text == expected_article(ZH.read_text(encoding="utf-8"), "zh-en", fixture_packages)
    assert [b.origin for b in bitext.beads] == ["mt"] * len(doc.segments)
    assert output_paths("dir/article.en.txt", "en", "zh", "out") == (Path("out/article.zh.txt"),
                                                                    Path("out/article.en-zh.jsonl"))
    assert output_paths("notes.md", "en", "zh", "o") == (Path("o/notes.zh.md"), Path("o/notes.en-zh.jsonl"))
    with pytest.raises(InputError):
        translate_files([], "en", "zh", "out")


def test_progress_and_quiet(argos_dir, tmp_path, capsys):
    translate_files([EN], "en", "zh", tmp_path / "o1", progress=True)
    err = capsys.readouterr().err
    assert "translating" in err and "22/22" in err and "files 1/1" in err
    r = run("translate", EN, "--to", "zh", "--out", tmp_path / "o2", "--quiet")
    assert r.exit_code == 0 and r.output == ""


def test_glossary_is_enforced_when_the_glossary_package_is_there(argos_dir, tmp_path):
    pytest.importorskip("aligner.glossary.enforce")
    glossary = tmp_path / "names.tsv"
    glossary.write_text("source\ttarget\nZhu Zhiqiang\t朱志强\nNanjing\t南京\n", encoding="utf-8")
    summary = translate_files([EN], "en", "zh", tmp_path / "out", glossaries=[glossary])
    text = (tmp_path / "out" / "article.zh.txt").read_text(encoding="utf-8")
    assert "朱志强" in text and "南京" in text
    assert summary.terms is not None and summary.terms.found > 0
    bitext = read_bitext(tmp_path / "out" / "article.en-zh.jsonl")
    assert any(b.meta.get("terms") for b in bitext.beads)
    assert bitext.meta["options"]["glossaries"][0]["sha256"] == hashlib.sha256(glossary.read_bytes()).hexdigest()
    assert "glossary:" in summary.describe()


def test_engine_options_from_the_command_line(argos_dir, fixture_packages, tmp_path):
    out = tmp_path / "out"
    r = run("translate", ZH, "--out", out, "--beam-size", "1", "--batch-size", "2", "--threads", "1",
            "--device", "auto", "--max-length", "100", "-q")
    assert r.exit_code == 0, r.output
    assert (out / "article.en.txt").read_text(encoding="utf-8") == \
        expected_article(ZH.read_text(encoding="utf-8"), "zh-en", fixture_packages)
    options = read_bitext(out / "article.zh-en.jsonl").meta["options"]
    assert (options["beam_size"], options["max_decoding_length"]) == (1, 100)
    r = CliRunner().invoke(main, ["translate", str(ZH), "--out", str(out), "--beam-size", "0"])
    assert r.exit_code == 2
    r = run("translate", "-", ZH, "--out", out)
    assert r.exit_code == EXIT_INPUT and "cannot be combined" in r.output
    r = run("translate", ZH, "--from", "zh", "--to", "zh", "--out", out)
    assert r.exit_code == EXIT_INPUT and "both zh" in r.output


def test_format_exports_each_bitext_and_a_rerun_adds_missing_ones(argos_dir, tmp_path):
    from lxml import etree

    out = tmp_path / "out"
    result = run("translate", str(EN), "--to", "zh", "--out", str(out), "--format", "tmx",
                 "--format", "html", "--quiet")
    assert result.exit_code == 0, result.output
    bitext = read_bitext(out / "article.en-zh.jsonl")
    tmx = etree.parse(str(out / "article.en-zh.tmx"))
    # A TMX holds human translations only (issue 11): machine output is left out unless asked for.
    assert all(b.origin == "mt" for b in bitext.beads)
    assert list(tmx.iter("seg")) == []
    html = (out / "article.en-zh.html").read_text(encoding="utf-8")
    assert bitext.tgt_text(bitext.beads[3]) in html
    # The translation is up to date: a re-run only writes the export that went missing.
    (out / "article.en-zh.html").unlink()
    set_mtimes(out)
    kept = snapshot(out)
    result = run("translate", str(EN), "--to", "zh", "--out", str(out), "--format", "tmx",
                 "--format", "html")
    assert result.exit_code == 0, result.output
    assert "already up to date" in result.output
    assert (out / "article.en-zh.html").read_text(encoding="utf-8") == html
    now = snapshot(out)
    for name in ("article.zh.txt", "article.en-zh.jsonl"):
        assert now[name] == kept[name]  # not rewritten: same bytes, set mtime and inode


def test_include_mt_puts_machine_translations_into_the_tmx_marked_as_mt(argos_dir, tmp_path):
    from lxml import etree

    out = tmp_path / "out"
    result = run("translate", str(EN), "--to", "zh", "--out", str(out), "--format", "tmx", "--include-mt", "-q")
    assert result.exit_code == 0, result.output
    bitext = read_bitext(out / "article.en-zh.jsonl")
    units = list(etree.parse(str(out / "article.en-zh.tmx")).iter("tu"))
    assert len(units) == len([b for b in bitext.beads if b.src and b.tgt]) > 0
    # Marked the way CAT tools tell machine translation from human memory.
    assert {u.get("creationid") for u in units} == {"MT!"}
    assert bitext.meta["options"]["include_mt"] is True


def test_unknown_format_is_refused_before_anything_is_written(argos_dir, tmp_path):
    out = tmp_path / "out"
    result = run("translate", str(EN), "--to", "zh", "--out", str(out), "--format", "pdf")
    assert result.exit_code == 2  # as an unknown `export --format`
    assert "unknown export format 'pdf'" in result.output
    assert not out.exists()
