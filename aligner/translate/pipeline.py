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

import io
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterable, Iterator, Sequence

from aligner.batch import (BatchOptions, BatchSummary, Job, Runner, discover, file_sha256, glossary_stamp,
                           output_stem, sha256_bytes)
from aligner.errors import InputError, UsageError
from aligner.io.text import (LANGUAGE_NAMES, STDIN_NAME, contradicted_language, normalize_lang, other_language,
                              read_document)
from aligner.model import Bead, Bitext, Document, TextBuilder
from aligner.translate.engine import DEFAULT_MAX_DECODING_LENGTH, LENGTH_PENALTY, Engine
from aligner.translate.documents import (document_format, input_suffixes, skipped_in_directories,
                                         translate_rich, unknown_kind)
from aligner.translate.packages import InstalledPackage, require_package

# Sentences translated before the files they complete are written: large enough for full,
# length-sorted batches across files, small enough that an interruption loses little.
WAVE_SENTENCES = 4096


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
    target = TextBuilder()
    pos = 0
    prev = None
    for seg, text in zip(doc.segments, translations):
        gap = doc.text[pos:seg.start]
        if prev is not None and prev.paragraph == seg.paragraph and not gap.strip(" \t\u3000"):
            gap = sep  # only spaces (or nothing) between two sentences of a paragraph
        target.add(gap)
        target.add_segment(text, seg.paragraph)
        pos = seg.end
        prev = seg
    target.add(doc.text[pos:])
    return target.document(tgt_lang, path)


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
class RunSummary(BatchSummary):
    files: int = 0              # files translated in this run
    sentences: int = 0          # sentences translated in this run
    results: list[FileResult] = field(default_factory=list)
    terms: TermCounts | None = None  # with glossaries
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (file, why) left out of folders

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def add(self, job: Job, bitext: Bitext) -> None:
        self.files += 1
        self.sentences += len(job.data.doc.segments)
        self.results.append(_result(job))

    def add_skipped(self, job: Job) -> None:
        super().add_skipped(job)
        self.results.append(_result(job, skipped=True))

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
        if self.unsupported:
            text += f"\nskipped {len(self.unsupported)} file{'s' * (len(self.unsupported) != 1)} of the folders:"
            text += "".join(f"\n  {path}: {why}" for path, why in self.unsupported)
        if self.terms is not None and self.files:
            t = self.terms
            text += (f"\nglossary: {t.found} term{'s' * (t.found != 1)} found, {t.ok} already right, "
                     f"{t.enforced} enforced, {t.failed} failed")
        return text


def _result(job: Job, skipped: bool = False) -> FileResult:
    doc = job.data.doc
    text_out = job.document_out if isinstance(job.document_out, Path) else None
    return FileResult(job.name, doc.lang, job.data.tgt, text_out, job.bitext_out, len(doc.segments),
                      skipped=skipped)


@dataclass
class TranslateOptions:
    """The options of a translation run (the command line's flags, one field each)."""

    beam_size: int = 4
    device: str = "cpu"
    threads: int = 0
    batch_size: int = 32
    presplit: bool = False
    encoding: str | None = None
    force: bool = False
    glossaries: Sequence[str | Path] = ()
    progress: bool = False
    packages_dir: str | Path | None = None
    max_decoding_length: int = DEFAULT_MAX_DECODING_LENGTH
    formats: Sequence[str] = ()


@dataclass
class _Source:
    """A Job's data: the segmented input and the language it is translated into; for a
    formatted document, its format and the translations its writer takes."""

    doc: Document
    tgt: str
    format: Any = None
    translations: Any = None

    def writer(self, path: Path, bitext: Bitext) -> bool:
        """Write a formatted document's translation to `path` (False: plain text, not mine)."""
        if self.format is None:
            return False
        self.format.write_document(self.doc, self.translations, path, tgt_lang=self.tgt)
        return True


