"""Translate articles: read -> segment -> translate every sentence in batches -> rebuild -> write.

    from aligner.translate import translate_files
    summary = translate_files(["corpus/article.en.txt"], "en", "zh", "out/")

For each input `NAME[.en].txt` (or `.md`) the run writes `NAME.zh.txt` (the article, with its
paragraphs, headings and list markers kept) and then `NAME.en-zh.jsonl` (the bitext: one bead
per sentence, origin "mt"). The bitext is written last and its header records the source's
sha256, the model and the options, so a re-run skips every file whose outputs are complete
and current, and an interrupted run (every file is written to a temporary file and renamed)
loses nothing but the file it was working on.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import io
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterable, Sequence

from aligner.errors import InputError, OutputError
from aligner.io.atomic import atomic_write_text, lock_directory
from aligner.io.bitext_jsonl import read_bitext, write_bitext
from aligner.io.text import (LANGUAGE_NAMES, STDIN_NAME, contradicted_language, iter_input_files, normalize_lang,
                              other_language, read_document)
from aligner.model import Bead, Bitext, Document
from aligner.translate.engine import DEFAULT_MAX_DECODING_LENGTH, LENGTH_PENALTY, Engine
from aligner.translate.packages import InstalledPackage, require_package

LANG_SUFFIXES = ("en", "zh")
# Sentences translated before the files they complete are written: large enough for full,
# length-sorted batches across files, small enough that an interruption loses little.
WAVE_SENTENCES = 4096


def output_stem(path: str | Path) -> str:
    """NAME of an input: its file name without the extension and a trailing .en/.zh
    (article.en.txt -> article, notes.md -> notes)."""
    name = Path(path).name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    for code in LANG_SUFFIXES:
        if stem.lower().endswith("." + code):
            return stem[: -len(code) - 1]
    return stem


def output_paths(path: str | Path, src: str, tgt: str, out_dir: str | Path) -> tuple[Path, Path]:
    """(translated article, bitext) for an input: NAME.zh.txt or NAME.zh.md, NAME.en-zh.jsonl."""
    ext = ".md" if Path(path).suffix.lower() in (".md", ".markdown") else ".txt"
    stem = output_stem(path)
    out = Path(out_dir)
    return out / f"{stem}.{tgt}{ext}", out / f"{stem}.{src}-{tgt}.jsonl"


# --------------------------------------------------------------------------- documents

def rebuild(doc: Document, translations: Sequence[str], tgt_lang: str,
            path: str | None = None) -> Document:
    """The target article: each segment's text replaced by its translation, the text between
    segments kept (blank lines, Markdown markers), except that two sentences of one paragraph
    are joined the target language's way: no space in Chinese, one space in English."""
    if len(translations) != len(doc.segments):
        raise ValueError("one translation per segment is needed")
    sep = "" if tgt_lang == "zh" else " "
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    pos = 0
    prev = None
    for seg, text in zip(doc.segments, translations):
        gap = doc.text[pos:seg.start]
        if prev is not None and prev.paragraph == seg.paragraph and not gap.strip(" \t\u3000"):
            gap = sep  # only spaces (or nothing) between two sentences of a paragraph
        parts.append(gap)
        length += len(gap)
        spans.append((length, length + len(text)))
        parts.append(text)
        length += len(text)
        pos = seg.end
        prev = seg
    parts.append(doc.text[pos:])
    target = Document(lang=tgt_lang, text="".join(parts), path=path)
    for seg, (a, b) in zip(doc.segments, spans):
        target.add_segment(a, b, seg.paragraph)
    return target


@dataclass
class TermCounts:
    """Glossary terms met in the sources, by what happened to them."""

    ok: int = 0        # the model already rendered the term as the glossary says
    enforced: int = 0  # the rendering was corrected
    failed: int = 0    # the term could not be put into the translation

    @property
    def found(self) -> int:
        return self.ok + self.enforced + self.failed

    def add(self, terms: Iterable[dict[str, Any]]) -> None:
        for t in terms:
            status = t.get("status")
            if status in ("ok", "enforced", "failed"):
                setattr(self, status, getattr(self, status) + 1)


