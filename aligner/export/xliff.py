"""Kept for existing callers: the xliff format lives in aligner.formats.xliff (reader and writer)."""

from aligner.formats.xliff import *  # noqa: F401,F403
