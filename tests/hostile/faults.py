"""Interrupted, concurrent and starved runs: what a batch job meets in real life.

Each scenario builds what it needs under `root`, runs the real command line (subprocesses
for signals and races, CliRunner for injected faults), and returns an Outcome (see cases.py)
counting tracebacks, partial files (a `.part` file, or an output whose bytes differ from an
uninterrupted run) and lost files (an earlier file that changed). tests/hostile/test_faults.py
asserts them; bench/hostile_summary.py --faults counts them.

A scenario that cannot run here (no permission to mount a tmpfs) returns None.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

from .cases import UNRELATED, Case, Outcome

# Twenty short articles (two or three sentences each, words the fixture models know).
_SENTENCES = [
    "Zhu said that the CCP is not democratic.", "He was warned.", "The cadre was warned.",
    "Zhu lives in Nanjing.", "He has no house, work, or health insurance.",
    "Zhu enlisted in the military in 1981.", "In 1994 he was demobilized.",
    "He declared his membership in the CCP null and void.",
]
TRANSLATE_OPTIONS = ("--from", "en", "--to", "zh", "--beam-size", "1", "-q")


def batch(folder: Path, files: int = 20) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    for i in range(files):
        k = 2 + i % 2
        (folder / f"article{i:02d}.en.txt").write_text(
            " ".join(rng.choice(_SENTENCES) for _ in range(k)) + "\n\n" + rng.choice(_SENTENCES) + "\n",
            encoding="utf-8")
    return folder


def reference(inputs: Path, out: Path, packages_root: Path) -> dict[str, bytes]:
    """The outputs of an uninterrupted run (the library call behind the command)."""
    from aligner.translate import translate_files

    translate_files([inputs], "en", "zh", out, beam_size=1, packages_dir=packages_root)
    return files(out)


def files(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _complete(folder: Path) -> int:
    """Files in `folder` that are outputs (not temporary files being written)."""
    return sum(1 for p in folder.glob("*") if p.is_file() and not p.name.endswith(".part")) \
        if folder.exists() else 0


def _loaded(pid: int, library: str) -> bool:
    """Whether process `pid` has mapped a shared library whose path names `library` (Linux
    /proc; elsewhere True, so the caller goes on at once)."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text(errors="replace")
    except FileNotFoundError:
        return not Path("/proc/self/maps").exists()
    except OSError:
        return True


def _env(packages_root: Path) -> dict[str, str]:
    return {**os.environ, "ARGOS_PACKAGES_DIR": str(packages_root), "OMP_WAIT_POLICY": "PASSIVE"}


def _aligner(args: list[str], packages_root: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aligner", *map(str, args)], env=_env(packages_root),
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _outcome(command: str, name: str, code: int, stderr: str, *, partial=(), lost=(), problems=(),
             traceback: bool | None = None) -> Outcome:
    tb = "Traceback (most recent call last)" in stderr if traceback is None else traceback
    return Outcome(Case(command, name, ()), code, "", stderr, tb, list(partial), list(lost), list(problems))


def _compare(got: dict[str, bytes], want: dict[str, bytes], allow_missing: bool) -> tuple[list[str], list[str]]:
    """(partial files, problems): a file that is not byte-identical to the uninterrupted run's,
    or a temporary file; with allow_missing, outputs may be absent (not yet written)."""
    partial = sorted(n for n in got if n.endswith(".part") or (n in want and got[n] != want[n])
                     or (n not in want and n != "unrelated.txt"))
    problems = [] if allow_missing else [f"missing after the re-run: {n}" for n in sorted(set(want) - set(got))]
    return partial, problems


# --------------------------------------------------------------------------- signals

def _signal(p: subprocess.Popen, sig: int, out: Path, want: dict[str, bytes]):
    """Send `sig` to the run if it is still going; what it left: (landed, exit code, stderr,
    the signal's name, the outputs, the partial ones, problems so far)."""
    landed = p.poll() is None
    if landed:
        p.send_signal(sig)
    code = p.wait(timeout=300)
    stderr = p.stderr.read().decode("utf-8", "replace")
    name = {signal.SIGINT: "SIGINT", signal.SIGKILL: "SIGKILL"}[sig]
    after_kill = files(out)
    partial, _ = _compare(after_kill, want, allow_missing=True)
    problems = [] if landed else ["the signal came after the run had ended: nothing was interrupted"]
    # 130, or death by SIGINT (-2; a shell shows both as 130) when the signal comes as the
    # process is exiting, after its last output.
    if landed and sig == signal.SIGINT and code not in (130, -signal.SIGINT, 0):
        problems.append(f"Ctrl-C should exit 130, got {code}")
    return landed, code, stderr, name, after_kill, partial, problems


def _rerun(args: list, packages_root: Path, root: Path, out: Path, want: dict[str, bytes],
           problems: list[str]):
    """Run the interrupted command again, as a user would: it must finish and leave exactly
    what an uninterrupted run leaves. (stderr, the outputs, partial ones, missing ones)."""
    again = subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], env=_env(packages_root),
                           cwd=root, capture_output=True)
    if again.returncode != 0:
        problems.append(f"the re-run failed with exit {again.returncode}")
    final = files(out)
    more_partial, missing = _compare(final, want, allow_missing=False)
    if final != want:
        problems.append("the re-run's outputs differ from an uninterrupted run's")
    return again.stderr.decode("utf-8", "replace"), final, more_partial, missing


