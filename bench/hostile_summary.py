"""How every command copes with hostile input: the per-command table of issue 6.

Runs every case of tests/hostile/cases.py (empty, binary, oddly encoded, damaged, huge and
hostile files; broken glossaries, memories, bitexts and model packages) through the real
command line, each in a fresh work folder, and counts per command the cases tried, the
successful runs that were correct, and the cases that ended in a traceback, left a partial
file (a `.part` file, or any new file after a refused run), lost a file (a file that existed
before changed, other than the output a successful run writes) or missed another
expectation (exit code, a message naming the file and line, correct output). With
--faults it also runs the interruption scenarios of tests/hostile/faults.py (SIGINT and
SIGKILL during batch translations, two runs into one folder, a full disk, glossary edits
killed mid-write) and counts them the same way.

    python3 bench/hostile_summary.py                 # CliRunner, in this process (about 15 s)
    python3 bench/hostile_summary.py --faults        # and the interruption scenarios
    python3 bench/hostile_summary.py --subprocess    # each case as `python -m aligner ...`
    python3 bench/hostile_summary.py --only import   # the cases of one command

Exit status 1 if any case ended in a traceback, a partial file or a lost file.
The fixture translation models are built on the fly (tests/fixture_model.py); nothing is
downloaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # fixture_model, and the hostile package
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import fixture_model  # noqa: E402
from hostile.cases import all_cases, build_corpus, run_case, summarize  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subprocess", action="store_true", help="run each case as `python -m aligner`")
    ap.add_argument("--faults", action="store_true", help="also run the interruption scenarios")
    ap.add_argument("--only", default=None, help="only the cases of this command (e.g. 'glossary add')")
    ap.add_argument("-v", "--verbose", action="store_true", help="describe every case that did not pass")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="aligner-hostile-") as tmp:
        root = Path(tmp)
        packages_root = root / "packages"
        fixture = {d: fixture_model.build_package(d, packages_root) for d in ("en-zh", "zh-en")}
        corpus_dir = build_corpus(root / "corpus", fixture)
        cases = [c for c in all_cases() if args.only is None or c.command == args.only]
        started = time.perf_counter()
        outcomes = []
        for i, case in enumerate(cases):
            outcomes.append(run_case(case, root / "work", corpus_dir, packages_root, fixture,
                                     how="subprocess" if args.subprocess else "cli"))
        if args.faults:
            from hostile import faults

            outcomes += faults.run_all(root / "faults", packages_root, fixture)
        seconds = time.perf_counter() - started

    how = "python -m aligner subprocesses" if args.subprocess else "click CliRunner"
    print(f"hostile cases through the aligner command line ({how}), {seconds:.1f} s\n")
    print(summarize(outcomes))
    failed = [o for o in outcomes if not o.passed]
    if failed:
        print(f"\n{len(failed)} case(s) did not pass:")
        for o in failed:
            print("  " + (o.describe() if args.verbose else o.describe().split("\n")[0]))
    noted = [o for o in outcomes if o.notes]
    if noted:
        print(f"\n{len(noted)} case(s) passed with a known deviation:")
        for o in noted:
            print(f"  {o.case.id}: {'; '.join(o.notes)}")
    bad = sum(bool(o.traceback or o.partial or o.lost) for o in outcomes)
    print(f"\n{len(outcomes)} cases; {bad} ended in a traceback, a partial file or a lost file.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
