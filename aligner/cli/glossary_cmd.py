"""`aligner glossary`: keep glossaries (list, add, remove, lint, convert), check bitexts
against them and extract proposals from bitexts. Each command is one library call."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from aligner.errors import EXIT_FINDINGS

FORMAT_NAMES = ["tsv", "csv", "tbx", "jsonl"]


def _echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@click.group()
def glossary() -> None:
    """Glossaries: names and terms rendered the same way in every translation.

    A glossary is a UTF-8 TSV file with a header row (source, target, and optionally
    aliases, case, status, note); CSV, TBX and JSONL glossaries work everywhere too.
    One glossary serves en->zh and zh->en.

    \b
    Examples:
      aligner glossary list glossaries/news.tsv
      aligner glossary add my-terms.tsv "Xi Jinping" 习近平 --note "PRC president"
      aligner glossary lint glossaries/news.tsv
      aligner glossary check out/article.en-zh.jsonl --glossary glossaries/news.tsv
      aligner glossary extract out/article.en-zh.jsonl -o proposals.tsv
      aligner glossary convert glossaries/news.tsv news.tbx
      aligner translate corpus/article.en.txt --to zh --out out/ --glossary glossaries/news.tsv
    """


# --- list / add / remove ------------------------------------------------------------------

@glossary.command("list")
@click.argument("glossary_file", metavar="GLOSSARY", type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Glossary format (default: from the suffix).")
@click.option("--status", type=click.Choice(["preferred", "forbidden", "dnt"]), default=None,
              help="Only rows with this status.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def list_cmd(glossary_file, fmt, status, as_json) -> None:
    """List the rows of a glossary, with their line numbers.

    \b
    Examples:
      aligner glossary list glossaries/news.tsv
      aligner glossary list glossaries/news.tsv --status forbidden
      aligner glossary list glossaries/news.tsv --json
    """
    from aligner.glossary import read_glossary

    g = read_glossary(glossary_file, fmt)
    rows = [t for t in g.terms if status is None or t.status == status]
    if as_json:
        _echo_json([{"line": t.line, **t.fields()} for t in rows])
        return
    width = max([len(t.source) for t in rows] + [6])
    for t in rows:
        extra = []
        if t.aliases:
            extra.append("aliases: " + " | ".join(t.aliases))
        if t.status != "preferred":
            extra.append(t.status)
        if t.case:
            extra.append(f"case {t.case}")
        if t.note:
            extra.append(t.note)
        click.echo(f"{t.line:>5}  {t.source:<{width}}  {t.target or '-'}"
                   + (f"  ({'; '.join(extra)})" if extra else ""))
    click.echo(f"{len(rows)} row{'s' * (len(rows) != 1)}, {g.src_lang}-{g.tgt_lang}", err=True)


@glossary.command("add")
@click.argument("glossary_file", metavar="GLOSSARY", type=click.Path())
@click.argument("source")
@click.argument("target", required=False, default="")
@click.option("--alias", "aliases", multiple=True, help="Another form of the source (repeatable).")
@click.option("--case", type=click.Choice(["sensitive", "insensitive"]), default=None,
              help="Case rule (default: acronyms sensitive, the rest not).")
@click.option("--status", type=click.Choice(["preferred", "forbidden", "dnt"]), default="preferred",
              show_default=True, help="forbidden: TARGET must not appear; dnt: keep SOURCE as is.")
@click.option("--note", default="", help="A note for translators and reviewers.")
@click.option("--force", is_flag=True, help="Replace a row that renders the term differently.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Glossary format (default: from the suffix).")
def add_cmd(glossary_file, source, target, aliases, case, status, note, force, fmt) -> None:
    """Add a term. Every other line of the file stays as it was.

    A term the glossary already renders differently is refused (exit 1) unless --force,
    which replaces that row in place. The file is created if it does not exist.

    \b
    Examples:
      aligner glossary add my-terms.tsv "Xi Jinping" 习近平 --alias Xi
      aligner glossary add my-terms.tsv cadre 骨干 --status forbidden --note "backbone"
      aligner glossary add my-terms.tsv WHO --status dnt
      aligner glossary add my-terms.tsv cadre 官员 --force
    """
    from aligner.glossary import Term
    from aligner.glossary.edit import add_term

    if not target and status != "dnt":
        raise click.UsageError("give the TARGET rendering (or --status dnt to keep SOURCE as is)")
    from aligner.io.text import lone_surrogate

    for label, value in (("SOURCE", source), ("TARGET", target), ("--note", note),
                         *(("--alias", a) for a in aliases)):
        if lone_surrogate(value):  # bytes the terminal's encoding could not decode
            raise click.BadParameter(f"{value!r} is not valid text in this terminal's encoding "
                                     "(UTF-8 expected)", param_hint=label)
    term = Term(source.strip(), target.strip(), aliases=[a.strip() for a in aliases if a.strip()],
                case=case, status=status, note=note.strip())
    result = add_term(glossary_file, term, force=force, format=fmt)
    where = f" (line {', '.join(map(str, result.lines))})" if result.lines else ""
    messages = {"added": "added", "replaced": f"replaced{where} with",
                "unchanged": f"already there{where}:"}
    t = result.term
    click.echo(f"{glossary_file}: {messages[result.action]} {t.source} -> {t.target or t.source} "
               f"({t.status})", err=True)


@glossary.command("remove")
@click.argument("glossary_file", metavar="GLOSSARY", type=click.Path())
@click.argument("source")
@click.option("--target", default=None, help="Only the row with this target.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Glossary format (default: from the suffix).")
def remove_cmd(glossary_file, source, target, fmt) -> None:
    """Remove the rows of a term. Every other line of the file stays as it was.

    \b
    Examples:
      aligner glossary remove my-terms.tsv "Xi Jinping"
      aligner glossary remove my-terms.tsv cadre --target 骨干
    """
    from aligner.glossary.edit import remove_terms

    result = remove_terms(glossary_file, source, target, format=fmt)
    click.echo(f"{glossary_file}: removed line{'s' * (len(result.lines) != 1)} "
               f"{', '.join(map(str, result.lines))}", err=True)


# --- lint -----------------------------------------------------------------------------------

@glossary.command("lint")
@click.argument("glossary_files", metavar="GLOSSARY...", nargs=-1, required=True,
                type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Glossary format (default: from the suffix).")
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--no-info", is_flag=True, help="Leave out info messages (terms inside longer terms).")
def lint_cmd(glossary_files, fmt, as_json, no_info) -> None:
    """Find duplicates, conflicts, empty or padded fields, wrong-script targets and terms
    inside other terms. Exit 1 when there are errors.

    \b
    Examples:
      aligner glossary lint glossaries/news.tsv
      aligner glossary lint glossaries/*.tsv --no-info
      aligner glossary lint terms.tbx --json
    """
    from aligner.glossary.lint import lint_glossary

    reports = [lint_glossary(p, fmt) for p in glossary_files]
    if as_json:
        _echo_json([r.to_json() for r in reports] if len(reports) > 1 else reports[0].to_json())
    else:
        for r in reports:
            for p in r.problems:
                if no_info and p.severity == "info":
                    continue
                click.echo(r.format(p))
            c = r.counts()
            click.echo(f"{r.path}: {r.terms} terms, {c['error']} error(s), {c['warning']} "
                       f"warning(s), {c['info']} info", err=True)
    if any(not r.ok for r in reports):
        click.get_current_context().exit(EXIT_FINDINGS)


# --- check ----------------------------------------------------------------------------------

@glossary.command("check")
@click.argument("bitexts", metavar="BITEXT...", nargs=-1, required=True,
                type=click.Path(allow_dash=False))
@click.option("-g", "--glossary", "glossaries", multiple=True, required=True,
              type=click.Path(), help="Glossary to check against (repeatable).")
@click.option("--from", "src_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Source language of TMX/TSV inputs (default: from the file or the text).")
@click.option("--to", "tgt_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Target language of TMX/TSV inputs.")
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
def check_cmd(bitexts, glossaries, src_lang, tgt_lang, as_json) -> None:
    """Report every bead whose source has a glossary term but whose target lacks its
    rendering or has a forbidden one. Exit 1 when there are violations (a CI gate).

    BITEXT is a bitext made by `translate` or `align` (.jsonl) or a translation memory
    (.tmx, .xlf, .tsv, .csv).

    \b
    Examples:
      aligner glossary check out/article.en-zh.jsonl --glossary glossaries/news.tsv
      aligner glossary check memory.tmx -g glossaries/news.tsv --json > report.json
      aligner glossary check pairs.tsv --from en --to zh -g glossaries/news.tsv
    """
    from aligner.glossary import load_glossaries
    from aligner.glossary.check import check_bitext, read_any_bitext

    g = load_glossaries(glossaries)
    reports = [check_bitext(read_any_bitext(b, src_lang=src_lang, tgt_lang=tgt_lang), g, path=b)
               for b in bitexts]
    total = sum(len(r.violations) for r in reports)
    if as_json:
        _echo_json([r.to_json() for r in reports] if len(reports) > 1 else reports[0].to_json())
    else:
        for r in reports:
            for v in r.violations:
                click.echo(f"{r.path}: {v.describe()}")
            click.echo(f"{r.path}: {r.beads} beads, {r.terms} terms found, "
                       f"{len(r.violations)} violation(s)", err=True)
    if total:
        click.get_current_context().exit(EXIT_FINDINGS)


# --- extract --------------------------------------------------------------------------------

@glossary.command("extract")
@click.argument("bitexts", metavar="BITEXT...", nargs=-1, required=True,
                type=click.Path())
@click.option("-o", "--output", "--out", "output", default="-", show_default=True, type=click.Path(),
              help="Proposals file (TSV; - for stdout).")
@click.option("--min-count", type=click.IntRange(1, 1_000_000), default=2, show_default=True,
              help="Beads a dictionary term must occur in (names need one).")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(),
              help="Leave out terms this glossary already has (repeatable).")
@click.option("--names/--no-names", default=True, help="Propose person and place names (pinyin).")
@click.option("--terms/--no-terms", default=True, help="Propose CC-CEDICT-supported terms.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def extract_cmd(bitexts, output, min_count, glossaries, names, terms, quiet) -> None:
    """Propose glossary entries for review: names paired through their pinyin, and
    recurring aligned terms that CC-CEDICT supports, each with its count and an example bead.

    The output is a glossary TSV (with kind, count and example columns): review it, delete
    what is wrong, and merge the rest.

    \b
    Examples:
      aligner glossary extract out/article.en-zh.jsonl
      aligner glossary extract out/*.jsonl -g glossaries/news.tsv -o proposals.tsv
    """
    from aligner.glossary import load_glossaries
    from aligner.glossary.check import read_any_bitext
    from aligner.glossary.extract import extract_terms, proposals_glossary
    from aligner.glossary.formats import FORMATS

    from aligner.io.paths import guard_outputs

    guard_outputs([*bitexts, *glossaries], [output],
                  hint="Write the proposals to a new file and merge what you keep; nothing was written.")
    known = load_glossaries(glossaries) if glossaries else None
    proposals = extract_terms([(b, read_any_bitext(b)) for b in bitexts], min_count=min_count,
                              glossary=known, names=names, terms=terms)
    g = proposals_glossary(proposals)
    if output == "-":
        click.echo(FORMATS["tsv"].dumps(g).decode("utf-8"), nl=False)
    else:
        FORMATS["tsv"].write(g, output)
    if not quiet:
        click.echo(f"{len(proposals)} proposal(s)", err=True)


# --- convert --------------------------------------------------------------------------------

@glossary.command("convert")
@click.argument("source_file", metavar="INPUT", type=click.Path())
@click.argument("output", metavar="OUTPUT", type=click.Path())
@click.option("--from-format", "--from", "from_fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Input format (default: from the suffix).")
@click.option("--to-format", "--to", "to_fmt", type=click.Choice(FORMAT_NAMES), default=None,
              help="Output format (default: from the suffix; needed for -).")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def convert_cmd(source_file, output, from_fmt, to_fmt, quiet) -> None:
    """Import or export a glossary: TSV, CSV, TBX (CAT tools), JSONL. Every field survives
    the round trip.

    \b
    Examples:
      aligner glossary convert glossaries/news.tsv news.tbx
      aligner glossary convert memoq-export.tbx glossaries/imported.tsv
      aligner glossary convert glossaries/news.tsv - --to jsonl
    """
    from aligner.glossary.formats import get_format, read_glossary

    from aligner.io.paths import guard_outputs

    guard_outputs([source_file], [output])
    if output != "-" and Path(output).is_dir():
        from aligner.errors import OutputError

        raise OutputError("is a directory; give the name of the file to write", path=output)
    g = read_glossary(source_file, from_fmt)
    if output == "-":
        if not to_fmt:
            raise click.UsageError("give --to-format FORMAT to write to stdout")
        sys.stdout.buffer.write(get_format(to_fmt).dumps(g))
        sys.stdout.flush()
    else:
        get_format(to_fmt, output).write(g, output)
        if not quiet:
            click.echo(f"{output}: {len(g.terms)} terms", err=True)
