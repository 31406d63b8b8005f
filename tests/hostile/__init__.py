"""The hostile-input and fault suite (issue 6): every command against broken, hostile and
oddly encoded input, interrupted and concurrent runs, full disks, and property-based tests.
`python3 bench/hostile_summary.py` prints the per-command table."""
