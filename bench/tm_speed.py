"""Translation-memory speed and index quality, both stores (printed, not asserted).

Builds a memory of --units units from the MAC and Bible sentences in ../shared/data (their
gold beads, varied: halves of two sentences joined, a number added, so every unit is
different but reads like the data), then measures:
  1. import units/s (goal >= 50,000/s into SQLite) and the part of it spent filing the fuzzy
     candidate index, beside a bare loop inserting the same rows into an SQLite table without
     any index (the floor of what SQLite can do) and the same import without the candidate
     index (the most an import that left the index for later could reach), and
     apart from it the one-off build of SQLite's concordance (FTS5) index, which an import
     leaves for the first `tm search` or `tm index`;
  2. exact look-up segments/s (goal >= 20,000/s), half of them in the memory;
  3. fuzzy top-3 look-ups/s (goal >= 300/s) on --queries sentences (memory sentences with a
     word changed, dropped or a number changed, and sentences that are not in it), and how
     often the index finds the same best match as a brute-force scan of the whole memory
     (rapidfuzz over every unit; goal >= 99%): the same best score (ties count), or both
     finding nothing at the threshold;
  4. size on disk per unit;
  5. with --translate: a batch of sentences half of which are in the memory translated by
     `aligner translate --tm` vs without, with the fixture model (goal >= 1.8x).

    nice python3 bench/tm_speed.py --units 50000                 # a quick run
    nice python3 bench/tm_speed.py                               # 1,000,000 units, both stores
    nice python3 bench/tm_speed.py --stores sqlite --translate
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
DATA = next((p for p in (REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data") if p.is_dir()),
            REPO.parent / "shared" / "data")


def gold_pairs(data: Path) -> list[tuple[str, str]]:
    """(English, Chinese) of every gold bead with text on both sides."""
    pairs = []
    for gold in sorted(data.glob("*/*.gold")):
        stem = gold.with_suffix("")
        en = stem.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        zh = stem.with_suffix(".zh").read_text(encoding="utf-8").splitlines()
        src_is_en = gold.parent.name.startswith("bible")
        for line in gold.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\[([\d,\s]*)\]:\[([\d,\s]*)\]", line.strip())
            if not m:
                continue
            a = [int(x) for x in m[1].split(",") if x.strip()]
            b = [int(x) for x in m[2].split(",") if x.strip()]
            e_ids, z_ids = (a, b) if src_is_en else (b, a)
            e = " ".join(en[i] for i in e_ids if i < len(en)).strip()
            z = "".join(zh[i] for i in z_ids if i < len(zh)).strip()
            if e and z and len(e) < 400:
                pairs.append((e, z))
    return pairs


def varied(pairs, n: int, seed: int = 1):
    """n distinct (en, zh) units: the first half of one pair's sentences + the second half of
    another's, with a number, so they read like the data and share its vocabulary."""
    rng = random.Random(seed)
    seen = set()
    out = []
    while len(out) < n:
        (e1, z1), (e2, z2) = rng.choice(pairs), rng.choice(pairs)
        w1, w2 = e1.split(), e2.split()
        k = rng.random()
        e = " ".join(w1[:max(1, int(len(w1) * k))] + w2[int(len(w2) * k):])
        z = z1[:max(1, int(len(z1) * k))] + z2[int(len(z2) * k):]
        num = rng.randint(1, 99999)
        e, z = f"{e} ({num})", f"{z}（{num}）"
        if e in seen:
            continue
        seen.add(e)
        out.append((e, z))
    return out


def make_queries(units, pairs, n: int, seed: int = 2):
    """Memory sentences with one edit (a word changed or dropped, a number changed), a few
    unchanged, and sentences from the data that are not in the memory."""
    rng = random.Random(seed)
    qs = []
    for i in range(n):
        kind = i % 5
        e = rng.choice(units)[0]
        words = e.split()
        if kind == 0 and len(words) > 3:
            words[rng.randrange(len(words) - 1)] = rng.choice(["river", "king", "house", "night", "gold"])
        elif kind == 1 and len(words) > 3:
            del words[rng.randrange(len(words) - 1)]
        elif kind == 2:
            words[-1] = f"({rng.randint(1, 99999)})"
        elif kind == 3:
            words = rng.choice(pairs)[0].split()
        qs.append(" ".join(words))
    return qs


