"""Every hostile case: a command, an input from the hostile corpus, and what must happen.

A case either succeeds with correct output (`ok=True`, `check` verifies it), or is refused
with one clear message naming the file (and the line when there is one), one of the
documented exit codes, no traceback, and no output file written or overwritten.

`run_case` runs one case through the real command line (click's CliRunner in this process,
or `python -m aligner` in a subprocess) inside a fresh work folder:

    work/in/       copies of the corpus files the case names ("@family/name" in argv)
    work/out/      the output folder, holding earlier outputs ("{out}/NAME" in argv is
                   created beforehand with earlier content) and an unrelated file
    work/packages/ ARGOS_PACKAGES_DIR for `models install` cases (else the fixture models)

and reports, besides whether the expectation held, the three failures the suite exists to
rule out: a traceback, a partial file (a `.part` file, or any new file after a refused
run) and a lost file (a file that existed before and changed, other than the output a
successful run writes). tests/hostile/test_inputs.py asserts them case by case;
bench/hostile_summary.py counts them per command.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from aligner.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT, EXIT_USAGE

from . import corpus

REPO = corpus.REPO
PREVIOUS = b"an earlier output that a refused run must leave alone\n"
UNRELATED = b"a file the translator keeps in the output folder\n"


@dataclass(frozen=True)
class Case:
    command: str                      # the summary's row: "translate", "glossary add", ...
    name: str                         # what is hostile about it
    argv: tuple[str, ...]             # "@family/name": a copy of that corpus file; "{out}": work/out
    ok: bool = False                  # must succeed (and pass `check`); else must be refused
    codes: tuple[int, ...] = (EXIT_INPUT,)  # exit codes a refusal may use
    says: tuple[str, ...] = ()        # the message must also hold these (a line: ":5:")
    stdin: str | None = None          # "@family/name" fed on stdin
    changes: tuple[str, ...] = ()     # argv tokens naming files a successful run rewrites
    known_bug: str | None = None      # a failure reported to the code's owner (xfail in the tests)
    check: Callable[["Work"], None] | None = None
    models: bool = False              # needs the fixture translation models
    fresh_packages: bool = False      # `models install`: an empty packages folder of its own
    names: str | None = None          # the file the message must name, if not the first input

    @property
    def id(self) -> str:
        return f"{self.command}:{self.name}"

    def culprit(self) -> str | None:
        """The file the message must name: the first corpus file of argv (or stdin)."""
        if self.names:
            return self.names
        if self.stdin:
            return "<stdin>"
        for token in self.argv:
            if token.startswith("@"):
                return Path(token).name
        return None


@dataclass
class Work:
    """The folders of one case's run, and what the check functions need."""

    root: Path
    corpus_dir: Path
    fixture_packages: dict[str, Path] = field(default_factory=dict)

    @property
    def inp(self) -> Path:
        return self.root / "in"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def packages(self) -> Path:
        return self.root / "packages"

    def path(self, token: str) -> Path:
        if token.startswith("@"):
            return self.inp / Path(token[1:]).name
        return Path(token.replace("{out}", str(self.out)))

    def argv(self, case: Case) -> list[str]:
        return [str(self.path(t)) if t.startswith("@") or "{out}" in t else t for t in case.argv]


@dataclass
class Outcome:
    case: Case
    exit_code: int
    stdout: str
    stderr: str
    traceback: bool
    partial: list[str]
    lost: list[str]
    problems: list[str]  # the expectation that did not hold (wrong code, unclear message, wrong output)
    notes: list[str] = field(default_factory=list)  # known deviations, reported but not failing

    @property
    def passed(self) -> bool:
        return not (self.traceback or self.partial or self.lost or self.problems)

    def describe(self) -> str:
        parts = [f"{self.case.id}: exit {self.exit_code}"]
        if self.traceback:
            parts.append("TRACEBACK")
        if self.partial:
            parts.append(f"partial files {self.partial}")
        if self.lost:
            parts.append(f"lost files {self.lost}")
        parts += self.problems
        return "; ".join(parts) + "\n--- stderr ---\n" + self.stderr[-3000:]


# --------------------------------------------------------------------------- running

def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def prepare(case: Case, root: Path, corpus_dir: Path, fixture_packages: dict[str, Path]) -> Work:
    if root.exists():
        shutil.rmtree(root)
    work = Work(root, corpus_dir, fixture_packages)
    work.inp.mkdir(parents=True)
    work.out.mkdir()
    (work.out / "unrelated.txt").write_bytes(UNRELATED)
    for token in (*case.argv, *( [case.stdin] if case.stdin else [])):
        if token.startswith("@"):
            src = corpus_dir / token[1:]
            if src.is_dir():
                shutil.copytree(src, work.path(token))
            elif src.exists():
                shutil.copyfile(src, work.path(token))
            # else: the case is about a missing file
        elif token.startswith("{out}/") and not token.endswith("/"):
            target = work.path(token)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(PREVIOUS)
    if case.fresh_packages:
        work.packages.mkdir()
        (work.packages / "keep.txt").write_bytes(UNRELATED)
    return work


