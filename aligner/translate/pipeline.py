"""Translate articles: read -> segment -> translate every sentence in batches -> rebuild -> write.

    from aligner.translate import translate_files
    summary = translate_files(["corpus/article.en.txt"], "en", "zh", "out/")

For each input `NAME[.en].txt` (or `.md`) the run writes `NAME.zh.txt` (the article, with its
paragraphs, headings and list markers kept) and then `NAME.en-zh.jsonl` (the bitext: one bead
per sentence, origin "mt"). The bitext is written last and its header records the source's
sha256, the model and the options, so a re-run skips every file whose outputs are complete
and current, and an interrupted run (every file is written to a temporary file and renamed)
loses nothing but the files it was working on.

Sentences go to the engine in file order, through a window of a few batches sorted by length
(`Engine.translate_iter`): batches stay full across files, and each file is written as soon
as its last sentence is back, so files finish one after another. With a translation memory
(`tm`), every file is looked up first and only the sentences the memory does not answer
join that stream (aligner.translate.reuse).
"""

from __future__ import annotations

import io
import itertools
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterable, Iterator, Sequence

from aligner.batch import (BatchOptions, BatchSummary, Job, Runner, discover, file_sha256, glossary_stamp,
                           output_stem, sha256_bytes)
from aligner.errors import InputError, UsageError
from aligner.io.text import (LANGUAGE_NAMES, STDIN_NAME, contradicted_language, normalize_lang, not_english,
                              other_language, read_document)
from aligner.model import Bead, Bitext, Document, TextBuilder
from aligner.translate.engine import DEFAULT_MAX_DECODING_LENGTH, LENGTH_PENALTY, Engine
from aligner.translate.documents import (document_format, input_suffixes, skipped_in_directories,
                                         translate_rich, unknown_kind)
from aligner.translate.packages import InstalledPackage, require_package

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
                        term_counts: TermCounts | None = None, memory: Any = None,
                        fuzzy: int = 75, fuzzy_apply: bool = False,
                        tm_counts: Any = None) -> list[Bitext]:
    """Translate the segments of several documents in one batched pass; one Bitext each.

    With a glossary, translations are made with attention and handed to
    `aligner.glossary.enforce.enforce_translations`; its corrected text is used and the
    terms it reports go into each bead's meta["terms"].
    With a translation `memory` (aligner.memory), segments it answers (101, 100, and fuzzy
    ones with `fuzzy_apply`) take its target, origin "tm", and only the rest goes to the
    engine; see aligner.translate.reuse.translate_with_memory.
    """
    tgt_lang = tgt_lang or engine.to_code
    if tgt_lang != engine.to_code:
        raise ValueError(f"the engine translates into {engine.to_code}, not {tgt_lang}")
    for doc in docs:
        if doc.lang != engine.from_code:
            raise InputError(f"the text is {doc.lang}, but the model translates from {engine.from_code}",
                             path=doc.path)
    sources = [s.text for doc in docs for s in doc.segments]
    if memory is not None:
        from aligner.translate.reuse import translate_with_memory  # only runs with --tm

        return translate_with_memory(engine, docs, tgt_lang, memory, glossary=glossary, meta=meta,
                                     target_paths=target_paths, progress=progress, term_counts=term_counts,
                                     fuzzy=fuzzy, fuzzy_apply=fuzzy_apply, counts=tm_counts)
    translations = engine.translate(sources, return_attention=glossary is not None, progress=progress)
    bitexts = []
    k = 0
    for n, doc in enumerate(docs):
        count = len(doc.segments)
        path = target_paths[n] if target_paths is not None else None
        bitexts.append(make_bitext(engine, doc, translations[k:k + count], tgt_lang, glossary=glossary,
                                   meta=meta, target_path=path, term_counts=term_counts))
        k += count
    return bitexts


