"""`aligner models`: list, install and remove Argos Translate packages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def models() -> None:
    """List, install and remove translation models (Argos Translate packages).

    Models live where argospm and LibreTranslate keep them (ARGOS_PACKAGES_DIR, else
    ~/.local/share/argos-translate/packages), so a model installed by either is used here.

    \b
    Examples:
      aligner models list
      aligner models install translate-en_zh-1_9.argosmodel    # offline, from a file
      aligner models install en zh                             # download (needs the internet)
      aligner models remove en zh
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per package.")
def list_cmd(as_json: bool) -> None:
    """Show the installed models: language pair, version and folder.

    \b
    Example:
      aligner models list
    """
    from aligner.translate.packages import list_packages, packages_dir

    where = packages_dir()
    found = list_packages(where)
    if as_json:
        for p in found:
            click.echo(json.dumps({"from": p.from_code, "to": p.to_code, "version": p.package_version,
                                   "name": p.name, "path": str(p.path)}, ensure_ascii=False))
        return
    if not found:
        click.echo(f"No translation models installed in {where}.")
        click.echo("Install one with `aligner models install en zh` (online) or "
                   "`aligner models install FILE.argosmodel`.")
        return
    click.echo(f"Models in {where}:")
    for p in found:
        click.echo(f"  {p.from_code} → {p.to_code}  {p.package_version or '?':<12} {p.path}")


@models.command("install")
@click.argument("what", nargs=-1, required=True, metavar="FILE.argosmodel | FROM TO")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def install_cmd(what: tuple[str, ...], quiet: bool) -> None:
    """Install a model from an .argosmodel file, or download one for a language pair.

    The file is checked first (a zip holding one folder with metadata.json, model/ and
    sentencepiece.model, and nothing that would be written outside it); a broken or hostile
    file is refused and nothing is installed. A model already installed for the same pair is
    replaced once the new one is complete.

    \b
    Examples:
      aligner models install translate-en_zh-1_9.argosmodel
      aligner models install en zh        # from the Argos package index, with a progress bar
    """
    from aligner.translate.packages import download_package, install_package_file

    if len(what) == 1:
        pkg = install_package_file(what[0])
    elif len(what) == 2 and not any(w.endswith(".argosmodel") for w in what):
        from aligner.io.text import normalize_lang

        src, tgt = (normalize_lang(w) for w in what)
        pkg = download_package(src, tgt, progress=not quiet and sys.stderr.isatty())
    else:
        raise click.UsageError("give one .argosmodel file, or two language codes (e.g. en zh)")
    if not quiet:
        click.echo(f"Installed {pkg.from_code} → {pkg.to_code} (version {pkg.package_version or '?'}) "
                   f"in {pkg.path}", err=True)


@models.command("remove")
@click.argument("from_code", metavar="FROM")
@click.argument("to_code", metavar="TO")
def remove_cmd(from_code: str, to_code: str) -> None:
    """Remove the installed model for a language pair.

    \b
    Example:
      aligner models remove en zh
    """
    from aligner.translate.packages import remove_package

    for p in remove_package(from_code, to_code):
        click.echo(f"Removed {p.from_code} → {p.to_code} ({Path(p.path).name})", err=True)


@models.command("path")
def path_cmd() -> None:
    """Print the directory models are installed in.

    \b
    Example:
      aligner models path
    """
    from aligner.translate.packages import packages_dir

    click.echo(str(packages_dir()))
