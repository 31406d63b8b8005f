"""Errors a user can cause, and the exit codes scripts can rely on.

Every error carries what a translator needs to fix it: the file, the line when
there is one, and what to do. The CLI prints `message` and exits with `exit_code`;
library callers catch `AlignerError`.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes (documented in README.md, "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1  # the command worked and found problems (glossary check/lint)
EXIT_USAGE = 2  # bad command line (click's own code)
EXIT_INPUT = 3  # an input file is missing, unreadable, malformed or empty
EXIT_MODEL = 4  # no model for the language pair, or a broken model package
EXIT_OUTPUT = 5  # output cannot be written (permissions, disk full, busy)
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM (128 + 15), cleaned up as for Ctrl-C


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that it cleans up (temporary files, folders)
    exactly as for Ctrl-C: the CLI turns SIGTERM into this exception."""


class AlignerError(Exception):
    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        text = where + self.message
        if self.hint:
            text += "\n  " + self.hint
        return text


class InputError(AlignerError):
    exit_code = EXIT_INPUT


class ModelError(AlignerError):
    exit_code = EXIT_MODEL


class OutputError(AlignerError):
    exit_code = EXIT_OUTPUT


class UsageError(AlignerError, ValueError):
    """Options that do not go together (--translation with --mt, a batch without -o DIR).
    The CLI shows it as click shows a usage error; library callers get the same rule."""

    exit_code = EXIT_USAGE


# --keep-going: some inputs were refused (each listed with why), every other one was done.
EXIT_PARTIAL = 6


class BatchError(AlignerError):
    """Several inputs of one batch refused at once, each with its own message: a run lists
    every bad file, not only the first. The exit code is theirs when they share one."""

    def __init__(self, errors: "list[AlignerError]", total: int, verb: str = "translate",
                 keep_going: bool = False):
        self.errors = list(errors)
        n = len(self.errors)
        what = "file" if total == 1 else "files"
        lines = [f"{n} of {total} {what} cannot be {verb}d; nothing was written:"]
        for e in self.errors:
            lines.append("  " + str(e).replace("\n", "\n  "))
        super().__init__("\n".join(lines),
                         hint=None if keep_going else f"Fix them, or pass --keep-going to {verb} the others.")
        codes = {e.exit_code for e in self.errors}
        self.exit_code = codes.pop() if len(codes) == 1 else EXIT_INPUT
