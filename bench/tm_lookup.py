"""Fuzzy look-ups on a kept memory: CPU and wall rates, agreement, optional profile (printed).

bench/tm_speed.py builds a new memory every run (minutes at 1,000,000 units); this one
builds the bench's memory once at MEMORY (the same units and 500 queries as tm_speed.py),
keeps it and the brute-force best scores beside it, and then times only the look-ups, so
two versions of the code can be compared on one memory in the same minutes:

    flock /tmp/aligner-bench.lock nice -n 5 python3 bench/tm_lookup.py 200000 /tmp/m200k.sqlite
    ... --profile        # cProfile of the look-ups, by own time
    ... --tag new        # keep (unit id, score) of every look-up in MEMORY.found.new.pkl
An older aligner opening the memory upgrades it first (schema 2 -> 3): that is timed too.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pickle
import pstats
import sys
import time
from pathlib import Path

REPO = Path(os.environ.get("REPO") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def main() -> int:
    import tm_speed as B
    from aligner.memory import Unit, match as M, open_memory

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("units", type=int)
    ap.add_argument("memory")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--tag", default=None)
    args = ap.parse_args()
    pairs = B.gold_pairs(B.DATA)
    units = B.varied(pairs, args.units)
    queries = B.make_queries(units, pairs, 500)
    path = args.memory
    if not Path(path).exists():
        tm = open_memory(path)
        t, c = time.perf_counter(), time.process_time()
        tm.add_units(Unit(e, z, "en", "zh-CN", origin="aligned", file=f"bench{i % 50}.txt")
                     for i, (e, z) in enumerate(units))
        print(f"import: {args.units / (time.perf_counter() - t):,.0f}/s wall, "
              f"{args.units / (time.process_time() - c):,.0f}/s CPU", flush=True)
        tm.close()
    brute_file = Path(path + ".brute.pkl")
    if not brute_file.exists():
        brute_file.write_bytes(pickle.dumps(B.brute_force(units, queries, 75)))
    brute = pickle.loads(brute_file.read_bytes())
    t, c = time.perf_counter(), time.process_time()
    tm = open_memory(path)
    print(f"open (an upgrade included): {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s CPU")
    tok = M.Tokenizer()
    tm.lookup_fuzzy(queries[0], "en", "zh", tokenizer=tok)
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    t, c = time.perf_counter(), time.process_time()
    found = [tm.lookup_fuzzy(q, "en", "zh", threshold=75, limit=3, tokenizer=tok) for q in queries]
    w, cpu = time.perf_counter() - t, time.process_time() - c
    if prof:
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    same = sum((f[0].score if f else None) == b for f, b in zip(found, brute))
    t0 = time.process_time()
    for _ in range(len(queries)):
        sum(range(100))
    bare = time.process_time() - t0
    print(f"fuzzy top-3 look-up: {len(queries) / w:,.0f}/s wall, {len(queries) / cpu:,.0f}/s CPU "
          f"({cpu / max(bare, 1e-9):,.0f}x a loop of sum(range(100)) per query); index finds the brute-force best "
          f"match in {same} of {len(queries)}; load average {os.getloadavg()[0]:.1f}", flush=True)
    if args.tag:
        Path(f"{path}.found.{args.tag}.pkl").write_bytes(
            pickle.dumps([[(m.unit.id, m.score) for m in f] for f in found]))
    tm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
