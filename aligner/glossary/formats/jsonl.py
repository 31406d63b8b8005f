"""Glossaries as JSON Lines: one object per term, for programs.

    {"source": "Zhu Zhiqiang", "target": "朱志强", "aliases": ["Zhu"], "case": null,
     "status": "preferred", "note": "...", "src_lang": "en", "tgt_lang": "zh"}

Only "source" and "target" are required; other keys are kept as extra columns.
"""

from __future__ import annotations

import json

from aligner.glossary.formats.base import GlossaryFormat, Parsed, Problem, decode
from aligner.glossary.formats.tsv import split_lines
from aligner.glossary.model import COLUMNS, LANGS, Glossary
from aligner.io.text import lone_surrogate, surrogate_error

_LANG_KEYS = ("src_lang", "tgt_lang")


class JsonlFormat(GlossaryFormat):
    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")
    description = "one JSON object per term (programs)"

    def parse(self, data: bytes, path: str, keep_raw: bool = True) -> Parsed:
        text = decode(data, path)
        parsed = Parsed([], [], list(COLUMNS), [])
        for lineno, line in enumerate(split_lines(text), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                parsed.problems.append(Problem(lineno, "json", f"not valid JSON ({e.msg})",
                                               hint="One JSON object per line."))
                continue
            except RecursionError:
                parsed.problems.append(Problem(lineno, "json", "JSON nested too deeply",
                                               hint="One JSON object per line."))
                continue
            if not isinstance(rec, dict):
                parsed.problems.append(Problem(lineno, "json", "expected a JSON object per line"))
                continue
            bad = lone_surrogate(rec) if "\\u" in line else None
            if bad:  # "\ud800" escapes: not characters, and no file can be written with them
                err = surrogate_error(bad, path, lineno)
                parsed.problems.append(Problem(lineno, "unicode", err.message, hint=err.hint))
                continue
            for k in ("source", "target"):
                if k not in rec:
                    parsed.problems.append(Problem(lineno, "empty", f"no {k!r} key"))
            langs = tuple(rec.get(k) for k in _LANG_KEYS)
            if all(langs):
                if langs[0] not in LANGS or langs[1] not in LANGS or langs[0] == langs[1]:
                    parsed.problems.append(Problem(lineno, "lang", f"unsupported languages {langs}",
                                                   hint="Use en and zh."))
                    continue
                if parsed.src_lang is None:
                    parsed.src_lang, parsed.tgt_lang = langs
                elif langs != (parsed.src_lang, parsed.tgt_lang):
                    parsed.problems.append(Problem(
                        lineno, "lang", f"languages {langs[0]}-{langs[1]} differ from the first "
                        f"row's {parsed.src_lang}-{parsed.tgt_lang}",
                        hint="All rows of one glossary pair the same languages."))
                    continue
            values: dict[str, str] = {}
            for k, v in rec.items():
                if k in _LANG_KEYS:
                    continue
                if k == "aliases" and isinstance(v, list):
                    v = "|".join(str(a) for a in v)
                values[k] = "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            parsed.add_row(lineno, values, new_columns=True)
        return parsed

    def dumps(self, glossary: Glossary) -> bytes:
        lines = []
        for t in glossary.terms:
            rec = {"source": t.source, "target": t.target, "aliases": t.aliases, "case": t.case,
                   "status": t.status, "note": t.note, **t.extra,
                   "src_lang": t.src_lang, "tgt_lang": t.tgt_lang}
            lines.append(json.dumps(rec, ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode("utf-8")
