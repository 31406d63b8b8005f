"""The `aligner` command: a thin layer over the library.

Each subcommand family lives in its own module and only turns options into
calls of library functions, and library errors into messages and exit codes.
A command's module is imported only when that command runs or shows its help
(click's lazy-loading pattern), so that `aligner translate` does not pay for
importing the alignment, glossary and memory commands, and `aligner --help`
for none of them.
"""

from __future__ import annotations

import importlib

import click

from aligner import __version__
from aligner.cli.common import AlignerGroup

# Every top-level command: its module, the command object's name there, and the first sentence
# of its help, which `aligner --help` lists (so that listing imports no command module).
# tests/test_cli_startup.py checks this table against the commands themselves.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "align": ("aligner.cli.align_cmd", "align",
              "Pair the sentences of SRC and its translation TGT into a bitext."),
    "export": ("aligner.cli.export_cmd", "export_cmd",
               "Write bitexts as a file CAT tools or people open."),
    "glossary": ("aligner.cli.glossary_cmd", "glossary",
                 "Glossaries: names and terms rendered the same way in every translation."),
    "import": ("aligner.cli.export_cmd", "import_cmd",
               "Turn a translation memory into a bitext for `glossary check` and `glossary extract`."),
    "models": ("aligner.cli.models_cmd", "models",
               "List, install and remove translation models (Argos Translate packages)."),
    "review": ("aligner.cli.review_cmd", "review_cmd",
               "Review bitexts in the browser: merge, split, move sentences, edit, approve, re-align."),
    "tm": ("aligner.cli.tm_cmd", "tm",
           "Translation memory: what was translated before, reused before machine translation."),
    "translate": ("aligner.cli.translate_cmd", "translate",
                  "Translate articles between English and Chinese with an installed Argos model."),
}


class LazyGroup(AlignerGroup):
    """The top-level group: commands come from COMMANDS, each imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attr, _ = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's Group.format_commands, with each help line from the table instead of the command.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                line = click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)
            else:
                line = self.commands[name].get_short_help_str(limit)
            rows.append((name, line))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
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
