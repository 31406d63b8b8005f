"""Aligning files: read and segment both texts, align, write the bitext; and batches of pairs.

    bitext = align_files("ch1.zh.txt", "ch1.en.txt")                 # languages detected
    write_pair(bitext, "ch1.zh-en.jsonl", formats=["tmx"])          # and ch1.zh-en.tmx beside it
    align_batch(match_directories("zh/", "en/"), "out/")            # NAME.zh-en.jsonl each

`plan_align` holds the rules the `align` command's options obey (one pair or a batch, which
options go together), so a library caller meets the same ones. Batches go through
`aligner.batch` (lock the output folder, skip current bitexts, export beside, summarise).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from aligner.align import parallel
from aligner.align.core import align_documents
from aligner.align.pairing import ZH_HELPER
from aligner.align.evaluate import f1, read_gold, strict_counts
from aligner.batch import (BatchOptions, BatchSummary, Job, PairJob, bitext_name, export_beside, export_paths,
                           exporters, file_sha256, glossary_stamp, match_directories, pair_key, read_pairs_list,
                           require_out_dir, Runner)
from aligner.errors import InputError, UsageError
from aligner.io.text import (LANGUAGE_NAMES, STDIN_NAME, contradicted_language, decode_bytes, normalize_lang,
                              other_language, read_document)
from aligner.model import Bitext, Document


def read_translation(path: str | Path, n_source: int, source_name: str = "the source",
                     encoding: str | None = None) -> list[str]:
    """A translation file: one translated sentence per line, line-aligned with the source
    sentences (like the .trans files of the development data)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path, hint="Check the path given to --translation.") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a translation file", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=path) from None
    text = decode_bytes(data, str(path), encoding)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != n_source:
        nonblank = [ln for ln in lines if ln.strip()]
        if len(nonblank) == n_source:
            lines = nonblank
        else:
            raise InputError(f"the translation has {len(lines)} lines but {source_name} has "
                             f"{n_source} sentences", path=path,
                             hint="Give one translated sentence per line, in the order of the source "
                                  "sentences (use --presplit if the source is one sentence per line).")
    return [ln.strip() for ln in lines]


def load_documents(src: str | Path, tgt: str | Path, *, src_lang: str | None = None,
                   tgt_lang: str | None = None, presplit: bool = False,
                   encoding: str | None = None) -> tuple[Document, Document]:
    """Read and segment both texts; a language not given is detected (or is the other one's
    counterpart when only one is given)."""
    src_lang = normalize_lang(src_lang) if src_lang else None
    tgt_lang = normalize_lang(tgt_lang) if tgt_lang else None
    given_src, given_tgt = src_lang is not None, tgt_lang is not None
    if src_lang and not tgt_lang:
        tgt_lang = other_language(src_lang)
    if tgt_lang and not src_lang:
        src_lang = other_language(tgt_lang)
    src_doc = read_document(src, src_lang, encoding, presplit=presplit)
    tgt_doc = read_document(tgt, tgt_lang, encoding, presplit=presplit)
    if src_lang:
        _check_language(src_doc, "--from" if given_src else "--to", src_lang if given_src else tgt_lang)
        _check_language(tgt_doc, "--to" if given_tgt else "--from", tgt_lang if given_tgt else src_lang)
    return src_doc, tgt_doc


def _check_language(doc: Document, option: str, value: str) -> None:
    """Refuse a text whose script contradicts the language it was given (it would be segmented
    by the wrong rules and the bitext labelled the wrong way round)."""
    detected = contradicted_language(doc.text, doc.lang)
    if detected is not None:
        raise InputError(f"the text looks {LANGUAGE_NAMES[detected]}, but {option} {value} makes it the "
                         f"{LANGUAGE_NAMES.get(doc.lang, doc.lang)} side",
                         path=STDIN_NAME if doc.path == "-" else doc.path,
                         hint="Leave out --from/--to to detect the language of each file, or swap SRC and TGT.")


def machine_translation(src_doc: Document, tgt_lang: str, **engine_options: Any) -> list[str]:
    """The source segments translated by the installed Argos model (ModelError if none)."""
    from aligner.translate.engine import Engine

    engine = Engine.load(src_doc.lang, tgt_lang, **engine_options)
    return [t.text for t in engine.translate(src_doc.segment_texts())]


