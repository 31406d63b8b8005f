"""Shared test fixtures.

Translation models: real Argos packages built once per session by tests/fixture_model.py
(a word-for-word CTranslate2 transformer and a sentencepiece model, for en->zh and zh->en).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

# The suite runs on a few shared cores: OpenMP threads that spin while they wait (the default
# of CTranslate2's OpenMP) slow the small test models down several times there. This must be
# set before ctranslate2 is first loaded; subprocesses inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, str(Path(__file__).parent))  # tests/fixture_model.py, importable by name

import fixture_model  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def fixture_packages(tmp_path_factory) -> dict[str, Path]:
    """{"en-zh": package folder, "zh-en": package folder}, built once. Do not modify them:
    use `argos_dir`, which holds copies."""
    root = tmp_path_factory.mktemp("fixture-packages")
    return {d: fixture_model.build_package(d, root) for d in ("en-zh", "zh-en")}


@pytest.fixture(scope="session")
def argosmodel_files(fixture_packages, tmp_path_factory) -> dict[str, Path]:
    """{"en-zh": path of translate-en_zh-fixture.argosmodel, "zh-en": ...} (zip files)."""
    root = tmp_path_factory.mktemp("argosmodel")
    return {d: fixture_model.zip_package(p, root / f"{p.name}.argosmodel")
            for d, p in fixture_packages.items()}


@pytest.fixture
def argos_dir(tmp_path, monkeypatch, fixture_packages) -> Path:
    """A fresh packages directory with both fixture models installed, set as
    ARGOS_PACKAGES_DIR (where argospm, LibreTranslate and aligner look for models)."""
    root = tmp_path / "argos-packages"
    root.mkdir()
    for pkg in fixture_packages.values():
        shutil.copytree(pkg, root / pkg.name)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(root))
    return root


@pytest.fixture
def empty_argos_dir(tmp_path, monkeypatch) -> Path:
    """ARGOS_PACKAGES_DIR set to an empty directory: no model installed."""
    root = tmp_path / "argos-empty"
    root.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(root))
    return root


@pytest.fixture
def serve():
    """serve(paths, glossary=None) -> a running `aligner review` server (ReviewServer) on a free
    port for the bitext files `paths`; every server started is stopped after the test, its
    background warm-up finished first (so that no thread outlives the test)."""
    import threading

    from aligner.review import open_editors
    from aligner.review.server import ReviewServer

    servers = []

    def start(paths, **kw):
        srv = ReviewServer(open_editors(paths, **kw))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()
        srv.warming.join()
