"""aligner.batch as a library, without the CLI: the one many-file runner behind translate and
align (lock the output folder, skip what is current, export beside each bitext, refuse outputs
that would land on inputs), and the option rules the commands' flags obey, met by library callers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from aligner.align.files import align_batch, align_files, match_directories, plan_align, write_pair
from aligner.batch import (BatchOptions, BatchSummary, Job, PairJob, discover, is_current, output_stem,
                           run_batch)
from aligner.cli import main
from aligner.errors import EXIT_USAGE, InputError, OutputError, UsageError
from aligner.io.atomic import lock_directory
from aligner.io.bitext_jsonl import read_bitext
from aligner.model import Bitext, Document
from aligner.translate import translate_files

REPO = Path(__file__).resolve().parent.parent
EN = REPO / "corpus" / "article.en.txt"
ZH = REPO / "corpus" / "article.zh.txt"


@pytest.fixture
def pair_dirs(tmp_path) -> tuple[Path, Path]:
    """Three pairs: paragraphs of the corpus article and their Chinese translation."""
    en = EN.read_text(encoding="utf-8").split("\n\n")
    zh = ZH.read_text(encoding="utf-8").split("\n\n")
    src, tgt = tmp_path / "en", tmp_path / "zh"
    src.mkdir()
    tgt.mkdir()
    for i, (e, z) in enumerate(list(zip(en, zh))[:3]):
        (src / f"p{i}.en.txt").write_text(e.strip() + "\n", encoding="utf-8")
        (tgt / f"p{i}.zh.txt").write_text(z.strip() + "\n", encoding="utf-8")
    return src, tgt


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- align through the runner

def test_align_batch_skips_current_bitexts(pair_dirs, tmp_path):
    out = tmp_path / "out"
    first = align_batch(match_directories(*pair_dirs), out)
    assert [p.name for p in first.written] == ["p0.en-zh.jsonl", "p1.en-zh.jsonl", "p2.en-zh.jsonl"]
    assert first.skipped == 0
    meta = read_bitext(out / "p0.en-zh.jsonl").meta
    assert len(meta["source_sha256"]) == 64 and meta["options"]["max_bead"] == 6
    before = tree(out)

    again = align_batch(match_directories(*pair_dirs), out)
    assert again.written == [] and again.skipped == 3
    assert "3 pair(s) already up to date" in again.describe()
    assert tree(out) == before  # not one byte, not one mtime

    # A changed source, or other options, make a bitext stale; force redoes them all.
    (pair_dirs[0] / "p1.en.txt").write_text("The cadre resigned.\n", encoding="utf-8")
    changed = align_batch(match_directories(*pair_dirs), out)
    assert [p.name for p in changed.written] == ["p1.en-zh.jsonl"] and changed.skipped == 2
    other = align_batch(match_directories(*pair_dirs), out, max_bead=4)
    assert len(other.written) == 3
    forced = align_batch(match_directories(*pair_dirs), out, max_bead=4, force=True)
    assert len(forced.written) == 3 and forced.skipped == 0


def test_align_batch_is_refused_while_another_run_writes_there(pair_dirs, tmp_path):
    out = tmp_path / "out"
    with lock_directory(out):
        with pytest.raises(OutputError, match="another aligner run"):
            align_batch(match_directories(*pair_dirs), out)
        assert list(out.iterdir()) == []
    assert len(align_batch(match_directories(*pair_dirs), out).written) == 3


def test_translate_is_refused_while_another_run_writes_there(argos_dir, tmp_path):
    out = tmp_path / "out"
    with lock_directory(out):
        with pytest.raises(OutputError, match="another aligner run"):
            translate_files([EN], "en", "zh", out)
        assert list(out.iterdir()) == []


def test_align_batch_exports_beside_each_bitext(pair_dirs, tmp_path):
    out = tmp_path / "out"
    align_batch(match_directories(*pair_dirs), out, formats=["tmx", "TMX", "jsonl", "html"])
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"p{i}.en-zh.{ext}" for i in range(3) for ext in ("jsonl", "tmx", "html"))
    assert "<tu" in (out / "p0.en-zh.tmx").read_text(encoding="utf-8")
    # A current bitext that lacks an export gets it, and nothing else is rewritten.
    (out / "p2.en-zh.tmx").unlink()
    kept = (out / "p0.en-zh.tmx").stat().st_mtime_ns
    again = align_batch(match_directories(*pair_dirs), out, formats=["tmx"])
    assert again.skipped == 3 and (out / "p2.en-zh.tmx").is_file()
    assert (out / "p0.en-zh.tmx").stat().st_mtime_ns == kept


def test_align_batch_refuses_an_output_on_an_input(pair_dirs, tmp_path):
    src, tgt = pair_dirs
    jobs = match_directories(src, tgt)
    jobs[1].out = jobs[1].tgt  # would replace the human translation by a bitext
    before = jobs[1].tgt.read_bytes()
    with pytest.raises(OutputError, match="would overwrite the input"):
        align_batch(jobs, tmp_path / "out")
    assert jobs[1].tgt.read_bytes() == before and not (tmp_path / "out").exists()
    jobs = match_directories(src, tgt)
    jobs[0].out = jobs[1].out = tmp_path / "out" / "same.jsonl"
    with pytest.raises(OutputError, match="would both be written"):
        align_batch(jobs, tmp_path / "out")
    # Two pairs of one name in two folders (a --pairs list) would land on one bitext.
    other = tmp_path / "other"
    other.mkdir()
    for p in (src / "p0.en.txt", tgt / "p0.zh.txt"):
        (other / p.name).write_bytes(p.read_bytes())
    twins = [PairJob(src / "p0.en.txt", tgt / "p0.zh.txt"), PairJob(other / "p0.en.txt", other / "p0.zh.txt")]
    with pytest.raises(OutputError, match="align them in separate runs"):
        align_batch(twins, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the moved option rules

def test_align_option_rules_hold_for_library_callers(pair_dirs, tmp_path):
    src, tgt = (str(p) for p in pair_dirs)
    lst = tmp_path / "pairs.tsv"
    lst.write_text(f"{EN}\t{ZH}\n", encoding="utf-8")
    cases = [
        (dict(src=EN, tgt=ZH, translation="t.txt", mt=True), "--translation FILE or --mt, not both"),
        (dict(src=EN, tgt=ZH, formats=["tmx"]), "--format writes files beside the bitext"),
        (dict(src=src, tgt=tgt, gold="g.gold", out="o"), "--translation and --gold are for one pair"),
        (dict(src=src, tgt=tgt), "give -o DIR for the bitexts of a batch"),
        (dict(src=EN, tgt=None, pairs_list=lst, out="o"), "give --pairs LIST or SRC TGT, not both"),
        (dict(src=EN, tgt=None), "give SRC and TGT"),
        (dict(src="-", tgt="-"), "only one of SRC and TGT can be -"),
    ]
    for kwargs, message in cases:
        with pytest.raises(UsageError, match=message) as e:
            plan_align(kwargs.pop("src"), kwargs.pop("tgt"), **kwargs)
        assert e.value.exit_code == EXIT_USAGE
    with pytest.raises(UsageError, match="unknown export format"):
        plan_align(EN, ZH, out="o.jsonl", formats=["pdf"])
    assert plan_align(src, tgt, out="o").batch and len(plan_align(None, None, pairs_list=lst, out="o").jobs) == 1
    assert not plan_align(EN, ZH).batch
    # The same rules where the library is called directly.
    with pytest.raises(UsageError, match="not both"):
        align_files(EN, ZH, translation="t.txt", mt=True)
    with pytest.raises(UsageError, match="give -o DIR"):
        align_batch(match_directories(src, tgt), "-")
    with pytest.raises(UsageError, match="--format writes files beside"):
        write_pair(align_files(EN, ZH, signals=["length"]), "-", ["tmx"])


def test_translate_option_rules_hold_for_library_callers(tmp_path):
    with pytest.raises(UsageError, match="give --out DIR for file inputs"):
        translate_files([EN], "en", "zh")
    with pytest.raises(InputError, match="cannot be combined"):
        translate_files(["-", EN], "en", "zh", tmp_path / "o")
    with pytest.raises(UsageError, match="unknown export format"):
        translate_files([EN], "en", "zh", tmp_path / "o", formats=["pdf"])
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- the runner itself

class Counted(BatchSummary):
    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []

    def add(self, job: Job, bitext: Bitext) -> None:
        self.done.append(job.name)


def _jobs(src: Path, out: Path, stamp: str) -> list[Job]:
    return [Job(str(p), [p], out / sub / f"{output_stem(p)}.en-zh.jsonl", out / sub / f"{output_stem(p)}.zh.txt",
                stamp={"source": stamp}, data=p.read_text(encoding="utf-8"))
            for p, sub in discover([src])]


def _upper(todo: list[Job]):
    """A stand-in 'translation' (upper case): the runner is what is tested here."""
    for job in todo:
        src = Document.from_sentences("en", [job.data.strip()])
        tgt = Document.from_sentences("zh", [job.data.strip().upper()])
        yield job, Bitext(src, tgt)


def test_runner_writes_document_bitext_and_skips_current(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.en.txt").write_text("one\n", encoding="utf-8")
    (src / "sub" / "b.en.txt").write_text("two\n", encoding="utf-8")
    out = tmp_path / "out"
    stale = out / ".a.zh.txt.0000.part"
    out.mkdir()
    stale.write_text("left by a killed run", encoding="utf-8")
    os.utime(stale, (1, 1))
    summary = run_batch(_jobs(src, out, "v1"), _upper, BatchOptions(out_dir=out), Counted())
    assert summary.done == [str(src / "a.en.txt"), str(src / "sub" / "b.en.txt")]
    assert (out / "a.zh.txt").read_text(encoding="utf-8") == "ONE"
    assert (out / "sub" / "b.zh.txt").read_text(encoding="utf-8") == "TWO"
    assert read_bitext(out / "sub" / "b.en-zh.jsonl").meta == {"source": "v1"}
    assert not stale.exists()
    jobs = _jobs(src, out, "v1")
    assert all(is_current(j) for j in jobs)
    again = run_batch(jobs, _upper, BatchOptions(out_dir=out), Counted())
    assert again.done == [] and again.skipped == 2
    (out / "a.zh.txt").unlink()  # an incomplete job is not current
    assert run_batch(_jobs(src, out, "v1"), _upper, BatchOptions(out_dir=out), Counted()).done == [
        str(src / "a.en.txt")]
    assert len(run_batch(_jobs(src, out, "v2"), _upper, BatchOptions(out_dir=out), Counted()).done) == 2


def test_runner_checks_everything_before_writing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.en.txt").write_text("one\n", encoding="utf-8")
    out = tmp_path / "out"

    def refuses(todo):
        raise InputError("refused before any write")
        yield  # pragma: no cover

    with pytest.raises(InputError):
        run_batch(_jobs(src, out, "v1"), refuses, BatchOptions(out_dir=out))
    assert not out.exists()
    job = Job("x", [src / "a.en.txt"], out / "a.en-zh.jsonl", src / "a.en.txt")
    with pytest.raises(OutputError, match="would overwrite the input"):
        run_batch([job], _upper, BatchOptions(out_dir=out))
    assert (src / "a.en.txt").read_text(encoding="utf-8") == "one\n"
    assert PairJob(src, src).out is None


def test_align_command_skips_current_pairs_and_force_redoes_them(pair_dirs, tmp_path):
    out = tmp_path / "out"
    args = ["align", *map(str, pair_dirs), "-o", str(out), "--format", "tmx"]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0 and "aligned 3 pair(s)" in first.output
    before = tree(out)
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert again.exit_code == 0
    assert "nothing to align; 3 pair(s) already up to date (--force aligns them again)" in again.output
    assert tree(out) == before
    forced = CliRunner().invoke(main, args + ["--force"], catch_exceptions=False)
    assert forced.exit_code == 0 and "aligned 3 pair(s)" in forced.output
    after = tree(out)
    assert sorted(after) == sorted(before)
    for name in before:
        if name.endswith(".jsonl"):  # realigned: the same bytes, written again
            assert after[name][0] == before[name][0] and after[name][1] != before[name][1]
