"""The ``flowtui`` command line: a thin face over :mod:`flowtui.engine.services.flow`."""

from __future__ import annotations

import os
import sys

import click

from flowtui import __version__
from flowtui.cli.context import Context, pass_context, read_only
from flowtui.cli.output import echo
from flowtui.engine.core.errors import FlowError

__all__ = ["Context", "cli", "main", "pass_context", "read_only"]


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", metavar="PATH", envvar=None,
              help="DuckDB file to use (default: $FLOWTUI_DB, else the user data dir's flowtui/flow.duckdb).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="How long to wait for another process to release the database (default 10, or $FLOWTUI_LOCK_TIMEOUT).")
@click.version_option(__version__, prog_name="flowtui")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, lock_timeout: float | None) -> None:
    """flowtui: point-of-sale and e-commerce sales into your books.

    Streams sync orders into a DuckDB file; each day's orders per location roll
    up into a digest; digests are posted as invoices.
    """
    ctx.obj = Context(db_path, lock_timeout)
    if ctx.invoked_subcommand is None:
        if sys.stdout.isatty() and sys.stdin.isatty():
            from flowtui.app import run_console

            run_console(ctx.obj.flow)
        else:
            echo(ctx.get_help())


from flowtui.cli.commands import (  # noqa: E402  (registers commands)
    books_cmds,
    demo_cmd,
    digest_cmds,
    ledger_cmds,
    ledger_export_cmd,
    minipos_cmds,
    notebook_cmds,
    pdf_cmds,
    rejection_cmds,
    sandbox_cmd,
    schedule_cmd,
    stream_cmds,
    tax_cmds,
    tui_cmds,
)

for module in (books_cmds, stream_cmds, tax_cmds, digest_cmds, rejection_cmds, ledger_cmds, ledger_export_cmd, pdf_cmds,
               minipos_cmds, notebook_cmds, schedule_cmd, sandbox_cmd, demo_cmd, tui_cmds):
    module.register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors go to stderr with a non-zero exit, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="flowtui", standalone_mode=False)
        if isinstance(code, int) and code:  # a command's ctx.exit(n) / Exit(n) comes back as a value
            sys.exit(code)
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except FlowError as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: say so plainly, keep the traceback for FLOWTUI_DEBUG
        if os.environ.get("FLOWTUI_DEBUG"):
            raise
        echo(
            f"Error: flowtui hit an unexpected problem ({type(exc).__name__}: {exc}). "
            "Run again with FLOWTUI_DEBUG=1 for details and please report it.",
            err=True,
        )
        sys.exit(70)