def prepare_files(src: str | Path, tgt: str | Path, *, src_lang: str | None = None,
                  tgt_lang: str | None = None, presplit: bool = False, encoding: str | None = None,
                  translation: str | Path | None = None) -> tuple[Document, Document, list[str] | None]:
    """Read, check and segment both texts and the translation file, if any."""
    src_doc, tgt_doc = load_documents(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang,
                                      presplit=presplit, encoding=encoding)
    if src_doc.lang == tgt_doc.lang:
        raise InputError(f"both texts are in the same language ({src_doc.lang})", path=tgt_doc.path,
                         hint="Align a text with its translation; give --from/--to if a language was misdetected.")
    trans = None
    if translation is not None:
        trans = read_translation(translation, len(src_doc.segments), src_doc.name, encoding)
    return src_doc, tgt_doc, trans


def align_files(src: str | Path, tgt: str | Path, *, src_lang: str | None = None,
                tgt_lang: str | None = None, presplit: bool = False, encoding: str | None = None,
                translation: str | Path | None = None, mt: bool = False, glossary: Any = None,
                signals: Iterable[Any] | None = None, weights: dict[str, float] | None = None,
                max_bead: int = 6, progress: Callable[[str], None] | None = None) -> Bitext:
    """Align a text file with its translation (see `align_documents`). `translation`: a file
    translating the source line by line; `mt`: translate the source with the installed model."""
    if translation is not None and mt:
        raise UsageError("give --translation FILE or --mt, not both")
    # as the command does: the Chinese segmenter and CC-CEDICT load in a helper process on
    # the second core while the files are read (unless one waits already, or a translation
    # model is to have the cores)
    warm = not (mt or parallel.waiting())
    with parallel.helper(ZH_HELPER) if warm else contextlib.nullcontext():
        src_doc, tgt_doc, trans = prepare_files(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang,
                                                presplit=presplit, encoding=encoding, translation=translation)
        return _align_prepared(src_doc, tgt_doc, trans, translation, mt=mt, glossary=glossary,
                               signals=signals, weights=weights, max_bead=max_bead, progress=progress)


def _align_prepared(src_doc: Document, tgt_doc: Document, trans: list[str] | None,
                    translation: str | Path | None, *, mt: bool, glossary: Any,
                    signals: Iterable[Any] | None, weights: dict[str, float] | None, max_bead: int,
                    progress: Callable[[str], None] | None = None) -> Bitext:
    if trans is None and mt:
        if progress:
            progress("translating the source")
        trans = machine_translation(src_doc, tgt_doc.lang)
    bitext = align_documents(src_doc, tgt_doc, translation=trans, glossary=glossary,
                             signals=signals, weights=weights, max_bead=max_bead, progress=progress)
    from aligner.formats.common import keep_script_tags  # not at import: `aligner --help` stays light

    keep_script_tags(bitext)
    if translation is not None:
        bitext.meta["translation"] = str(translation)
    elif mt:
        bitext.meta["translation"] = "mt"
    return bitext


def gold_figures(bitext: Bitext, gold_path: str | Path) -> dict[str, float]:
    """Strict bead precision, recall and F1 of a bitext against gold beads ([i,j]:[k] lines)."""
    gold = read_gold(gold_path)
    n, m = len(bitext.source.segments), len(bitext.target.segments)
    for src, tgt in gold:
        if any(not 0 <= i < n for i in src) or any(not 0 <= j < m for j in tgt):
            raise InputError(f"gold bead {src}:{tgt} refers to sentences the texts do not have "
                             f"({n} source, {m} target sentences)", path=gold_path,
                             hint="Gold beads use 0-based sentence numbers of the segmented texts "
                                  "(--presplit for one sentence per line).")
    matched, predicted, total = strict_counts([(b.src, b.tgt) for b in bitext.beads], gold)
    p, r, f = f1(matched, predicted, total)
    return {"precision": p, "recall": r, "f1": f, "matched": matched, "predicted": predicted, "gold": total}


# ------------------------------------------------------------------------------- the command's rules

@dataclass
class AlignPlan:
    """What an `align` run will do: one pair, or a batch of `jobs`, with the loaded glossary."""

    batch: bool
    jobs: list[PairJob] = field(default_factory=list)
    glossary: Any = None