def _invoke(work: Work, case: Case, how: str, packages_dir: Path) -> tuple[int, str, str, bool]:
    env = {"ARGOS_PACKAGES_DIR": str(work.packages if case.fresh_packages else packages_dir),
           "OMP_WAIT_POLICY": "PASSIVE"}
    stdin = work.path(case.stdin).read_bytes() if case.stdin else b""
    argv = work.argv(case)
    if how == "subprocess":
        p = subprocess.run([sys.executable, "-m", "aligner", *argv], input=stdin,
                           capture_output=True, env={**os.environ, **env}, cwd=work.root, timeout=600)
        err = p.stderr.decode("utf-8", "replace")
        return p.returncode, p.stdout.decode("utf-8", "replace"), err, "Traceback (most recent call last)" in err
    from click.testing import CliRunner

    from aligner.cli import main

    result = CliRunner().invoke(main, argv, input=stdin, env=env, catch_exceptions=True)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    stderr = result.stderr
    if crashed:
        import traceback

        stderr += "".join(traceback.format_exception(*result.exc_info))
    return result.exit_code, result.stdout, stderr, crashed


def run_case(case: Case, root: Path, corpus_dir: Path, packages_dir: Path,
             fixture_packages: dict[str, Path], how: str = "cli") -> Outcome:
    """Run one case in a fresh work folder `root`; `packages_dir` holds the fixture models."""
    work = prepare(case, root, corpus_dir, fixture_packages)
    before = _snapshot(root)
    code, out, err, crashed = _invoke(work, case, how, packages_dir)
    after = _snapshot(root)

    changes = {str(work.path(t).relative_to(root)) for t in case.changes}
    partial = sorted(p for p in after if ".part" in Path(p).name)
    if code != 0:
        partial += sorted(p for p in after if p not in before and p not in partial)
    lost = sorted(p for p, digest in before.items()
                  if after.get(p) != digest and not (code == 0 and p in changes))
    problems: list[str] = []
    if case.ok:
        if code != 0:
            problems.append(f"expected success, got exit {code}")
        elif case.check is not None:
            try:
                case.check(work)
            except AssertionError as e:
                problems.append(f"wrong output: {e}")
    else:
        if code not in case.codes:
            problems.append(f"expected exit {' or '.join(map(str, case.codes))}, got {code}")
        problems += _message_problems(case, err, out, code)
    return Outcome(case, code, out, err, crashed, partial, lost, problems)


def _message_problems(case: Case, err: str, out: str, code: int) -> list[str]:
    """One message, naming the file (and line), on stderr."""
    if case.command == "glossary lint" and code == EXIT_FINDINGS:  # the findings are the report
        return []
    errors = [ln for ln in err.splitlines() if ln.startswith(("aligner: error:", "Error:"))]
    problems = []
    if len(errors) != 1:
        problems.append(f"expected one error message, got {len(errors)}")
    culprit = case.culprit()
    if culprit and culprit not in err:
        problems.append(f"the message does not name {culprit}")
    for text in case.says:
        if text not in err:
            problems.append(f"the message does not say {text!r}")
    return problems


# --------------------------------------------------------------------------- checks

def _reference(text: str, direction: str, work: Work) -> str:
    """The fixture model's translation of an article, line by line, computed from its word
    table (never by aligner)."""
    import fixture_model

    sp = work.fixture_packages[direction] / "sentencepiece.model"
    return "\n".join(fixture_model.reference_translation(line, direction, sp) if line.strip() else line
                     for line in text.split("\n"))


def translated_as(name: str, text: str, direction: str) -> Callable[[Work], None]:
    """The article `name` in out/ is the reference translation of `text`, and its bitext pairs
    every sentence with its translation."""

    def check(work: Work) -> None:
        from aligner.io.bitext_jsonl import read_bitext

        src, tgt = direction.split("-")
        stem = name.split(".")[0]
        article = work.out / f"{stem}.{tgt}.txt"
        assert article.is_file(), f"no {article.name} in {sorted(os.listdir(work.out))}"
        got = article.read_text(encoding="utf-8")
        want = _reference(text, direction, work)
        assert got == want, f"{article.name}: {got[:200]!r} != {want[:200]!r}"
        bitext = read_bitext(work.out / f"{stem}.{src}-{tgt}.jsonl")
        assert bitext.source.text == text and bitext.target.text == want
        assert len(bitext.beads) == len(bitext.source.segments) > 0
    return check


