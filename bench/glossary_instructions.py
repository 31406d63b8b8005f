"""Glossary load and matching in machine instructions (valgrind's cachegrind): a figure that,
unlike wall and CPU time, does not move with what else runs on a shared machine. Prints its
figures; asserts nothing. Needs valgrind (`apt-get install valgrind`).

    python3 bench/glossary_instructions.py --before ../main     # this checkout and another one
    python3 bench/glossary_instructions.py --entries 20000 --mb 0.5

The glossary and the texts are bench/glossary_speed.py's (same generator, same seed), written
to a temporary folder first. Each figure is the difference between a child that loads the
glossary (builds the English and the Chinese source matchers, as glossary_speed.py times) or
also matches the texts sentence by sentence, and a child that only imports and warms up (the
shipped news glossary, loaded and matched once), so start-up is left out. PYTHONHASHSEED=0
makes the runs repeatable. Instructions are not time (cache misses, which the garbage
collector's passes cause, cost more than their count): this is the figure to compare two
checkouts by; bench/glossary_speed.py's seconds are the ones to state.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

CHILD = r'''
import sys
sys.path.insert(0, sys.argv[1])
from aligner.glossary import load_glossaries
w = load_glossaries([sys.argv[2]])  # warm-up: every lazy import, every first-use path
w.find("Zhu Zhiqiang, a CCP cadre", "en"); w.find("中共干部朱志强", "zh")
what, path, texts = sys.argv[3], sys.argv[4], sys.argv[5:]
if what != "none":
    g = load_glossaries([path])
    g.direction("en", "zh").source_matcher; g.direction("zh", "en").source_matcher
    for lang, t in zip(("en", "zh"), texts):
        if what == "match-" + lang:
            for line in open(t, encoding="utf-8").read().splitlines():
                g.find(line, lang)
'''


def instructions(code: Path, what: str, glossary: Path, texts: list[Path]) -> int:
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, "-c", CHILD, str(code), str(REPO / "glossaries" / "news.tsv"), what,
           str(glossary), *map(str, texts)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"),
                         cwd=tempfile.gettempdir())
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if out.returncode != 0 or m is None:
        raise SystemExit(f"valgrind failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main() -> None:
    import glossary_speed as gs

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--mb", type=float, default=0.5, help="MB of text per language (default 0.5)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--before", type=Path, help="another checkout of aligner, measured the same way")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    zh_words = gs.cedict_words()
    rows = gs.make_glossary(args.entries, rng, zh_words)
    with tempfile.TemporaryDirectory(prefix="aligner-instructions-") as tmp:
        glossary = Path(tmp) / "synthetic.tsv"
        glossary.write_text("source\ttarget\n" + "".join(f"{e}\t{z}\n" for e, z in rows), encoding="utf-8")
        texts = []
        for lang in ("en", "zh"):
            p = Path(tmp) / f"text.{lang}"
            p.write_text("\n".join(gs.make_text(rows, lang, args.mb, rng, zh_words)) + "\n", encoding="utf-8")
            texts.append(p)
        print(f"{len(rows):,} entries, {args.mb:g} MB of text per language; instructions (valgrind "
              f"cachegrind, PYTHONHASHSEED=0), start-up and warm-up subtracted\n")
        checkouts = [("this checkout", REPO)] + ([("before", args.before.resolve())] if args.before else [])
        from concurrent.futures import ThreadPoolExecutor

        jobs = [(name, code, what) for name, code in checkouts
                for what in ("none", "load", "match-en", "match-zh")]
        with ThreadPoolExecutor(max(1, min(2, os.cpu_count() or 1))) as pool:  # valgrind children
            counts = dict(zip([(n, w) for n, _, w in jobs],
                              pool.map(lambda j: instructions(j[1], j[2], glossary, texts), jobs)))
        results = {}
        for name, code in checkouts:
            base = counts[(name, "none")]
            load = counts[(name, "load")] - base
            match = {lang: counts[(name, f"match-{lang}")] - base - load for lang in ("en", "zh")}
            results[name] = (load, match)
            print(f"  {name:14} load {load / 1e6:8.1f} M ({load / len(rows):,.0f} per entry)   "
                  f"matching English {match['en'] / 1e6:7.1f} M, Chinese {match['zh'] / 1e6:7.1f} M   ({code})",
                  flush=True)
        if args.before:
            (l1, m1), (l0, m0) = results["this checkout"], results["before"]
            print(f"\n  this / before: load {l1 / l0:.3f}x, matching English {m1['en'] / m0['en']:.3f}x, "
                  f"Chinese {m1['zh'] / m0['zh']:.3f}x")


if __name__ == "__main__":
    main()
