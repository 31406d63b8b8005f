"""Downloading packages: the Argos package index, and a package fetched from it and installed."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from aligner.errors import ModelError
from aligner.translate.packages.archive import install_package_file
from aligner.translate.packages.package import InstalledPackage, _version_key
from aligner.translate.packages.settings import TEMP_PREFIX, package_index_url, packages_dir


def _offline_hint(from_code: str, to_code: str) -> str:
    return (f"If this machine is offline, download the {from_code}_{to_code} .argosmodel file on "
            f"another machine (https://www.argosopentech.com/argospm/index/) and run "
            f"`aligner models install FILE.argosmodel`.")


MAX_INDEX_BYTES = 64 << 20
MAX_DOWNLOAD_BYTES = 3 << 30  # as archive.MAX_PACKAGE_BYTES: Argos packages are under 1 GB


def fetch_index(url: str | None = None, timeout: float = 30) -> list[dict[str, Any]]:
    """The Argos package index: a list of package metadata records."""
    url = url or package_index_url()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "aligner"}),
                                    timeout=timeout) as r:
            raw = r.read(MAX_INDEX_BYTES + 1)  # the index is a few hundred kilobytes
            if len(raw) > MAX_INDEX_BYTES:
                raise ValueError(f"larger than {MAX_INDEX_BYTES:,} bytes")
            data = json.loads(raw.decode("utf-8"))
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise ModelError(f"cannot download the Argos package index from {url}: {reason}",
                         hint=_offline_hint("FROM", "TO")) from None
    except (ValueError, RecursionError) as e:
        raise ModelError(f"the package index at {url} is not valid JSON ({e or 'nested too deeply'})") from None
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
    from aligner.translate.packages.package import remove_stale_temporaries

    remove_stale_temporaries(root)  # what a killed download or install left behind
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX + "download-", suffix=".argosmodel", dir=root)
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
                if done > MAX_DOWNLOAD_BYTES:  # a server that never stops must not fill the disk
                    raise ValueError(f"more than {MAX_DOWNLOAD_BYTES:,} bytes; not an Argos package")
                if bar is not None:
                    bar.update(len(chunk))
                if on_progress is not None:
                    on_progress(done, total)
        finally:
            if bar is not None:
                bar.close()
        if total is not None and done < total:
            raise OSError(f"the download stopped after {done} of {total} bytes")