def translate_documents(engine: Engine, docs: Sequence[Document], tgt_lang: str | None = None, *,
                        glossary: Any = None, meta: dict[str, Any] | None = None,
                        target_paths: Sequence[str | None] | None = None,
                        progress: Callable[[int], None] | None = None,
                        term_counts: TermCounts | None = None) -> list[Bitext]:
    """Translate the segments of several documents in one batched pass; one Bitext each.

    With a glossary, translations are made with attention and handed to
    `aligner.glossary.enforce.enforce_translations`; its corrected text is used and the
    terms it reports go into each bead's meta["terms"].
    """
    tgt_lang = tgt_lang or engine.to_code
    if tgt_lang != engine.to_code:
        raise ValueError(f"the engine translates into {engine.to_code}, not {tgt_lang}")
    for doc in docs:
        if doc.lang != engine.from_code:
            raise InputError(f"the text is {doc.lang}, but the model translates from {engine.from_code}",
                             path=doc.path)
    sources = [s.text for doc in docs for s in doc.segments]
    translations = engine.translate(sources, return_attention=glossary is not None, progress=progress)
    texts = [t.text for t in translations]
    terms: list[list[dict[str, Any]] | None] = [None] * len(sources)
    if glossary is not None:
        from aligner.glossary.enforce import enforce_translations  # only runs with --glossary

        enforced = enforce_translations(engine, sources, translations, glossary,
                                        engine.from_code, tgt_lang)
        texts = [e.text for e in enforced]
        terms = [list(e.terms) for e in enforced]
        if term_counts is not None:
            for t in terms:
                term_counts.add(t)
    bitexts = []
    k = 0
    for n, doc in enumerate(docs):
        count = len(doc.segments)
        path = target_paths[n] if target_paths is not None else None
        target = rebuild(doc, texts[k:k + count], tgt_lang, path)
        beads = []
        for i in range(count):
            tr = translations[k + i]
            bead_meta = {"terms": terms[k + i]} if terms[k + i] is not None else {}
            score = _confidence(tr)
            beads.append(Bead(src=[i], tgt=[i], score=score, origin="mt", id=i, meta=bead_meta))
        bitexts.append(Bitext(doc, target, beads, meta=dict(meta or {})))
        k += count
    return bitexts


def _confidence(tr: Any) -> float | None:
    """The bead score of a machine translation: the geometric mean of the model's token
    probabilities, in [0, 1] like the aligner's scores (1 = the model is sure).

    CTranslate2's score is log P / length**LENGTH_PENALTY; undo the penalty and average
    over the tokens (end of sentence included)."""
    if tr.score is None:
        return None
    n = len(tr.target_tokens) + 1
    return round(math.exp(tr.score * n ** LENGTH_PENALTY / n), 4)


def translate_document(engine: Engine, doc: Document, tgt_lang: str | None = None, *,
                       glossary: Any = None, meta: dict[str, Any] | None = None,
                       target_path: str | None = None) -> Bitext:
    """Translate one segmented Document; the Bitext pairs each segment with its translation."""
    return translate_documents(engine, [doc], tgt_lang, glossary=glossary, meta=meta,
                               target_paths=[target_path])[0]


# --------------------------------------------------------------------------- files

@dataclass
class FileResult:
    source: str
    src_lang: str
    tgt_lang: str
    text_output: Path | None     # None: written to stdout
    bitext_output: Path | None   # None: no bitext (stdin without --out)
    sentences: int
    skipped: bool = False        # outputs were already complete for this source, model, options


@dataclass
class RunSummary:
    files: int = 0              # files translated in this run
    skipped: int = 0            # files whose outputs were already complete and current
    sentences: int = 0          # sentences translated in this run
    seconds: float = 0.0
    results: list[FileResult] = field(default_factory=list)
    terms: TermCounts | None = None  # with glossaries

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    @property
    def outputs(self) -> list[Path]:
        return [p for r in self.results for p in (r.text_output, r.bitext_output) if p is not None]

    def describe(self) -> str:
        """The summary printed at the end of a run."""
        if self.files:
            files = f"{self.files} file{'s' * (self.files != 1)}"
            text = (f"translated {files}, {self.sentences} sentence{'s' * (self.sentences != 1)} in "
                    f"{self.seconds:.1f} s ({self.sentences_per_second:.1f} sentences/s)")
        else:
            text = "nothing to translate"
        if self.skipped:
            text += (f"; {self.skipped} file{'s' * (self.skipped != 1)} already up to date "
                     "(--force translates them again)")
        if self.terms is not None and self.files:
            t = self.terms
            text += (f"\nglossary: {t.found} term{'s' * (t.found != 1)} found, {t.ok} already right, "
                     f"{t.enforced} enforced, {t.failed} failed")
        return text


