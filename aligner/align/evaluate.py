"""Scoring an alignment against gold beads, as the data README defines it.

Gold files have one bead per line, `[3,4]:[5]` (0-based sentence numbers; `[7]:[]` and
`[]:[9]` for unaligned sentences). Strict F1: a predicted bead counts only if it equals a gold
bead exactly. For verse-level gold (the Bible), consecutive predicted beads whose sentences all
lie in one verse are first merged into one bead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from aligner.errors import InputError

Beads = list[tuple[list[int], list[int]]]


def parse_bead(line: str) -> tuple[list[int], list[int]]:
    left, sep, right = line.strip().partition(":")
    if not sep:
        raise ValueError("expected [i,...]:[j,...]")
    a, b = json.loads(left), json.loads(right)
    if not (isinstance(a, list) and isinstance(b, list)
            and all(isinstance(x, int) for x in a + b)):
        raise ValueError("expected lists of sentence numbers")
    return a, b


def read_gold(path: str | Path) -> Beads:
    beads: Beads = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    beads.append(parse_bead(line))
                except RecursionError:  # [[[[... 100,000 deep
                    raise InputError(f"not a gold bead (nested too deeply): {line.strip()[:60]!r}",
                                     path=path, line=lineno,
                                     hint="Gold beads look like [3,4]:[5], one per line.") from None
                except ValueError as e:
                    raise InputError(f"not a gold bead ({e}): {line.strip()[:60]!r}", path=path,
                                     line=lineno, hint="Gold beads look like [3,4]:[5], one per line.") from None
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a gold file", path=path) from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", path=path) from None
    return beads


def format_bead(src: Sequence[int], tgt: Sequence[int]) -> str:
    return f"[{','.join(map(str, src))}]:[{','.join(map(str, tgt))}]"


def merge_by_unit(beads: Beads, src_units: Sequence[str], tgt_units: Sequence[str]) -> Beads:
    """Merge consecutive beads whose sentences all belong to one unit (a verse)."""
    out: Beads = []
    cur_unit = None
    for src, tgt in beads:
        units = {src_units[i] for i in src} | {tgt_units[j] for j in tgt}
        unit = next(iter(units)) if len(units) == 1 else None
        if out and unit is not None and unit == cur_unit:
            out[-1][0].extend(src)
            out[-1][1].extend(tgt)
        else:
            out.append((list(src), list(tgt)))
            cur_unit = unit
    return out


def strict_counts(pred: Beads, gold: Beads) -> tuple[int, int, int]:
    """(matched, predicted, gold) bead counts."""
    g = {(tuple(a), tuple(b)) for a, b in gold}
    matched = sum(1 for a, b in pred if (tuple(a), tuple(b)) in g)
    return matched, len(pred), len(gold)


def f1(matched: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = matched / predicted if predicted else 0.0
    r = matched / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