def translate_files(inputs: Sequence[str | Path], src_lang: str | None = None,
                    tgt_lang: str | None = None, out_dir: str | Path | None = None,
                    options: TranslateOptions | None = None, *,
                    stdin: BinaryIO | None = None, stdout: IO[str] | None = None,
                    **option_fields: Any) -> RunSummary:
    """Translate files, directories (their .txt and .md files) or "-" (stdin) into `out_dir`.

    `src_lang` None detects each file's language; `tgt_lang` None is the other language.
    `options` (or its fields as keywords: beam_size=2, force=True...) is a TranslateOptions.
    Everything is checked before anything is written: unreadable or empty inputs
    (InputError), a missing model (ModelError, naming the pair and how to install it),
    outputs that would collide or overwrite an input. Files whose outputs are complete for
    the same source, model and options are skipped unless `force`. `formats` names export
    formats (aligner.export: tmx, xliff, html, ...) written beside each bitext as
    NAME.en-zh.<suffix>; a skipped file still gets any export it lacks. "-" writes the article to
    `stdout` (default sys.stdout) and the bitext only when `out_dir` is given.
    The run goes through `aligner.batch` (lock, skip, write, export beside).
    """
    opts = options if options is not None else TranslateOptions(**option_fields)
    if options is not None and option_fields:
        raise TypeError("give options or option keywords, not both")
    inputs = [str(i) for i in inputs]
    if not inputs:
        raise InputError("no input given", hint="Name files or directories, or - for stdin.")
    if out_dir is None and inputs != ["-"]:
        raise UsageError("give --out DIR for file inputs (or read - from stdin to write the "
                         "translation to stdout)")
    if "-" in inputs and len(inputs) > 1:
        raise InputError("- (stdin) cannot be combined with files", hint="Translate them in two runs.")
    use_stdin = inputs == ["-"]
    src_lang = normalize_lang(src_lang) if src_lang else None
    tgt_lang = normalize_lang(tgt_lang) if tgt_lang else None
    runner = Runner(BatchOptions(out_dir=out_dir, formats=opts.formats, force=opts.force, stdout=stdout),
                    RunSummary(terms=None))
    if src_lang and tgt_lang and src_lang == tgt_lang:
        raise InputError(f"--from and --to are both {src_lang}", hint="aligner translates between en and zh.")

    options_stamp = {"beam_size": opts.beam_size, "presplit": opts.presplit, "encoding": opts.encoding,
                     "max_decoding_length": opts.max_decoding_length, "length_penalty": LENGTH_PENALTY,
                     "glossaries": glossary_stamp(opts.glossaries)}

    # Read every input first: a bad file stops the run before anything is written.
    def read(item: tuple[Path, Path]) -> Job:
        path, sub = item
        fmt = document_format(path)
        if fmt is not None and opts.presplit and fmt.name == "markdown":
            fmt = None  # one segment per line: the text reader's presplit
        if fmt is not None:  # a formatted document (DOCX, HTML, ...): aligner.translate.documents
            doc = fmt.read_document(path, lang=src_lang, encoding=opts.encoding)
            _check_language(doc, src_lang)
            tgt = tgt_lang or other_language(doc.lang)
            text_out, bitext_out = output_paths(path, doc.lang, tgt, Path(out_dir) / sub)  # type: ignore[arg-type]
            text_out = text_out.with_name(f"{output_stem(path)}.{tgt}{path.suffix}")
            job = _job(str(path), [path], doc, tgt, file_sha256(path), text_out, bitext_out)
            job.data.format = fmt
            return job
        try:
            doc = read_document(path, lang=src_lang, encoding=opts.encoding, presplit=opts.presplit)
        except InputError as e:
            if "binary" in e.message and path.suffix.lower() not in (".txt", ".md", ".text"):
                raise unknown_kind(path) from None
            raise
        _check_language(doc, src_lang)
        tgt = tgt_lang or other_language(doc.lang)
        text_out, bitext_out = output_paths(path, doc.lang, tgt, Path(out_dir) / sub)  # type: ignore[arg-type]
        return _job(str(path), [path], doc, tgt, file_sha256(path), text_out, bitext_out)

    def read_stdin(data: bytes) -> Job:
        doc = read_document("-", lang=src_lang, encoding=opts.encoding, presplit=opts.presplit,
                            stdin=io.BytesIO(data))
        _check_language(doc, src_lang)
        tgt = tgt_lang or other_language(doc.lang)
        bitext_out = Path(out_dir) / f"stdin.{doc.lang}-{tgt}.jsonl" if out_dir is not None else None
        return _job("-", [], doc, tgt, sha256_bytes(data), "-", bitext_out)

    if use_stdin:
        jobs = runner.prepare([(stdin if stdin is not None else sys.stdin.buffer).read()], read_stdin)
    else:
        runner.summary.unsupported = skipped_in_directories(inputs)  # type: ignore[attr-defined]
        jobs = runner.prepare(discover(inputs, input_suffixes(), out_dir=out_dir), read)

    for job in jobs:
        if job.data.doc.lang == job.data.tgt:
            tgt = job.data.tgt
            raise InputError(f"the text is already in {tgt}", path=job.name,
                             hint=f"Pass --from if the language was misdetected, or --to {other_language(tgt)}.")
    runner.plan(jobs, extra_inputs=list(opts.glossaries))  # no output may land on a glossary either

    # The models, before any output: a missing one is reported with how to install it.
    packages: dict[tuple[str, str], InstalledPackage] = {}
    for job in jobs:
        pair = (job.data.doc.lang, job.data.tgt)
        if pair not in packages:
            packages[pair] = require_package(*pair, opts.packages_dir)
        job.stamp = {"source_sha256": job.stamp["source_sha256"], "model": packages[pair].describe(),
                     "options": options_stamp}

    return runner.run(jobs, lambda todo: _translate_jobs(todo, opts, runner))  # type: ignore[return-value]