def bare_insert_rate(rows, path: Path) -> tuple[float, float]:
    """Rows/s of wall and of CPU time: the same rows, batches and WAL as the import, into a
    table without any index."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q)")
    t, c = time.perf_counter(), time.process_time()
    for k in range(0, len(rows), 10_000):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [r + (None,) for r in rows[k:k + 10_000]])
        conn.execute("COMMIT")
    rate, cpu = len(rows) / (time.perf_counter() - t), len(rows) / max(1e-9, time.process_time() - c)
    conn.close()
    return rate, cpu


def _cpu(store: str, n: int, cpu: float) -> str:
    """The rate per second of this process's CPU time: what one core gives when the machine
    is shared (for SQLite all the work is in this process; PostgreSQL's is in the server)."""
    if store != "sqlite" or cpu <= 0:
        return "client CPU only" if cpu > 0 else ""
    return f"{n / cpu:,.0f}/s of CPU time"


def _rate(r: float) -> str:
    return f"{r:,.0f}" if r >= 10 else f"{r:.2f}"


def size_of(tm) -> int:
    return tm.stats().size or 0


def run_store(name: str, spec: str, units, queries, args, brute) -> dict:
    from aligner.memory import Unit, open_memory
    from aligner.memory.base import unit_row

    print(f"\n== {name}: {len(units):,} units ==", flush=True)
    tm = open_memory(spec)
    objs = (Unit(e, z, "en", "zh-CN", origin="aligned", file=f"bench{i % 50}.txt") for i, (e, z) in enumerate(units))
    spent = [0.0, 0.0]  # wall and CPU time inside the candidate index's filing
    index_units = tm._index_units

    def timed(*a, **kw):
        t0, c0 = time.perf_counter(), time.process_time()
        index_units(*a, **kw)
        spent[0] += time.perf_counter() - t0
        spent[1] += time.process_time() - c0

    tm._index_units = timed
    t, c = time.perf_counter(), time.process_time()
    tm.add_units(objs, file="bench")
    import_s, import_cpu = time.perf_counter() - t, time.process_time() - c
    del tm._index_units
    rate = len(units) / import_s
    line = f"import: {rate:,.0f} units/s ({import_s:.1f} s; {_cpu(name, len(units), import_cpu)})"
    line += (f"; of which filing the fuzzy candidate index {spent[0]:.1f} s wall, {spent[1]:.1f} s CPU "
             f"({100 * spent[1] / max(1e-9, import_cpu):.0f}% of the import's CPU)")
    if name == "sqlite":
        rows = [unit_row(Unit(e, z, "en", "zh-CN", origin="aligned")) for e, z in units[:200_000]]
        bare, bare_cpu = bare_insert_rate(rows, Path(args.work) / "bare.sqlite")
        line += (f"; bare SQLite insert of the same rows, no index: {bare:,.0f} rows/s, {bare_cpu:,.0f}/s of CPU "
                 f"time (ratio {rate / bare:.2f} wall, {len(units) / import_cpu / bare_cpu:.2f} CPU)")
        # What an import that left the candidate index for later (built on the first fuzzy
        # look-up) could reach at best: the same import with the filing left out.
        some = units[:200_000]
        spare = open_memory(str(Path(args.work) / "no-index.sqlite"))
        spare._index_units = lambda *a, **kw: None
        t, c = time.perf_counter(), time.process_time()
        spare.add_units(Unit(e, z, "en", "zh-CN", origin="aligned", file=f"bench{i % 50}.txt")
                        for i, (e, z) in enumerate(some))
        bare_s, bare_c = time.perf_counter() - t, time.process_time() - c
        spare.close()
        line += (f"\nimport of the first {len(some):,} units without the candidate index (the most a deferred "
                 f"index could give): {len(some) / bare_s:,.0f} units/s wall, {len(some) / bare_c:,.0f}/s of CPU time")
    print(line, flush=True)
    # The concordance index (SQLite's FTS5), which the import leaves for later: built once,
    # as the first `tm search` (or `tm index`) builds it; PostgreSQL keeps its own as rows come.
    t, c = time.perf_counter(), time.process_time()
    indexed = tm.build_concordance()
    if indexed:
        ix_s, ix_cpu = time.perf_counter() - t, time.process_time() - c
        print(f"concordance index, built once after the import: {ix_s:.1f} s ({indexed / ix_s:,.0f} units/s; "
              f"{_cpu(name, indexed, ix_cpu)}); import and index together: {len(units) / (import_s + ix_s):,.0f} "
              f"units/s ({_cpu(name, len(units), import_cpu + ix_cpu)})", flush=True)
    t = time.perf_counter()
    hits = tm.search("the king")
    print(f"concordance search: {len(hits)} units in {1e3 * (time.perf_counter() - t):.0f} ms", flush=True)

    # exact: half hits, half misses
    rng = random.Random(5)
    exact_q = [rng.choice(units)[0] if i % 2 == 0 else rng.choice(units)[0] + " x" for i in range(args.exact)]
    t, c = time.perf_counter(), time.process_time()
    hits = 0
    for k in range(0, len(exact_q), 1000):
        hits += sum(1 for ms in tm.lookup_exact(exact_q[k:k + 1000], "en", "zh") if ms)
    ex_s, ex_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"exact look-up: {len(exact_q) / ex_s:,.0f} segments/s ({hits} of {len(exact_q)} found; "
          f"{_cpu(name, len(exact_q), ex_cpu)})", flush=True)

    # fuzzy
    from aligner.memory import match as M

    tok = M.Tokenizer()
    t = time.perf_counter()
    tm.lookup_fuzzy(queries[0], "en", "zh", tokenizer=tok)  # the trigram-rarity sample, once per process
    print(f"first fuzzy look-up: {time.perf_counter() - t:.2f} s", flush=True)
    t, c = time.perf_counter(), time.process_time()
    found = [tm.lookup_fuzzy(q, "en", "zh", threshold=args.fuzzy, limit=3, tokenizer=tok) for q in queries]
    fz_s, fz_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"fuzzy top-3 look-up: {_rate(len(queries) / fz_s)} segments/s "
          f"({sum(1 for f in found if f)} of {len(queries)} with a match >= {args.fuzzy}; "
          f"{_cpu(name, len(queries), fz_cpu)})", flush=True)
    agree = None
    if brute is not None:
        print("  (agreement: the index's best score equals the brute-force best score -- ties of equal "
              "score count as the same match -- or neither finds a match >= the threshold)", flush=True)
        same = 0
        for f, b in zip(found, brute):
            idx = f[0].score if f else None
            same += idx == b
        agree = same / len(queries)
        print(f"index finds the brute-force best match: {same} of {len(queries)} queries ({100 * agree:.1f}%)",
              flush=True)
    size = size_of(tm)
    print(f"size on disk: {size / len(units):,.0f} bytes per unit ({size / 1e6:,.0f} MB)", flush=True)
    tm.close()
    return {"import": rate, "exact": len(exact_q) / ex_s, "fuzzy": len(queries) / fz_s, "agree": agree}


