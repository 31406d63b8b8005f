"""`aligner review`: fix alignments in the browser (a local server; aligner.review)."""

from __future__ import annotations

import click

from aligner.formats import DEFAULT_LOW_SCORE


@click.command("review")
@click.argument("bitexts", nargs=-1, required=True, metavar="BITEXT.jsonl...",
                type=click.Path(dir_okay=False))
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False),
              help="Glossary whose terms to highlight and check (repeatable).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Port on 127.0.0.1 to listen on.")
@click.option("--no-browser", is_flag=True, help="Only print the URL; do not open a browser.")
@click.option("--low-score", type=click.FloatRange(0, 1), default=DEFAULT_LOW_SCORE, show_default=True,
              help="Beads scoring below this are next to review.")
def review_cmd(bitexts, glossaries, port, no_browser, low_score) -> None:
    """Review bitexts in the browser: merge, split, move sentences, edit, approve, re-align.

    Starts a server on 127.0.0.1 (only this machine can reach it), prints its URL with a
    random token and opens it in the browser. Edits stay in the server until you save
    (Ctrl-S in the page): the bitext is then written in place, the previous version kept as
    BITEXT.jsonl.bak. Ctrl-C here stops the server. Keys: press ? in the page; see
    docs/review.md.

    \b
    Examples:
      aligner review out/article.en-zh.jsonl
      aligner review out/*.jsonl --glossary glossaries/news.tsv
      aligner review out/article.en-zh.jsonl --port 8765 --no-browser
    """
    from aligner.glossary import load_glossaries
    from aligner.review import open_editors, serve

    editors = open_editors(bitexts, glossary=load_glossaries(glossaries) if glossaries else None)
    serve(editors, port=port, open_browser=not no_browser, low_score=low_score,
          echo=lambda msg: click.echo(f"aligner: {msg}", err=True))