def killed_translate(root: Path, packages_root: Path, sig: int, seed: int,
                     phase: str = "writing") -> Outcome:
    """A batch `translate` killed at a random moment (`phase` "writing": once a random number
    of its outputs exist; "translating": a random time into the run, before its outputs),
    then run again: what the kill leaves is complete or absent, and the re-run gives exactly
    the outputs of an uninterrupted run."""
    rng = random.Random(seed)
    inputs = batch(root / "in")
    want = reference(inputs, root / "reference", packages_root)
    out = root / "out"
    out.mkdir(parents=True)
    (out / "unrelated.txt").write_bytes(UNRELATED)
    want = {**want, "unrelated.txt": UNRELATED}
    args = ["translate", inputs, *TRANSLATE_OPTIONS, "--out", out]
    p = _aligner(args, packages_root, root)
    deadline = time.monotonic() + 300
    if phase == "writing":
        # The outputs are written once the batch is translated, one after the other.
        k = rng.randint(1, len(want) - 2)
        while p.poll() is None and _complete(out) < 1 + k and time.monotonic() < deadline:
            time.sleep(0.001)
    else:
        # Into the translation, not Python's start-up (a Ctrl-C during the first imports gets
        # Python's own message): the engine imports CTranslate2 once the run has started.
        while p.poll() is None and not _loaded(p.pid, "ctranslate2") and time.monotonic() < deadline:
            time.sleep(0.01)
        delay = rng.uniform(0.0, 0.5)
        while p.poll() is None and _complete(out) < 2 and time.monotonic() < deadline and delay > 0:
            time.sleep(0.01)
            delay -= 0.01
    landed, code, stderr, name, after_kill, partial, problems = _signal(p, sig, out, want)
    written = len([n for n in after_kill if n != "unrelated.txt" and not n.endswith(".part")])
    if landed and sig == signal.SIGINT and code == 130 and "interrupted" not in stderr:
        problems.append("no message after Ctrl-C")
    more_stderr, final, more_partial, missing = _rerun(args, packages_root, root, out, want, problems)
    stderr += more_stderr
    lost = [] if final.get("unrelated.txt") == UNRELATED else ["unrelated.txt"]
    when = f"after {written} of {len(want) - 1} outputs" if landed else "after the run ended"
    return _outcome(f"translate ({name})", f"seed {seed}, killed {when}", code, stderr,
                    partial=sorted(set(partial + more_partial)), lost=lost, problems=problems + missing)


def align_batch_dirs(root: Path, pairs: int = 8) -> tuple[Path, Path]:
    """Pairs of files: the first paragraphs of the seed article and their Chinese translation."""
    from .corpus import REPO

    src, tgt = root / "en", root / "zh"
    src.mkdir(parents=True)
    tgt.mkdir()
    en = (REPO / "corpus" / "article.en.txt").read_text(encoding="utf-8").split("\n\n")
    zh = (REPO / "corpus" / "article.zh.txt").read_text(encoding="utf-8").split("\n\n")
    for i, (e, z) in enumerate(list(zip(en, zh))[:pairs]):
        (src / f"p{i:02d}.en.txt").write_text(e.strip() + "\n", encoding="utf-8")
        (tgt / f"p{i:02d}.zh.txt").write_text(z.strip() + "\n", encoding="utf-8")
    return src, tgt


