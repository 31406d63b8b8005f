"""Write aligner/help_page.py: `aligner --help` as click renders it, for the widths most
terminals give (80 columns, pipes and files: 78; 100 columns or more: 98).

Run after changing the top-level group's help or the commands it lists
(tests/test_cli_startup.py fails until then):

    python tools/help_page.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROG = "aligner"
WIDTHS = (78, 98)


def render(prog: str, width: int) -> str:
    from click.testing import CliRunner

    from aligner.cli import main

    result = CliRunner().invoke(main, ["--help"], prog_name=prog, terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output


def source() -> str:
    lines = ['"""`aligner --help` as click prints it, by help width: written by tools/help_page.py,',
             'checked by tests/test_cli_startup.py; aligner/__main__.py prints it without importing click."""',
             "", f"PROG = {PROG!r}", "", "PAGES = {"]
    for width in WIDTHS:
        lines.append(f"    {width}: {render(PROG, width)!r},")
    lines += ["}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    (ROOT / "aligner" / "help_page.py").write_text(source(), encoding="utf-8")