def markdown_kept(work: Work) -> None:
    from aligner.io.bitext_jsonl import read_bitext

    got = (work.out / "notes.zh.md").read_text(encoding="utf-8")
    src = corpus.MARKDOWN
    assert got.count("\n") == src.count("\n"), "lines were added or lost"
    lines, src_lines = got.split("\n"), src.split("\n")
    for a, b in zip(src_lines, lines):
        if a.startswith(("```", "print(", "x = ", "~~~", "an unclosed", "|---")):
            assert a == b, f"code or table structure changed: {a!r} -> {b!r}"
        if a.startswith("|"):
            assert a.count("|") == b.count("|"), f"table cells changed: {a!r} -> {b!r}"
        if a.startswith("# "):
            assert b.startswith("# ")
    segments = [s.text for s in read_bitext(work.out / "notes.en-zh.jsonl").source.segments]
    assert "Zhu Zhiqiang" in segments and "Nanjing" in segments  # table cells are segments
    assert not any("print" in s or "unclosed" in s for s in segments)  # code is not


def controls_translated(work: Work) -> None:
    from aligner.io.bitext_jsonl import read_bitext

    got = (work.out / "controls.zh.txt").read_text(encoding="utf-8")
    bitext = read_bitext(work.out / "controls.en-zh.jsonl")
    assert len(bitext.beads) == len(bitext.source.segments) == 2, [s.text for s in bitext.source.segments]
    assert all(t.strip() for _, _, t in bitext.pairs())
    assert got.count("\n") == bitext.source.text.count("\n")


def memory_pairs(path_token: str, pairs: list[tuple[str, str]]) -> Callable[[Work], None]:
    def check(work: Work) -> None:
        from aligner.io.bitext_jsonl import read_bitext

        bitext = read_bitext(work.path(path_token))
        got = [(s, t) for _, s, t in bitext.pairs()]
        assert got == pairs, f"{got[:3]} != {pairs[:3]}"
    return check


def glossary_terms(path_token: str, want: list[tuple[str, str]], fmt: str | None = None
                   ) -> Callable[[Work], None]:
    def check(work: Work) -> None:
        from aligner.glossary import read_glossary

        g = read_glossary(work.path(path_token), fmt)
        got = [(t.source, t.target) for t in g.terms]
        assert got == want, f"{got} != {want}"
    return check


def glossary_edited(token: str, added: bool) -> Callable[[Work], None]:
    """add appends one row; remove drops the `cadre` row; every other line is kept byte for byte
    (TSV), or every other term (other formats)."""

    def check(work: Work) -> None:
        from aligner.glossary import read_glossary
        from aligner.glossary.formats.base import decode

        path = work.path(token)
        original = (work.corpus_dir / token[1:]).read_bytes()
        before = [(t.source, t.target) for t in read_glossary(work.corpus_dir / token[1:]).terms]
        if not added and before == [("cadre", "干部")]:  # the only term: an empty glossary is left
            assert "cadre" not in path.read_text(encoding="utf-8")
            return
        g = read_glossary(path)
        terms = [(t.source, t.target) for t in g.terms]
        if path.suffix == ".tsv":
            old, new = decode(original, "old").splitlines(), decode(path.read_bytes(), "new").splitlines()
            if added:
                assert new[:-1] == old and "Beijing" in new[-1], f"{old} -> {new}"
            else:
                assert [ln for ln in old if not ln.startswith("cadre\t")] == new, f"{old} -> {new}"
        if added:
            assert terms == before + [("Beijing", "北京")], f"{before} -> {terms}"
        else:
            assert terms == [t for t in before if t[0] != "cadre"], f"{before} -> {terms}"
    return check


def exported(token: str, fmt: str, controls: bool = False) -> Callable[[Work], None]:
    pairs = corpus.CONTROL_PAIRS if controls else corpus.MEMORY_PAIRS

    def check(work: Work) -> None:
        path = work.path(token)
        data = path.read_bytes()
        assert data and data != PREVIOUS
        if fmt in ("tmx", "xliff", "tsv", "csv"):
            from aligner.io.tm_import import import_tm

            bitext = import_tm(path, fmt=fmt, src_lang="en", tgt_lang="zh")
            got = [(s, t) for _, s, t in bitext.pairs()]
            assert got == pairs, f"{got} != {pairs}"
        elif fmt == "jsonl":
            from aligner.io.bitext_jsonl import read_bitext

            assert [(s, t) for _, s, t in read_bitext(path).pairs()] == pairs
        elif fmt == "docx":
            xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
            assert "Nanjing" in xml and "南京" in xml
        elif fmt == "html":
            html = data.decode("utf-8")
            assert "Zhu lives in Nanjing." in html and "朱住在南京。" in html
    return check