def killed_align(root: Path, packages_root: Path, sig: int, seed: int) -> Outcome | None:
    """A batch `align` of two directories killed once a random number of its bitexts exist,
    then run again: the same as for translate (what the kill leaves is complete or absent;
    the re-run's bitexts are byte-identical to an uninterrupted run's)."""
    rng = random.Random(seed)
    src, tgt = align_batch_dirs(root / "in")
    # The uninterrupted run, by the same command line (not a library function whose home may move).
    ref = subprocess.run([sys.executable, "-m", "aligner", "align", str(src), str(tgt), "-o",
                          str(root / "reference"), "-q"], env=_env(packages_root), cwd=root, capture_output=True)
    if ref.returncode != 0:
        raise AssertionError(f"the uninterrupted align failed: {ref.stderr[-500:]!r}")
    want = files(root / "reference")
    out = root / "out"
    args = ["align", src, tgt, "-o", out, "-q"]
    p = _aligner(args, packages_root, root)
    k = rng.randint(1, len(want) - 1)
    deadline = time.monotonic() + 300
    while p.poll() is None and _complete(out) < k and time.monotonic() < deadline:
        time.sleep(0.001)
    landed, code, stderr, name, after_kill, partial, problems = _signal(p, sig, out, want)
    more_stderr, final, more_partial, missing = _rerun(args, packages_root, root, out, want, problems)
    stderr += more_stderr
    when = f"after {len(after_kill)} of {len(want)} bitexts" if landed else "after the run ended"
    return _outcome(f"align ({name})", f"seed {seed}, killed {when}", code, stderr,
                    partial=sorted(set(partial + more_partial)), problems=problems + missing)


def concurrent_translate(root: Path, packages_root: Path) -> Outcome:
    """Two runs into one output folder at once: both finish correctly, or the second is
    refused with a clear message; nothing is interleaved."""
    inputs = batch(root / "in")
    want = reference(inputs, root / "reference", packages_root)
    out = root / "out"
    args = ["translate", inputs, *TRANSLATE_OPTIONS, "--out", out]
    runs = [_aligner(args, packages_root, root) for _ in range(2)]
    codes = [p.wait(timeout=300) for p in runs]
    errs = [p.stderr.read().decode("utf-8", "replace") for p in runs]
    problems = []
    if 0 not in codes:
        problems.append(f"neither run succeeded: exits {codes}")
    for code, err in zip(codes, errs):
        if code not in (0, 5):
            problems.append(f"a run exited {code}")
        if code == 5 and "another aligner run is writing into this directory" not in err:
            problems.append("the refused run does not say why")
    final = files(out)
    partial, missing = _compare(final, want, allow_missing=False)
    if final != want:
        problems.append("the outputs differ from a single run's")
    return _outcome("translate (concurrent)", f"two runs into one folder, exits {codes}", max(codes),
                    "".join(errs), partial=partial, problems=problems + missing)


# --------------------------------------------------------------------------- full or read-only disks

