"""Kept for existing callers: the rules every format shares are in aligner.formats.common
(language tags, characters XML cannot carry) and aligner.formats.review (review flags,
glossary terms, summaries)."""

from aligner.formats.common import *  # noqa: F401,F403
from aligner.formats.review import *  # noqa: F401,F403
