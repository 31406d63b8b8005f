"""Kept for existing callers: the tmx format lives in aligner.formats.tmx (reader and writer)."""

from aligner.formats.tmx import *  # noqa: F401,F403
