"""`python -m aligner` and the `aligner` console script (pyproject.toml's [project.scripts]).

`aligner --help` is what a user types first and most often: it is answered from the page
click printed when it was last rendered (aligner/help_page.py, written by tools/help_page.py
and checked against click by tests/test_cli_startup.py), without importing click (about half
of the start-up time). Every other command line, and `--help` at a width or under a program
name the page was not rendered for, goes to the click group in aligner.cli.
"""

from __future__ import annotations

import os
import sys


def _program_name() -> str:
    # click's own rule (click.utils._detect_program_name): `python -m aligner` when run as a
    # module, else the script's file name.
    main = sys.modules.get("__main__")
    path = sys.argv[0] if sys.argv and sys.argv[0] else ""
    package = getattr(main, "__package__", None)
    if not package:
        return os.path.basename(path)
    name = os.path.splitext(os.path.basename(path))[0]
    return "python -m " + (package if name == "__main__" else f"{package}.{name}").lstrip(".")


def _help_width() -> int:
    # What click's HelpFormatter uses: the terminal's columns (shutil.get_terminal_size's rule,
    # without importing shutil), at most the group's max_content_width (100), less 2.
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, 100) - 2, 50)


def help_page(prog: str, width: int) -> str | None:
    """The top-level `--help` as click prints it for this program name and width, or None
    where no page was rendered for them (click then renders it)."""
    from aligner.help_page import PAGES, PROG

    page = PAGES.get(width)
    if page is None or len(prog) > len("python -m aligner"):
        return None  # a longer name could wrap the usage line differently
    return page.replace(f"Usage: {PROG} ", f"Usage: {prog} ", 1)


def run() -> int | None:
    """The command line: `aligner --help` from the page, everything else through click."""
    if sys.argv[1:] in (["--help"], ["-h"]) and "_ALIGNER_COMPLETE" not in os.environ:
        page = help_page(_program_name(), _help_width())
        if page is not None:
            sys.stdout.write(page)
            sys.stdout.flush()
            return 0
    from aligner.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