@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[bool]:
    """A tiny tmpfs mounted at `folder` (True), or False where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = False
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                                 capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _cli(args: list[str], packages_root: Path):
    from click.testing import CliRunner

    from aligner.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], env={"ARGOS_PACKAGES_DIR": str(packages_root)},
                              catch_exceptions=True)


def _cli_outcome(command: str, name: str, result, out: Path, want: dict[str, bytes], code: int,
                 says: str, before: dict[str, bytes] | None = None) -> Outcome:
    """A refused run (exit `code`, message `says`): what is in `out` is complete (as in `want`)
    and whatever was there before is unchanged."""
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    got = files(out)
    partial, _ = _compare({n: b for n, b in got.items() if not before or n not in before}, want,
                          allow_missing=True)
    lost = [n for n, b in (before or {}).items() if got.get(n) != b]
    problems = []
    if result.exit_code != code:
        problems.append(f"expected exit {code}, got {result.exit_code}")
    if says not in result.stderr:
        problems.append(f"the message does not say {says!r}")
    return _outcome(command, name, result.exit_code, result.stderr, partial=partial, lost=lost,
                    problems=problems, traceback=crashed)


def disk_full_tmpfs(root: Path, packages_root: Path) -> Outcome | None:
    """A batch into a 64 KiB tmpfs: the disk fills mid-batch. Exit 5 saying so; every file
    written before is complete; no partial file; the earlier file is intact."""
    inputs = batch(root / "in")
    want = reference(inputs, root / "reference", packages_root)
    with tmpfs(root / "tiny", "64k") as mounted:
        if not mounted:
            return None
        out = root / "tiny" / "out"
        out.mkdir()
        (out / "unrelated.txt").write_bytes(UNRELATED)
        before = files(out)
        result = _cli(["translate", inputs, *TRANSLATE_OPTIONS, "--out", out], packages_root)
        outcome = _cli_outcome("translate (disk full)", "64 KiB tmpfs", result, out, want, 5,
                               "the disk is full", before)
        if len(files(out)) < 3:
            outcome.problems.append("the disk was full before any output: nothing was tested")
        return outcome


def disk_full_injected(root: Path, packages_root: Path, after: int = 9) -> Outcome:
    """The same with an injected OSError(ENOSPC) from the `after`-th fsync on (the moment a
    full disk shows itself), for systems where no tmpfs can be mounted."""
    inputs = batch(root / "in")
    want = reference(inputs, root / "reference", packages_root)
    out = root / "out"
    out.mkdir()
    (out / "unrelated.txt").write_bytes(UNRELATED)
    before = files(out)
    real_fsync = os.fsync
    calls = [0]

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] >= after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    os.fsync = fsync
    try:
        result = _cli(["translate", inputs, *TRANSLATE_OPTIONS, "--out", out], packages_root)
    finally:
        os.fsync = real_fsync
    outcome = _cli_outcome("translate (disk full)", f"ENOSPC injected at write {after}", result, out, want, 5,
                           "the disk is full", before)
    if len(files(out)) != after:  # unrelated.txt + the after-1 outputs written before
        outcome.problems.append(f"expected {after - 1} complete outputs, found {len(files(out)) - 1}")
    return outcome


def read_only_output(root: Path, packages_root: Path) -> Outcome | None:
    """The output folder cannot be written (read-only mount, or no permission): exit 5 with
    the reason, the earlier file intact."""
    inputs = batch(root / "in", files=2)
    with tmpfs(root / "ro", "1m") as mounted:
        out = root / "ro" / "out"
        out.mkdir()
        (out / "unrelated.txt").write_bytes(UNRELATED)
        before = files(out)
        if mounted:
            if subprocess.run(["mount", "-o", "remount,ro", str(root / "ro")], capture_output=True).returncode:
                return None
        elif hasattr(os, "geteuid") and os.geteuid() != 0:
            out.chmod(0o555)
        else:
            return None
        try:
            result = _cli(["translate", inputs, *TRANSLATE_OPTIONS, "--out", out], packages_root)
            says = "Read-only file system" if mounted else "Permission denied"
            return _cli_outcome("translate (read-only)", "read-only output folder", result, out, {}, 5,
                                says, before)
        finally:
            if not mounted:
                out.chmod(0o755)


# --------------------------------------------------------------------------- glossary edits

def big_glossary(path: Path, rows: int = 40_000) -> bytes:
    rng = random.Random(11)
    lines = ["# a big glossary", "source\ttarget\tnote", "Zhu Zhiqiang\t朱志强\tthe subject"]
    syllables = ["zhu", "zhi", "qiang", "gu", "xiao", "hua", "nan", "jing", "jiang", "su"]
    han = "朱志强顾晓华南京江苏干部党员军区物资集团公司"
    for i in range(rows):
        name = " ".join(rng.choice(syllables).title() + rng.choice(syllables) for _ in range(2))
        lines.append(f"{name} {i}\t{''.join(rng.choice(han) for _ in range(3))}{i}\trow {i}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(data)
    return data


def killed_glossary_edit(root: Path, packages_root: Path, edit: str, seed: int) -> Outcome:
    """`glossary add`/`remove` on a 40,000-row glossary killed (SIGKILL) at a random moment:
    the file is afterwards exactly the old one or exactly the new one, never truncated, and
    nothing else is left in its folder."""
    rng = random.Random(seed)
    folder = root / "g"
    folder.mkdir(parents=True)
    old = big_glossary(folder / "terms.tsv")
    args = ["glossary", "add", folder / "terms.tsv", "Beijing", "北京"] if edit == "add" else \
        ["glossary", "remove", folder / "terms.tsv", "Zhu Zhiqiang"]
    # The uninterrupted edit, on a copy: the new bytes, and how long it takes.
    (root / "copy").mkdir()
    (root / "copy" / "terms.tsv").write_bytes(old)
    started = time.monotonic()
    ref = subprocess.run([sys.executable, "-m", "aligner", *map(str, [*args[:2], root / "copy" / "terms.tsv",
                                                                    *args[3:]])],
                         env=_env(packages_root), capture_output=True)
    duration = time.monotonic() - started
    new = (root / "copy" / "terms.tsv").read_bytes()
    problems = [] if ref.returncode == 0 and new != old else [f"the edit itself failed: {ref.stderr[-300:]!r}"]
    # The write is at the end, so the kill aims at the last half of the run. A kill that comes
    # after the process has exited tests nothing: then the glossary is put back and the edit
    # run again with an earlier kill; if no kill ever lands while the process runs, that fails.
    delay = rng.uniform(0.5, 1.0) * duration
    for attempt in range(1, 7):
        p = _aligner(args, packages_root, root)
        time.sleep(delay)
        if p.poll() is None:
            p.kill()
        code = p.wait(timeout=120)
        stderr = p.stderr.read().decode("utf-8", "replace")
        landed = code == -signal.SIGKILL  # died of the kill, not exited on its own
        now = (folder / "terms.tsv").read_bytes()
        if landed or now not in (old, new):
            break
        (folder / "terms.tsv").write_bytes(old)
        delay *= 0.6
    if not landed:
        problems.append(f"the kill came after the process had ended in all {attempt} attempts: nothing was tested")
    partial = [] if now in (old, new) else ["terms.tsv (neither the old nor the new glossary)"]
    partial += [p.name for p in folder.iterdir() if p.name != "terms.tsv"]
    state = "old" if now == old else "new" if now == new else "broken"
    return _outcome(f"glossary {edit} (SIGKILL)", f"seed {seed}, {'killed' if landed else 'finished'} "
                    f"{delay:.2f} s in (attempt {attempt}); file is the {state} one", code, stderr,
                    partial=partial, problems=problems)


def interrupted_glossary_edit(root: Path, packages_root: Path, edit: str) -> Outcome:
    """Ctrl-C at the last moment of the write (the rename): exit 130, the glossary unchanged,
    no temporary file left."""
    import aligner.io.atomic as atomic

    folder = root / "g"
    folder.mkdir(parents=True)
    old = big_glossary(folder / "terms.tsv", rows=200)
    args = ["glossary", "add", folder / "terms.tsv", "Beijing", "北京"] if edit == "add" else \
        ["glossary", "remove", folder / "terms.tsv", "Zhu Zhiqiang"]
    real_replace = atomic.os.replace

    def replace(*a, **k):
        raise KeyboardInterrupt

    atomic.os.replace = replace
    try:
        result = _cli(args, packages_root)
    finally:
        atomic.os.replace = real_replace
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    lost = [] if (folder / "terms.tsv").read_bytes() == old else ["terms.tsv"]
    partial = [p.name for p in folder.iterdir() if p.name != "terms.tsv"]
    problems = [] if result.exit_code == 130 else [f"expected exit 130, got {result.exit_code}"]
    return _outcome(f"glossary {edit} (Ctrl-C)", "interrupted at the rename", result.exit_code,
                    result.stderr, partial=partial, lost=lost, problems=problems, traceback=crashed)


# --------------------------------------------------------------------------- all of them

SCENARIOS: list[tuple[str, Callable[[Path, Path], Outcome | None]]] = [
    ("sigint-writing-1", lambda r, p: killed_translate(r, p, signal.SIGINT, 1)),
    ("sigint-writing-2", lambda r, p: killed_translate(r, p, signal.SIGINT, 2)),
    ("sigint-translating", lambda r, p: killed_translate(r, p, signal.SIGINT, 3, "translating")),
    ("sigkill-writing-1", lambda r, p: killed_translate(r, p, signal.SIGKILL, 1)),
    ("sigkill-writing-2", lambda r, p: killed_translate(r, p, signal.SIGKILL, 2)),
    ("sigkill-translating", lambda r, p: killed_translate(r, p, signal.SIGKILL, 3, "translating")),
    ("align-sigint", lambda r, p: killed_align(r, p, signal.SIGINT, 1)),
    ("align-sigkill", lambda r, p: killed_align(r, p, signal.SIGKILL, 2)),
    ("concurrent", concurrent_translate),
    ("disk-full-tmpfs", disk_full_tmpfs),
    ("disk-full-injected", disk_full_injected),
    ("read-only", read_only_output),
    ("glossary-add-kill-1", lambda r, p: killed_glossary_edit(r, p, "add", 1)),
    ("glossary-add-kill-2", lambda r, p: killed_glossary_edit(r, p, "add", 2)),
    ("glossary-remove-kill", lambda r, p: killed_glossary_edit(r, p, "remove", 3)),
    ("glossary-add-ctrl-c", lambda r, p: interrupted_glossary_edit(r, p, "add")),
    ("glossary-remove-ctrl-c", lambda r, p: interrupted_glossary_edit(r, p, "remove")),
]


def run_all(root: Path, packages_root: Path, fixture_packages=None) -> list[Outcome]:
    outcomes = []
    for name, scenario in SCENARIOS:
        result = scenario(root / name, packages_root)
        if result is not None:
            outcomes.append(result)
    return outcomes
