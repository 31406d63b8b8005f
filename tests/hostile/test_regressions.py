"""Replay every input the fuzzer (tools/fuzz_import.py) found crashing a reader: each must now
be read or refused with AlignerError. Runs without atheris."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import fuzz_import  # noqa: E402

INPUTS = sorted(fuzz_import.REGRESSIONS.glob("*.bin"))


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_fuzzer_found_input_is_read_or_refused(path):
    target = next(t for t in sorted(fuzz_import.TARGETS, key=len, reverse=True) if path.name.startswith(t + "-"))
    fuzz_import.replay(target, path.read_bytes())


@pytest.mark.parametrize("target", sorted(fuzz_import.TARGETS))
def test_every_fuzz_target_refuses_garbage_cleanly(target):
    """The targets themselves work without atheris (and the replay has something to run)."""
    for data in (b"", b"\x00\xff" * 10, b"<" * 100, "源\ttarget\n".encode(), b'{"type": "bitext"}\n'):
        fuzz_import.replay(target, data)