def exported_huge(token: str, fmt: str) -> Callable[[Work], None]:
    def check(work: Work) -> None:
        path = work.path(token)
        if fmt == "tmx":
            from aligner.io.tm_import import import_tm

            got = [s for _, s, _ in import_tm(path, fmt="tmx").pairs()]
            assert got[0] == corpus.HUGE_SENTENCE and len(got) == 2
        else:
            assert corpus.HUGE_SENTENCE in path.read_text(encoding="utf-8")
    return check


def installed(work: Work) -> None:
    from aligner.translate.packages import list_packages

    pairs = [(p.from_code, p.to_code) for p in list_packages(work.packages)]
    assert pairs == [("en", "zh")], pairs


# --------------------------------------------------------------------------- the cases

def _line_of(data: bytes, marker: bytes) -> int:
    return data[:data.index(marker)].count(b"\n") + 1


def translate_cases() -> list[Case]:
    text = corpus.text_files()
    out = ("--out", "{out}")

    def refuse(name: str, *args: str, codes=(EXIT_INPUT,), says=(), stdin=None, names=None) -> Case:
        return Case("translate", name, ("translate", *args, *out) if args else ("translate", "-"),
                    codes=codes, says=says, stdin=stdin, models=True, names=names)

    def ok(file: str, text_: str, direction: str, *extra: str) -> Case:
        return Case("translate", file, ("translate", f"@text/{file}", *extra, *out), ok=True, models=True,
                    check=translated_as(file, text_, direction))

    damaged = _line_of(text["damaged-utf8.zh.txt"], b"\xed\xa0\x80")
    return [
        refuse("empty file", "@text/empty.en.txt"),
        refuse("whitespace only", "@text/whitespace.en.txt"),
        refuse("binary file", "@text/binary.en.txt"),
        refuse("missing file", "@text/no-such-file.en.txt"),
        refuse("directory without articles", "@text/no-text-files"),
        refuse("empty directory named like a file", "@text/folder.en.txt"),
        refuse("damaged UTF-8 (encoded surrogate)", "@text/damaged-utf8.zh.txt", says=(f":{damaged}:",)),
        refuse("UTF-16 with an unpaired surrogate", "@text/utf16-lone-surrogate.en.txt", says=(":1:",)),
        refuse("5 MB single line", "@text/one-line-5mb.en.txt", says=(":1:", "pieces")),
        refuse("no letters at all", "@text/symbols.en.txt"),
        refuse("wrong language for --from", "@text/plain.zh.txt", "--from", "en"),
        refuse("one bad file in a batch", "@text/plain.en.txt", "@text/binary.en.txt", names="binary.en.txt"),
        refuse("hostile glossary (XXE)", "@text/plain.en.txt", "--glossary", "@glossary/xxe.tbx",
               names="xxe.tbx"),
        refuse("broken glossary (tab in a field)", "@text/plain.en.txt", "--glossary",
               "@glossary/tab-in-field.tsv", says=(":5:",), names="tab-in-field.tsv"),
        refuse("glossary is a directory", "@text/plain.en.txt", "--glossary", "@text/no-text-files",
               names="no-text-files"),  # an input problem: 3, as everywhere (docs/exit-codes.md)
        refuse("binary on stdin", stdin="@text/binary.en.txt"),
        refuse("empty stdin", stdin="@text/empty.en.txt"),
        Case("translate", "--out is a file", ("translate", "@text/plain.en.txt", "--out", "{out}/previous.txt"),
             codes=(EXIT_OUTPUT, EXIT_USAGE), models=True, names="previous.txt"),
        ok("plain.en.txt", corpus.EN, "en-zh"),
        ok("plain.zh.txt", corpus.ZH, "zh-en"),
        ok("bom.en.txt", corpus.EN, "en-zh"),
        ok("utf16le.en.txt", corpus.EN, "en-zh"),
        ok("utf16be.zh.txt", corpus.ZH, "zh-en"),
        ok("gb18030.zh.txt", corpus.ZH, "zh-en"),
        ok("gbk.zh.txt", corpus.ZH, "zh-en", "--from", "zh"),
        ok("big5.zh.txt", corpus.ZH_TRADITIONAL, "zh-en"),
        ok("crlf.en.txt", corpus.EN, "en-zh"),
        ok("cr-only.en.txt", corpus.EN, "en-zh"),
        Case("translate", "control characters", ("translate", "@text/controls.en.txt", *out), ok=True,
             models=True, check=controls_translated),
        Case("translate", "Markdown with code blocks and tables", ("translate", "@text/notes.en.md", *out),
             ok=True, models=True, check=markdown_kept),
    ]


