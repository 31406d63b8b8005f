"""`aligner align` commands (being written)."""
