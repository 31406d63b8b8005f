"""Kept for existing callers: the jsonl format lives in aligner.formats.jsonl (reader and writer)."""

from aligner.formats.jsonl import *  # noqa: F401,F403