def aligned(token: str, src_text: str | None, tgt_text: str | None) -> Callable[[Work], None]:
    """The bitext covers every sentence of both texts exactly once, in order, and keeps the
    texts as decoded."""

    def check(work: Work) -> None:
        from aligner.io.bitext_jsonl import read_bitext

        bitext = read_bitext(work.path(token))
        assert [i for b in bitext.beads for i in b.src] == list(range(len(bitext.source.segments)))
        assert [j for b in bitext.beads for j in b.tgt] == list(range(len(bitext.target.segments)))
        assert bitext.source.segments and bitext.target.segments
        if src_text is not None:
            assert bitext.source.text == src_text, repr(bitext.source.text[:100])
        if tgt_text is not None:
            assert bitext.target.text == tgt_text, repr(bitext.target.text[:100])
    return check


def align_cases() -> list[Case]:
    target = "{out}/previous.jsonl"

    def refuse(name: str, src: str, tgt: str, *extra: str, codes=(EXIT_INPUT,), says=(), names=None,
               known_bug=None) -> Case:
        return Case("align", name, ("align", src, tgt, *extra, "-o", target), codes=codes, says=says,
                    names=names, known_bug=known_bug)

    def ok(name: str, src: str, tgt: str, src_text, tgt_text, *extra: str) -> Case:
        return Case("align", name, ("align", src, tgt, *extra, "-o", target), ok=True, changes=(target,),
                    check=aligned(target, src_text, tgt_text))

    zh = "@text/plain.zh.txt"
    damaged = _line_of(corpus.text_files()["damaged-utf8.zh.txt"], b"\xed\xa0\x80")
    return [
        refuse("empty source", "@text/empty.en.txt", zh),
        refuse("whitespace-only source", "@text/whitespace.en.txt", zh),
        refuse("binary source", "@text/binary.en.txt", zh),
        refuse("missing source", "@text/no-such.en.txt", zh),
        refuse("empty target", "@text/plain.en.txt", "@text/empty.en.txt", names="empty.en.txt"),
        refuse("source is a directory", "@text/folder.en.txt", zh),
        refuse("damaged UTF-8", "@text/damaged-utf8.zh.txt", "@text/plain.en.txt", says=(f":{damaged}:",)),
        refuse("UTF-16 with an unpaired surrogate", "@text/utf16-lone-surrogate.en.txt", zh, says=(":1:",)),
        refuse("no letters at all", "@text/symbols.en.txt", zh),
        refuse("both in the same language", "@text/plain.en.txt", "@text/crlf.en.txt", names="crlf.en.txt"),
        refuse("wrong language for --from", zh, "@text/plain.en.txt", "--from", "en"),
        refuse("hostile glossary (XXE)", "@text/plain.en.txt", zh, "--glossary", "@glossary/xxe.tbx",
               names="xxe.tbx"),
        refuse("binary translation file", "@text/plain.en.txt", zh, "--translation", "@text/binary.en.txt",
               names="binary.en.txt"),
        Case("align", "batch with one bad pair", ("align", "@text/batch-en", "@text/batch-zh", "-o", "{out}/aligned/"),
             names="c.en.txt"),
        ok("UTF-16 LE and GB18030", "@text/utf16le.en.txt", "@text/gb18030.zh.txt", corpus.EN, corpus.ZH),
        ok("UTF-8 BOM and UTF-16 BE", "@text/bom.en.txt", "@text/utf16be.zh.txt", corpus.EN, corpus.ZH),
        ok("CRLF and GBK", "@text/crlf.en.txt", "@text/gbk.zh.txt", corpus.EN, corpus.ZH),
        ok("CR line ends", "@text/cr-only.en.txt", zh, corpus.EN, corpus.ZH),
        ok("zh to en", zh, "@text/plain.en.txt", corpus.ZH, corpus.EN),
        ok("Big5 against Markdown", "@text/notes.en.md", "@text/big5.zh.txt", corpus.MARKDOWN,
           corpus.ZH_TRADITIONAL),
        ok("control characters", "@text/controls.en.txt", zh, None, corpus.ZH),
        ok("5 MB single line", "@text/one-line-5mb.en.txt", zh, None, corpus.ZH),
    ]


GLOSSARY_TERMS = [("Zhu Zhiqiang", "朱志强"), ("cadre", "干部"), ("Nanjing", "南京")]

# Glossary files: (expected line in the message, or None) for refused ones; the terms for good ones.
BAD_GLOSSARIES = {
    "empty.tsv": None, "whitespace.tsv": None, "binary.tsv": ":3:", "utf16-no-bom.tsv": ":1:",
    "gb18030.tsv": ":2:", "missing-target-column.tsv": ":1:", "duplicate-header.tsv": ":1:",
    "tab-in-field.tsv": ":5:", "comments-only.tsv": None, "unbalanced-quote.csv": ":2:",
    "bad-json.jsonl": ":2:", "surrogate.jsonl": ":1:", "deep.jsonl": ":1:",
    "not-well-formed.tbx": None, "xxe.tbx": None, "billion-laughs.tbx": None, "wrong-root.tbx": None,
    "one-line-5mb.tsv": ":1:",
}
GOOD_GLOSSARIES = {
    "good.tsv": GLOSSARY_TERMS, "bom.tsv": GLOSSARY_TERMS, "crlf.tsv": GLOSSARY_TERMS,
    "utf16-bom.tsv": GLOSSARY_TERMS, "extra-columns.tsv": GLOSSARY_TERMS,
    "short-rows.tsv": GLOSSARY_TERMS + [("Jiangsu", "江苏")],
    "good.csv": [("Zhu Zhiqiang", "朱志强"), ("cadre", "干部")], "good.tbx": [("cadre", "干部")],
    "huge-note.tsv": GLOSSARY_TERMS + [("Jiangsu", "江苏")],
}


