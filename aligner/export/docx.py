"""Kept for existing callers: the docx format lives in aligner.formats.docx (reader and writer)."""

from aligner.formats.docx import *  # noqa: F401,F403
