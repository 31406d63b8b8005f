"""Kept for existing callers: the html format lives in aligner.formats.html (reader and writer)."""

from aligner.formats.html import *  # noqa: F401,F403
