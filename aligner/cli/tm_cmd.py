"""`aligner tm`: the translation memory (create, import, add, export, search, index, stats, remove, path)."""

from __future__ import annotations

import re
import sys

import click


TM_HELP = ("Translation memory: an SQLite file or a postgresql:// URL (default: $ALIGNER_TM, else "
           "the file `aligner tm path` shows).")


def tm_option(f):
    return click.option("--tm", "tm_spec", envvar="ALIGNER_TM", default=None, metavar="FILE|URL", help=TM_HELP)(f)


def _open(spec, **kw):
    from aligner.memory import open_memory

    return open_memory(spec, **kw)


def _bar(total_desc: str, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=total_desc, unit=" units", file=sys.stderr, leave=False)


def _date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?", value):
        raise click.BadParameter("give a date as YYYY-MM-DD (or YYYY-MM-DDThh:mm:ssZ, UTC)", param_hint=name)
    return value


@click.group("tm")
def tm() -> None:
    """Translation memory: what was translated before, reused before machine translation.

    A memory is one SQLite file (the default, `aligner tm path`) or, for a team, a
    PostgreSQL database (--tm postgresql://user@host/db). `aligner translate --tm` uses
    it: exact (100) and in-context (101) matches replace MT, fuzzy ones are offered.

    \b
    Examples:
      aligner tm import last-year.tmx review/article.en-zh.jsonl   # into the default memory
      aligner tm add review/article.en-zh.jsonl                     # a bitext after review
      aligner tm search "cadre"                                     # concordance (Chinese too)
      aligner tm stats
      aligner tm export -o all.tmx
      aligner tm remove --origin aligned --before 2024-01-01
      aligner tm import team.tmx --tm postgresql://me@tmserver/memory
    """


@tm.command("path")
@tm_option
def tm_path(tm_spec) -> None:
    """Print where the memory is: --tm (or $ALIGNER_TM), else the default file.

    \b
    Example:
      aligner tm path        # e.g. ~/.local/share/aligner/memory.sqlite
    """
    from aligner.memory import default_path

    click.echo(tm_spec or str(default_path()))


@tm.command("create")
@tm_option
def tm_create(tm_spec) -> None:
    """Create an empty memory (import and add create it too when it is missing).

    \b
    Examples:
      aligner tm create --tm project.sqlite
      aligner tm create --tm postgresql://me@tmserver/memory
    """
    mem = _open(tm_spec)
    try:
        click.echo(f"translation memory: {mem.location}")
    finally:
        mem.close()


def _import(tm_spec, files, fmt, src_lang, tgt_lang, origin, include_mt, quiet) -> None:
    mem = _open(tm_spec)
    try:
        for path in files:
            bar = _bar(str(path), quiet)
            try:
                result = mem.import_file(path, fmt=fmt, src_lang=src_lang, tgt_lang=tgt_lang, origin=origin,
                                         include_mt=include_mt, progress=bar.update if bar else None)
            finally:
                if bar:
                    bar.close()
            if not quiet:
                click.echo(result.describe(), err=True)
    finally:
        mem.close()


_ORIGIN = click.Choice(["aligned", "imported", "edited", "approved-mt", "mt"])


@tm.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@tm_option
@click.option("-f", "--format", "fmt", type=click.Choice(["tmx", "xliff", "tsv", "csv", "bitext"]), default=None,
              help="File format (default: from the extension; .jsonl is an aligner bitext).")
@click.option("--from", "src_lang", default=None, metavar="LANG",
              help="Source language with its variant when the file does not say (en, zh-CN, zh-TW).")
@click.option("--to", "tgt_lang", default=None, metavar="LANG", help="Target language, likewise.")
@click.option("--origin", type=_ORIGIN, default=None,
              help="Origin of every unit (default: what the file says, else imported).")
