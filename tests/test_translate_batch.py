"""Batch translation that keeps its work and shows it (issue 10), through the real CLI and the
fixture models: files written one after another (Ctrl-C keeps the finished ones), every bad
file listed, --keep-going, "not English" refused, exports never left stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from aligner.batch import header_meta
from aligner.cli import main
from aligner.errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PARTIAL
from aligner.io.bitext_jsonl import read_bitext
from aligner.translate import translate_files

REPO = Path(__file__).resolve().parent.parent
EN = REPO / "corpus" / "article.en.txt"
ZH = REPO / "corpus" / "article.zh.txt"

FRENCH = ("Le cadre a démissionné hier soir après une longue réunion du comité. Il a dit que la ville "
          "allait investir dans les transports publics cette année, mais personne ne le croit.\n")
GERMAN = ("Der Kader ist gestern nach einer langen Sitzung zurückgetreten, sagte die Partei am Montag. "
          "Er wurde gewarnt, dass er seine Wohnung verlieren würde.\n")


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_ctrl_c_keeps_every_finished_file_and_the_rerun_finishes_the_rest(argos_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    article = EN.read_text(encoding="utf-8")
    for i in range(10):
        (src / f"f{i:02d}.en.txt").write_text(article, encoding="utf-8")
    reference = tmp_path / "reference"
    translate_files([src], "en", "zh", reference)

    out = tmp_path / "out"
    # Batches of one sentence on one thread: slow enough to interrupt in the middle.
    cmd = [sys.executable, "-m", "aligner", "translate", str(src), "--from", "en", "--out", str(out),
           "--batch-size", "1", "--threads", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 120
    while not list(out.glob("*.jsonl")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the first file written: the run is under way, most of it still to do
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err
    kept = contents(out)
    done = sorted(n for n in kept if n.endswith(".jsonl"))
    assert 1 <= len(done) < 10
    for name in kept:
        assert not name.startswith(".")  # no partial file left
        assert kept[name] == (reference / name).read_bytes()  # every kept file is complete
    for name in done:  # each bitext with its article
        assert name.replace(".en-zh.jsonl", ".zh.txt") in kept

    resumed = translate_files([src], "en", "zh", out)
    assert resumed.skipped == len(done) and resumed.files == 10 - len(done)
    assert contents(out) == contents(reference)


def test_every_bad_file_is_listed_and_nothing_is_written(argos_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("Zhu said.\n", encoding="utf-8")
    (src / "b.en.txt").write_text("  \n", encoding="utf-8")
    (src / "c.en.txt").write_bytes(b"\x00\x01\x02binary\xff" * 20)
    (src / "d.en.txt").write_text(FRENCH, encoding="utf-8")
    (src / "e.en.txt").write_text("He said.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run("translate", src, tmp_path / "missing.txt", "--from", "en", "--out", out)
    assert r.exit_code == EXIT_INPUT
    assert "4 of 6 files cannot be translated; nothing was written" in r.output
    for name, why in [("b.en.txt", "empty file"), ("c.en.txt", "binary"), ("d.en.txt", "not English"),
                      ("missing.txt", "no such file")]:
        assert name in r.output and why in r.output
    assert "--keep-going" in r.output
    assert not out.exists()


def test_keep_going_translates_the_rest_and_lists_what_it_refused(argos_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("Zhu said.\n", encoding="utf-8")
    (src / "b.en.txt").write_text("  \n", encoding="utf-8")
    (src / "c.en.txt").write_text(GERMAN, encoding="utf-8")
    (src / "d.en.txt").write_text("He said.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run("translate", src, "--from", "en", "--out", out, "--keep-going")
    assert r.exit_code == EXIT_PARTIAL, r.output
    assert sorted(contents(out)) == ["a.en-zh.jsonl", "a.zh.txt", "d.en-zh.jsonl", "d.zh.txt"]
    assert (out / "a.zh.txt").read_text(encoding="utf-8") == "猪说。\n"
    assert "translated 2 files" in r.output
    assert "refused 2 files:" in r.output
    assert f"{src / 'b.en.txt'}: empty file" in r.output
    assert f"{src / 'c.en.txt'}: not English: the text looks German" in r.output
    # Quiet, the refused files are still listed (and the exit code says "partly done").
    r = run("translate", src, "--from", "en", "--out", tmp_path / "out2", "--keep-going", "-q")
    assert r.exit_code == EXIT_PARTIAL
    assert "refused 2 files" in r.output and "written:" not in r.output
    # Nothing good left: an ordinary refusal.
    r = run("translate", src / "b.en.txt", src / "c.en.txt", "--out", tmp_path / "out3", "--keep-going")
    assert r.exit_code == EXIT_INPUT and "2 of 2 files cannot be translated" in r.output
    assert not (tmp_path / "out3").exists()


def test_french_or_german_given_or_detected_as_english_is_refused(argos_dir, tmp_path):
    fr = tmp_path / "article.fr.txt"
    fr.write_text(FRENCH, encoding="utf-8")
    de = tmp_path / "bericht.txt"
    de.write_text(GERMAN, encoding="utf-8")
    out = tmp_path / "out"
    r = run("translate", fr, "--from", "en", "--to", "zh", "--out", out)
    assert r.exit_code == EXIT_INPUT
    assert f"{fr}: not English: the text looks French, given as English (--from en)" in r.output
    r = run("translate", de, "--out", out)  # detected as English by its Latin script
    assert r.exit_code == EXIT_INPUT
    assert "not English: the text looks German, detected as English" in r.output
    assert not out.exists()
    # English full of names (and a short line) is still English.
    names = tmp_path / "names.en.txt"
    names.write_text("Zhu Zhiqiang, Gu Xiaohua and the Nanjing Jiangsu Province CCP cadre said.\n"
                     "Zhu said.\n", encoding="utf-8")
    r = run("translate", names, EN, "--out", out, "-q")
    assert r.exit_code == 0, r.output


def test_chinese_articles_in_a_to_zh_batch_are_all_reported(argos_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Zhu said.\n", encoding="utf-8")
    (src / "b.txt").write_text(ZH.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "c.txt").write_text("朱志强说。\n", encoding="utf-8")
    r = run("translate", src, "--to", "zh", "--out", tmp_path / "out")
    assert r.exit_code == EXIT_INPUT
    assert "2 of 3 files cannot be translated" in r.output
    assert f"{src / 'b.txt'}: the text is already in zh" in r.output
    assert f"{src / 'c.txt'}: the text is already in zh" in r.output


def test_a_rerun_that_rewrites_a_bitext_rewrites_its_exports(argos_dir, tmp_path):
    out = tmp_path / "out"
    r = run("translate", EN, "--to", "zh", "--out", out, "--format", "html", "-q")
    assert r.exit_code == 0, r.output
    html = (out / "article.en-zh.html").read_text(encoding="utf-8")
    assert "猪之墙" in html  # the fixture's wrong rendering of Zhu Zhiqiang
    assert header_meta(out / "article.en-zh.jsonl")["exports"] == ["html"]
    # A TSV the user exported by hand from this bitext: no header vouches for it.
    r = run("export", out / "article.en-zh.jsonl", "-o", out / "article.en-zh.tsv")
    assert r.exit_code == 0, r.output

    glossary = tmp_path / "names.tsv"
    glossary.write_text("source\ttarget\nZhu Zhiqiang\t朱志强\n", encoding="utf-8")
    # Re-run with a glossary and without --format: the bitext is translated again, and the
    # HTML made from the old one is made again from the new one.
    r = run("translate", EN, "--to", "zh", "--out", out, "--glossary", glossary)
    assert r.exit_code == 0, r.output
    new = read_bitext(out / "article.en-zh.jsonl")
    assert "朱志强" in new.target.text
    html = (out / "article.en-zh.html").read_text(encoding="utf-8")
    assert "朱志强" in html and "猪之墙" not in html
    assert header_meta(out / "article.en-zh.jsonl")["exports"] == ["html"]
    assert f"stale (made from an earlier bitext" in r.output and str(out / "article.en-zh.tsv") in r.output
    assert f"  {out / 'article.en-zh.html'}" in r.output  # listed among the files written
