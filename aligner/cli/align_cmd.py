"""`aligner align`: pair the sentences of an article and its existing translation."""

from __future__ import annotations

import contextlib
import sys
import time

import click

#: what the helper process loads ahead (aligner.align.parallel.helper)
CHINESE_HELPER = "aligner.align.pairing:load_zh_analysis"


def _signals_option(value: str | None) -> list[str] | None:
    if value is None:
        return None
    from aligner.align.signals import available_signals

    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in available_signals()]
    if unknown:
        raise click.BadParameter(f"unknown signal {unknown[0]!r}; choose from {', '.join(available_signals())}",
                                 param_hint="--signals")
    return names


@click.command()
@click.argument("src", required=False, metavar="SRC")
@click.argument("tgt", required=False, metavar="TGT")
@click.option("--from", "src_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Source language (default: detected).")
@click.option("--to", "tgt_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Target language (default: detected, or the other one).")
@click.option("--presplit", is_flag=True, help="Both texts have one sentence per line: do not split them.")
@click.option("--encoding", default=None, help="Input encoding (default: detected).")
@click.option("--translation", "translation", type=click.Path(), default=None,
              help="A translation of SRC into the target language, one line per source sentence "
                   "(improves the alignment).")
@click.option("--mt", is_flag=True,
              help="Translate SRC with the installed Argos model and use that translation.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(),
              help="Glossary whose terms are sure anchors (repeatable).")
@click.option("--signals", default=None, metavar="NAMES",
              help="Comma-separated signals to use (default: all that apply; see --list-signals).")
@click.option("--embedding-model", type=click.Path(exists=True), default=None,
              help="Sentence embeddings from this sentence-transformers model directory (LaBSE...) "
                   "instead of the built-in USE encoder (needs the optional sentence-transformers package).")
@click.option("--no-embedding", is_flag=True,
              help="Align without the sentence encoder (dictionaries, lengths and the text only).")
@click.option("--max-bead", type=click.IntRange(2, 8), default=6, show_default=True,
              help="Most sentences on one side of a bead (1-N and N-1 beads).")
@click.option("--pairs", "pairs_list", type=click.Path(), default=None,
              help="Align many pairs: a file with SOURCE<TAB>TARGET[<TAB>TRANSLATION] per line.")
@click.option("-o", "--out", "--output", "out", default="-", show_default=True,
              help="Output bitext (.jsonl; - for stdout), or the output directory for --pairs "
                   "and directories.")
@click.option("--gold", type=click.Path(), default=None,
              help="Gold beads ([i,j]:[k] per line): print precision, recall and F1 on stderr.")
@click.option("-f", "--format", "formats", multiple=True, metavar="FMT",
              help="Also export each bitext as FMT beside its .jsonl (tmx, xliff, tsv, csv, docx, "
                   "html; repeatable); needs -o.")
@click.option("--force", is_flag=True,
              help="In a batch, align again even pairs whose bitexts are up to date.")
@click.option("--list-signals", is_flag=True, help="List the alignment signals and exit.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def align(src, tgt, src_lang, tgt_lang, presplit, encoding, translation, mt, glossaries, signals,
          embedding_model, no_embedding, max_bead, pairs_list, out, gold, formats, force, list_signals, quiet) -> None:
    """Pair the sentences of SRC and its translation TGT into a bitext.

    Writes the project's bitext (JSONL): every bead (1-1, 1-2, 2-1, ... up to 1-6, 6-1,
    2-2, 3-3, and 1-0 / 0-1 for untranslated sentences) with its score, the probability that
    it is right. Works in both directions (zh->en and en->zh). Signals: lengths, CC-CEDICT
    translations, names in pinyin, numbers and dates, punctuation, a dictionary learned from
    the text, sentence embeddings (the built-in USE multilingual encoder; --no-embedding to
    leave it out), and, when given, glossary terms and a translation of the source.

    \b
    Examples:
      aligner align corpus/article.zh.txt corpus/article.en.txt -o article.zh-en.jsonl
      aligner align ch1.zh ch1.en --presplit --translation ch1.trans --gold ch1.gold
      aligner align corpus/article.en.txt corpus/article.zh.txt --glossary glossaries/news.tsv
      aligner align zh/ en/ -o aligned/                 # files paired by name
      aligner align --pairs pairs.tsv -o aligned/       # SOURCE<TAB>TARGET per line
      aligner align corpus/article.en.txt corpus/article.zh.txt -o out/article.en-zh.jsonl --format html
      aligner align report.en.docx report.zh.docx -o out/report.en-zh.jsonl   # also html, odt, epub, srt
    """
    from aligner.align import parallel  # light: the helper starts before the aligner is imported

    # the Chinese segmenter and CC-CEDICT load in a helper process on the second core while
    # this one imports the aligner and reads the files (not for a listing, nor beside a
    # translation model that needs the cores itself)
    warm = not (list_signals or mt)
    with parallel.helper(CHINESE_HELPER) if warm else contextlib.nullcontext():
        _align(src, tgt, src_lang, tgt_lang, presplit, encoding, translation, mt, glossaries, signals,
               embedding_model, no_embedding, max_bead, pairs_list, out, gold, formats, force, list_signals,
               quiet)


