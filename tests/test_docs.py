"""Every shell example of README.md and docs/*.md runs, as a reader would type it (as
sqlite-utils' tests/test_docs.py does).

Each page's ```sh blocks run in order in one bash session, from a fresh temporary folder that
holds copies of corpus/, glossaries/ and tests/fixture_model.py, with HOME, the XDG folders and
ARGOS_PACKAGES_DIR (both fixture models installed) pointing into temporary folders. What the
page shows is checked:

* every command exits with 0, or with N where its comment says `# exit N`;
* `=> TEXT` in a command's comment: TEXT is in what the command printed (stdout + stderr);
* a ```output block right after a ```sh block: each of its lines (but `...`) is a line the
  block's last command printed.

A block that cannot run here (a pip install, a download, a benchmark, the test suite itself)
is marked `<!-- not-tested: reason -->` on the line before it; NOT_TESTED lists every one, so
none is left out silently. Following the docs must leave nothing in the checkout: whatever the
examples write is covered by .gitignore, and `git status` is the same before and after.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# Every block marked <!-- not-tested: reason -->, as (page, reason).
NOT_TESTED = {
    ("README.md", "installs the package (the tests run the installed command)"),
    ("README.md", "downloads the real English-Chinese model"),
    ("README.md", "the test suite itself"),
    ("docs/commands.md", "downloads from the Argos package index"),
    ("docs/benchmarks.md", "a benchmark (minutes of CPU)"),
    ("docs/benchmarks.md", "a benchmark; needs ../shared/data"),
    ("docs/benchmarks.md", "a benchmark (a 100,000-term glossary, 20 MB of text)"),
    ("docs/benchmarks.md", "a benchmark over the whole hostile suite"),
    ("docs/robustness.md", "the test suite itself, a benchmark, a pip install and a fuzzer; they run in the checkout"),
}

_MARK = re.compile(r"<!--\s*not-tested:\s*(.*?)\s*-->")


@dataclass
class Command:
    line: int          # line number in the page
    text: str          # the shell command, without its comment
    exit_code: int     # expected exit status
    shows: str | None  # text the command's output must contain


@dataclass
class Block:
    page: str
    line: int
    commands: list[Command]
    not_tested: str | None
    output: list[str] | None  # lines of a ```output block that follows


def split_comment(line: str) -> tuple[str, str]:
    """(command, comment): the comment starts at a # that begins a word outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def parse_command(number: int, line: str) -> Command | None:
    text, comment = split_comment(line)
    if not text.strip():
        return None
    m = re.match(r"exit (\d+)\b", comment)
    shows = comment.split("=>", 1)[1].strip() if "=>" in comment else None
    return Command(number, text, int(m.group(1)) if m else 0, shows)


def blocks(path: Path) -> list[Block]:
    page = str(path.relative_to(REPO))
    lines = path.read_text(encoding="utf-8").split("\n")
    for k, line in enumerate(lines, 1):  # an indented block would be missed: there is none
        assert not re.match(r"\s+```(sh|bash|console|output)\b", line), f"{page}:{k}: indented shell block"
    found: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```sh":
            i += 1
            continue
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        mark = _MARK.fullmatch(before.strip())
        start, i = i, i + 1
        commands = []
        while lines[i].strip() != "```":
            command = parse_command(i + 1, lines[i])
            if command:
                commands.append(command)
            i += 1
        i += 1
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        output = None
        if j < len(lines) and lines[j].strip() == "```output":
            k = j + 1
            while lines[k].strip() != "```":
                k += 1
            output = lines[j + 1:k]
            i = k + 1
        found.append(Block(page, start + 1, commands, mark.group(1) if mark else None, output))
    return found


def test_every_untested_block_is_listed():
    marked = {(b.page, b.not_tested) for p in PAGES for b in blocks(p) if b.not_tested}
    assert marked == NOT_TESTED
    assert all(b.commands for p in PAGES for b in blocks(p))


def test_readme_is_short_and_local_links_resolve():
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 250
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not re.match(r"[a-z]+:", target):
                assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> Path:
    """One XDG cache for all pages: the CC-CEDICT index is built once, not once per page."""
    return tmp_path_factory.mktemp("docs-cache")


def _git_status() -> str | None:
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        return None
    return subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=all"],
                          capture_output=True, text=True, check=True).stdout


def _not_ignored(paths: list[str]) -> list[str]:
    """The paths that the checkout's .gitignore does not cover."""
    if shutil.which("git") is None or not paths:
        return []
    r = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", "--stdin"],
                       input="\n".join(paths) + "\n", capture_output=True, text=True)
    ignored = set(r.stdout.splitlines())
    return [p for p in paths if p not in ignored]


def _script(run: Path, todo: list[Block]) -> str:
    lines = [f"cd {_q(run.parent / 'work')}"]
    for b in todo:
        for c in b.commands:
            out = run / f"{c.line}"
            lines.append(f"{{\n{c.text}\n}} > {_q(out)}.out 2>&1 < /dev/null; echo $? > {_q(out)}.rc")
    return "\n".join(lines) + "\n"


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


@pytest.mark.parametrize("page", [p for p in PAGES if any(not b.not_tested for b in blocks(p))],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_shell_examples_run(page, tmp_path, fixture_packages, shared_cache):
    todo = [b for b in blocks(page) if not b.not_tested]
    work, run, home = tmp_path / "work", tmp_path / "run", tmp_path / "home"
    for d in (run, home, tmp_path / "argos-packages"):
        d.mkdir()
    shutil.copytree(REPO / "corpus", work / "corpus")
    shutil.copytree(REPO / "glossaries", work / "glossaries")
    (work / "tests").mkdir()
    shutil.copy2(REPO / "tests" / "fixture_model.py", work / "tests" / "fixture_model.py")
    for pkg in fixture_packages.values():
        shutil.copytree(pkg, tmp_path / "argos-packages" / pkg.name)
    given = {str(p.relative_to(work)) for p in work.rglob("*")}
    env = {
        **os.environ,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"), "XDG_CACHE_HOME": str(shared_cache),
        "ARGOS_PACKAGES_DIR": str(tmp_path / "argos-packages"),
    }
    env.pop("ALIGNER_CACHE", None)
    status = _git_status()
    subprocess.run(["bash", "-c", _script(run, todo)], env=env, timeout=1200, check=True)
    assert _git_status() == status, "following the docs changed the checkout"

    for b in todo:
        for c in b.commands:
            code = int((run / f"{c.line}.rc").read_text())
            output = (run / f"{c.line}.out").read_text(encoding="utf-8", errors="replace")
            where = f"{b.page}:{c.line}: {c.text}\n{output[-3000:]}"
            assert code == c.exit_code, where
            assert "Traceback" not in output, where
            if c.shows:
                assert c.shows in output, where
        if b.output is not None:
            last = b.commands[-1]
            printed = {x.strip() for x in (run / f"{last.line}.out").read_text(encoding="utf-8").splitlines()}
            for want in b.output:
                if want.strip() and want.strip() != "...":
                    assert want.strip() in printed, f"{b.page}:{last.line}: no line {want!r}"

    new = [p.relative_to(work) for p in work.rglob("*") if str(p.relative_to(work)) not in given]
    written = sorted({top + "/" if (work / top).is_dir() else top for top in (p.parts[0] for p in new)})
    assert _not_ignored(written) == [], "examples write files .gitignore does not cover"
