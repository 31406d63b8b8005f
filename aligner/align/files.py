"""Aligning files: read and segment both texts, align, write the bitext; and batches of pairs.

    bitext = align_files("ch1.zh.txt", "ch1.en.txt")                 # languages detected
    align_batch(match_directories("zh/", "en/"), "out/")            # NAME.zh-en.jsonl each
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from aligner.align.core import align_documents
from aligner.align.evaluate import f1, read_gold, strict_counts
from aligner.errors import InputError
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
        raise ValueError("give a translation file or mt, not both")
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


# ------------------------------------------------------------------------------- batches
@dataclass
class PairJob:
    src: Path
    tgt: Path
    translation: Path | None = None
    out: Path | None = None


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    beads: int = 0
    sentences: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        return (f"aligned {len(self.written)} pair(s): {self.sentences} sentences into {self.beads} beads "
                f"in {self.seconds:.1f} s")


_LANG_TAG = re.compile(r"([._-])(en|zh|eng|chi|zho|cn)$", re.IGNORECASE)


def pair_key(path: Path) -> str:
    """The name two translations share: ch1.en.txt, ch1_zh.txt, ch1.txt -> ch1."""
    name = path.name
    if path.suffix.lower() in (".txt", ".md", ".text"):
        name = name[: -len(path.suffix)]
    return _LANG_TAG.sub("", name).lower()


def match_directories(src_dir: str | Path, tgt_dir: str | Path) -> list[PairJob]:
    """Pair the files of two directories by name (ch1.zh.txt with ch1.en.txt, or the same
    name in both). Files without a partner are an error, so none is skipped silently."""
    def files(d: Path) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for f in sorted(d.iterdir()):
            if f.is_file() and not f.name.startswith("."):
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


def output_path(job: PairJob, src_lang: str, tgt_lang: str, out_dir: Path) -> Path:
    from aligner.translate.pipeline import output_stem

    return out_dir / f"{output_stem(job.src)}.{src_lang}-{tgt_lang}.jsonl"


def export_beside(bitext: Bitext, bitext_path: str | Path, formats: Sequence[str],
                  glossary: Any = None) -> list[Path]:
    """Export `bitext` as each of `formats` next to its .jsonl file (NAME.en-zh.tmx, ...)."""
    from aligner.export import export_bitexts, get_exporter

    written = []
    for fmt in dict.fromkeys(formats):
        exporter = get_exporter(fmt)
        if exporter.name == "jsonl":  # the bitext itself
            continue
        dest = Path(bitext_path).with_suffix(exporter.suffix)
        export_bitexts([bitext], exporter.name, dest, glossary=glossary)
        written.append(dest)
    return written


def align_batch(jobs: Sequence[PairJob], out_dir: str | Path, *, src_lang: str | None = None,
                tgt_lang: str | None = None, presplit: bool = False, encoding: str | None = None,
                mt: bool = False, glossary: Any = None, signals: Iterable[Any] | None = None,
                weights: dict[str, float] | None = None, max_bead: int = 6,
                progress: bool = False, formats: Sequence[str] = ()) -> BatchResult:
    """Align every pair and write NAME.SRC-TGT.jsonl into out_dir (each file atomically, so
    an interrupted batch keeps the finished bitexts, and a re-run writes the same bytes).
    `formats` (tmx, xliff, html, ...) are also exported beside each bitext."""
    from aligner.io.bitext_jsonl import write_bitext

    out = Path(out_dir)
    result = BatchResult()
    t0 = time.perf_counter()
    # Read and check every input first (as translate does): a bad pair stops the batch before
    # any bitext is written.
    prepared = [prepare_files(job.src, job.tgt, src_lang=src_lang, tgt_lang=tgt_lang, presplit=presplit,
                              encoding=encoding, translation=job.translation) for job in jobs]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="pair", desc="aligning", file=sys.stderr)
    try:
        for job, (src_doc, tgt_doc, trans) in zip(jobs, prepared):
            if bar is not None:
                bar.set_postfix_str(job.src.name)
            bitext = _align_prepared(src_doc, tgt_doc, trans, job.translation,
                                     mt=mt and job.translation is None, glossary=glossary,
                                     signals=signals, weights=weights, max_bead=max_bead)
            dest = job.out or output_path(job, bitext.src_lang, bitext.tgt_lang, out)
            export_beside(bitext, dest, formats, glossary=glossary)
            write_bitext(bitext, dest)
            result.written.append(dest)
            result.beads += len(bitext.beads)
            result.sentences += len(bitext.source.segments) + len(bitext.target.segments)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    result.seconds = time.perf_counter() - t0
    return result