def glossary_cases() -> list[Case]:
    cases: list[Case] = []
    for name, line in BAD_GLOSSARIES.items():
        g = f"@glossary/{name}"
        says = (line,) if line else ()
        cases += [
            Case("glossary list", name, ("glossary", "list", g), says=says),
            Case("glossary lint", name, ("glossary", "lint", g), codes=(EXIT_FINDINGS, EXIT_INPUT)),
            Case("glossary convert", name, ("glossary", "convert", g, "{out}/converted.jsonl"), says=says),
            Case("glossary add", name, ("glossary", "add", g, "Beijing", "北京"), says=says),
            Case("glossary remove", name, ("glossary", "remove", g, "cadre"), says=says),
            Case("glossary check", f"glossary {name}", ("glossary", "check", "@bitext/good.jsonl", "-g", g),
                 says=says, names=name),
            Case("export", f"html with glossary {name}",
                 ("export", "@bitext/good.jsonl", "-o", "{out}/review.html", "-g", g), says=says, names=name),
        ]
    for name, terms in GOOD_GLOSSARIES.items():
        g = f"@glossary/{name}"
        fmt_terms = glossary_terms(g, terms)
        cases += [
            Case("glossary list", name, ("glossary", "list", g, "--json"), ok=True, check=fmt_terms),
            Case("glossary convert", name, ("glossary", "convert", g, "{out}/converted.jsonl"), ok=True,
                 changes=("{out}/converted.jsonl",), check=glossary_terms("{out}/converted.jsonl", terms)),
            Case("glossary add", name, ("glossary", "add", g, "Beijing", "北京"), ok=True, changes=(g,),
                 check=glossary_edited(g, added=True)),
            Case("glossary remove", name, ("glossary", "remove", g, "cadre"), ok=True, changes=(g,),
                 check=glossary_edited(g, added=False)),
        ]
        if name.endswith(".tsv"):
            cases.append(Case("glossary check", f"glossary {name}",
                              ("glossary", "check", "@bitext/good.jsonl", "-g", g), ok=True))
    for command, extra in (("list", ()), ("lint", ()), ("remove", ("cadre",)), ("convert", ("{out}/c.tsv",))):
        cases.append(Case(f"glossary {command}", "missing file",
                          ("glossary", command, "@glossary/no-such.tsv", *extra)))
        cases.append(Case(f"glossary {command}", "a directory",
                          ("glossary", command, "@text/no-text-files", *extra)))
    cases += [
        Case("glossary add", "a directory", ("glossary", "add", "@text/no-text-files", "Beijing", "北京")),
        Case("glossary add", "argument not valid UTF-8",
             ("glossary", "add", "@glossary/good.tsv", "Bei\udcffjing", "北京"), codes=(EXIT_USAGE,),
             names="SOURCE"),
        Case("glossary add", "conflicting rendering", ("glossary", "add", "@glossary/good.tsv", "cadre", "骨干"),
             codes=(EXIT_FINDINGS,), says=(":3:",)),
        Case("glossary convert", "output is a directory",
             ("glossary", "convert", "@glossary/good.tsv", "@text/no-text-files"), codes=(EXIT_OUTPUT,),
             names="no-text-files"),
    ]
    return cases


BAD_BITEXTS = {
    "empty.jsonl": None, "whitespace.jsonl": None, "binary.jsonl": None, "utf16.jsonl": None,
    "truncated.jsonl": ":3:", "not-json.jsonl": ":1:", "json-array.jsonl": ":1:", "tmx-renamed.jsonl": ":1:",
    "deep.jsonl": ":1:", "surrogate.jsonl": ":1:", "bead-id-out-of-range.jsonl": ":2:",
    "bead-id-bool.jsonl": ":2:", "bead-score-string.jsonl": ":2:", "bead-meta-string.jsonl": ":2:",
    "bead-origin-number.jsonl": ":2:", "bead-terms-wrong-type.jsonl": ":2:",
    "bead-violations-number.jsonl": ":2:", "lang-not-a-code.jsonl": ":1:", "segment-out-of-range.jsonl": ":1:", "segments-not-list.jsonl": ":1:",
    "lang-null.jsonl": ":1:", "text-number.jsonl": ":1:", "meta-list.jsonl": ":1:",
}
GOOD_BITEXTS = ("good.jsonl", "bom.jsonl", "utf16.jsonl", "crlf.jsonl", "controls.jsonl")
EXPORT_FORMATS = {"tmx": "tmx", "xliff": "xlf", "tsv": "tsv", "csv": "csv", "jsonl": "jsonl",
                  "docx": "docx", "html": "html"}