@click.option("--include-mt", is_flag=True,
              help="Also import units whose translation is unapproved MT (origin mt).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def tm_import(files, tm_spec, fmt, src_lang, tgt_lang, origin, include_mt, quiet) -> None:
    """Import TMX, XLIFF, TSV/CSV files or bitexts into the memory.

    One transaction per batch of units; the units of a file are used only once all of it
    is in. An interrupted import leaves the memory as it was: run the same command again
    and it resumes after the last batch. A unit already in the memory is not added again.

    \b
    Examples:
      aligner tm import old.tmx client.xlf glossary-sentences.tsv
      aligner tm import tw.tmx --from en --to zh-TW --origin imported
      aligner tm import out/article.en-zh.jsonl --include-mt      # MT nobody checked: by name only
    """
    _import(tm_spec, files, fmt, src_lang, tgt_lang, origin, include_mt, quiet)


@tm.command("add")
@click.argument("bitexts", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@tm_option
@click.option("--origin", type=_ORIGIN, default=None,
              help="Origin of every unit (default: the bead's: aligned, edited, approved...).")
@click.option("--include-mt", is_flag=True, help="Also add beads whose translation is unapproved MT.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def tm_add(bitexts, tm_spec, origin, include_mt, quiet) -> None:
    """Add reviewed bitexts (.jsonl from align, translate or the review page) to the memory.

    Each bead with text on both sides becomes a unit, with its neighbours as context.
    Beads still marked "mt" are left out unless --include-mt (or --origin approved-mt).

    \b
    Examples:
      aligner tm add review/article.en-zh.jsonl
      aligner tm add out/*.jsonl --origin approved-mt     # MT a translator has approved
    """
    _import(tm_spec, bitexts, "bitext", None, None, origin, include_mt or origin == "approved-mt", quiet)


@tm.command("export")
@tm_option
@click.option("-o", "--out", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The TMX file to write (written whole or not at all).")
@click.option("--from", "src_lang", default=None, metavar="LANG", help="Only units with this source language.")
@click.option("--to", "tgt_lang", default=None, metavar="LANG", help="Only units with this target language.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def tm_export(tm_spec, out, src_lang, tgt_lang, quiet) -> None:
    """Write the memory as TMX 1.4b, every field kept (variants, dates, origin, file, notes,
    context), for a CAT tool or another memory.

    \b
    Examples:
      aligner tm export -o memory.tmx
      aligner tm export -o en-zh.tmx --from en --to zh
    """
    mem = _open(tm_spec, create=False, readonly=True)
    try:
        n = mem.export_tmx(out, src_lang=src_lang, tgt_lang=tgt_lang)
    finally:
        mem.close()
    if not quiet:
        click.echo(f"{out}: {n} units", err=True)


@tm.command("search")
@click.argument("phrase")
@tm_option
@click.option("--lang", default=None, metavar="LANG", help="Only units with this language (en, zh).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Most units shown (1 to 10000).")
def tm_search(phrase, tm_spec, lang, limit) -> None:
    """Concordance: units whose source or target contains PHRASE (Chinese included;
    Latin letters regardless of case). Prints source, target and origin, tab-separated.

    \b
    Examples:
      aligner tm search "central committee"
      aligner tm search 干部 --limit 10
    """
    mem = _open(tm_spec, create=False, readonly=True)
    try:
        pending = mem.concordance_pending()
        if pending >= 10_000:  # the first search after a large import builds the index: say so
            click.echo(f"adding {pending} units to the concordance index (once; `aligner tm index` "
                       f"does it ahead)", err=True)
            if not _build_concordance(mem, pending, quiet=False):
                click.echo("the memory cannot be written: the units the index lacks are read one by one", err=True)
        for u in mem.search(phrase, lang=lang, limit=limit):
            click.echo("\t".join(x.replace("\t", " ").replace("\n", " ")
                                 for x in (u.source, u.target, u.origin, u.file or "")))
    finally:
        mem.close()


def _build_concordance(mem, pending: int, quiet: bool) -> int:
    """The memory's concordance index built, with a progress bar: the units added."""
    bar = _bar("indexing", quiet)
    if bar is not None:
        bar.total = pending
    try:
        return mem.build_concordance(bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()


@tm.command("index")
@tm_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def tm_index(tm_spec, quiet) -> None:
    """Build the concordance index now: `tm import` leaves it for later (it is most of an
    import's time), and the next `tm search` builds it otherwise. Nothing to do for a
    PostgreSQL memory (its indexes are kept as units come).

    \b
    Example:
      aligner tm import big.tmx && aligner tm index
    """
    mem = _open(tm_spec, create=False)
    try:
        n = _build_concordance(mem, mem.concordance_pending(), quiet)
    finally:
        mem.close()
    if not quiet:
        click.echo(f"{n} units added to the concordance index", err=True)


@tm.command("stats")
@tm_option
def tm_stats(tm_spec) -> None:
    """How many units the memory holds, by language pair, origin and file.

    \b
    Example:
      aligner tm stats --tm project.sqlite
    """
    mem = _open(tm_spec, create=False, readonly=True)
    try:
        click.echo(mem.stats().describe())
    finally:
        mem.close()


@tm.command("remove")
@tm_option
@click.option("--origin", type=_ORIGIN, default=None, help="Units with this origin.")
@click.option("--file", "file", default=None, help="Units that came from this file (its name).")
@click.option("--before", default=None, help="Units last changed before this date (YYYY-MM-DD, UTC).")
@click.option("--after", default=None, help="Units last changed on or after this date.")
@click.option("--interrupted", is_flag=True, help="The units of imports that were interrupted.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def tm_remove(tm_spec, origin, file, before, after, interrupted, quiet) -> None:
    """Remove units: those matching every option given.

    \b
    Examples:
      aligner tm remove --file old-client.tmx
      aligner tm remove --origin approved-mt --after 2026-11-01
      aligner tm remove --interrupted
    """
    before, after = _date(before, "--before"), _date(after, "--after")
    if not any((origin, file, before, after, interrupted)):
        raise click.UsageError("say which units to remove: --origin, --file, --before/--after or --interrupted")
    mem = _open(tm_spec, create=False)
    try:
        n = mem.remove(origin=origin, file=file, before=before, after=after, interrupted=interrupted)
    finally:
        mem.close()
    if not quiet:
        click.echo(f"{n} units removed", err=True)


__all__ = ["tm", "tm_option"]
