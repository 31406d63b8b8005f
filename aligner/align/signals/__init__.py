"""Alignment signals, one module each, registered by name (see `base.Signal`).

    from aligner.align.signals import get_signal, available_signals
    get_signal("lexicon")          # an instance, ready to `prepare` a pairing
"""

from __future__ import annotations

from aligner.align.signals.base import SIGNALS, Signal, register
from aligner.align.signals.coverage import CoverageSignal
from aligner.align.signals import (  # noqa: F401  (importing registers them)
    length, lexicon, names, numbers, punctuation, translation, glossary, cooccurrence, embedding,
    paragraph,
)


def available_signals() -> list[str]:
    return sorted(SIGNALS)


def get_signal(name: str, **options) -> Signal:
    try:
        cls = SIGNALS[name]
    except KeyError:
        raise KeyError(f"unknown alignment signal {name!r} (known: {', '.join(available_signals())})") from None
    return cls(**options)


__all__ = ["Signal", "CoverageSignal", "register", "get_signal", "available_signals", "SIGNALS"]
