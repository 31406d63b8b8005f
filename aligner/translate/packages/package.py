"""Installed packages: what an Argos package folder is, and finding, listing and removing them.

A package is a folder with `metadata.json`, `model/` (a CTranslate2 model) and
`sentencepiece.model`, in the packages directory (`settings.packages_dir`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aligner.errors import ModelError
from aligner.translate.packages.settings import TEMP_PREFIX, packages_dir

# Argos metadata.json files are a few kilobytes: more is not package metadata (and a hostile
# file of gigabytes of valid JSON would exhaust memory if read whole).
MAX_METADATA_BYTES = 1 << 20


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
            with open(meta_path, "rb") as f:
                data = f.read(MAX_METADATA_BYTES + 1)  # another tool may have put anything there
            if len(data) > MAX_METADATA_BYTES:
                raise ModelError(f"metadata.json is larger than {MAX_METADATA_BYTES:,} bytes: not package "
                                 "metadata", path=path)
            metadata = json.loads(data.decode("utf-8"))
        except FileNotFoundError:
            raise ModelError("not an Argos package: no metadata.json", path=path) from None
        except (OSError, ValueError) as e:
            raise ModelError(f"unreadable metadata.json ({e})", path=path) from None
        except RecursionError:
            raise ModelError("unreadable metadata.json (nested too deeply)", path=path) from None
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
    """Installed packages, sorted by language pair. A folder that is not a usable package (one
    another tool left broken) is skipped with a warning naming it, on stderr, once per run:
    one bad folder does not stop the others from being used."""
    root = Path(directory) if directory is not None else packages_dir()
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            found.append(InstalledPackage.load(child))
        except ModelError as e:
            _warn_once(child, e)
            continue
    return sorted(found, key=lambda p: (p.from_code, p.to_code, p.name))


_WARNED: set[str] = set()


def _warn_once(folder: Path, error: ModelError) -> None:
    key = str(folder.resolve())
    if key in _WARNED:
        return
    _WARNED.add(key)
    import sys

    print(f"aligner: warning: skipped {folder}: {error.message}", file=sys.stderr)


def hold_folder(folder: Path) -> int | None:
    """Hold an exclusive lock (flock) on a temporary folder while it is in use, so that
    `remove_stale_temporaries` in another process leaves it alone. Close the fd to release."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def remove_stale_temporaries(root: Path, min_age: float = 3600.0) -> None:
    """Remove what a killed install, download or removal left in the packages directory
    (`.aligner-*` folders and files). A folder still in use is locked (`hold_folder`) and
    kept; a download file is kept while it is younger than `min_age` seconds. A package a
    killed upgrade had set aside, whose place is empty, is put back rather than removed."""
    import time

    try:
        entries = [e for e in root.iterdir() if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir() and not entry.is_symlink():
                fd = hold_folder(entry)
                if fd is None:
                    continue  # in use by another run
                try:
                    if entry.name.startswith(TEMP_PREFIX + "old-"):
                        for parked in entry.iterdir():
                            if not (root / parked.name).exists():
                                os.replace(parked, root / parked.name)
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    os.close(fd)
            elif time.time() - entry.lstat().st_mtime > min_age:
                entry.unlink()
        except OSError:
            continue


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


def remove_package(from_code: str, to_code: str, directory: str | Path | None = None) -> list[InstalledPackage]:
    """Remove every installed package for the pair; ModelError if there is none."""
    root = Path(directory) if directory is not None else packages_dir()
    gone = [p for p in list_packages(root) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not gone:
        raise ModelError(f"no {from_code}→{to_code} model is installed (in {root})",
                         hint="`aligner models list` shows what is installed.")
    for p in gone:
        # Rename first so a half-deleted folder never looks like a package.
        aside = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "remove-", dir=root))
        try:
            os.replace(p.path, aside / p.path.name)
        except OSError as e:
            shutil.rmtree(aside, ignore_errors=True)
            raise ModelError(f"cannot remove: {e.strerror}", path=p.path) from None
        shutil.rmtree(aside, ignore_errors=True)
    return gone
