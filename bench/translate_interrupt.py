"""What Ctrl-C keeps, and what the per-file scheduling costs (printed, not asserted).

Builds translate_speed.py's random-weight Argos-size model, writes a 20-file batch (the first
N lines of /work/shared/data/bible-dev/001.en shared out in order), and runs the real CLI
(`python -m aligner translate DIR --from en --out OUT -q`) in subprocesses:

1. this tree, uninterrupted: its time T and sentence rate; then again, sent SIGINT at T/2:
   the share of the 20 files kept (complete bitexts on disk), and how long it took to stop;
2. the same for the old scheduling (waves of 4,096 sentences; files written only when their
   wave is done, and one translator of all the cores): the same command from
   `git archive OLD_REV` of this repository.

Goals: this tree keeps >= 40% of the files; its rate >= 0.97x the old one's.

    python3 bench/translate_interrupt.py                         # 500 sentences
    python3 bench/translate_interrupt.py --sentences 1000 --old-rev b133344
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tarfile
import io
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # shared cores: don't spin while waiting

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from translate_speed import DATA, build_package  # noqa: E402

FILES = 20


def extract(rev: str, dest: Path) -> Path:
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def run_cli(tree: Path, src: Path, out: Path, args, interrupt_after: float | None = None) -> tuple[float, float, int]:
    """(seconds the run took, seconds from SIGINT to exit or 0, return code)."""
    cmd = [sys.executable, "-m", "aligner", "translate", str(src), "--from", "en", "--out", str(out), "-q",
           "--beam-size", str(args.beam_size), "--max-length", str(args.max_length)]
    t = time.perf_counter()
    # A bench started in the background by a non-interactive shell inherits SIGINT ignored,
    # and so would the CLI: give the child the default disposition, as a terminal would.
    proc = subprocess.Popen(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    stop = 0.0
    if interrupt_after is not None:
        try:
            proc.wait(timeout=interrupt_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            stop = time.perf_counter()
    err = proc.communicate()[1]
    end = time.perf_counter()
    if proc.returncode not in (0, 130):
        print(err)
    return end - t, (end - stop) if stop else 0.0, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=500)
    ap.add_argument("--beam-size", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=64)
    ap.add_argument("--old-rev", default="b133344", help="a commit with the old wave scheduling (issue 9's merge)")
    ap.add_argument("--sp-vocab", type=int, default=8000)
    ap.add_argument("--only", choices=["new", "old"], default=None, help="run one tree only")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="aligner-interrupt-") as tmp:
        tmp = Path(tmp)
        pkg = build_package(tmp / "packages", args.sp_vocab, 32000)
        os.environ["ARGOS_PACKAGES_DIR"] = str(pkg.parent)
        old = extract(args.old_rev, tmp / "old")
        lines = DATA.joinpath("001.en").read_text(encoding="utf-8").splitlines()[: args.sentences]
        src = tmp / "in"
        src.mkdir()
        per = -(-len(lines) // FILES)
        for i in range(FILES):
            (src / f"part{i:02d}.en.txt").write_text("\n\n".join(lines[i * per:(i + 1) * per]) + "\n",
                                                     encoding="utf-8")
        print(f"{FILES} files, {len(lines)} sentences of {DATA / '001.en'}, beam {args.beam_size}, "
              f"max_decoding_length {args.max_length}; old scheduling from {args.old_rev}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        full = {}
        # Each run's interrupted twin right after it: the machine's load drifts less in between.
        for name, tree in (("new", REPO), ("old", old)):
            if args.only and name != args.only:
                continue
            seconds, _, rc = run_cli(tree, src, tmp / f"full-{name}", args)
            full[name] = seconds
            print(f"{name}: uninterrupted {seconds:6.1f} s = {len(lines) / seconds:6.2f} sentences/s (exit {rc})",
                  flush=True)
            out = tmp / f"half-{name}"
            seconds, stop, rc = run_cli(tree, src, out, args, interrupt_after=full[name] / 2)
            kept = len(list(out.glob("*.jsonl"))) if out.exists() else 0
            late = "" if stop else " -- NOT interrupted: the run ended first (the load changed)"
            print(f"{name}: SIGINT at {full[name] / 2:5.1f} s: {kept}/{FILES} files kept ({kept / FILES:.0%}), "
                  f"stopped {stop:.1f} s after the signal (exit {rc}){late}", flush=True)
        if len(full) == 2:
            print(f"new / old sentence rate: {full['old'] / full['new']:.3f}x (goal: >= 0.97x)")
        print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
