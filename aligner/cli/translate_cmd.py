"""`aligner translate` commands (being written)."""
