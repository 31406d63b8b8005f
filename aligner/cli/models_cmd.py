"""`aligner models` commands (being written)."""