@dataclass
class _Job:
    source: str
    doc: Document
    tgt: str
    sha256: str
    text_out: Path | None
    bitext_out: Path | None
    meta: dict[str, Any] = field(default_factory=dict)
    exports: dict[str, Path] = field(default_factory=dict)  # format name -> file
    glossary: Any = None  # for highlighting terms in exports


def _exporters(formats: Sequence[str]) -> list[Any]:
    if not formats:
        return []
    from aligner.export import get_exporter

    # jsonl is the bitext itself, written anyway.
    return [get_exporter(f) for f in dict.fromkeys(formats) if f.lower() != "jsonl"]


def _export_paths(bitext_out: Path | None, exporters: Sequence[Any]) -> dict[str, Path]:
    if bitext_out is None:
        return {}
    return {e.name: bitext_out.with_suffix(e.suffix) for e in exporters}


def _export(job: _Job, bitext: Bitext, only_missing: bool = False) -> None:
    from aligner.export import export_bitexts

    for fmt, path in job.exports.items():
        if not (only_missing and path.exists()):
            export_bitexts([bitext], fmt, path, glossary=job.glossary)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return _sha256(path.read_bytes())
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=str(path)) from None


def _header_meta(path: Path) -> dict[str, Any] | None:
    """The meta of a bitext's header record, or None if it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("type") != "bitext":
        return None
    meta = header.get("meta")
    return meta if isinstance(meta, dict) else None


def _up_to_date(job: _Job) -> bool:
    if job.text_out is None or job.bitext_out is None or not job.text_out.is_file():
        return False
    meta = _header_meta(job.bitext_out)
    return meta is not None and all(meta.get(k) == job.meta[k]
                                    for k in ("source_sha256", "model", "options"))


def _remove_stale_parts(path: Path, started: float) -> None:
    """Temporary files an earlier, killed run left for this output (atomic_open's names)."""
    for part in path.parent.glob(f".{path.name}.*.part"):
        try:
            if part.stat().st_mtime < started:
                part.unlink()
        except OSError:
            pass


def _glossary_meta(paths: Sequence[str | Path]) -> list[dict[str, str]]:
    out = []
    for p in paths:
        p = Path(p)
        try:
            digest = _sha256(p.read_bytes())
        except FileNotFoundError:
            raise InputError("no such glossary file", path=str(p)) from None
        except OSError as e:
            raise InputError(f"cannot read the glossary: {e.strerror or e}", path=str(p)) from None
        out.append({"path": p.name, "sha256": digest})
    return out


def translate_files(inputs: Sequence[str | Path], src_lang: str | None = None,
                    tgt_lang: str | None = None, out_dir: str | Path | None = None, *,
                    beam_size: int = 4, device: str = "cpu", threads: int = 0,
                    batch_size: int = 32, presplit: bool = False, encoding: str | None = None,
                    force: bool = False, glossaries: Sequence[str | Path] = (),
                    progress: bool = False, packages_dir: str | Path | None = None,
                    max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH,
                    formats: Sequence[str] = (),
                    stdin: BinaryIO | None = None, stdout: IO[str] | None = None) -> RunSummary:
    """Translate files, directories (their .txt and .md files) or "-" (stdin) into `out_dir`.

    `src_lang` None detects each file's language; `tgt_lang` None is the other language.
    Everything is checked before anything is written: unreadable or empty inputs
    (InputError), a missing model (ModelError, naming the pair and how to install it),
    outputs that would collide or overwrite an input. Files whose outputs are complete for
    the same source, model and options are skipped unless `force`. `formats` names export
    formats (aligner.export: tmx, xliff, html, ...) written beside each bitext as
    NAME.en-zh.<suffix>; a skipped file still gets any export it lacks. "-" writes the article to
    `stdout` (default sys.stdout) and the bitext only when `out_dir` is given.
    """
    started_wall = time.time()
    started = time.perf_counter()
    inputs = [str(i) for i in inputs]
    if not inputs:
        raise InputError("no input given", hint="Name files or directories, or - for stdin.")
    if "-" in inputs and len(inputs) > 1:
        raise InputError("- (stdin) cannot be combined with files", hint="Translate them in two runs.")
    use_stdin = inputs == ["-"]
    if out_dir is None and not use_stdin:
        raise InputError("no output directory given", hint="Pass --out DIR (or read - from stdin to write to stdout).")
    src_lang = normalize_lang(src_lang) if src_lang else None
    tgt_lang = normalize_lang(tgt_lang) if tgt_lang else None
    exporters = _exporters(formats)
    if src_lang and tgt_lang and src_lang == tgt_lang:
        raise InputError(f"--from and --to are both {src_lang}", hint="aligner translates between en and zh.")

    options = {"beam_size": beam_size, "presplit": presplit, "encoding": encoding,
               "max_decoding_length": max_decoding_length, "length_penalty": LENGTH_PENALTY,
               "glossaries": _glossary_meta(glossaries)}

    # Read every input first: a bad file stops the run before anything is written.
    jobs: list[_Job] = []
    if use_stdin:
        data = (stdin if stdin is not None else sys.stdin.buffer).read()
        doc = read_document("-", lang=src_lang, encoding=encoding, presplit=presplit,
                            stdin=io.BytesIO(data))
        _check_language(doc, src_lang)
        tgt = tgt_lang or other_language(doc.lang)
        text_out = bitext_out = None
        if out_dir is not None:
            bitext_out = Path(out_dir) / f"stdin.{doc.lang}-{tgt}.jsonl"
        jobs.append(_Job("-", doc, tgt, _sha256(data), text_out, bitext_out,
                         exports=_export_paths(bitext_out, exporters)))
    else:
        seen: set[Path] = set()
        for arg in inputs:
            base = Path(arg) if Path(arg).is_dir() else None
            for path in iter_input_files([arg]):
                if path.resolve() in seen:  # named twice (a file and its directory): once
                    continue
                seen.add(path.resolve())
                doc = read_document(path, lang=src_lang, encoding=encoding, presplit=presplit)
                _check_language(doc, src_lang)
                tgt = tgt_lang or other_language(doc.lang)
                sub = path.parent.relative_to(base) if base is not None else Path()
                text_out, bitext_out = output_paths(path, doc.lang, tgt, Path(out_dir) / sub)
                jobs.append(_Job(str(path), doc, tgt, _file_digest(path), text_out, bitext_out,
                                 exports=_export_paths(bitext_out, exporters)))

    for job in jobs:
        if job.doc.lang == job.tgt:
            raise InputError(f"the text is already in {job.tgt}", path=job.source,
                             hint=f"Pass --from if the language was misdetected, or --to {other_language(job.tgt)}.")
    _check_outputs(jobs)

    # The models, before any output: a missing one is reported with how to install it.
    packages: dict[tuple[str, str], InstalledPackage] = {}
    for job in jobs:
        pair = (job.doc.lang, job.tgt)
        if pair not in packages:
            packages[pair] = require_package(*pair, packages_dir)
        job.meta = {"source_sha256": job.sha256, "model": packages[pair].describe(),
                    "options": options}

    # One run at a time per output directory: a second one would take the first one's
    # temporary files for stale ones.
    with (lock_directory(out_dir) if out_dir is not None else contextlib.nullcontext()):
        summary = RunSummary(terms=None)
        todo = []
        for job in jobs:
            if not force and _up_to_date(job):
                summary.skipped += 1
                if any(not p.exists() for p in job.exports.values()):
                    _export(job, read_bitext(job.bitext_out), only_missing=True)
                summary.results.append(FileResult(job.source, job.doc.lang, job.tgt, job.text_out,
                                                  job.bitext_out, len(job.doc.segments), skipped=True))
            else:
                todo.append(job)

        glossary = None
        if glossaries:
            summary.terms = TermCounts()
            if todo:
                from aligner.glossary import load_glossaries  # only runs with --glossary

                glossary = load_glossaries(list(glossaries))
                for job in jobs:
                    job.glossary = glossary

        # Every engine, and every sentence checked against it, before anything is written.
        engines = {pair: Engine.load(*pair, device=device, threads=threads, beam_size=beam_size,
                                     batch_size=batch_size, packages_dir=packages_dir,
                                     max_decoding_length=max_decoding_length)
                   for pair in sorted({(j.doc.lang, j.tgt) for j in todo})}
        for job in todo:
            _check_lengths(job, engines[(job.doc.lang, job.tgt)])

        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=sum(len(j.doc.segments) for j in todo), unit="sent", file=sys.stderr,
                       desc="translating", dynamic_ncols=True)
            bar.set_postfix_str(f"files 0/{len(todo)}")
        try:
            for pair, engine in engines.items():
                pair_jobs = [j for j in todo if (j.doc.lang, j.tgt) == pair]
                for wave in _waves(pair_jobs, max(WAVE_SENTENCES, batch_size * 64)):
                    bitexts = translate_documents(
                        engine, [j.doc for j in wave], pair[1], glossary=glossary,
                        # The article sits next to its bitext: its name is enough, and keeps the
                        # bitext the same wherever the output directory is.
                        target_paths=[j.text_out.name if j.text_out else "-" for j in wave],
                        progress=bar.update if bar is not None else None, term_counts=summary.terms)
                    for job, bitext in zip(wave, bitexts):
                        bitext.meta = dict(job.meta)
                        _write(job, bitext, stdout, started_wall)
                        summary.files += 1
                        summary.sentences += len(job.doc.segments)
                        summary.results.append(FileResult(job.source, job.doc.lang, job.tgt, job.text_out,
                                                          job.bitext_out, len(job.doc.segments)))
                        if bar is not None:
                            bar.set_postfix_str(f"files {summary.files}/{len(todo)}")
        finally:
            if bar is not None:
                bar.close()
        summary.seconds = time.perf_counter() - started
        return summary