def make_bitext(engine: Engine, doc: Document, translations: Sequence[Any], tgt_lang: str, *,
                glossary: Any = None, meta: dict[str, Any] | None = None, target_path: str | None = None,
                term_counts: TermCounts | None = None) -> Bitext:
    """The Bitext of one document from its segments' translations (glossary terms enforced)."""
    texts = [t.text for t in translations]
    terms: list[list[dict[str, Any]] | None] = [None] * len(translations)
    if glossary is not None:
        from aligner.glossary.enforce import enforce_translations  # only runs with --glossary

        enforced = enforce_translations(engine, [s.text for s in doc.segments], list(translations), glossary,
                                        engine.from_code, tgt_lang)
        texts = [e.text for e in enforced]
        terms = [list(e.terms) for e in enforced]
        if term_counts is not None:
            for t in terms:
                term_counts.add(t)
    target = rebuild(doc, texts, tgt_lang, target_path)
    beads = []
    for i, tr in enumerate(translations):
        bead_meta = {"terms": terms[i]} if terms[i] is not None else {}
        beads.append(Bead(src=[i], tgt=[i], score=_confidence(tr), origin="mt", id=i, meta=bead_meta))
    return Bitext(doc, target, beads, meta=dict(meta or {}))


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
    tm: Any = None  # with --tm: aligner.translate.reuse.ReuseCounts

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
        if self.tm is not None and self.files:
            text += "\n" + self.tm.describe()
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
    tm: str | None = None      # a translation memory (file or postgresql:// URL), looked up before MT
    fuzzy: int = 75            # lowest fuzzy match kept for review
    fuzzy_apply: bool = False  # use the best fuzzy match instead of MT (flagged for review)
    keep_going: bool = False  # translate the good files; list the bad ones (summary.refused)
    include_mt: bool = False  # a TMX export holds the machine translations too, marked "MT!"


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
        self.format.write_document(self.doc, self.translations, path, tgt_lang=self.tgt, bitext=bitext)
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
    runner = Runner(BatchOptions(out_dir=out_dir, formats=opts.formats, force=opts.force, stdout=stdout,
                                 include_mt=opts.include_mt,
                                 keep_going=opts.keep_going),
                    RunSummary(terms=None))
    if src_lang and tgt_lang and src_lang == tgt_lang:
        raise InputError(f"--from and --to are both {src_lang}", hint="aligner translates between en and zh.")

    options_stamp = {"beam_size": opts.beam_size, "presplit": opts.presplit, "encoding": opts.encoding,
                     "max_decoding_length": opts.max_decoding_length, "length_penalty": LENGTH_PENALTY,
                     "glossaries": glossary_stamp(opts.glossaries)}
    if opts.include_mt:  # only when asked, so that bitexts made before the option stay current
        options_stamp["include_mt"] = True
    if opts.tm:
        from aligner.memory import open_memory  # only runs with --tm

        # The memory's contents, not only its name: after units are added or removed, a
        # re-run translates again instead of skipping the file as current. (A missing or
        # broken memory is reported here, before anything is read or written.)
        with open_memory(opts.tm, create=False, readonly=True) as memory:
            contents = memory.fingerprint()
        options_stamp["tm"] = {"memory": opts.tm, "fuzzy": opts.fuzzy, "fuzzy_apply": opts.fuzzy_apply,
                               "contents": contents}

    # Read every input first: bad files (all of them, listed) stop the run before anything is
    # written, or with keep_going are left out and listed at the end.
    def read(item: tuple[Path, Path]) -> Job:
        path, sub = item
        fmt = document_format(path)
        if fmt is not None and opts.presplit and fmt.name == "markdown":
            fmt = None  # one segment per line: the text reader's presplit
        if fmt is not None:  # a formatted document (DOCX, HTML, ...): aligner.translate.documents
            doc = fmt.read_document(path, lang=src_lang, encoding=opts.encoding)
            tgt = _check_language(doc, src_lang, tgt_lang)
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
        tgt = _check_language(doc, src_lang, tgt_lang)
        text_out, bitext_out = output_paths(path, doc.lang, tgt, Path(out_dir) / sub)  # type: ignore[arg-type]
        return _job(str(path), [path], doc, tgt, file_sha256(path), text_out, bitext_out)

    def read_stdin(data: bytes) -> Job:
        doc = read_document("-", lang=src_lang, encoding=opts.encoding, presplit=opts.presplit,
                            stdin=io.BytesIO(data))
        tgt = _check_language(doc, src_lang, tgt_lang)
        bitext_out = Path(out_dir) / f"stdin.{doc.lang}-{tgt}.jsonl" if out_dir is not None else None
        return _job("-", [], doc, tgt, sha256_bytes(data), "-", bitext_out)

    if use_stdin:
        jobs = runner.prepare([(stdin if stdin is not None else sys.stdin.buffer).read()], read_stdin)
    else:
        runner.summary.unsupported = skipped_in_directories(inputs, out_dir)  # type: ignore[attr-defined]
        found = _without_finished_xliff(discover(inputs, input_suffixes(), out_dir=out_dir, on_error=runner.refuse),
                                        inputs, runner.summary.unsupported)  # type: ignore[attr-defined]
        jobs = runner.prepare(found, read)
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


