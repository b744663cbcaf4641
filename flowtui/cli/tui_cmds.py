"""flowtui tui / flowtui web: the Flow console, in the terminal or in a browser."""

from __future__ import annotations

import shlex
import sys

import click


def register(cli: click.Group) -> None:
    from flowtui.cli import pass_context

    @cli.command()
    @pass_context
    def tui(ctx):
        """Open the Flow console (also what `flowtui` alone does on a terminal)."""
        from flowtui.app import run_console

        run_console(ctx.flow)

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
    @pass_context
    def web(ctx, host, port):
        """Serve the Flow console in a browser (textual-serve), on 127.0.0.1 unless told otherwise."""
        from textual_serve.server import Server

        command = " ".join(shlex.quote(part) for part in [
            sys.executable, "-m", "flowtui", "--db", str(ctx.flow.db.path), "tui"])
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"Warning: serving on {host}: anyone who can reach it can use the console.", err=True)
        Server(command, host=host, port=port, title="flowtui").serve()
