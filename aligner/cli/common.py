"""What every command shares: turning AlignerError into one message and an exit code."""

from __future__ import annotations

import sys

import click

from aligner.errors import EXIT_INTERRUPTED, AlignerError


class AlignerGroup(click.Group):
    """A click group that prints library errors as `aligner: file:line: message` and exits
    with the error's documented code, instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AlignerError as e:
            click.echo(f"aligner: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("aligner: interrupted; finished outputs are kept, no partial file was left.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `aligner ... | head` closing the pipe is not an error.
            sys.stderr.close()
            ctx.exit(0)
