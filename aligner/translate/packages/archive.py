"""Installing an .argosmodel file: validate the zip before anything is written, then extract.

An .argosmodel is a zip holding one folder with `metadata.json`, `model/model.bin` and
`sentencepiece.model`. The zip is checked first (members escaping the folder, links, missing
files, bad metadata, checksums), extracted into a temporary folder inside the packages
directory, its tokenizer and model loaded once, and renamed into place; an existing package
for the same language pair is replaced only after the new one is complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from aligner.errors import InputError, ModelError
from aligner.translate.packages.package import (MAX_METADATA_BYTES, InstalledPackage, _metadata_problem,
                                                hold_folder, list_packages, remove_stale_temporaries)
from aligner.translate.packages.settings import TEMP_PREFIX, packages_dir

REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")
# The most an .argosmodel may unpack to: the largest Argos packages are under 1 GB.
MAX_PACKAGE_BYTES = 3 << 30


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
    # What the members would take on disk, as the zip states it (zipfile never reads a member
    # past its stated size): a zip bomb is refused before a byte of it is read.
    total = sum(i.file_size for i in names)
    if total > MAX_PACKAGE_BYTES:
        raise _refuse(path, f"the archive would unpack to {total:,} bytes; Argos packages take a few "
                            f"hundred megabytes (at most {MAX_PACKAGE_BYTES:,} bytes are unpacked)",
                      hint="The file may be a zip bomb; nothing was installed.")
    members = {str(PurePosixPath(i.filename)).rstrip("/") for i in names}
    missing = [f for f in REQUIRED_FILES if f"{top}/{f}" not in members]
    if "metadata.json" in missing:
        raise _refuse(path, f"not an Argos package: no {top}/metadata.json")
    info = zf.getinfo(next(i.filename for i in names
                           if str(PurePosixPath(i.filename)).rstrip("/") == f"{top}/metadata.json"))
    if info.file_size > MAX_METADATA_BYTES:  # what the zip says, before reading a byte
        raise _refuse(path, f"metadata.json is {info.file_size:,} bytes; package metadata is a few "
                            f"kilobytes (at most {MAX_METADATA_BYTES:,} bytes are read)")
    with zf.open(info) as f:
        data = f.read(MAX_METADATA_BYTES + 1)  # the size a zip states can lie
    if len(data) > MAX_METADATA_BYTES:
        raise _refuse(path, f"metadata.json is larger than {MAX_METADATA_BYTES:,} bytes")
    try:
        metadata = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise _refuse(path, f"metadata.json is not valid JSON ({e})") from None
    except RecursionError:
        raise _refuse(path, "metadata.json is not valid package metadata (nested too deeply)") from None
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
            remove_stale_temporaries(root)  # what a killed install left behind
            staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "install-", dir=root))
        except OSError as e:
            raise ModelError(f"cannot write to the packages directory: {e.strerror}", path=root,
                             hint="Set ARGOS_PACKAGES_DIR to a writable directory.") from None
        held = hold_folder(staging)  # tells a concurrent install that this folder is in use
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
            if held is not None:
                os.close(held)


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
            aside = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "old-", dir=root)) / p.path.name
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
