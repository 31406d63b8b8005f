"""Installed Argos Translate packages: find, list, install (file or download), remove.

The packages live where `argospm` and LibreTranslate keep them, so a model installed by either
is found here and the other way round. The directory is resolved at call time exactly as
`argostranslate.settings` resolves it at import time (that module creates directories and
reads the environment when imported, so it is not imported just to learn a path):

1. the `ARGOS_PACKAGES_DIR` environment variable;
2. `ARGOS_PACKAGES_DIR` in `$XDG_CONFIG_HOME/argos-translate/settings.json`
   (default `~/.config/...`);
3. `$XDG_DATA_HOME/argos-translate/packages` (default `~/.local/share/...`).

A package is a zip (`.argosmodel`) holding one folder with `metadata.json`, `model/` (a
CTranslate2 model) and `sentencepiece.model`. Installing validates the zip before anything is
written, extracts into a temporary folder inside the packages directory and renames it into
place; an existing package for the same language pair is replaced only after the new one is
complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from aligner.errors import InputError, ModelError

DEFAULT_PACKAGE_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")
# Folders this module creates inside the packages directory while it works; never packages.
_TEMP_PREFIX = ".aligner-"


# --------------------------------------------------------------------------- where

def _home() -> Path:
    if "SNAP" in os.environ and os.environ.get("SNAP_USER_DATA"):
        return Path(os.environ["SNAP_USER_DATA"])
    return Path.home()


def _settings_file() -> Path:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or _home() / ".config")
    return config / "argos-translate" / "settings.json"


def _setting(key: str) -> Any:
    """An Argos setting: the environment first, then settings.json (as argostranslate does)."""
    if os.environ.get(key):
        return os.environ[key]
    try:
        data = json.loads(_settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get(key) if isinstance(data, dict) else None


def packages_dir() -> Path:
    """The directory argospm and LibreTranslate install packages into (not created here)."""
    configured = _setting("ARGOS_PACKAGES_DIR")
    if configured:
        return Path(str(configured)).expanduser()
    data = Path(os.environ.get("XDG_DATA_HOME") or _home() / ".local" / "share")
    return data / "argos-translate" / "packages"


def package_index_url() -> str:
    """The Argos package index (index.json) URL, from ARGOS_PACKAGE_INDEX or the default."""
    base = str(_setting("ARGOS_PACKAGE_INDEX") or DEFAULT_PACKAGE_INDEX)
    if base.endswith(".json"):
        return base
    return base.rstrip("/") + "/index.json"


# --------------------------------------------------------------------------- what

def _argos_metadata(metadata: dict[str, Any]) -> Any:
    """Read metadata the way argospm does (IPackage.load_metadata_from_json), so multilingual
    fields and defaults agree with it; fall back to the plain dict if argostranslate cannot be
    imported (it creates its data directories on import, which fails on a read-only home)."""
    try:
        from argostranslate.package import AvailablePackage
    except Exception:  # pragma: no cover - depends on the home directory
        class _Plain:
            pass
        p = _Plain()
        for key in ("from_code", "to_code", "from_name", "to_name", "package_version",
                    "argos_version", "links", "type", "target_prefix", "from_codes", "to_codes"):
            setattr(p, key, metadata.get(key))
        return p
    return AvailablePackage(metadata)


@dataclass
class InstalledPackage:
    """An Argos package folder: where it is, and the language pair it translates."""

    path: Path
    from_code: str
    to_code: str
    package_version: str = ""
    argos_version: str = ""
    from_name: str = ""
    to_name: str = ""
    target_prefix: str = ""
    from_codes: list[str] = field(default_factory=list)
    to_codes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sentencepiece_model(self) -> Path:
        return self.path / "sentencepiece.model"

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"

    def translates(self, from_code: str, to_code: str) -> bool:
        froms = {self.from_code, *(self.from_codes or [])}
        tos = {self.to_code, *(self.to_codes or [])}
        return from_code in froms and to_code in tos

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly identity of the package, stored in bitext headers."""
        return {"name": self.name, "from": self.from_code, "to": self.to_code,
                "version": self.package_version}

    @classmethod
    def from_metadata(cls, path: Path, metadata: dict[str, Any]) -> "InstalledPackage":
        m = _argos_metadata(metadata)
        return cls(path=path, from_code=m.from_code, to_code=m.to_code,
                   package_version=str(m.package_version or ""),
                   argos_version=str(m.argos_version or ""),
                   from_name=m.from_name or "", to_name=m.to_name or "",
                   target_prefix=getattr(m, "target_prefix", "") or "",
                   from_codes=[c for c in (m.from_codes or []) if isinstance(c, str)],
                   to_codes=[c for c in (m.to_codes or []) if isinstance(c, str)])

    @classmethod
    def load(cls, path: Path) -> "InstalledPackage":
        """Read an installed package folder; ModelError if it is not a usable package."""
        meta_path = path / "metadata.json"
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError("not an Argos package: no metadata.json", path=path) from None
        except (OSError, ValueError) as e:
            raise ModelError(f"unreadable metadata.json ({e})", path=path) from None
        problem = _metadata_problem(metadata)
        if problem:
            raise ModelError(f"broken package: {problem}", path=meta_path)
        return cls.from_metadata(path, metadata)