def _align(src, tgt, src_lang, tgt_lang, presplit, encoding, translation, mt, glossaries, signals,
           embedding_model, no_embedding, max_bead, pairs_list, out, gold, formats, force, list_signals,
           quiet) -> None:
    from aligner.align import files as F

    if list_signals:
        from aligner.align.signals import SIGNALS

        for name in sorted(SIGNALS):
            cls = SIGNALS[name]
            needs = f"  (needs {', '.join(cls.requires)})" if cls.requires else ""
            click.echo(f"{name:13} {cls.description}{needs}")
        return
    from aligner.errors import UsageError

    try:
        names = F.choose_signals(_signals_option(signals), embedding_model, no_embedding)
    except UsageError as e:
        raise click.UsageError(e.message) from None

    show = not quiet and sys.stderr.isatty()
    try:
        plan = F.plan_align(src, tgt, out=out, pairs_list=pairs_list, translation=translation, mt=mt,
                            gold=gold, formats=formats, glossaries=glossaries)
    except UsageError as e:  # the library's rule, shown the way click shows usage errors
        raise click.UsageError(str(e)) from None
    glossary = plan.glossary
    if plan.batch:
        result = F.align_batch(plan.jobs, out, src_lang=src_lang, tgt_lang=tgt_lang, presplit=presplit,
                               encoding=encoding, mt=mt, glossary=glossary, signals=names,
                               max_bead=max_bead, progress=show, formats=formats, force=force)
        if not quiet:
            click.echo(result.describe() + f" -> {out}", err=True)
        return

    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=3, desc="aligning", bar_format="{desc}: {n}/{total} {postfix}", file=sys.stderr)

    def progress(stage: str) -> None:
        if bar is not None:
            bar.set_postfix_str(stage)
            if stage in ("first pass", "second pass"):
                bar.update(1)

    started = time.perf_counter()
    try:
        from aligner import docalign

        if docalign.is_document(src) or docalign.is_document(tgt):  # DOCX, HTML, ... read as documents
            bitext = docalign.align_document_files(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang,
                                                   encoding=encoding, translation=translation, mt=mt,
                                                   glossary=glossary, signals=names, max_bead=max_bead,
                                                   progress=progress)
        else:
            bitext = F.align_files(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, presplit=presplit,
                                   encoding=encoding, translation=translation, mt=mt, glossary=glossary,
                                   signals=names, max_bead=max_bead, progress=progress)
    finally:
        if bar is not None:
            bar.update(bar.total - bar.n)
            bar.close()
    figures = F.gold_figures(bitext, gold) if gold else None
    F.write_pair(bitext, out, formats, glossary=glossary)
    if not quiet:
        kinds: dict[str, int] = {}
        for b in bitext.beads:
            kinds[b.kind] = kinds.get(b.kind, 0) + 1
        top = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:6])
        secs = time.perf_counter() - started
        click.echo(f"{bitext.source.name} ({len(bitext.source.segments)} {bitext.src_lang}) + "
                   f"{bitext.target.name} ({len(bitext.target.segments)} {bitext.tgt_lang}): "
                   f"{len(bitext.beads)} beads ({top}) in {secs:.1f} s"
                   + ("" if out == "-" else f" -> {out}"), err=True)
    if figures is not None:
        click.echo(f"gold {gold}: precision {figures['precision']:.4f} recall {figures['recall']:.4f} "
                   f"F1 {figures['f1']:.4f} ({figures['matched']}/{figures['gold']} gold beads)", err=True)