def _without_finished_xliff(found, inputs: Sequence[str], skipped: list) -> list:
    """The files found, less the XLIFF files inside a folder that have nothing left to translate
    (an export of aligner's own, a file done in the CAT tool): listed as skipped, not refused.
    One named on the command line is read, and refused by name."""
    from aligner.formats.xliff_document import nothing_to_translate

    out = []
    for path, sub in found:
        if str(path) not in inputs and Path(path).suffix.lower() in (".xlf", ".xliff", ".sdlxliff", ".mqxliff") \
                and nothing_to_translate(path):
            skipped.append((str(path), "XLIFF with nothing left to translate"))
            continue
        out.append((path, sub))
    return out


def _job(source: str, inputs: list[Path], doc: Document, tgt: str, sha256: str,
         text_out: Path | str | None, bitext_out: Path | None) -> Job:
    return Job(source, inputs, bitext_out, text_out, stamp={"source_sha256": sha256}, data=_Source(doc, tgt))


def _translate_jobs(todo: list[Job], opts: TranslateOptions, runner: Runner) -> Iterator[tuple[Job, Bitext]]:
    """Translate the jobs' sentences as one stream per language pair, in file order; yield
    each file's Bitext as soon as its last sentence is translated (the runner writes it)."""
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
    good = []
    for job in todo:
        try:
            _check_lengths(job, engines[(job.data.doc.lang, job.data.tgt)])
            good.append(job)
        except InputError as e:
            runner.refuse(e)
    runner.check_refused(len(good) + summary.skipped)
    todo = good
    memory = reuse = None
    if opts.tm and todo:
        from aligner.memory import open_memory  # only runs with --tm
        from aligner.translate.reuse import MemoryReuse, ReuseCounts

        memory = open_memory(opts.tm, create=False, readonly=True)
        summary.tm = ReuseCounts()
        reuse = MemoryReuse(memory, fuzzy=opts.fuzzy, fuzzy_apply=opts.fuzzy_apply, counts=summary.tm)

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
            plain = [j for j in pair_jobs if j.data.format is None]
            # With a memory, each file is looked up first (one batch of look-ups per file), and
            # only the sentences it does not answer join the stream.
            decisions: dict[int, Any] = {}
            if reuse is not None:
                from aligner.documents import mt_sources

                for j in pair_jobs:
                    # A document is looked up by what the model would translate (its atoms out).
                    # For plain files the fuzzy look-ups of sentences MT translates anyway wait
                    # until the engine asks for the sentence, so that they overlap its work.
                    plain_file = j.data.format is None
                    segs = j.data.doc.segments if plain_file else mt_sources(j.data.doc)
                    decisions[id(j)] = reuse.decide(segs, *pair, defer_fuzzy=plain_file)

            def wanted(j: Job) -> Iterator[str]:
                ds = decisions.get(id(j))
                for k, s in enumerate(j.data.doc.segments):
                    if ds is None:
                        yield s.text
                    elif ds[k].target is None:
                        reuse.complete(ds[k], *pair)  # type: ignore[union-attr]
                        yield s.text

            # Every sentence to translate of every plain file streams through the engine in
            # file order: batches stay full across files.
            stream = engine.translate_iter((text for j in plain for text in wanted(j)),
                                           return_attention=glossary is not None,
                                           progress=bar.update if bar is not None else None)
            for job in pair_jobs:
                # The article sits next to its bitext: its name is enough, and keeps the
                # bitext the same wherever the output directory is.
                target_path = job.document_out.name if isinstance(job.document_out, Path) else "-"
                ds = decisions.get(id(job))
                if ds is not None and bar is not None:
                    bar.update(sum(d.target is not None for d in ds))
                if job.data.format is not None:  # with attention, for its inline codes
                    bitext, job.data.translations = translate_rich(
                        engine, job.data.doc, pair[1], glossary=glossary, term_counts=summary.terms,
                        target_path=job.document_out.name,
                        progress=bar.update if bar is not None else None, decisions=ds,
                        tm_counts=summary.tm)
                elif ds is not None:
                    from aligner.translate.reuse import memory_bitext, mt_indexes

                    started = time.perf_counter()
                    translations = list(itertools.islice(stream, len(mt_indexes(ds))))
                    summary.tm.mt_seconds += time.perf_counter() - started
                    reuse.finish(ds, *pair)  # type: ignore[union-attr]
                    bitext = memory_bitext(engine, job.data.doc, ds, translations, pair[1], glossary=glossary,
                                           target_path=target_path, term_counts=summary.terms)
                else:
                    translations = list(itertools.islice(stream, len(job.data.doc.segments)))
                    bitext = make_bitext(engine, job.data.doc, translations, pair[1], glossary=glossary,
                                         target_path=target_path, term_counts=summary.terms)
                _keep_script_tags(bitext)
                yield job, bitext
                done += 1
                if bar is not None:
                    bar.set_postfix_str(f"files {done}/{len(todo)}")
    finally:
        if bar is not None:
            bar.close()
        if memory is not None:
            memory.close()