def _metadata_problem(metadata: Any) -> str | None:
    if not isinstance(metadata, dict):
        return "metadata.json is not a JSON object"
    missing = [k for k in ("from_code", "to_code") if not isinstance(metadata.get(k), str)
               or not metadata.get(k)]
    if missing:
        return f"metadata.json lacks {' and '.join(missing)}"
    for key in ("from_code", "to_code"):
        if not _LANG_CODE.fullmatch(metadata[key]):
            return f"metadata.json has {key} {metadata[key]!r}, which is not a language code"
    return None


# ISO 639 codes as Argos writes them: en, zh, zt, zh-Hant, pt_BR.
_LANG_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def _version_key(pkg: InstalledPackage) -> Any:
    """Newest first by version number (1.10 > 1.9); unparsable versions sort lowest."""
    import re

    parts = re.findall(r"\d+", pkg.package_version)
    return (1, tuple(int(p) for p in parts), pkg.package_version) if parts else (0, (), pkg.package_version)


def list_packages(directory: str | Path | None = None) -> list[InstalledPackage]:
    """Installed packages, sorted by language pair; folders that are not packages are skipped."""
    root = Path(directory) if directory is not None else packages_dir()
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            found.append(InstalledPackage.load(child))
        except ModelError:
            continue
    return sorted(found, key=lambda p: (p.from_code, p.to_code, p.name))


