"""Kept for existing callers: the tsv format lives in aligner.formats.tsv (reader and writer)."""

from aligner.formats.tsv import *  # noqa: F401,F403