def plan_align(src: str | Path | None, tgt: str | Path | None, *, out: str | Path = "-",
               pairs_list: str | Path | None = None, translation: str | Path | None = None,
               mt: bool = False, gold: str | Path | None = None, formats: Sequence[str] = (),
               glossaries: Sequence[str | Path] = ()) -> AlignPlan:
    """Check the options of an alignment run (UsageError for ones that do not go together)
    and decide: a batch when `pairs_list` is given or SRC and TGT are two directories
    (see `align_batch`), otherwise one pair (`align_files` and `write_pair`)."""
    if translation and mt:
        raise UsageError("give --translation FILE or --mt, not both")
    glossary = None
    if glossaries:
        from aligner.glossary import load_glossaries

        glossary = load_glossaries(list(glossaries))
    if formats:
        exporters(formats)  # an unknown format stops the run before any work
        if str(out) == "-":
            raise UsageError("--format writes files beside the bitext: give -o OUT.jsonl")
    batch = pairs_list is not None or bool(src and tgt and Path(src).is_dir() and Path(tgt).is_dir())
    if batch:
        if pairs_list is not None and (src or tgt):
            raise UsageError("give --pairs LIST or SRC TGT, not both")
        if translation or gold:
            raise UsageError("--translation and --gold are for one pair; put translations in "
                             "the third column of a --pairs list")
        require_out_dir(out, "give -o DIR for the bitexts of a batch")
        jobs = read_pairs_list(pairs_list) if pairs_list is not None else match_directories(src, tgt, out)  # type: ignore[arg-type]
        return AlignPlan(True, jobs, glossary)
    if not src or not tgt:
        raise UsageError("give SRC and TGT (files, or two directories), or --pairs LIST")
    if str(src) == "-" and str(tgt) == "-":
        raise UsageError("only one of SRC and TGT can be - (stdin)")
    if str(out) != "-":  # before any work: no output may land on an input or on another output
        from aligner.io.paths import guard_outputs

        guard_outputs([src, tgt, translation, gold, *glossaries],
                      [out, *export_paths(out, formats).values()],
                      hint="Give -o a new file name (NAME.en-zh.jsonl); nothing was written.")
    return AlignPlan(False, [], glossary)


def choose_signals(names: Sequence[str] | None, embedding_model: str | Path | None = None,
                   no_embedding: bool = False) -> list[Any] | None:
    """The signals to align with: `names` (None: the defaults, with the built-in sentence
    encoder), the model-free aligner with `no_embedding`, or sentence embeddings from a
    sentence-transformers model folder when one is given."""
    if no_embedding and embedding_model:
        raise UsageError("--no-embedding and --embedding-model contradict each other: give one")
    if not embedding_model and not no_embedding:
        return list(names) if names is not None else None
    from aligner.align.core import choose_signals as choose

    return choose(names, False if no_embedding else str(embedding_model))


def write_pair(bitext: Bitext, out: str | Path, formats: Sequence[str] = (), glossary: Any = None) -> None:
    """Write one pair's bitext to `out` ("-": stdout), and its exports beside it (first, so a
    bitext on disk means its exports are complete)."""
    from aligner.io.bitext_jsonl import write_bitext

    if str(out) == "-":
        if formats:
            raise UsageError("--format writes files beside the bitext: give -o OUT.jsonl")
        write_bitext(bitext, sys.stdout)
        sys.stdout.flush()
        return
    export_beside(bitext, out, formats, glossary=glossary)
    write_bitext(bitext, out)


# ------------------------------------------------------------------------------- batches

@dataclass
class BatchResult(BatchSummary):
    written: list[Path] = field(default_factory=list)
    beads: int = 0
    sentences: int = 0

    def add(self, job: Job, bitext: Bitext) -> None:
        self.written.append(job.bitext_out)  # type: ignore[arg-type]
        self.beads += len(bitext.beads)
        self.sentences += len(bitext.source.segments) + len(bitext.target.segments)

    def describe(self) -> str:
        if self.written or not self.skipped:
            text = (f"aligned {len(self.written)} pair(s): {self.sentences} sentences into {self.beads} beads "
                    f"in {self.seconds:.1f} s")
        else:
            text = "nothing to align"
        if self.skipped:
            text += f"; {self.skipped} pair(s) already up to date (--force aligns them again)"
        return text


def output_path(job: PairJob, src_lang: str, tgt_lang: str, out_dir: Path) -> Path:
    return out_dir / bitext_name(job.src, src_lang, tgt_lang)


def _signal_names(signals: Iterable[Any] | None) -> list[str] | None:
    if signals is None:
        return None
    return [s if isinstance(s, str) else str(getattr(s, "name", s)) for s in signals]


