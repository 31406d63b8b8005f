#!/usr/bin/env python3
"""Speed and memory of the whole `aligner align --no-embedding` process on bible-dev 001.

    python3 bench/align_speed.py                          # this checkout: 1x and 6x, F1
    python3 bench/align_speed.py --before ../main         # and another checkout, side by side
    python3 bench/align_speed.py --runs 3 --scale 1,6 --serial
    python3 bench/align_speed.py --encoder --scale 1 --before /tmp/before   # with the sentence encoder too

For each checkout (this one, and `--before DIR`, e.g. the code before an optimisation) it runs

    aligner align bible-dev/001.en bible-dev/001.zh --presplit --no-embedding -o b1.jsonl -q

in a process of its own (PYTHONPATH = the checkout) and reads the child's resource usage
from os.wait4: wall time, user + system CPU seconds (with the helper processes it forks) and
peak RSS of its largest process, and samples the summed PSS of the whole process tree (the
aligner forks helpers onto the second core: aligner.align.parallel), the median of `--runs`
runs. `--serial` runs this checkout once more with ALIGNER_SERIAL=1 (all on one core). Then the same on the Bible repeated 6 times (a book 6x longer: time and memory should
grow linearly). `--encoder` times the default aligner too, with the sentence encoder (the
same command without --no-embedding; issue 14's goal: 1x <= 8 s and <= 400 MB, 6x <= 6.5x
that). It scores the beads of the 1x run against 001.gold (strict F1 after merging
beads within a verse, as in the data README) and, with --before, says whether both checkouts
wrote the same beads. Goal (issue 16): 1x in <= 3 s wall and <= 300 MB for the whole process.

For 1x it also times `align_documents` alone in a process of its own: its wall time, the CPU of
the thread that the threads and forked children run beside (the critical path, whatever the
load), of all its threads, and of its children.

Python's start-up is printed as the floor (`python -c pass`), with `aligner --help`
(goal <= 0.1 s). Byte-code is written and used (PYTHONDONTWRITEBYTECODE is unset for the
children, after one warm-up run), as in an installed aligner.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner.align.evaluate import f1, merge_by_unit, read_gold, strict_counts  # noqa: E402
from aligner.io.bitext_jsonl import read_bitext  # noqa: E402


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def child_env(code: Path, serial: bool = False) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(code))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ALIGNER_SERIAL", None)
    if serial:
        env["ALIGNER_SERIAL"] = "1"
    return env


def _tree(pid: int) -> list[int]:
    """The process and its children, grandchildren ... (from /proc; [pid] where unreadable)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, ValueError):
            pass
    return out


def _pss_mb(pids: list[int]) -> float:
    """Summed proportional set size: each page shared by forked processes counted once in all."""
    total = 0
    for p in pids:
        try:
            for row in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if row.startswith("Pss:"):
                    total += int(row.split()[1])
                    break
        except (OSError, ValueError):
            pass
    return total / 1024.0


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    """(wall s, user + sys CPU s of the process and the children it waited for, peak RSS MB of
    the largest of them, peak summed PSS MB of the process tree sampled every 20 ms) of one
    child process. The aligner forks helpers (aligner.align.parallel): os.wait4 gives only
    the largest RSS, and adding RSS would count the pages they share twice, hence the PSS."""
    import threading

    t0 = time.perf_counter()
    # run in the checkout: `python -m` puts the working directory first on sys.path
    proc = subprocess.Popen(cmd, env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _pss_mb(_tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err_bytes = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    err = err_bytes.decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, peak[0]


def median_run(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float, float]:
    got = [timed(cmd, env) for _ in range(runs)]
    return tuple(statistics.median(x[i] for x in got) for i in range(4))  # type: ignore[return-value]


#: align_documents in a process of its own, timing the thread that the aligner's other work
#: (threads, forked children) runs beside: the critical path, whatever the machine's load
_MAIN_THREAD = """
import json, resource, sys, time
from aligner.align import core
from aligner.align.files import prepare_files
src, tgt = prepare_files(sys.argv[1], sys.argv[2], presplit=True)[:2]
t, c, p = time.perf_counter(), time.thread_time(), time.process_time()
core.align_documents(src, tgt, embedding=sys.argv[3] == "1")
ch = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([time.perf_counter() - t, time.thread_time() - c, time.process_time() - p,
                  ch.ru_utime + ch.ru_stime]))
"""


def main_thread(code: Path, env: dict[str, str], src: Path, tgt: Path, runs: int = 1,
                encoder: bool = False) -> list[float]:
    """[wall, main thread CPU, all threads' CPU, children's CPU] of align_documents alone
    (`encoder`: with the sentence encoder), the medians of `runs` runs."""
    import json

    got = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _MAIN_THREAD, str(src), str(tgt), "1" if encoder else "0"],
                             env=env, cwd=code, capture_output=True, text=True, check=True).stdout
        got.append(json.loads(out.strip().splitlines()[-1]))
    return [statistics.median(x[i] for x in got) for i in range(4)]


