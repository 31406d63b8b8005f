"""`aligner export` commands (being written)."""
