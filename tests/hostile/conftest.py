"""Fixtures of the hostile suite: the corpus of hostile files, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cases import build_corpus


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory, fixture_packages) -> Path:
    """root/{text,glossary,memory,bitext,argosmodel}/...: see tests/hostile/corpus.py."""
    return build_corpus(tmp_path_factory.mktemp("hostile-corpus"), fixture_packages)


@pytest.fixture(scope="session")
def packages_root(fixture_packages) -> Path:
    """The folder holding both fixture packages, for ARGOS_PACKAGES_DIR (read only)."""
    roots = {p.parent for p in fixture_packages.values()}
    assert len(roots) == 1
    return roots.pop()
