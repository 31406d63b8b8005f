"""The one many-file runner every many-file command uses (translate, align, ...).

    jobs = [Job(name, inputs=[...], bitext_out=..., document_out=..., stamp={...}, data=...)]
    summary = run_batch(jobs, work, BatchOptions(out_dir="out/", formats=["tmx"]), summary)

The steps, in order: the command discovers its inputs (`discover`, or `match_directories` /
`read_pairs_list` for pairs) and reads every one of them into a `Job` before anything is
written; `check_outputs` refuses outputs that would overwrite an input or each other; the
output folder is locked (a second run into it is refused); jobs whose bitext header records
the same `stamp` (the sources' sha256, the model, the options) are skipped unless `force`,
getting only the exports they lack; `work(todo)` yields each job's Bitext as soon as it is
made and the runner writes it at once: the target document, the exports beside it
(NAME.en-zh.tmx ...), then the bitext, last, each file atomically and with the stale `.part`
files of a killed run removed. A bitext on disk therefore means the job is complete.

The runner knows nothing of translation or alignment: the command's `work` does that, and its
`BatchSummary` subclass counts and describes what was done.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from aligner.errors import AlignerError, BatchError, InputError, OutputError, UsageError
from aligner.io.atomic import atomic_write_text, lock_directory
from aligner.io.paths import file_keys, is_within
from aligner.io.text import decode_bytes, iter_input_files
from aligner.model import Bitext

LANG_SUFFIXES = ("en", "zh")


# --------------------------------------------------------------------------- names

def output_stem(path: str | Path) -> str:
    """NAME of an input: its file name without the extension and a trailing .en/.zh
    (article.en.txt -> article, notes.md -> notes)."""
    name = Path(path).name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    for code in LANG_SUFFIXES:
        if stem.lower().endswith("." + code):
            return stem[: -len(code) - 1]
    return stem


def bitext_name(path: str | Path, src_lang: str, tgt_lang: str) -> str:
    """NAME.SRC-TGT.jsonl: the bitext made from the input `path`."""
    return f"{output_stem(path)}.{src_lang}-{tgt_lang}.jsonl"


# --------------------------------------------------------------------------- discover and pair

def earlier_outputs(out_dir: str | Path | None) -> set[object]:
    """The files (as `file_keys`) an earlier run wrote into `out_dir`: every bitext there (a
    .jsonl whose first line is a bitext header), the exports beside it (NAME.en-zh.tmx ...)
    and, for a translation, the article it names (NAME.zh.txt). A batch never reads these as
    inputs, so `translate in/ --out in/` or `align zh/ en/ -o zh/` can be run again."""
    keys: set[object] = set()
    if out_dir is None or str(out_dir) == "-" or not Path(out_dir).is_dir():
        return keys
    root = Path(out_dir)
    for bitext in root.rglob("*.jsonl"):
        if _hidden_below(bitext, root) or not bitext.is_file():
            continue
        header = _header(bitext)
        if header is None:
            continue
        keys |= file_keys(bitext)
        stem = bitext.name[: -len(".jsonl")]
        for sibling in bitext.parent.glob(glob_escape(stem) + ".*"):
            if sibling.is_file() and sibling.suffix.lower() in _EXPORT_SUFFIXES:
                keys |= file_keys(sibling)
        meta = header.get("meta") if isinstance(header.get("meta"), dict) else {}
        target = header.get("target") if isinstance(header.get("target"), dict) else {}
        name = target.get("path")
        # A translation records its article by its bare name, beside the bitext; an alignment
        # records its target, an input, by its path and its sha256: that one is not an output.
        if (isinstance(name, str) and name and "/" not in name and "\\" not in name
                and "source_sha256" in meta and "target_sha256" not in meta):
            keys |= file_keys(bitext.parent / name)
    return keys


_EXPORT_SUFFIXES = (".tmx", ".xlf", ".xliff", ".tsv", ".csv", ".docx", ".html", ".htm")


def glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


def _hidden_below(path: Path, root: Path) -> bool:
    try:
        return any(part.startswith(".") for part in path.relative_to(root).parts)
    except ValueError:
        return False


def _header(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline(1 << 26))
    except (OSError, ValueError, RecursionError):
        return None
    return header if isinstance(header, dict) and header.get("type") == "bitext" else None


def discover(inputs: Sequence[str | Path], suffixes: Sequence[str] = (".txt", ".md"),
             out_dir: str | Path | None = None,
             on_error: Callable[[AlignerError], None] | None = None) -> Iterator[tuple[Path, Path]]:
    """The files named by `inputs` (directories stand for their files with `suffixes`), each
    with the folder its outputs go to, relative to the output folder: a file found inside a
    directory keeps its place below it; a file named itself goes to the top.

    A file named twice (itself and through its directory, or through a symbolic link) comes
    once: under its own name when it is among the inputs, under the link's name when only
    the link is. The inputs never include the run's own outputs: nothing a directory holds
    below `out_dir` when `out_dir` lies inside it, nor what an earlier run wrote into
    `out_dir` (`earlier_outputs`), even when named one by one (a shell's `in/*.txt`). Every
    argument is listed, in the order given, before any file is read. With `on_error`, a bad
    argument (a missing path, an empty directory) is handed to it and discovery goes on."""
    skip = earlier_outputs(out_dir)
    found: list[tuple[Path, Path, bool]] = []  # path, its output folder, named itself
    for arg in inputs:
        base = Path(arg) if Path(arg).is_dir() else None
        try:
            named = iter_input_files([str(arg)], tuple(suffixes))
        except AlignerError as e:
            if on_error is None:
                raise
            on_error(e)
            continue
        for path in named:
            if skip and str(path) != "-" and file_keys(path) & skip:
                continue  # an earlier output of this command (named by a glob: in/*.txt), not an input
            if base is not None and out_dir is not None and str(out_dir) != "-":
                out = Path(out_dir)
                if is_within(path, out) and not is_within(base, out):
                    continue  # below --out, inside this input folder
            found.append((path, path.parent.relative_to(base) if base is not None else Path(), base is None))
    # One entry per file: the real file rather than a link to it.
    chosen: dict[Path, int] = {}
    for i, (path, _, _) in enumerate(found):
        key = path.resolve()
        if key not in chosen or (found[chosen[key]][0].is_symlink() and not path.is_symlink()):
            chosen[key] = i
    keep = set(chosen.values())
    for i, (path, sub, _) in enumerate(found):
        if i in keep:
            yield path, sub


@dataclass
class PairJob:
    """Two files that translate each other (and, optionally, a line-by-line translation)."""

    src: Path
    tgt: Path
    translation: Path | None = None
    out: Path | None = None


_LANG_TAG = re.compile(r"([._-])(en|zh|eng|chi|zho|cn)$", re.IGNORECASE)


def pair_key(path: Path) -> str:
    """The name two translations share: ch1.en.txt, ch1_zh.txt, ch1.txt -> ch1; a formatted
    document keeps its suffix: ch1.en.docx, ch1.zh.docx, ch1.docx -> ch1.docx."""
    name = path.name
    if path.suffix.lower() in (".txt", ".md", ".text"):
        name = name[: -len(path.suffix)]
    elif path.suffix and _is_document(path):
        return _LANG_TAG.sub("", name[: -len(path.suffix)]).lower() + path.suffix.lower()
    return _LANG_TAG.sub("", name).lower()


def _is_document(path: Path) -> bool:
    from aligner.formats import format_for_path  # a formatted document's suffix (.docx, .srt, ...)

    return format_for_path(path, want="document") is not None


def match_directories(src_dir: str | Path, tgt_dir: str | Path,
                      out_dir: str | Path | None = None) -> list[PairJob]:
    """Pair the files of two directories by name (ch1.zh.txt with ch1.en.txt, or the same
    name in both). Files without a partner are an error, so none is skipped silently. What
    an earlier run wrote into `out_dir` (the bitexts and their exports, when `out_dir` is one
    of the two directories) is not an input."""
    skip = earlier_outputs(out_dir)

    def files(d: Path) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for f in sorted(d.iterdir()):
            if f.is_file() and not f.name.startswith(".") and not (skip and file_keys(f) & skip):
                key = pair_key(f)
                if key in out:
                    raise InputError(f"two files are named like {key!r}: {out[key].name} and {f.name}",
                                     path=d, hint="Keep one file per text in each directory.")
                out[key] = f
        return out

    sd, td = Path(src_dir), Path(tgt_dir)
    for d in (sd, td):
        if not d.is_dir():
            raise InputError("not a directory", path=d)
    s, t = files(sd), files(td)
    missing = sorted(set(s) ^ set(t))
    if missing:
        where = [(s.get(k) or t.get(k)).name for k in missing[:5]]
        raise InputError(f"no partner for {', '.join(where)}" + (" ..." if len(missing) > 5 else ""),
                         path=sd if missing[0] in s else td,
                         hint="Name each translation like its source (ch1.zh.txt / ch1.en.txt), "
                              "or list the pairs in a file for --pairs.")
    if not s:
        raise InputError("no files to align", path=sd)
    return [PairJob(s[k], t[k]) for k in sorted(s)]


def read_pairs_list(path: str | Path) -> list[PairJob]:
    """A list of pairs, one per line: SOURCE TARGET [TRANSLATION] separated by tabs (or spaces
    when no path has one); `#` starts a comment; relative paths are relative to the list."""
    p = Path(path)
    try:
        text = decode_bytes(p.read_bytes(), str(p))
    except FileNotFoundError:
        raise InputError("no such file", path=p) from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=p) from None
    base = p.parent
    jobs = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        cols = [c.strip() for c in cols if c.strip()]
        if len(cols) not in (2, 3):
            raise InputError(f"expected SOURCE TARGET [TRANSLATION], found {len(cols)} columns",
                             path=p, line=lineno, hint="One pair per line, paths separated by tabs.")
        paths = [Path(c) if Path(c).is_absolute() else base / c for c in cols]
        for q in paths:
            if not q.is_file():
                raise InputError(f"no such file: {q}", path=p, line=lineno)
        jobs.append(PairJob(paths[0], paths[1], paths[2] if len(paths) == 3 else None))
    if not jobs:
        raise InputError("the list names no pairs", path=p, hint="One pair per line: SOURCE<TAB>TARGET.")
    return jobs


# --------------------------------------------------------------------------- what makes an output current

def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path) -> str:
    """The sha256 of an input file (InputError naming it if it cannot be read)."""
    try:
        return sha256_bytes(Path(path).read_bytes())
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=str(path)) from None


def glossary_stamp(paths: Sequence[str | Path]) -> list[dict[str, str]]:
    """The glossaries a run uses, by name and content: a changed glossary makes outputs stale."""
    out = []
    for p in paths:
        p = Path(p)
        try:
            digest = sha256_bytes(p.read_bytes())
        except FileNotFoundError:
            raise InputError("no such glossary file", path=str(p)) from None
        except OSError as e:
            raise InputError(f"cannot read the glossary: {e.strerror or e}", path=str(p)) from None
        out.append({"path": p.name, "sha256": digest})
    return out


def header_meta(path: Path) -> dict[str, Any] | None:
    """The meta of a bitext's header record, or None if it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or header.get("type") != "bitext":
        return None
    meta = header.get("meta")
    return meta if isinstance(meta, dict) else None


# --------------------------------------------------------------------------- jobs and options

@dataclass
class Job:
    """One unit of a batch: the files it reads, the files it writes, and what makes them current.

    `stamp` goes into the bitext header's meta; a later run whose job has the same stamp finds
    the outputs current. `document_out` is the target document ("-": stdout; None: none).
    `data` is the command's own (the segmented Documents, a translation...)."""

    name: str
    inputs: list[Path]
    bitext_out: Path | None
    document_out: Path | str | None = None
    stamp: dict[str, Any] = field(default_factory=dict)
    data: Any = None
    exports: dict[str, Path] = field(default_factory=dict)  # format name -> file, set by the runner

    @property
    def outputs(self) -> list[Path]:
        outs = [self.document_out] if isinstance(self.document_out, Path) else []
        outs += list(self.exports.values())
        return outs + ([self.bitext_out] if self.bitext_out is not None else [])


@dataclass
class BatchOptions:
    """What every many-file command shares: where outputs go, which exports to make beside
    each bitext, whether current outputs are made again."""

    out_dir: str | Path | None = None
    formats: Sequence[str] = ()
    force: bool = False
    include_mt: bool = False  # TMX exports keep machine-translated units too (marked "MT!")
    stdout: IO[str] | None = None  # for a document_out of "-" (default sys.stdout)
    keep_going: bool = False  # refuse bad inputs (listed in the summary) and do the others


@dataclass
class BatchSummary:
    """What a run did; commands subclass it to count their own units and describe the run."""

    skipped: int = 0           # jobs whose outputs were already complete and current
    seconds: float = 0.0
    refused: list[AlignerError] = field(default_factory=list)  # bad inputs left out (--keep-going)
    files_written: list[Path] = field(default_factory=list)  # every file written, in order
    stale: list[Path] = field(default_factory=list)  # exports on disk made from an earlier bitext

    def add(self, job: Job, bitext: Bitext) -> None:
        """A job's outputs were written."""

    def add_skipped(self, job: Job) -> None:
        self.skipped += 1

    def describe_files(self, written: bool = True) -> str:
        """The files written, the stale exports and the refused inputs, one per line."""
        lines = []
        if self.files_written and written:
            lines.append("written:")
            lines += [f"  {p}" for p in self.files_written]
        if self.stale:
            lines.append("stale (made from an earlier bitext; re-export them or pass --format):")
            lines += [f"  {p}" for p in self.stale]
        if self.refused:
            lines.append(f"refused {len(self.refused)} file{'s' * (len(self.refused) != 1)}:")
            lines += ["  " + str(e).replace("\n", "\n  ") for e in self.refused]
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: what was finished before it (`summary`) is kept on disk."""

    def __init__(self, summary: BatchSummary):
        super().__init__()
        self.summary = summary


# --------------------------------------------------------------------------- exports

def exporters(formats: Sequence[str]) -> list[Any]:
    """The exporters `formats` name, once each; an unknown name is a UsageError (exit 2, as
    an unknown `export --format`) now, before any work. jsonl is the bitext itself, written
    anyway."""
    if not formats:
        return []
    from aligner.export import get_exporter

    found: dict[str, Any] = {}
    for fmt in formats:
        try:
            e = get_exporter(fmt)
        except InputError as error:
            raise UsageError(f"{error.message} for --format ({error.hint})") from None
        if e.name != "jsonl":
            found.setdefault(e.name, e)
    return list(found.values())


def export_paths(bitext_path: str | Path | None, formats: Sequence[str]) -> dict[str, Path]:
    """Where the exports of a bitext go: beside it, NAME.en-zh.jsonl -> NAME.en-zh.tmx ..."""
    if bitext_path is None:
        return {}
    return {e.name: Path(bitext_path).with_suffix(e.suffix) for e in exporters(formats)}


def export_beside(bitext: Bitext, bitext_path: str | Path, formats: Sequence[str],
                  glossary: Any = None, only_missing: bool = False, include_mt: bool = False) -> list[Path]:
    """Export `bitext` as each of `formats` next to its .jsonl file (NAME.en-zh.tmx, ...)."""
    if not formats:
        return []  # not even the exporters' import (lxml) for a plain `aligner align`
    from aligner.export import export_bitexts

    written = []
    for fmt, dest in export_paths(bitext_path, formats).items():
        if not (only_missing and dest.exists()):
            export_bitexts([bitext], fmt, dest, glossary=glossary, include_mt=include_mt)
            written.append(dest)
    return written


# --------------------------------------------------------------------------- the run

def check_outputs(jobs: Sequence[Job], verb: str = "translate", extra_inputs: Sequence[str | Path] = ()) -> None:
    """No two jobs may write the same output, and no output may overwrite an input (the jobs'
    own, or `extra_inputs` every job reads: glossaries, a list of pairs)."""
    # Paths name files in several ways (./a, a symbolic link, a hard link): compare the files.
    inputs = {key: str(p) for j in jobs for p in j.inputs if str(p) != "-" for key in file_keys(p)}
    inputs.update({key: str(p) for p in extra_inputs if str(p) != "-" for key in file_keys(p)})
    seen: dict[object, str] = {}
    for job in jobs:
        for out in job.outputs:
            keys = file_keys(out)
            for key in keys:
                if key in inputs:
                    raise OutputError(f"the output {out} would overwrite the input {inputs[key]}",
                                      path=job.name, hint="Choose another --out directory, or check --from/--to.")
                if key in seen and seen[key] != job.name:
                    raise OutputError(f"{seen[key]} and {job.name} would both be written to {out}",
                                      path=job.name, hint=f"Rename one of them, or {verb} them in separate runs.")
            for key in keys:
                seen[key] = job.name


def is_current(job: Job) -> bool:
    """The job's outputs exist and its bitext header records the same stamp."""
    if job.bitext_out is None or not job.stamp:
        return False
    if job.document_out is not None and not (isinstance(job.document_out, Path) and job.document_out.is_file()):
        return False
    meta = header_meta(job.bitext_out)
    return meta is not None and all(meta.get(k) == v for k, v in job.stamp.items())


def remove_stale_parts(path: Path, started: float) -> None:
    """Temporary files an earlier, killed run left for this output (atomic_open's names)."""
    for part in path.parent.glob(f".{path.name}.*.part"):
        try:
            if part.stat().st_mtime < started:
                part.unlink()
        except OSError:
            pass


class Runner:
    """One batch run: `run(jobs, work)` locks, skips, calls `work(todo)` and writes what it yields.

    `export_glossary` highlights terms in the exports (HTML, DOCX); `work` may set it once it
    has loaded the glossary."""

    def __init__(self, options: BatchOptions, summary: BatchSummary | None = None, verb: str = "translate"):
        self.options = options
        self.summary = summary if summary is not None else BatchSummary()
        self.export_glossary: Any = None
        self.verb = verb  # in messages: "translate them in separate runs"
        self.started_wall = time.time()
        self.started = time.perf_counter()
        self._formats = [e.name for e in exporters(options.formats)]  # unknown formats: now

    def prepare(self, items: Iterable[Any], make_job: Callable[[Any], Job]) -> list[Job]:
        """Read every input into a Job before anything is written: `make_job` reads and checks
        one (raising an AlignerError naming the file). Every bad input is collected, not only
        the first: without `keep_going` the run then stops, listing them all (BatchError);
        with it they go to `summary.refused` and the others are done."""
        jobs = []
        for item in items:
            try:
                jobs.append(make_job(item))
            except AlignerError as e:
                self.refused.append(e)
        self.check_refused(len(jobs))
        return jobs

    @property
    def refused(self) -> list[AlignerError]:
        return self.summary.refused

    def refuse(self, error: AlignerError) -> None:
        """An input found bad (by `discover`'s on_error, or by the command's own checks)."""
        self.refused.append(error)

    def check_refused(self, remaining: int) -> None:
        """Stop before writing anything if inputs were refused (unless --keep-going and
        `remaining` jobs are left to do). One refused input keeps its own message and code."""
        if not self.refused or (self.options.keep_going and remaining):
            return
        if len(self.refused) == 1:
            raise self.refused[0]
        raise BatchError(self.refused, len(self.refused) + remaining, self.verb,
                         keep_going=self.options.keep_going)

    def plan(self, jobs: Sequence[Job], extra_inputs: Sequence[str | Path] = ()) -> None:
        """Name every job's exports and check every output against the inputs (the jobs' and
        `extra_inputs`, such as glossaries) and each other."""
        for job in jobs:
            job.exports = export_paths(job.bitext_out, self._formats)
        check_outputs(jobs, self.verb, extra_inputs)

    def run(self, jobs: Sequence[Job], work: Callable[[list[Job]], Iterable[tuple[Job, Bitext]]]) -> BatchSummary:
        out_dir = self.options.out_dir
        # One run at a time per output directory: a second one would take the first one's
        # temporary files for stale ones.
        try:
            with (lock_directory(out_dir) if out_dir is not None else contextlib.nullcontext()):
                todo = []
                for job in jobs:
                    if not self.options.force and is_current(job):
                        self._complete_exports(job)
                        self.summary.add_skipped(job)
                    else:
                        todo.append(job)
                for job, bitext in work(todo):
                    self.write(job, bitext)
                    self.summary.add(job, bitext)
        except KeyboardInterrupt:
            # Every file written so far is complete (atomic writes, the bitext last): say so.
            self.summary.seconds = time.perf_counter() - self.started
            raise BatchInterrupted(self.summary) from None
        self.summary.seconds = time.perf_counter() - self.started
        return self.summary

    def _complete_exports(self, job: Job) -> None:
        """A current job gets the exports it lacks, recorded in its bitext's header."""
        if job.bitext_out is None:
            return
        missing = [fmt for fmt, p in job.exports.items() if not p.exists()]
        recorded = recorded_exports(job.bitext_out)
        if not missing and set(job.exports) <= set(recorded):
            return
        from aligner.io.bitext_jsonl import read_bitext, write_bitext

        bitext = read_bitext(job.bitext_out)
        for p in export_beside(bitext, job.bitext_out, missing, glossary=self.export_glossary,
                                   include_mt=self.options.include_mt):
            self.summary.files_written.append(p)
        if not set(job.exports) <= set(recorded):
            bitext.meta["exports"] = sorted(set(recorded) | set(job.exports))
            write_bitext(bitext, job.bitext_out)

    def write(self, job: Job, bitext: Bitext) -> None:
        """The document and exports first, the bitext last: a bitext on disk means the rest is
        complete. The exports an earlier run made from the bitext being replaced (its header
        lists them) are made again from the new one, so none is left showing the old text; an
        export file beside it that no header vouches for is reported as stale."""
        bitext.meta.update(job.stamp)
        if job.document_out == "-":
            out = self.options.stdout if self.options.stdout is not None else sys.stdout
            out.write(bitext.target.text)
            out.flush()
        elif isinstance(job.document_out, Path):
            # A formatted document (DOCX, HTML...) is written by its format; text as text.
            writer = getattr(job.data, "writer", None)
            if writer is None or not writer(job.document_out, bitext):
                atomic_write_text(job.document_out, bitext.target.text)
            remove_stale_parts(job.document_out, self.started_wall)
            self.summary.files_written.append(job.document_out)
        if job.bitext_out is not None:
            formats = list(self._formats)
            formats += [f for f in recorded_exports(job.bitext_out)
                        if f not in formats and export_path(job.bitext_out, f).exists()]
            for export in export_beside(bitext, job.bitext_out, formats, glossary=self.export_glossary,
                                        include_mt=self.options.include_mt):
                remove_stale_parts(export, self.started_wall)
                self.summary.files_written.append(export)
            for other in known_export_paths(job.bitext_out):
                if other not in self.summary.stale and other.exists() and \
                        other not in export_paths(job.bitext_out, formats).values():
                    self.summary.stale.append(other)
            if formats:
                bitext.meta["exports"] = sorted(formats)
            from aligner.io.bitext_jsonl import write_bitext

            write_bitext(bitext, job.bitext_out)
            remove_stale_parts(job.bitext_out, self.started_wall)
            self.summary.files_written.append(job.bitext_out)


def recorded_exports(bitext_path: Path) -> list[str]:
    """The export formats the bitext's header says were made from it (beside it)."""
    meta = header_meta(bitext_path) if bitext_path.exists() else None
    exports = meta.get("exports") if meta else None
    if not isinstance(exports, list):
        return []
    from aligner.formats import names

    known = set(names("write"))
    return [f for f in exports if isinstance(f, str) and f in known and f != "jsonl"]


def export_path(bitext_path: Path, fmt: str) -> Path:
    return next(iter(export_paths(bitext_path, [fmt]).values()))


def known_export_paths(bitext_path: Path) -> list[Path]:
    """Where an export of every known format would go beside the bitext (none when no file
    named like one is there: the formats are then not even loaded)."""
    stem = bitext_path.stem  # NAME.en-zh
    if not any(p != bitext_path for p in bitext_path.parent.glob(glob.escape(stem) + ".*")):
        return []
    from aligner.formats import names

    return list(export_paths(bitext_path, [n for n in names("write") if n != "jsonl"]).values())


def run_batch(jobs: Sequence[Job], work: Callable[[list[Job]], Iterable[tuple[Job, Bitext]]],
              options: BatchOptions, summary: BatchSummary | None = None,
              verb: str = "translate") -> BatchSummary:
    """Plan, lock, skip what is current, run `work` and write what it yields (see the module)."""
    runner = Runner(options, summary, verb)
    runner.plan(jobs)
    return runner.run(jobs, work)


def require_out_dir(out_dir: str | Path | None, message: str) -> Path:
    """A batch writes files: refuse a run without an output folder before any work."""
    if out_dir is None or str(out_dir) == "-":
        raise UsageError(message)
    return Path(out_dir)


__all__ = ["BatchInterrupted", "BatchOptions", "BatchSummary", "Job", "recorded_exports", "PairJob", "Runner", "bitext_name", "check_outputs",
           "discover", "earlier_outputs", "export_beside", "export_paths", "exporters", "file_sha256", "glossary_stamp",
           "header_meta", "is_current", "match_directories", "output_stem", "pair_key", "read_pairs_list",
           "remove_stale_parts", "require_out_dir", "run_batch", "sha256_bytes"]
