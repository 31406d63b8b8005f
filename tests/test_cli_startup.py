"""Start-up of the `aligner` command: commands are imported only when used, and `aligner --help`
is answered from a page rendered by click (aligner/help_page.py) without importing click.
Both must print exactly what click prints."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import aligner.cli
from aligner.__main__ import help_page
from aligner.cli import COMMANDS, main
from tools import help_page as help_page_tool

ROOT = Path(__file__).resolve().parent.parent


def _command_modules():
    return [importlib.import_module(f"aligner.cli.{m.name}")
            for m in pkgutil.iter_modules(aligner.cli.__path__) if m.name.endswith("_cmd")]


def test_the_table_lists_every_top_level_command_of_the_command_modules():
    # Top-level commands: the click commands of the *_cmd modules that are no group's subcommand.
    found = {}
    for module in _command_modules():
        for attr, obj in vars(module).items():
            if isinstance(obj, click.Command):
                found[id(obj)] = (obj, module.__name__, attr)
    subcommands = {id(sub) for obj, _, _ in found.values() if isinstance(obj, click.Group)
                   for sub in obj.commands.values()}
    top = {obj.name: (module, attr) for key, (obj, module, attr) in found.items() if key not in subcommands}
    assert len(top) >= 8
    assert top == {name: (module, attr) for name, (module, attr, _) in COMMANDS.items()}


def test_the_table_gives_each_command_its_own_short_help():
    ctx = click.Context(main)
    for name, (_, _, line) in COMMANDS.items():
        cmd = main.get_command(ctx, name)
        assert cmd.name == name and not cmd.hidden and not cmd.deprecated and cmd.short_help is None
        for limit in range(3, 130):
            assert click.Command(name, help=line).get_short_help_str(limit) == cmd.get_short_help_str(limit), \
                (name, limit)


def _walk(cmd, path):
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), path + [name])


def test_every_command_is_reachable_and_its_help_works():
    runner = CliRunner()
    seen = []
    for path, cmd in _walk(main, []):
        r = runner.invoke(main, path + ["--help"], prog_name="aligner")
        assert r.exit_code == 0, (path, r.output)
        assert r.output.startswith(f"Usage: {' '.join(['aligner'] + path)} "), (path, r.output[:200])
        assert "Example" in r.output, path  # every command's help has examples
        seen.append(" ".join(path))
    assert {"translate", "align", "glossary lint", "tm search", "models install", "export", "import",
            "review"} <= set(seen)
    r = runner.invoke(main, ["nosuch"], prog_name="aligner")
    assert r.exit_code == 2 and "No such command 'nosuch'" in r.output


@pytest.mark.parametrize("width", [50, 78, 98])
def test_the_lazy_listing_is_what_click_lists_from_the_commands_themselves(width):
    ctx = click.Context(main)
    eager = click.Group(main.name, commands={n: main.get_command(ctx, n) for n in main.list_commands(ctx)},
                        params=main.params, help=main.help, context_settings=main.context_settings)
    runner = CliRunner()
    lazy = runner.invoke(main, ["--help"], prog_name="aligner", terminal_width=width)
    plain = runner.invoke(eager, ["--help"], prog_name="aligner", terminal_width=width)
    assert lazy.exit_code == plain.exit_code == 0
    assert lazy.output == plain.output


def test_help_imports_no_command_module_and_a_command_only_its_own():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom aligner.cli import main\n"
            "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in sys.modules if m.startswith('aligner.cli.')))\n"
            "r = CliRunner().invoke(main, ['translate', '--help'])\nassert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in sys.modules if m.endswith('_cmd')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.splitlines()
    assert out == ["['aligner.cli.common']", "['aligner.cli.translate_cmd']"]


def test_the_help_page_module_is_what_tools_help_page_writes():
    # If this fails: run `python tools/help_page.py` after changing the top-level help or commands.
    assert (ROOT / "aligner" / "help_page.py").read_text(encoding="utf-8") == help_page_tool.source()


@pytest.mark.parametrize("prog", ["aligner", "python -m aligner"])
@pytest.mark.parametrize("width", [78, 98])
def test_the_help_page_is_what_click_prints(prog, width):
    page = help_page(prog, width)
    assert page == help_page_tool.render(prog, width)
    assert page.isascii()  # printed as is, whatever the terminal's encoding


def test_no_page_for_other_widths_or_longer_program_names():
    assert help_page("aligner", 88) is None
    assert help_page("/a/long/path/to/aligner-dev", 78) is None


def _run(args, columns, **kw):
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT)}
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, **kw)


@pytest.mark.parametrize("columns,width", [(80, 78), (120, 98), (100, 98), (90, 88), (40, 50)])
def test_the_console_script_prints_clicks_help_at_any_width(tmp_path, columns, width):
    # The console script as pip writes it (pyproject.toml: aligner = "aligner.__main__:run"), and
    # whether click was imported: not where the page serves.
    script = tmp_path / "aligner"
    script.write_text("import atexit, sys\nfrom aligner.__main__ import run\n"
                      "atexit.register(lambda: print('click' in sys.modules, file=sys.stderr))\n"
                      "if __name__ == '__main__':\n    sys.exit(run())\n")
    for flag in ("--help", "-h"):
        r = _run([sys.executable, str(script), flag], columns)
        assert r.returncode == 0, r.stderr
        assert r.stdout == help_page_tool.render("aligner", width)
        assert r.stderr == ("False\n" if width in (78, 98) else "True\n")


def test_python_m_aligner_help_and_commands():
    r = _run([sys.executable, "-m", "aligner", "--help"], 80)
    assert r.returncode == 0 and r.stdout == help_page_tool.render("python -m aligner", 78)
    r = _run([sys.executable, "-m", "aligner", "--version"], 80)
    assert r.returncode == 0 and r.stdout.startswith("aligner, version ")
    r = _run([sys.executable, "-m", "aligner"], 80)  # no command: click's help on stderr, exit 2
    assert r.returncode == 2 and "Commands:" in r.stderr
    r = _run([sys.executable, "-m", "aligner", "nosuch"], 80)
    assert r.returncode == 2 and "No such command 'nosuch'" in r.stderr
