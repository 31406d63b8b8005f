"""Start-up time of the `aligner` command (issue 16: `aligner --help` <= 0.1 s). Prints its
figures; asserts nothing.

    python3 bench/startup.py                     # this checkout, and an installed copy of it
    python3 bench/startup.py --before ../main    # and another checkout, side by side
    python3 bench/startup.py --no-install        # skip the installed copy (it builds a wheel)

Each command runs --runs times as a process of its own; the median wall time and the median
user + system CPU time of the child are printed, with `python -c pass` (the interpreter's own
start-up, the floor) measured in the same run:

* "checkout": the development set-up, this checkout on PYTHONPATH, run by the interpreter of
  the environment this script runs in (in a development venv its editable-install finder is
  imported by every Python process, `python -c pass` included);
* "installed": what a user gets from `pip install`: a wheel of this checkout installed into a
  fresh venv with its console script (the other dependencies are borrowed from this
  environment, through a .pth line, for the commands that need them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    t = time.perf_counter()
    # from a neutral folder: `python -m` puts the working directory first on sys.path
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.gettempdir())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def median_run(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    run_once(cmd, env)  # warm the page cache and write the .pyc files
    results = [run_once(cmd, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def console_script(path: Path, python: str, checkout: Path) -> Path:
    """The `aligner` console script as pip writes it from the checkout's pyproject.toml."""
    import tomllib

    entry = tomllib.loads((checkout / "pyproject.toml").read_text())["project"]["scripts"]["aligner"]
    module, func = entry.split(":")
    path.write_text(f"#!{python}\nimport sys\nfrom {module} import {func}\n"
                    f"if __name__ == '__main__':\n    sys.exit({func}())\n")
    path.chmod(0o755)
    return path


def install_copy(tmp: Path) -> tuple[str, Path]:
    """A fresh venv with a wheel of this checkout installed: (its python, its `aligner` script)."""
    wheels, src = tmp / "wheels", tmp / "src"
    # built from a copy: setuptools writes build/ and *.egg-info beside the sources
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info",
                                                             "__pycache__", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(src)], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    venv = tmp / "venv"
    base = Path(getattr(sys, "_base_executable", sys.executable))
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    *map(str, wheels.glob("aligner-*.whl"))], check=True, stdout=subprocess.DEVNULL)
    # click and the rest, for the commands that import them (a plain path line: the editable
    # finder of this environment's .pth files is not loaded).
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    here = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "borrowed-dependencies.pth").write_text(here + "\n")
    return python, venv / "bin" / "aligner"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20, help="runs per figure (median; default 20)")
    ap.add_argument("--before", type=Path, help="another checkout of aligner, run the same way")
    ap.add_argument("--no-install", action="store_true", help="skip the installed copy")
    args = ap.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLUMNS")}
    print(f"start-up of `aligner`, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start; median of {args.runs} runs "
          f"(wall, and the child's CPU time)\n")

    def show(label: str, cmd: list[str], env: dict[str, str], floor: float | None = None) -> float:
        wall, cpu = median_run(cmd, env, args.runs)
        extra = f"   ({(wall - floor) * 1000:+4.0f} ms over the floor)" if floor is not None else ""
        goal = "   [goal <= 0.1 s]" if cmd[-1] == "--help" and len(cmd) <= 4 and "aligner" in cmd[-2] else ""
        print(f"  {label:44} {wall:6.3f} s wall {cpu:6.3f} s CPU{extra}{goal}", flush=True)
        return wall

    with tempfile.TemporaryDirectory(prefix="aligner-startup-") as tmp:
        tmp_path = Path(tmp)
        checkouts = [("this checkout", REPO)] + ([("before", args.before.resolve())] if args.before else [])
        floor = None
        for name, code in checkouts:
            code_env = dict(env, PYTHONPATH=str(code))
            (tmp_path / name.replace(" ", "-")).mkdir()
            script = console_script(tmp_path / name.replace(" ", "-") / "aligner", sys.executable, code)
            if floor is None:
                print(f"checkout ({sys.executable})")
                floor = show("python -c pass (the floor)", [sys.executable, "-c", "pass"], code_env)
            print(f" {name}: {code}")
            show("aligner --help (console script)", [str(script), "--help"], code_env, floor)
            show("python -m aligner --help", [sys.executable, "-m", "aligner", "--help"], code_env, floor)
            show("aligner translate --help", [str(script), "translate", "--help"], code_env, floor)
            show("aligner glossary lint --help", [str(script), "glossary", "lint", "--help"], code_env, floor)
        if not args.no_install:
            python, script = install_copy(tmp_path)
            print(f"\ninstalled (a wheel of this checkout in a fresh venv: {Path(python).parent.parent.name})")
            ifloor = show("python -c pass (the floor)", [python, "-c", "pass"], env)
            show("aligner --help (console script)", [str(script), "--help"], env, ifloor)
            show("aligner translate --help", [str(script), "translate", "--help"], env, ifloor)
            show("aligner glossary lint --help", [str(script), "glossary", "lint", "--help"], env, ifloor)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
