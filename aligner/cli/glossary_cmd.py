"""`aligner glossary` commands (being written)."""