def bitext_cases() -> list[Case]:
    cases: list[Case] = []
    bad = {k: v for k, v in BAD_BITEXTS.items() if k != "utf16.jsonl"}  # utf16 is read now
    for name, line in bad.items():
        b = f"@bitext/{name}"
        says = (line,) if line else ()
        for fmt, ext in EXPORT_FORMATS.items():
            cases.append(Case("export", f"{name} to {fmt}", ("export", b, "-o", f"{{out}}/previous.{ext}"),
                              says=says))
        cases.append(Case("glossary check", f"bitext {name}", ("glossary", "check", b, "-g", "@glossary/good.tsv"),
                          says=says))
        cases.append(Case("glossary extract", name, ("glossary", "extract", b, "-o", "{out}/proposals.tsv"),
                          says=says))
    for name in GOOD_BITEXTS:
        b = f"@bitext/{name}"
        for fmt, ext in EXPORT_FORMATS.items():
            target = f"{{out}}/previous.{ext}"
            cases.append(Case("export", f"{name} to {fmt}", ("export", b, "-o", target), ok=True,
                              changes=(target,), check=exported(target, fmt, name == "controls.jsonl")))
        cases.append(Case("glossary extract", name, ("glossary", "extract", b, "-o", "{out}/proposals.tsv"),
                          ok=True, changes=("{out}/proposals.tsv",)))
    cases += [
        Case("export", "a 5 MB segment to tmx", ("export", "@bitext/huge-segment.jsonl", "-o", "{out}/previous.tmx"),
             ok=True, changes=("{out}/previous.tmx",), check=exported_huge("{out}/previous.tmx", "tmx")),
        Case("export", "a 5 MB segment to html", ("export", "@bitext/huge-segment.jsonl", "-o", "{out}/previous.html"),
             ok=True, changes=("{out}/previous.html",), check=exported_huge("{out}/previous.html", "html")),
        Case("export", "header only (no beads)", ("export", "@bitext/header-only.jsonl", "-o", "{out}/previous.tmx"),
             ok=True, changes=("{out}/previous.tmx",)),
        Case("export", "missing file", ("export", "@bitext/no-such.jsonl", "-o", "{out}/previous.tmx")),
        Case("export", "a directory", ("export", "@text/no-text-files", "-o", "{out}/previous.tmx")),
        Case("export", "output is a directory", ("export", "@bitext/good.jsonl", "-o", "{out}"),
             codes=(EXIT_OUTPUT, EXIT_USAGE), names="work/out"),
        Case("export", "output is a directory, --format given",
             ("export", "@bitext/good.jsonl", "--format", "tmx", "-o", "{out}"), codes=(EXIT_OUTPUT,),
             names="work/out"),
        Case("export", "binary on stdin", ("export", "-", "--format", "tmx", "-o", "{out}/previous.tmx"),
             stdin="@bitext/binary.jsonl"),
        Case("export", "one bad bitext among good ones",
             ("export", "@bitext/good.jsonl", "@bitext/truncated.jsonl", "-o", "{out}/previous.tmx"),
             says=(":3:",), names="truncated.jsonl"),
    ]
    return cases


BAD_MEMORIES = {
    "empty.tmx": None, "binary.tmx": None, "truncated.tmx": None, "xxe.tmx": "entities",
    "billion-laughs.tmx": "entities", "gb18030-undeclared.tmx": None, "wrong-root.tmx": ":1:",
    "truncated.xlf": None, "xxe.xlf": "entities", "billion-laughs.xlf": "entities",
    "one-column.tsv": ":1:", "unbalanced-quote.csv": None, "binary.tsv": None, "french.tsv": None,
    "whitespace.tsv": None,
}
GOOD_MEMORIES = {
    "good.tmx": corpus.MEMORY_PAIRS, "utf16.tmx": corpus.MEMORY_PAIRS,
    "gb18030-declared.tmx": corpus.MEMORY_PAIRS, "good.xlf": corpus.MEMORY_PAIRS,
    "good.tsv": corpus.MEMORY_PAIRS, "bom.csv": corpus.MEMORY_PAIRS, "utf16.tsv": corpus.MEMORY_PAIRS,
    "gb18030.tsv": corpus.MEMORY_PAIRS, "mixed-line-ends.tsv": corpus.MEMORY_PAIRS,
    "long-field.tsv": [(("The cadre was warned. " * 200_000).strip(), "干部受到警告。")],
    "xliff2.xlf": [("The cadre.", "")],  # XLIFF 2.0 is read since issue 11 (an untranslated unit: 1-0)
}


