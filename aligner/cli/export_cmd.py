"""`aligner export` (bitexts -> TMX, XLIFF, TSV, CSV, JSONL, DOCX, HTML) and
`aligner import` (translation memories -> a bitext): thin commands over aligner.formats."""

from __future__ import annotations

import sys

import click

from aligner.formats import format_for_path, names


class _DefaultLowScore:
    """The default of --low-score, read from aligner.formats.base only when used or shown:
    importing that module (the data model, atomic writes) would slow every `aligner --help`."""

    def _value(self) -> float:
        from aligner.formats import DEFAULT_LOW_SCORE

        return DEFAULT_LOW_SCORE

    def __call__(self) -> float:
        return self._value()

    def __str__(self) -> str:  # click shows a callable default's str when it is not a function
        return str(self._value())


def _load_glossary(paths: tuple[str, ...]):
    if not paths:
        return None
    from aligner.glossary import load_glossaries
    return load_glossaries(list(paths))


@click.command("export")
@click.argument("bitexts", nargs=-1, required=True, metavar="BITEXT.jsonl...")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(names("write")), case_sensitive=False),
              default=None, help="Output format (default: from the -o file's extension: .tmx .xlf .xliff .tsv .csv "
                   ".jsonl .docx .html).")
@click.option("-o", "--output", "--out", "output", required=True, metavar="FILE",
              help="The file to write (- for stdout, with --format).")
@click.option("--low-score", type=click.FloatRange(0, 1), default=_DefaultLowScore(), show_default=True,
              help="Beads scoring below this are flagged for review (XLIFF state, HTML, DOCX).")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(),
              help="Glossary whose terms to highlight in HTML/DOCX (repeatable).")
@click.option("--title", default=None, help="Title of the HTML page / DOCX document.")
@click.option("--include-mt", is_flag=True,
              help="TMX: also write machine-translated beads (marked creationid=\"MT!\"; in OmegaT put such "
                   "a file under tm/mt/, see docs/cat-tools.md). By default a TMX holds human translations only.")
@click.option("--lang-tag", "lang_tags", multiple=True, metavar="BCP47",
              help="Language tag to write for its language, e.g. zh-TW, zh-Hant, zh-HK, en-GB (repeatable; "
                   "default: the tag the bitext keeps from its input, else en and zh-CN).")
