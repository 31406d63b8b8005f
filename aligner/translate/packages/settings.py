"""Where Argos Translate packages live, and where its package index is: its settings.

The directory is resolved at call time exactly as `argostranslate.settings` resolves it at
import time (that module creates directories and reads the environment when imported, so it is
not imported just to learn a path):

1. the `ARGOS_PACKAGES_DIR` environment variable;
2. `ARGOS_PACKAGES_DIR` in `$XDG_CONFIG_HOME/argos-translate/settings.json`
   (default `~/.config/...`);
3. `$XDG_DATA_HOME/argos-translate/packages` (default `~/.local/share/...`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DEFAULT_PACKAGE_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
# Folders this package creates inside the packages directory while it works; never packages.
TEMP_PREFIX = ".aligner-"


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
    except (OSError, ValueError, RecursionError):  # a broken settings file is no setting
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