def _check_language(doc: Document, declared: str | None) -> None:
    """A model fed the other language produces garbage, slowly: refuse a clear mismatch."""
    if declared is None:
        return
    detected = contradicted_language(doc.text, declared)
    if detected is not None:
        raise InputError(f"the text looks {LANGUAGE_NAMES[detected]}, but --from {declared} was given",
                         path=STDIN_NAME if doc.path == "-" else doc.path,
                         hint="Leave out --from to detect the language of each file.")


def _check_lengths(job: _Job, engine: Engine) -> None:
    """A sentence longer than the model reads would be cut off (CTranslate2 truncates its
    input): refuse it, naming the file and line, before anything is translated."""
    limit = engine.max_input_length
    for seg in job.doc.segments:
        # A piece covers at least one character (plus, at most, one lone word-start mark).
        if len(seg.text) < limit:
            continue
        pieces = len(engine.tokenize(seg.text))
        if pieces > limit:
            raise InputError(
                f"sentence {seg.id + 1} is {pieces:,} pieces long; the {engine.from_code}→"
                f"{engine.to_code} model reads at most {limit:,}, and would cut off the rest",
                path=STDIN_NAME if job.source == "-" else job.source,
                line=job.doc.text.count("\n", 0, seg.start) + 1,
                hint="Split it into shorter sentences: the text may lack sentence punctuation or "
                     "line breaks (with --presplit, each line is one sentence).")