def _keep_script_tags(bitext: Bitext) -> None:
    from aligner.formats.common import keep_script_tags  # not at import: `aligner --help` stays light

    keep_script_tags(bitext)


def _check_language(doc: Document, declared: str | None, tgt_lang: str | None) -> str:
    """The target language of `doc`, after refusing what a model would turn into garbage,
    slowly: a text whose script contradicts --from, a Latin-script text in another language
    than English (French, German... given or detected as English), a text already in the
    target language."""
    name = STDIN_NAME if doc.path == "-" else doc.path
    if declared is not None:
        detected = contradicted_language(doc.text, declared)
        if detected is not None:
            raise InputError(f"the text looks {LANGUAGE_NAMES[detected]}, but --from {declared} was given",
                             path=name, hint="Leave out --from to detect the language of each file.")
    if doc.lang == "en":
        other = not_english(doc.text)
        if other is not None:
            how = "given as English (--from en)" if declared else "detected as English by its script"
            raise InputError(f"not English: the text looks {other}, {how}", path=name,
                             hint="aligner translates between English and Chinese; leave this file out "
                                  "(or --keep-going to translate the others).")
    tgt = tgt_lang or other_language(doc.lang)
    if doc.lang == tgt:
        raise InputError(f"the text is already in {tgt}", path=name,
                         hint=f"Pass --from if the language was misdetected, or --to {other_language(tgt)}.")
    return tgt


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