def memory_cases() -> list[Case]:
    target = "{out}/previous.jsonl"
    cases = [Case("import", name, ("import", f"@memory/{name}", "-o", target), says=(s,) if s else ())
             for name, s in BAD_MEMORIES.items()]
    cases += [Case("import", name, ("import", f"@memory/{name}", "-o", target), ok=True, changes=(target,),
                   check=memory_pairs(target, pairs)) for name, pairs in GOOD_MEMORIES.items()]
    cases += [
        Case("import", "missing file", ("import", "@memory/no-such.tmx", "-o", target)),
        Case("import", "a directory", ("import", "@text/no-text-files", "-o", target, "--format", "tmx")),
        Case("import", "unknown extension", ("import", "@text/plain.en.txt.bak", "-o", target),
             codes=(EXIT_USAGE,)),  # pass --format: a usage error, as in export
        Case("import", "output is a directory", ("import", "@memory/good.tmx", "-o", "{out}"),
             codes=(EXIT_OUTPUT, EXIT_USAGE), names="work/out"),
        Case("glossary check", "hostile TMX (XXE)", ("glossary", "check", "@memory/xxe.tmx", "-g",
                                                     "@glossary/good.tsv")),
        Case("glossary check", "truncated XLIFF", ("glossary", "check", "@memory/truncated.xlf", "-g",
                                                   "@glossary/good.tsv")),
    ]
    return cases


def model_cases() -> list[Case]:
    bad = ["empty", "not-a-zip", "truncated", "corrupted", "no-metadata", "dotdot", "absolute",
           "metadata-not-json", "metadata-no-codes", "metadata-bad-code", "no-model", "garbage-model",
           "garbage-tokenizer"]
    cases = [Case("models install", name, ("models", "install", f"@argosmodel/{name}.argosmodel"),
                  codes=(EXIT_MODEL,), fresh_packages=True) for name in bad]
    cases += [
        Case("models install", "missing file", ("models", "install", "@argosmodel/no-such.argosmodel"),
             fresh_packages=True),
        Case("models install", "a directory", ("models", "install", "@text/no-text-files"),
             fresh_packages=True),
        Case("models install", "good package", ("models", "install", "@argosmodel/good.argosmodel"), ok=True,
             fresh_packages=True, check=installed),
    ]
    return cases


def all_cases() -> list[Case]:
    cases = translate_cases() + glossary_cases() + bitext_cases() + memory_cases() + model_cases()
    try:
        from aligner.cli import align_cmd  # being written: attacked once it has real commands
    except ImportError:  # pragma: no cover
        align_cmd = None
    if align_cmd is not None and hasattr(align_cmd, "align"):
        cases += align_cases()
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def build_corpus(root: Path, fixture_packages: dict[str, Path]) -> Path:
    """The hostile corpus, with a good .argosmodel made from the en-zh fixture package."""
    import fixture_model

    root.mkdir(parents=True, exist_ok=True)
    buf = root / "good.argosmodel.tmp"
    fixture_model.zip_package(fixture_packages["en-zh"], buf)
    good = buf.read_bytes()
    buf.unlink()
    corpus.build(root, good)
    (root / "argosmodel" / "good.argosmodel").write_bytes(good)
    return root


def summarize(outcomes: list[Outcome]) -> str:
    """The table: per command, the cases tried (and how many of them must succeed), and those
    ending in a traceback, a partial file, a lost file, or another unmet expectation (exit
    code, message, output)."""
    rows: dict[str, list[int]] = {}
    for o in outcomes:
        r = rows.setdefault(o.case.command, [0, 0, 0, 0, 0, 0])
        r[0] += 1
        r[1] += o.case.ok
        r[2] += bool(o.traceback)
        r[3] += bool(o.partial)
        r[4] += bool(o.lost)
        r[5] += bool(o.problems)
    width = max(len(c) for c in rows) + 2 if rows else 10
    names = ["cases", "must succeed", "tracebacks", "partial files", "lost files", "other unmet"]
    head = f"{'command':<{width}}" + "".join(f"{n:>{len(n) + 2}}" for n in names)
    lines = [head, "-" * len(head)]
    total = [0] * 6

    def row(name: str, r: list[int]) -> str:
        return f"{name:<{width}}" + "".join(f"{v:>{len(n) + 2}}" for n, v in zip(names, r))

    for command in sorted(rows):
        total = [a + b for a, b in zip(total, rows[command])]
        lines.append(row(command, rows[command]))
    lines.append("-" * len(head))
    lines.append(row("all", total))
    return "\n".join(lines)


__all__ = ["Case", "Outcome", "Work", "all_cases", "build_corpus", "run_case", "summarize"]