def brute_force(units, queries, threshold: int):
    """The best score of each query over every unit (rapidfuzz, all of the memory)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    from aligner.memory import match as M

    tok = M.Tokenizer()
    t = time.perf_counter()
    choices = [tok(e, "en") for e, _ in units]
    norms = None
    best = []
    for q in queries:
        qt = tok(q, "en")
        r = process.extractOne(qt, choices, scorer=Levenshtein.normalized_similarity,
                               score_cutoff=threshold / 100 - 0.05)
        if r is None:
            best.append(None)
            continue
        # The memory's score: exact after normalisation is 100, anything else at most 99.
        if norms is None:
            norms = {}
        score = 100 if M.normalize(units[r[2]][0]) == M.normalize(q) else min(99, int(100 * r[1]))
        best.append(score if score >= threshold else None)
    print(f"brute force over {len(units):,} units: {len(queries) / (time.perf_counter() - t):,.1f} queries/s",
          flush=True)
    return best


def _cpu_all() -> float:
    """User + system CPU time of this process, every thread (CTranslate2's included)."""
    t = os.times()
    return t.user + t.system


def translate_bench(units, args) -> None:
    """A batch half in the memory, with the fixture model: aligner translate --tm vs without."""
    import fixture_model
    from aligner.memory import Unit, open_memory
    from aligner.translate.pipeline import translate_files

    work = Path(args.work)
    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "packages")
    import argostranslate.package as ap

    pkg = fixture_model.build_argosmodel("en-zh", work / "pkg")
    ap.install_from_path(str(pkg))
    rng = random.Random(9)
    # The fixture model reads at most 192 positions: short sentences only.
    short = [u for u in units if len(u[0]) <= 70]
    batch = rng.sample(short, min(args.translate_sentences, len(short)))
    known, unknown = batch[: len(batch) // 2], set(batch[len(batch) // 2:])
    spec = str(work / "half.sqlite")
    with open_memory(spec) as tm:  # other units, and half of the batch; the other half is new
        tm.add_units(Unit(e, z, "en", "zh-CN", origin="aligned") for e, z in units[: args.translate_memory]
                     if (e, z) not in unknown)
        tm.add_units(Unit(e, z, "en", "zh-CN", origin="aligned") for e, z in known)
    src = work / "batch.en.txt"
    src.write_text("\n".join(e for e, _ in batch) + "\n", encoding="utf-8")
    times, cpus = {}, {}
    for label, kw in (("without", {}), ("with --tm", {"tm": spec})):
        out = work / f"out-{label.replace(' ', '')}"
        t, c = time.perf_counter(), _cpu_all()
        summary = translate_files([str(src)], "en", "zh", str(out), presplit=True, force=True, beam_size=2, **kw)
        times[label], cpus[label] = time.perf_counter() - t, _cpu_all() - c
        print(f"translate {len(batch)} sentences {label}: {times[label]:.1f} s wall, {cpus[label]:.1f} s CPU "
              f"(user+sys, all threads) — {summary.describe()}", flush=True)
    print(f"speed-up with the memory: {times['without'] / times['with --tm']:.2f}x wall, "
          f"{cpus['without'] / cpus['with --tm']:.2f}x CPU time", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(DATA), help="the shared data folder (default: ../shared/data)")
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--exact", type=int, default=20_000)
    ap.add_argument("--fuzzy", type=int, default=75)
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--no-brute", action="store_true", help="skip the brute-force comparison")
    ap.add_argument("--translate", action="store_true", help="also the translation with/without --tm")
    ap.add_argument("--translate-sentences", type=int, default=2000)
    ap.add_argument("--translate-memory", type=int, default=100_000, help="other units in that memory")
    ap.add_argument("--work", default=None, help="folder for the memories (default: a temporary one)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="aligner-tm-bench-") if args.work is None else None
    args.work = args.work or tmp.name
    t = time.perf_counter()
    pairs = gold_pairs(Path(args.data))
    if not pairs:
        raise SystemExit(f"no gold beads under {args.data}: pass --data ../shared/data")
    units = varied(pairs, args.units)
    queries = make_queries(units, pairs, args.queries)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    print(f"{len(pairs):,} gold pairs -> {len(units):,} units in {time.perf_counter() - t:.1f} s; "
          f"{len(queries)} fuzzy queries", flush=True)
    brute = None if args.no_brute else brute_force(units, queries, args.fuzzy)
    results = {}
    for store in args.stores.split(","):
        if store == "sqlite":
            results[store] = run_store(store, str(Path(args.work) / "memory.sqlite"), units, queries, args, brute)
        elif store == "postgresql":
            import pg_server

            server = pg_server.Server()
            url, why = server.start()
            if url is None:
                print(f"\n== postgresql: skipped ({why}) ==")
                continue
            try:
                results[store] = run_store(store, server.new_database("tm_bench"), units, queries, args, brute)
            finally:
                server.stop()
    if args.translate:
        translate_bench(units, args)
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