def beads_of(path: Path) -> list[tuple[list[int], list[int]]]:
    return [(b.src, b.tgt) for b in read_bitext(path).beads]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = next((p for p in (REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data")
                    if p.is_dir()), REPO.parent / "shared" / "data")
    ap.add_argument("--data", type=Path, default=default,
                    help="the shared alignment data (default: ../shared/data, or ../../shared/data from a worktree)")
    ap.add_argument("--before", type=Path, help="another checkout of aligner to run side by side")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median; default 3)")
    ap.add_argument("--scale", default="1,6", help="Bible repetitions (default 1,6)")
    ap.add_argument("--serial", action="store_true",
                    help="this checkout once more with ALIGNER_SERIAL=1 (nothing beside the aligner: one core)")
    ap.add_argument("--help-runs", type=int, default=10, help="runs of `aligner --help` (default 10)")
    ap.add_argument("--encoder", action="store_true",
                    help="also time the default aligner, with the sentence encoder (goal: 1x <= 8 s, <= 400 MB)")
    args = ap.parse_args()
    d = args.data.resolve() / "bible-dev"
    if not (d / "001.en").is_file():
        raise SystemExit(f"no bible-dev/001.en in {args.data}: give --data DIR (the shared alignment data)")
    factors = [int(x) for x in args.scale.split(",") if x.strip()]
    checkouts = [("this", REPO)] + ([("before", args.before.resolve())] if args.before else [])
    if args.serial:
        checkouts.append(("serial", REPO))
    py = sys.executable
    print(f"aligner align --no-embedding on bible-dev 001   python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs (shared: wall times vary; CPU time beside them)   median of {args.runs}")
    print(f"  load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    gold = read_gold(d / "001.gold")
    verses = lines(d / "001.en.verse"), lines(d / "001.zh.verse")
    en, zh = lines(d / "001.en"), lines(d / "001.zh")
    with tempfile.TemporaryDirectory(prefix="align-speed-") as tmpdir:
        tmp = Path(tmpdir)
        inputs = {}
        for k in factors:
            if k == 1:
                inputs[k] = (d / "001.en", d / "001.zh")
            else:
                src, tgt = tmp / f"bible{k}.en", tmp / f"bible{k}.zh"
                src.write_text("\n".join(en * k) + "\n", encoding="utf-8")
                tgt.write_text("\n".join(zh * k) + "\n", encoding="utf-8")
                inputs[k] = (src, tgt)
        floor = median_run([py, "-c", "pass"], dict(os.environ, PYTHONPATH=str(REPO)), args.help_runs)
        print(f"\n  python -c pass (the floor)       : {floor[0]:.3f} s wall, {floor[1]:.3f} s CPU")
        results = {}
        for label, code in checkouts:
            if label == "serial":
                continue
            env = child_env(code)
            subprocess.run([py, "-m", "aligner", "--help"], env=env, cwd=code, capture_output=True,
                           check=True)  # byte-code
            h = median_run([py, "-m", "aligner", "--help"], env, args.help_runs)
            print(f"  aligner --help ({label:6})         : {h[0]:.3f} s wall, {h[1]:.3f} s CPU   "
                  f"({h[1] / max(floor[1], 1e-3):.1f}x the floor's CPU)   [goal <= 0.1 s]")
        for label, code in checkouts:
            env = child_env(code, serial=label == "serial")
            print(f"\n  {label}: {code}" + ("   (ALIGNER_SERIAL=1: no work beside the aligner)" if label == "serial" else ""))
            first = None
            for k in factors:
                src, tgt = inputs[k]
                out = tmp / f"{label}-{k}.jsonl"
                cmd = [py, "-m", "aligner", "align", str(src), str(tgt), "--presplit", "--no-embedding",
                       "-o", str(out), "-q", "--force"]
                if k == factors[0]:
                    timed(cmd, env)  # warm-up: byte-code, the CC-CEDICT index cache
                wall, cpu, mb, pss = median_run(cmd, env, args.runs)
                first = first or (k, wall, cpu, mb, pss)
                line = (f"    {k}x ({len(en) * k:6,} x {len(zh) * k:6,}): {wall:6.2f} s wall, {cpu:6.2f} s CPU "
                        f"({cpu / wall:.2f} cores), peak {mb:5.0f} MB RSS (largest process), "
                        f"{pss:5.0f} MB PSS (all)")
                if k != first[0]:
                    r = k / first[0]
                    line += (f"\n{'':24}({wall / first[1]:.2f}x the wall, {cpu / first[2]:.2f}x the CPU, "
                             f"{mb / first[3]:.2f}x the RSS, {pss / max(first[4], 1):.2f}x the PSS "
                             f"for {r:.0f}x the text)")
                elif k == 1:
                    line += "   [goal <= 3 s, <= 300 MB]"
                print(line)
                if k == 1:
                    mt = main_thread(code, env, src, tgt, args.runs)
                    print(f"    1x align_documents alone: {mt[0]:.2f} s wall, main thread {mt[1]:.2f} s CPU, "
                          f"all its threads {mt[2]:.2f} s, forked children {mt[3]:.2f} s")
                    pred = beads_of(out)
                    res = strict_counts(merge_by_unit(pred, *verses), gold)
                    p, r, f = f1(*res)
                    print(f"    1x strict F1 after the verse merge: {f:.4f} (P {p:.4f} R {r:.4f}, "
                          f"{res[0]}/{res[2]} gold beads), {len(pred)} beads")
                    results[label] = pred
            if args.encoder and label != "serial":
                print("    with the sentence encoder (no --no-embedding):")
                enc_first = None
                for k in factors:
                    src, tgt = inputs[k]
                    out = tmp / f"{label}-{k}-enc.jsonl"
                    cmd = [py, "-m", "aligner", "align", str(src), str(tgt), "--presplit", "-o", str(out),
                           "-q", "--force"]
                    wall, cpu, mb, pss = median_run(cmd, env, args.runs)
                    enc_first = enc_first or (k, wall)
                    line = (f"    {k}x with the encoder: {wall:6.2f} s wall, {cpu:6.2f} s CPU ({cpu / wall:.2f} cores), "
                            f"peak {mb:5.0f} MB RSS (largest process), {pss:5.0f} MB PSS (all)")
                    if k == 1:
                        pred = beads_of(out)
                        res = strict_counts(merge_by_unit(pred, *verses), gold)
                        mt = main_thread(code, env, src, tgt, args.runs, encoder=True)
                        line += (f"   [goal <= 8 s, <= 400 MB]\n{'':8}strict F1 {f1(*res)[2]:.4f}; align_documents "
                                 f"alone: {mt[0]:.2f} s wall, main thread {mt[1]:.2f} s CPU, all its threads "
                                 f"{mt[2]:.2f} s, forked children {mt[3]:.2f} s")
                        results[label + "-enc"] = pred
                    elif k != enc_first[0]:
                        line += f"   ({wall / enc_first[1]:.2f}x the wall for {k / enc_first[0]:.0f}x the text; goal <= 6.5x)"
                    print(line)
        for other in ("before", "serial", "before-enc"):
            if other in results:
                a, b = results["this-enc" if other == "before-enc" else "this"], results[other]
                diff = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
                print(f"\n  beads of the 1x run, this and {other}: {'the same' if a == b else f'{diff} differ'} "
                      f"({len(a)} and {len(b)})")
        print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        cmd = "aligner align bible-dev/001.en bible-dev/001.zh --presplit --no-embedding -o b.jsonl -q"
        print(f"\n  command: {cmd}   (6x: the two files repeated 6 times)")


if __name__ == "__main__":
    main()
