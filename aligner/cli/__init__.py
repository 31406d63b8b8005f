"""The `aligner` command: a thin layer over the library.

Each subcommand family lives in its own module and only turns options into
calls of library functions, and library errors into messages and exit codes.
"""

from __future__ import annotations

import click

from aligner import __version__
from aligner.cli.common import AlignerGroup


@click.group(cls=AlignerGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                 "max_content_width": 100})
@click.version_option(__version__, prog_name="aligner")
def main() -> None:
    """Offline English<->Chinese translation, sentence alignment, glossaries and bilingual exports.

    \b
    Examples:
      aligner models install en zh          # once, online (or: models install FILE.argosmodel)
      aligner translate corpus/article.en.txt --to zh --out out/ --glossary glossaries/news.tsv
      aligner align corpus/article.en.txt corpus/article.zh.txt -o review/article.en-zh.jsonl
      aligner export review/article.en-zh.jsonl -o review/article.en-zh.html
      aligner glossary lint glossaries/news.tsv

    Every command has its own --help with examples.
    """


def _register() -> None:
    # Each module adds its commands to `main` when imported.
    import importlib

    for name in ("models_cmd", "translate_cmd", "align_cmd", "glossary_cmd", "export_cmd"):
        importlib.import_module(f"aligner.cli.{name}")
    importlib.import_module("aligner.cli.review_cmd")


_register()
