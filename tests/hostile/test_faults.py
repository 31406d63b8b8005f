"""Interrupted, concurrent and starved runs (tests/hostile/faults.py): a batch killed with
SIGINT or SIGKILL leaves only complete outputs and a re-run gives exactly the uninterrupted
outputs; two runs into one folder never interleave; a full or read-only disk gives one clear
message and keeps what was written; a glossary edit killed mid-write leaves the old or the
new glossary, never a truncated one."""

from __future__ import annotations

import signal

import pytest

from aligner.errors import OutputError
from aligner.io import atomic

from . import faults


def _assert_passed(outcome):
    if outcome is None:
        pytest.skip("needs root to mount a tmpfs (or a non-root user for chmod)")
    assert outcome.passed, outcome.describe()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("seed, phase", [(1, "writing"), (2, "writing"), (3, "translating")])
def test_killed_batch_translate_resumes_to_identical_outputs(sig, seed, phase, tmp_path, packages_root):
    _assert_passed(faults.killed_translate(tmp_path, packages_root, sig, seed, phase))


@pytest.mark.parametrize("sig, seed", [(signal.SIGINT, 1), (signal.SIGKILL, 2)], ids=["SIGINT", "SIGKILL"])
def test_killed_batch_align_resumes_to_identical_bitexts(sig, seed, tmp_path, packages_root):
    _assert_passed(faults.killed_align(tmp_path, packages_root, sig, seed))


def test_two_runs_into_one_folder(tmp_path, packages_root):
    _assert_passed(faults.concurrent_translate(tmp_path, packages_root))


def test_disk_full_on_a_tiny_tmpfs(tmp_path, packages_root):
    _assert_passed(faults.disk_full_tmpfs(tmp_path, packages_root))


@pytest.mark.parametrize("after", [1, 2, 9])
def test_disk_full_injected(after, tmp_path, packages_root):
    _assert_passed(faults.disk_full_injected(tmp_path, packages_root, after=after))


def test_read_only_output_folder(tmp_path, packages_root):
    _assert_passed(faults.read_only_output(tmp_path, packages_root))


@pytest.mark.parametrize("edit, seed", [("add", 1), ("add", 2), ("remove", 3)])
def test_glossary_edit_killed_mid_write(edit, seed, tmp_path, packages_root):
    _assert_passed(faults.killed_glossary_edit(tmp_path, packages_root, edit, seed))


@pytest.mark.parametrize("edit", ["add", "remove"])
def test_glossary_edit_interrupted_at_the_rename(edit, tmp_path, packages_root):
    _assert_passed(faults.interrupted_glossary_edit(tmp_path, packages_root, edit))


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named-part-file"])
def test_atomic_writer_leaves_nothing_on_failure(anonymous, tmp_path, monkeypatch):
    """Both ways of writing (an unnamed O_TMPFILE file, or a hidden .part file where the
    file system has no O_TMPFILE) leave the old file and no temporary file on Ctrl-C or a
    full disk, and give files the mode an ordinary open() would."""
    if not anonymous:
        monkeypatch.setattr(atomic, "_anonymous_file", lambda directory: None)
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic.atomic_open(target) as f:
            f.write("new, half written")
            raise KeyboardInterrupt
    real_fsync = atomic.os.fsync

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError, match="the disk is full"):
        atomic.atomic_write_text(target, "new")
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"] and target.read_text() == "old"
    atomic.atomic_write_text(tmp_path / "fresh.txt", "fresh")
    import os
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "out.txt"]
