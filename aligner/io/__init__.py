"""Readers and writers: text files, the JSONL bitext, atomic output."""