def _waves(jobs: list[_Job], size: int) -> Iterable[list[_Job]]:
    wave: list[_Job] = []
    count = 0
    for job in jobs:
        wave.append(job)
        count += len(job.doc.segments)
        if count >= size:
            yield wave
            wave, count = [], 0
    if wave:
        yield wave


def _check_outputs(jobs: list[_Job]) -> None:
    """No two inputs may write the same output, and no output may overwrite an input."""
    inputs = {Path(j.source).resolve(): j.source for j in jobs if j.source != "-"}
    seen: dict[Path, str] = {}
    for job in jobs:
        for out in (job.text_out, job.bitext_out):
            if out is None:
                continue
            key = out.resolve()
            if key in inputs:
                raise OutputError(f"the output {out} would overwrite the input {inputs[key]}",
                                  path=job.source, hint="Choose another --out directory, or check --from/--to.")
            if key in seen and seen[key] != job.source:
                raise OutputError(f"{seen[key]} and {job.source} would both be written to {out}",
                                  path=job.source, hint="Rename one of them, or translate them in separate runs.")
            seen[key] = job.source


def _write(job: _Job, bitext: Bitext, stdout: IO[str] | None, started: float) -> None:
    """The article and exports first, the bitext last: a bitext on disk means the rest is complete."""
    if job.text_out is None:
        out = stdout if stdout is not None else sys.stdout
        out.write(bitext.target.text)
        out.flush()
    else:
        atomic_write_text(job.text_out, bitext.target.text)
        _remove_stale_parts(job.text_out, started)
    _export(job, bitext)
    if job.bitext_out is not None:
        write_bitext(bitext, job.bitext_out)
        _remove_stale_parts(job.bitext_out, started)