@click.option("--columns/--no-columns", default=True, show_default=True,
              help="HTML/DOCX: bead id and score columns.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def export_cmd(bitexts, fmt, output, low_score, glossaries, title, include_mt, lang_tags, columns, quiet) -> None:
    """Write bitexts as a file CAT tools or people open.

    Several bitexts go into one TMX, XLIFF (one <file> each), TSV/CSV, DOCX or HTML;
    JSONL merges them into one bitext. TMX and XLIFF validate against the TMX 1.4b DTD
    and the XLIFF 1.2 / 2.0 schemas. A BITEXT of - is read from stdin.

    A TMX is a translation memory: it holds the human translations (aligned, imported,
    edited); beads with an empty side and machine translation are left out and counted
    (--include-mt writes MT, marked). XLIFF marks human units approved and translated,
    MT as needing review. With --glossary, HTML and DOCX show every term the glossary
    check finds missing or forbidden.

    \b
    Examples:
      aligner export out/article.en-zh.jsonl -o article.tmx
      aligner export out/*.jsonl --format xliff -o review.xlf
      aligner export out/article.en-zh.jsonl -o review.html --glossary glossaries/news.tsv
      aligner export out/article.en-zh.jsonl --format tsv -o - | head
      aligner export out/article.en-zh.jsonl -o client-review.docx --low-score 0.6
      aligner export out/tw.jsonl -o memory.tmx --lang-tag zh-TW
      aligner export out/mt.jsonl -o project/tm/mt/mt.tmx --include-mt
      aligner export out/article.en-zh.jsonl --format xliff2 -o article.xlf
    """
    from aligner.export import export
    from aligner.io.bitext_jsonl import read_bitext

    if fmt is None and format_for_path(output) is None:
        raise click.UsageError(f"cannot tell the format from {output!r}: pass --format "
                               f"({', '.join(sorted(names('write')))})")
    from aligner.io.paths import guard_outputs

    # A glob like out/*.jsonl picks up this command's own earlier output: refuse, not clobber.
    guard_outputs([*bitexts, *glossaries], [output])
    _check_tags(lang_tags)
    loaded = [read_bitext(sys.stdin if path == "-" else path) for path in bitexts]
    report = export(loaded, fmt.lower() if fmt else None, output, low_score=low_score,
                    glossary=_load_glossary(glossaries), title=title, include_mt=include_mt,
                    lang_tags=list(lang_tags), columns=columns)
    if not quiet and output != "-":
        beads = sum(len(b.beads) for b in loaded)
        line = (f"aligner: wrote {output} ({report.format}, {beads} beads from {len(loaded)} "
                f"bitext{'s' if len(loaded) != 1 else ''}")
        if report.left_out:
            line += f"; {report.written} units, left out: " + ", ".join(
                f"{n} {why}" for why, n in report.left_out.items())
            if report.left_out.get("machine translation"):
                line += " (--include-mt writes them)"
        click.echo(line + ")", err=True)


def _check_tags(tags) -> None:
    from aligner.formats.common import tag_overrides
    try:
        tag_overrides(list(tags))
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--lang-tag") from None


@click.command("import")
@click.argument("memory", metavar="FILE.tmx|.xlf|.tsv|.csv")
@click.option("-o", "--output", "--out", "output", required=True, metavar="BITEXT.jsonl",
              help="The bitext to write (- for stdout).")
@click.option("-f", "--format", "fmt", type=click.Choice(names("memory"), case_sensitive=False),
              default=None, help="Input format (default: from the file's extension).")
@click.option("--from", "src_lang", default=None,
              help="Source language (default: as the file says, else detected from the text).")
@click.option("--to", "tgt_lang", default=None,
              help="Target language (default: as the file says, else detected from the text).")
@click.option("--lang-tag", "lang_tags", multiple=True, metavar="BCP47",
              help="Language tag to keep for its language (e.g. zh-TW), replacing the file's; exports write it.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def import_cmd(memory, output, fmt, src_lang, tgt_lang, lang_tags, quiet) -> None:
    """Turn a translation memory into a bitext for `glossary check` and `glossary extract`.

    TMX and XLIFF (1.2 and 2.0) name their languages, and their tags (zh-TW, zh-Hant)
    are kept for export; units marked translate="no" and header units are skipped;
    inline codes become placeholders such as ⟨1⟩...⟨/1⟩ that export writes back as
    tags. TSV and CSV take a header row naming the
    `source` and `target` columns (other columns become bead metadata, `score` the
    bead's score) or, without a header, the first two columns. XML files that declare
    entities are refused (they are used to read local files or exhaust memory).

    \b
    Examples:
      aligner import memory.tmx -o memory.jsonl
      aligner import project.xlf -o project.jsonl
      aligner import terms.csv --from en --to zh -o terms.jsonl
      aligner import old.tsv -o - | aligner export - --format html -o review.html
    """
    from aligner.io.bitext_jsonl import write_bitext
    from aligner.io.tm_import import import_tm

    from aligner.io.paths import guard_outputs

    guard_outputs([memory], [output])
    _check_tags(lang_tags)
    bitext = import_tm(memory, fmt=fmt.lower() if fmt else None, src_lang=src_lang, tgt_lang=tgt_lang,
                       lang_tags=list(lang_tags))
    write_bitext(bitext, sys.stdout if output == "-" else output)
    if not quiet:
        info = bitext.meta["import"]
        skipped = f"; {info['skipped']} without {bitext.src_lang} or {bitext.tgt_lang} text skipped" \
            if info["skipped"] else ""
        if info.get("not_translatable"):
            skipped += f"; {info['not_translatable']} not to translate (translate=\"no\" or header) skipped"
        click.echo(f"aligner: imported {info['beads']} translation units "
                   f"({bitext.src_lang}->{bitext.tgt_lang}){skipped} into {output}", err=True)