def find_package(from_code: str, to_code: str,
                 directory: str | Path | None = None) -> InstalledPackage | None:
    """The installed package for a pair (the newest version if several), or None."""
    candidates = [p for p in list_packages(directory) if p.translates(from_code, to_code)]
    if not candidates:
        return None
    exact = [p for p in candidates if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(exact or candidates, key=_version_key)


def require_package(from_code: str, to_code: str,
                    directory: str | Path | None = None) -> InstalledPackage:
    """Like find_package, but a missing model is a ModelError that says how to install it."""
    pkg = find_package(from_code, to_code, directory)
    if pkg is None:
        where = Path(directory) if directory is not None else packages_dir()
        raise ModelError(
            f"no {from_code}→{to_code} translation model is installed (looked in {where})",
            hint=(f"Install one: `aligner models install {from_code} {to_code}` (downloads it; "
                  f"needs the internet), or, offline, download the {from_code}_{to_code} "
                  f".argosmodel file elsewhere and run `aligner models install FILE.argosmodel`."))
    return pkg


# --------------------------------------------------------------------------- install

def _refuse(path: Path, why: str, hint: str | None = None) -> ModelError:
    return ModelError(f"not installed: {why}", path=path,
                      hint=hint or "Nothing was installed. Use an .argosmodel file from the "
                                   "Argos package index (https://www.argosopentech.com/argospm/index/).")


def _inspect_zip(path: Path, zf: zipfile.ZipFile) -> tuple[str, dict[str, Any]]:
    """Check an opened .argosmodel; return its top folder name and metadata, or raise."""
    names = zf.infolist()
    if not names:
        raise _refuse(path, "the zip archive is empty")
    tops = set()
    for info in names:
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        mode = info.external_attr >> 16
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in pure.parts:
            raise _refuse(path, f"the archive member {name!r} would be written outside the "
                                "packages directory", hint="The file may be hostile; nothing was installed.")
        if stat.S_ISLNK(mode):
            raise _refuse(path, f"the archive member {name!r} is a symbolic link",
                          hint="Argos packages hold plain files only; nothing was installed.")
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: no Unix mode stored
            raise _refuse(path, f"the archive member {name!r} is not a plain file")
        parts = [p for p in pure.parts if p not in ("", ".")]
        if len(parts) == 1 and not info.is_dir():
            tops.add("")  # a file at the top level: not inside a package folder
        elif parts:
            tops.add(parts[0])
    if len(tops) != 1 or "" in tops:
        raise _refuse(path, "not an Argos package: no metadata.json inside one top folder "
                            "(an .argosmodel holds exactly one folder)")
    top = tops.pop()
    if top.startswith("."):  # hidden folders are never packages (and are our temporary ones)
        raise _refuse(path, f"not an Argos package: its folder {top!r} is hidden")
    members = {str(PurePosixPath(i.filename)).rstrip("/") for i in names}
    missing = [f for f in REQUIRED_FILES if f"{top}/{f}" not in members]
    if "metadata.json" in missing:
        raise _refuse(path, f"not an Argos package: no {top}/metadata.json")
    try:
        metadata = json.loads(zf.read(f"{top}/metadata.json").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise _refuse(path, f"metadata.json is not valid JSON ({e})") from None
    problem = _metadata_problem(metadata)
    if problem:
        raise _refuse(path, f"not an Argos translation package: {problem}")
    if missing:
        what = {"model/model.bin": "the CTranslate2 model (model/model.bin)",
                "sentencepiece.model": "the tokenizer (sentencepiece.model)"}
        raise _refuse(path, "incomplete package: missing " + " and ".join(what[m] for m in missing))
    try:
        bad = zf.testzip()  # reads every member and checks its CRC: catches corrupted downloads
    except (zlib.error, zipfile.BadZipFile, EOFError) as e:
        raise _refuse(path, f"the archive is corrupted ({e})",
                      hint="Download the file again; nothing was installed.") from None
    if bad is not None:
        raise _refuse(path, f"the archive is corrupted (member {bad!r} fails its checksum)",
                      hint="Download the file again; nothing was installed.")
    return top, metadata


def _extract(zf: zipfile.ZipFile, dest: Path) -> None:
    """Extract plain files and folders only (the names were checked by _inspect_zip)."""
    root = dest.resolve()
    for info in zf.infolist():
        target = (dest / info.filename).resolve()
        if root not in target.parents and target != root:
            raise ModelError(f"archive member {info.filename!r} escapes the target folder")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


def install_package_file(path: str | Path, directory: str | Path | None = None) -> InstalledPackage:
    """Validate and install an .argosmodel file; returns the installed package.

    Refused with a ModelError, leaving the packages directory as it was: a file that is not a
    zip, a truncated or corrupted zip, a zip that is not an Argos package (no metadata.json in
    one top folder, metadata without from_code/to_code, no model/model.bin or
    sentencepiece.model), and members that would land outside the package folder (`../`,
    absolute paths, symbolic links).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=path,
                         hint="Give the path of an .argosmodel file, or `aligner models install en zh` to download.")
    if path.is_dir():
        raise InputError("is a directory, expected an .argosmodel file", path=path)
    root = Path(directory) if directory is not None else packages_dir()
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _refuse(path, "not a zip archive, or a truncated/damaged one",
                      hint="An .argosmodel file is a zip archive; download it again. "
                           "Nothing was installed.") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    with zf:
        try:
            top, metadata = _inspect_zip(path, zf)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as e:
            raise _refuse(path, f"the archive is damaged or truncated ({e})",
                          hint="Download the file again; nothing was installed.") from None
        try:
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + "install-", dir=root))
        except OSError as e:
            raise ModelError(f"cannot write to the packages directory: {e.strerror}", path=root,
                             hint="Set ARGOS_PACKAGES_DIR to a writable directory.") from None
        try:
            _extract(zf, staging)
            new_dir = staging / top
            _check_tokenizer(new_dir, path)
            _check_model(new_dir, path)
            return _move_into_place(new_dir, root, InstalledPackage.from_metadata(new_dir, metadata))
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as e:
            raise _refuse(path, f"the archive is damaged or truncated ({e})",
                          hint="Download the file again; nothing was installed.") from None
        except OSError as e:
            raise ModelError(f"cannot install: {e.strerror or e}", path=root,
                             hint="Check free space and permissions; nothing was installed.") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _check_tokenizer(pkg_dir: Path, source: Path) -> None:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(pkg_dir / "sentencepiece.model"))
    except Exception:
        raise _refuse(source, "sentencepiece.model is not a valid sentencepiece model") from None


def _check_model(pkg_dir: Path, source: Path) -> None:
    """Load the CTranslate2 model once: a model.bin that is not one is refused now, not at the
    first translation."""
    import ctranslate2

    try:
        ctranslate2.Translator(str(pkg_dir / "model"), device="cpu", intra_threads=1)
    except Exception as e:  # CTranslate2 raises RuntimeError/ValueError with its own words
        raise _refuse(source, f"model/model.bin is not a model CTranslate2 can load ({e})") from None


def _move_into_place(new_dir: Path, root: Path, pkg: InstalledPackage) -> InstalledPackage:
    """Rename the complete new package into place; only then drop the one it replaces."""
    target = root / new_dir.name
    old = [p for p in list_packages(root) if (p.from_code, p.to_code) == (pkg.from_code, pkg.to_code)]
    if target.exists() and all(p.path != target for p in old):
        raise ModelError(f"{target} already exists and is not an installed {pkg.pair} package", path=target,
                         hint="Remove it first (`aligner models remove FROM TO`) or move it away.")
    parked: list[tuple[Path, Path]] = []
    try:
        for p in old:
            aside = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + "old-", dir=root)) / p.path.name
            os.replace(p.path, aside)
            parked.append((p.path, aside))
        os.replace(new_dir, target)
    except OSError:
        for original, aside in reversed(parked):  # put the old package back
            with contextlib.suppress(OSError):
                os.replace(aside, original)
                shutil.rmtree(aside.parent, ignore_errors=True)
        raise
    for _, aside in parked:
        shutil.rmtree(aside.parent, ignore_errors=True)
    return InstalledPackage.load(target)


def remove_package(from_code: str, to_code: str, directory: str | Path | None = None) -> list[InstalledPackage]:
    """Remove every installed package for the pair; ModelError if there is none."""
    root = Path(directory) if directory is not None else packages_dir()
    gone = [p for p in list_packages(root) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not gone:
        raise ModelError(f"no {from_code}→{to_code} model is installed (in {root})",
                         hint="`aligner models list` shows what is installed.")
    for p in gone:
        # Rename first so a half-deleted folder never looks like a package.
        aside = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX + "remove-", dir=root))
        try:
            os.replace(p.path, aside / p.path.name)
        except OSError as e:
            shutil.rmtree(aside, ignore_errors=True)
            raise ModelError(f"cannot remove: {e.strerror}", path=p.path) from None
        shutil.rmtree(aside, ignore_errors=True)
    return gone


# --------------------------------------------------------------------------- download

def _offline_hint(from_code: str, to_code: str) -> str:
    return (f"If this machine is offline, download the {from_code}_{to_code} .argosmodel file on "
            f"another machine (https://www.argosopentech.com/argospm/index/) and run "
            f"`aligner models install FILE.argosmodel`.")


def fetch_index(url: str | None = None, timeout: float = 30) -> list[dict[str, Any]]:
    """The Argos package index: a list of package metadata records."""
    url = url or package_index_url()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "aligner"}),
                                    timeout=timeout) as r:
            data = json.loads(r.read().decode("utf-8"))
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise ModelError(f"cannot download the Argos package index from {url}: {reason}",
                         hint=_offline_hint("FROM", "TO")) from None
    except ValueError as e:
        raise ModelError(f"the package index at {url} is not valid JSON ({e})") from None
    if not isinstance(data, list):
        raise ModelError(f"the package index at {url} is not a list of packages")
    return [m for m in data if isinstance(m, dict)]


def download_package(from_code: str, to_code: str, directory: str | Path | None = None, *,
                     index_url: str | None = None, progress: bool = False,
                     timeout: float = 60,
                     on_progress: Callable[[int, int | None], None] | None = None) -> InstalledPackage:
    """Download the pair's package from the Argos index, validate it and install it."""
    root = Path(directory) if directory is not None else packages_dir()
    try:
        index = fetch_index(index_url, timeout=timeout)
    except ModelError as e:
        e.hint = _offline_hint(from_code, to_code)
        raise
    offers = [m for m in index if m.get("from_code") == from_code and m.get("to_code") == to_code
              and m.get("type", "translate") == "translate" and m.get("links")]
    if not offers:
        pairs = sorted({f"{m.get('from_code')} {m.get('to_code')}" for m in index})
        raise ModelError(f"the Argos package index has no {from_code}→{to_code} package",
                         hint="Available pairs: " + ", ".join(pairs[:40]))
    best = max((InstalledPackage.from_metadata(Path("."), m) for m in offers), key=_version_key)
    meta = next(m for m in offers if str(m.get("package_version", "")) == best.package_version)
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX + "download-", suffix=".argosmodel", dir=root)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        errors = []
        for link in meta["links"]:
            try:
                with open(tmp, "wb") as out:
                    _stream(link, out, timeout, progress, f"{from_code}→{to_code}", on_progress)
                break
            except (urllib.error.URLError, OSError, ValueError) as e:
                errors.append(f"{link}: {getattr(e, 'reason', None) or e}")
        else:
            raise ModelError(f"cannot download the {from_code}→{to_code} package: " + "; ".join(errors),
                             hint=_offline_hint(from_code, to_code))
        return install_package_file(tmp, root)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _stream(url: str, out: Any, timeout: float, progress: bool, label: str,
            on_progress: Callable[[int, int | None], None] | None) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "aligner"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        total = r.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=f"downloading {label}", leave=False)
        done = 0
        try:
            while chunk := r.read(1 << 20):
                out.write(chunk)
                done += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
                if on_progress is not None:
                    on_progress(done, total)
        finally:
            if bar is not None:
                bar.close()
        if total is not None and done < total:
            raise OSError(f"the download stopped after {done} of {total} bytes")