def _job(source: str, inputs: list[Path], doc: Document, tgt: str, sha256: str,
         text_out: Path | str | None, bitext_out: Path | None) -> Job:
    return Job(source, inputs, bitext_out, text_out, stamp={"source_sha256": sha256}, data=_Source(doc, tgt))


def _translate_jobs(todo: list[Job], opts: TranslateOptions, runner: Runner) -> Iterator[tuple[Job, Bitext]]:
    """Translate the jobs' sentences in waves across files; yield each file's Bitext."""
    summary: RunSummary = runner.summary  # type: ignore[assignment]
    glossary = None
    if opts.glossaries:
        summary.terms = TermCounts()
        if todo:
            from aligner.glossary import load_glossaries  # only runs with --glossary

            glossary = load_glossaries(list(opts.glossaries))
            runner.export_glossary = glossary

    # Every engine, and every sentence checked against it, before anything is written.
    engines = {pair: Engine.load(*pair, device=opts.device, threads=opts.threads, beam_size=opts.beam_size,
                                 batch_size=opts.batch_size, packages_dir=opts.packages_dir,
                                 max_decoding_length=opts.max_decoding_length)
               for pair in sorted({(j.data.doc.lang, j.data.tgt) for j in todo})}
    for job in todo:
        _check_lengths(job, engines[(job.data.doc.lang, job.data.tgt)])

    bar = None
    if opts.progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=sum(len(j.data.doc.segments) for j in todo), unit="sent", file=sys.stderr,
                   desc="translating", dynamic_ncols=True)
        bar.set_postfix_str(f"files 0/{len(todo)}")
    done = 0
    try:
        for pair, engine in engines.items():
            pair_jobs = [j for j in todo if (j.data.doc.lang, j.data.tgt) == pair]
            for wave in _waves(pair_jobs, max(WAVE_SENTENCES, opts.batch_size * 64)):
                plain = [j for j in wave if j.data.format is None]
                bitexts = dict(zip(map(id, plain), translate_documents(
                    engine, [j.data.doc for j in plain], pair[1], glossary=glossary,
                    # The article sits next to its bitext: its name is enough, and keeps the
                    # bitext the same wherever the output directory is.
                    target_paths=[j.document_out.name if isinstance(j.document_out, Path) else "-"
                                  for j in plain],
                    progress=bar.update if bar is not None else None, term_counts=summary.terms)))
                for j in wave:
                    if j.data.format is not None:  # with attention, for its inline codes
                        bitexts[id(j)], j.data.translations = translate_rich(
                            engine, j.data.doc, pair[1], glossary=glossary, term_counts=summary.terms,
                            target_path=j.document_out.name,
                            progress=bar.update if bar is not None else None)
                for job, bitext in ((j, bitexts[id(j)]) for j in wave):
                    yield job, bitext
                    done += 1
                    if bar is not None:
                        bar.set_postfix_str(f"files {done}/{len(todo)}")
    finally:
        if bar is not None:
            bar.close()


def _check_language(doc: Document, declared: str | None) -> None:
    """A model fed the other language produces garbage, slowly: refuse a clear mismatch."""
    if declared is None:
        return
    detected = contradicted_language(doc.text, declared)
    if detected is not None:
        raise InputError(f"the text looks {LANGUAGE_NAMES[detected]}, but --from {declared} was given",
                         path=STDIN_NAME if doc.path == "-" else doc.path,
                         hint="Leave out --from to detect the language of each file.")


def _check_lengths(job: Job, engine: Engine) -> None:
    """A sentence longer than the model reads would be cut off (CTranslate2 truncates its
    input): refuse it, naming the file and line, before anything is translated."""
    limit = engine.max_input_length
    doc = job.data.doc
    for seg in doc.segments:
        # A piece covers at least one character (plus, at most, one lone word-start mark).
        if len(seg.text) < limit:
            continue
        pieces = len(engine.tokenize(seg.text))
        if pieces > limit:
            raise InputError(
                f"sentence {seg.id + 1} is {pieces:,} pieces long; the {engine.from_code}→"
                f"{engine.to_code} model reads at most {limit:,}, and would cut off the rest",
                path=STDIN_NAME if job.name == "-" else job.name,
                line=doc.text.count("\n", 0, seg.start) + 1,
                hint="Split it into shorter sentences: the text may lack sentence punctuation or "
                     "line breaks (with --presplit, each line is one sentence).")


def _waves(jobs: list[Job], size: int) -> Iterable[list[Job]]:
    wave: list[Job] = []
    count = 0
    for job in jobs:
        wave.append(job)
        count += len(job.data.doc.segments)
        if count >= size:
            yield wave
            wave, count = [], 0
    if wave:
        yield wave
