"""`aligner translate`: articles in, translated articles and bitexts out."""

from __future__ import annotations

import sys

import click

from aligner.translate.options import OPTION_RANGES


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="[FILES|DIRS|-]...")
@click.option("--from", "src_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Source language (default: detected from the script of each file).")
@click.option("--to", "tgt_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Target language (default: the other one).")
@click.option("-o", "--out", "--output", "out_dir", type=click.Path(), default=None,
              help="Output directory (required for files; with - the article goes to stdout).")
@click.option("--beam-size", type=click.IntRange(*OPTION_RANGES["beam_size"]), default=4, show_default=True,
              help="Beam search width (1 = greedy, fastest).")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True,
              help="Where CTranslate2 runs.")
@click.option("--threads", type=click.IntRange(*OPTION_RANGES["threads"]), default=0, show_default=True,
              help="CPU threads for the model in all (0 = every core this process may use; up to 4 "
                   "translate side by side, each with its share of the threads).")
@click.option("--batch-size", type=click.IntRange(*OPTION_RANGES["batch_size"]), default=32, show_default=True,
              help="Sentences per batch.")
@click.option("--max-length", "max_decoding_length", type=click.IntRange(*OPTION_RANGES["max_decoding_length"]),
              default=256,
              show_default=True, help="Longest translation of one sentence, in pieces.")
@click.option("--encoding", default=None,
              help="Input encoding (default: detect UTF-8, UTF-16 with BOM, GB18030, Big5...).")
@click.option("--presplit", is_flag=True, help="Inputs have one sentence per line: do not split them.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(),
              help="Glossary whose terms the translation must use (repeatable).")
@click.option("-f", "--format", "formats", multiple=True, metavar="FMT",
              help="Also export each bitext as FMT beside it (tmx, xliff, tsv, csv, docx, html; "
                   "repeatable), e.g. NAME.en-zh.tmx.")
@click.option("--tm", "tm_spec", default=None, metavar="FILE|URL",
              help="Translation memory looked up before MT (an SQLite file or postgresql:// URL): "
                   "exact (100) and in-context (101) matches are used, only the rest is machine-translated.")
@click.option("--fuzzy", type=click.IntRange(0, 100), default=75, show_default=True,
              help="With --tm: lowest fuzzy match score kept for review (up to 3 per sentence).")
@click.option("--fuzzy-apply", is_flag=True,
              help="With --tm: use the best fuzzy match at or above --fuzzy instead of MT, flagged for review.")
@click.option("--force", is_flag=True, help="Translate again even files whose outputs are up to date.")
@click.option("--include-mt", is_flag=True,
              help="With --format tmx: keep the machine translations in the TMX, marked creationid/changeid "
                   "\"MT!\" (put such a file in OmegaT's tm/mt/). By default a TMX holds human translations only.")
@click.option("--keep-going", is_flag=True,
              help="Translate the good files even if some are refused; list those at the end and "
                   "exit 6 (partly done). Without it, bad files stop the run before anything is written.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary (refused files are still listed).")
def translate(inputs, src_lang, tgt_lang, out_dir, beam_size, device, threads, batch_size,
              max_decoding_length, encoding, presplit, glossaries, formats, tm_spec, fuzzy, fuzzy_apply,
              force, include_mt, keep_going, quiet) -> None:
    """Translate articles between English and Chinese with an installed Argos model.

    Each input NAME.en.txt (or NAME.txt, NAME.md) gives NAME.zh.txt (or .md) with the same
    paragraphs, headings and lists, and NAME.en-zh.jsonl, the bitext pairing every sentence
    with its translation. Documents keep their layout and formatting: NAME.docx gives
    NAME.zh.docx, and so do .html/.xhtml, .md, .srt/.vtt, .odt/.odp and .epub (bold, links
    and images land on the right words; see docs/documents.md). A CAT tool's XLIFF (.xlf,
    1.2 or 2.0) gives NAME.zh.xlf with every untranslated unit pre-translated, for review.
    Directories stand for the
    files of those kinds in them (others are listed as skipped). Every sentence of
    every file is translated in large batches with one model load. A re-run skips files whose
    outputs are complete for the same source, model and options (--force to redo them).
    Each file is written as soon as its last sentence is translated: Ctrl-C keeps every
    finished file, and a re-run translates only the rest.

    \b
    Examples:
      aligner translate corpus/article.en.txt --to zh --out out/
      aligner translate corpus/ --out out/ --beam-size 2       # every file it can translate
      aligner translate report.en.docx --to zh --out out/      # out/report.zh.docx
      aligner translate project.xlf --to zh --out out/         # out/project.zh.xlf, MT to review
      echo "The cadre resigned." | aligner translate - --from en --to zh
      aligner translate corpus/article.en.txt --to zh --out out/ --glossary glossaries/news.tsv
      aligner translate corpus/article.en.txt --to zh --out out/ --format tmx --format html
      aligner translate corpus/article.en.txt --to zh --out out/ --tm memory.sqlite --format xliff
      aligner translate corpus/ --out out/ --keep-going       # skip bad files, list them
    """
    from aligner.batch import BatchInterrupted
    from aligner.errors import EXIT_PARTIAL, UsageError
    from aligner.translate.pipeline import TranslateOptions, translate_files

    options = TranslateOptions(beam_size=beam_size, device=device, threads=threads, batch_size=batch_size,
                               presplit=presplit, encoding=encoding, force=force, glossaries=list(glossaries),
                               progress=not quiet and sys.stderr.isatty(),
                               max_decoding_length=max_decoding_length, formats=list(formats),
                               tm=tm_spec, fuzzy=fuzzy, fuzzy_apply=fuzzy_apply, keep_going=keep_going,
                               include_mt=include_mt)
    try:
        summary = translate_files(list(inputs), src_lang, tgt_lang, out_dir, options)
    except UsageError as e:  # the library's rule, shown the way click shows usage errors
        raise click.UsageError(str(e)) from None
    except BatchInterrupted as e:
        if not quiet and e.summary.files:
            click.echo(f"aligner: {e.summary.files} finished file{'s' * (e.summary.files != 1)} kept:", err=True)
            click.echo("\n".join(f"  {p}" for p in e.summary.files_written), err=True)
        raise
    if not quiet:
        click.echo(summary.describe(), err=True)
        files = summary.describe_files()
        if files:
            click.echo(files, err=True)
    elif summary.refused or summary.stale:  # what needs the user's attention, even when quiet
        click.echo(summary.describe_files(written=False), err=True)
    if summary.refused:
        raise click.exceptions.Exit(EXIT_PARTIAL)
