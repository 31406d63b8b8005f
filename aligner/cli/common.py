"""What every command shares: turning AlignerError into one message and an exit code."""

from __future__ import annotations

import signal
import sys
import threading

import click

from aligner.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, AlignerError, Terminated


class AlignerGroup(click.Group):
    """A click group that prints library errors as `aligner: file:line: message` and exits
    with the error's documented code, instead of a traceback."""

    def invoke(self, ctx: click.Context):
        previous = _terminate_as_exception()
        try:
            return super().invoke(ctx)
        except AlignerError as e:
            click.echo(f"aligner: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except Terminated:
            click.echo("aligner: terminated; finished outputs are kept, no partial file was left.", err=True)
            ctx.exit(EXIT_TERMINATED)
        except KeyboardInterrupt:
            click.echo("aligner: interrupted; finished outputs are kept, no partial file was left.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `aligner ... | head` closing the pipe is not an error.
            sys.stderr.close()
            ctx.exit(0)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _terminate_as_exception():
    """SIGTERM (a `kill`, a service manager, a closed session) raises Terminated, so that the
    command cleans up as for Ctrl-C (a half-installed model's folder, temporary files) instead
    of dying where it stands. Returns the handler to restore (None: not installed)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminated(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
        raise Terminated()

    try:
        return signal.signal(signal.SIGTERM, terminated)
    except (ValueError, OSError):  # pragma: no cover - no signals here
        return None
