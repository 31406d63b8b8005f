"""Coverage-guided fuzzing of every file reader with atheris (libFuzzer for Python).

The readers of files users bring (translation memories: TMX, XLIFF, TSV, CSV; glossaries:
TSV, CSV, TBX, JSONL; bitexts; articles) must either return or raise AlignerError (one
message, exit code 3); anything else is a crash. Each target runs for a bounded time; an
input that crashes is saved as tests/hostile/regressions/TARGET-SIGNATURE.bin (one per
distinct exception and place), and tests/hostile/test_regressions.py replays them all,
without atheris.

    python3 -m pip install atheris                  # optional; not needed by the tests
    python3 tools/fuzz_import.py                    # every target, 30 s each
    python3 tools/fuzz_import.py --seconds 300 tmx glossary-tbx
    python3 tools/fuzz_import.py --list

Seeds: the hostile corpus (tests/hostile/corpus.py) and the project's own files. libFuzzer's
own files (crash-*, timeout-*) go to a temporary folder; a timeout or out-of-memory is
reported at the end of the target's run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
REGRESSIONS = REPO / "tests" / "hostile" / "regressions"


def _tm(fmt: str) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        from aligner.io.tm_import import import_tm

        return import_tm(f"fuzz.{fmt}", fmt=fmt, data=data)
    return run


def _glossary(fmt: str) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        from aligner.glossary.formats import FORMATS
        from aligner.glossary.formats.base import build_glossary
        from aligner.glossary.lint import lint_terms

        name = f"fuzz.{fmt}"
        parsed = FORMATS[fmt].parse(data, name)  # what list, add, convert and lint read
        glossary = build_glossary(parsed, name)  # lint builds it even when rows have errors
        lint_terms(glossary)
        for lang in {glossary.src_lang, glossary.tgt_lang}:
            glossary.find("Zhu Zhiqiang, a cadre of Nanjing. 朱志强是南京的干部。", lang)
        return glossary
    return run


def _bitext(data: bytes) -> object:
    """Read a bitext as `export` and `glossary check` do (from stdin), then export it: what
    the reader accepts, every exporter must be able to write."""
    from aligner.export import EXPORTERS
    from aligner.io.bitext_jsonl import read_bitext

    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")  # as sys.stdin is
    bitext = read_bitext(stream)
    for name in ("tmx", "xliff", "tsv", "html", "jsonl"):
        exporter = EXPORTERS[name]
        exporter.write([bitext], io.BytesIO() if exporter.binary else io.StringIO())
    return bitext


def _article(data: bytes) -> object:
    from aligner.io.text import read_document

    return read_document("-", stdin=io.BytesIO(data))


TARGETS: dict[str, Callable[[bytes], object]] = {
    "tmx": _tm("tmx"), "xliff": _tm("xliff"), "tsv": _tm("tsv"), "csv": _tm("csv"),
    "glossary-tsv": _glossary("tsv"), "glossary-csv": _glossary("csv"),
    "glossary-tbx": _glossary("tbx"), "glossary-jsonl": _glossary("jsonl"),
    "bitext": _bitext, "article": _article,
}

# Which hostile-corpus families seed which target.
SEED_FAMILIES = {"tmx": "memory", "xliff": "memory", "tsv": "memory", "csv": "memory",
                 "glossary-tsv": "glossary", "glossary-csv": "glossary", "glossary-tbx": "glossary",
                 "glossary-jsonl": "glossary", "bitext": "bitext", "article": "text"}


def replay(target: str, data: bytes) -> None:
    """Run one input; AlignerError is a correct refusal, anything else propagates."""
    from aligner.errors import AlignerError

    try:
        TARGETS[target](data)
    except AlignerError:
        pass


def signature(exc: BaseException) -> str:
    """The exception type and the innermost frame of aligner's code: one file per bug."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/aligner/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "outside aligner"
    return hashlib.sha1(f"{type(exc).__name__}@{where}".encode()).hexdigest()[:12]


def _fuzz_one(target: str, seconds: int, seeds: Path) -> None:
    """Runs inside its own process: libFuzzer ends the process when it is done."""
    import atheris

    with atheris.instrument_imports(include=["aligner"]):
        import aligner.glossary.formats  # noqa: F401
        import aligner.io.bitext_jsonl  # noqa: F401
        import aligner.io.text  # noqa: F401
        import aligner.io.tm_import  # noqa: F401
    from aligner.errors import AlignerError

    run = TARGETS[target]
    REGRESSIONS.mkdir(parents=True, exist_ok=True)

    def test_one_input(data: bytes) -> None:
        try:
            run(data)
        except AlignerError:
            pass
        except Exception as e:  # a crash: keep the input, go on looking for others
            path = REGRESSIONS / f"{target}-{signature(e)}.bin"
            if not path.exists():
                path.write_bytes(data)
                print(f"\nCRASH {target}: {type(e).__name__}: {str(e)[:200]} -> {path.relative_to(REPO)}",
                      file=sys.stderr, flush=True)

    artifacts = tempfile.mkdtemp(prefix="aligner-fuzz-")
    atheris.Setup([sys.argv[0], str(seeds), f"-max_total_time={seconds}", "-timeout=20",
                   "-rss_limit_mb=2048", "-max_len=65536", f"-artifact_prefix={artifacts}/",
                   "-print_final_stats=1"], test_one_input)
    atheris.Fuzz()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("targets", nargs="*", help=f"targets (default: all): {', '.join(TARGETS)}")
    ap.add_argument("--seconds", type=int, default=30, help="fuzzing time per target")
    ap.add_argument("--list", action="store_true", help="list the targets")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--seeds", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.list:
        print("\n".join(TARGETS))
        return 0
    if args.child:
        _fuzz_one(args.child, args.seconds, Path(args.seeds))
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: python3 -m pip install atheris", file=sys.stderr)
        return 2
    targets = args.targets or list(TARGETS)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        ap.error(f"unknown target(s): {', '.join(unknown)}")
    sys.path.insert(0, str(REPO / "tests"))
    from hostile import corpus

    before = set(REGRESSIONS.glob("*.bin")) if REGRESSIONS.exists() else set()
    with tempfile.TemporaryDirectory(prefix="aligner-fuzz-seeds-") as tmp:
        corpus.build(Path(tmp) / "corpus")
        for target in targets:
            seeds = Path(tmp) / target
            seeds.mkdir()
            for f in (Path(tmp) / "corpus" / SEED_FAMILIES[target]).iterdir():
                if f.is_file():  # libFuzzer reads at most -max_len bytes of each
                    (seeds / f.name).write_bytes(f.read_bytes()[:65536])
            print(f"== {target}: {args.seconds} s", flush=True)
            # PYTHONPATH first: `PYTHONPATH=/other/tree tools/fuzz_import.py` fuzzes that tree.
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"),
                                                                             str(REPO)]))}
            p = subprocess.run([sys.executable, __file__, "--child", target, "--seconds", str(args.seconds),
                                "--seeds", str(seeds)], env=env, capture_output=True, text=True)
            stats = [ln for ln in p.stderr.splitlines() if ln.startswith(("stat::number_of_executed_units",
                                                                           "CRASH", "==", "SUMMARY"))]
            print("\n".join("   " + ln for ln in stats) or p.stderr[-2000:])
    new = sorted(set(REGRESSIONS.glob("*.bin")) - before) if REGRESSIONS.exists() else []
    print(f"\n{len(new)} new crashing input(s)" + "".join(f"\n  {p.relative_to(REPO)}" for p in new))
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