def align_batch(jobs: Sequence[PairJob], out_dir: str | Path, *, src_lang: str | None = None,
                tgt_lang: str | None = None, presplit: bool = False, encoding: str | None = None,
                mt: bool = False, glossary: Any = None, signals: Iterable[Any] | None = None,
                weights: dict[str, float] | None = None, max_bead: int = 6,
                progress: bool = False, formats: Sequence[str] = (), force: bool = False) -> BatchResult:
    """Align every pair and write NAME.SRC-TGT.jsonl into out_dir (each file atomically, so
    an interrupted batch keeps the finished bitexts, and a re-run writes the same bytes).
    `formats` (tmx, xliff, html, ...) are also exported beside each bitext. As for translate,
    the output folder is locked for the run, and a pair whose bitext records the same inputs
    (sha256) and options is skipped unless `force` (getting only the exports it lacks)."""
    out = require_out_dir(out_dir, "give -o DIR for the bitexts of a batch")
    signals = list(signals) if signals is not None else None
    options = {"src_lang": src_lang, "tgt_lang": tgt_lang, "presplit": presplit, "encoding": encoding,
               "max_bead": max_bead, "signals": _signal_names(signals), "weights": weights,
               "glossaries": glossary_stamp(getattr(glossary, "paths", None) or [])}
    # Read and check every input first (as translate does): a bad pair stops the batch before
    # any bitext is written.
    models: dict[tuple[str, str], Any] = {}

    def read(job: PairJob) -> Job:
        from aligner import docalign  # formatted documents (DOCX, HTML, ...): their own readers

        documents = docalign.is_document(job.src) or docalign.is_document(job.tgt)
        if documents:
            src_doc, tgt_doc, trans = docalign.prepare_document_files(
                job.src, job.tgt, src_lang=src_lang, tgt_lang=tgt_lang, encoding=encoding,
                translation=job.translation)
        else:
            src_doc, tgt_doc, trans = prepare_files(job.src, job.tgt, src_lang=src_lang, tgt_lang=tgt_lang,
                                                    presplit=presplit, encoding=encoding,
                                                    translation=job.translation)
        use_mt = mt and job.translation is None
        stamp: dict[str, Any] = {"source_sha256": file_sha256(job.src), "target_sha256": file_sha256(job.tgt)}
        if job.translation is not None:
            stamp["translation_sha256"] = file_sha256(job.translation)
        if use_mt:  # the model is part of what made the bitext
            pair = (src_doc.lang, tgt_doc.lang)
            if pair not in models:
                from aligner.translate.packages import require_package

                models[pair] = require_package(*pair).describe()
            stamp["model"] = models[pair]
        stamp["options"] = options
        dest = job.out or output_path(job, src_doc.lang, tgt_doc.lang, out)
        inputs = [job.src, job.tgt] + ([job.translation] if job.translation else [])
        return Job(str(job.src), inputs, dest, stamp=stamp, data=(job, src_doc, tgt_doc, trans, use_mt, documents))

    def work(todo: list[Job]) -> Iterable[tuple[Job, Bitext]]:
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="pair", desc="aligning", file=sys.stderr)
        try:
            for job in todo:
                pair, src_doc, tgt_doc, trans, use_mt, documents = job.data
                if bar is not None:
                    bar.set_postfix_str(pair.src.name)
                if documents:
                    from aligner import docalign

                    bitext = docalign.align_prepared_documents(
                        src_doc, tgt_doc, trans, pair.translation, mt=use_mt, glossary=glossary,
                        signals=signals, weights=weights, max_bead=max_bead)
                else:
                    bitext = _align_prepared(src_doc, tgt_doc, trans, pair.translation, mt=use_mt,
                                             glossary=glossary, signals=signals, weights=weights,
                                             max_bead=max_bead)
                yield job, bitext
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()

    runner = Runner(BatchOptions(out_dir=out, formats=formats, force=force), BatchResult(), verb="align")
    runner.export_glossary = glossary
    batch = runner.prepare(jobs, read)
    runner.plan(batch, extra_inputs=list(getattr(glossary, "paths", None) or []))
    return runner.run(batch, work)  # type: ignore[return-value]


__all__ = ["AlignPlan", "BatchResult", "PairJob", "align_batch", "align_files", "choose_signals", "export_beside",
           "gold_figures",
           "load_documents", "machine_translation", "match_directories", "pair_key", "plan_align",
           "prepare_files", "read_pairs_list", "read_translation", "write_pair"]
