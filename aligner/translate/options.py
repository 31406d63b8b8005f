"""The ranges of the decoding options, in a module of their own so that the CLI can build its
options (and `aligner --help`) without importing the engine, CTranslate2 or the package index."""

from __future__ import annotations

# Longest input CTranslate2 reads (its `max_input_length` default): longer inputs would be
# cut off silently, so the pipeline refuses them with a message naming the file and line.
MAX_INPUT_LENGTH = 1024
# The range of each decoding option (the CLI's --beam-size, --batch-size, --threads and
# --max-length take these ranges): beyond them CTranslate2 crashes (100,000 threads is a
# SIGSEGV) or asks for more memory than a machine has.
OPTION_RANGES = {"beam_size": (1, 32), "batch_size": (1, 1024), "threads": (0, 128),
                 "max_decoding_length": (1, MAX_INPUT_LENGTH)}
