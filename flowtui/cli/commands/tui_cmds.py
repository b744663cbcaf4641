"""flowtui tui / flowtui web: the Flow console, in the terminal or in a browser."""

from __future__ import annotations

import os
import shlex
import sys

import click

from flowtui.cli.context import pass_context


@click.command()
@pass_context
def tui(ctx):
    """Open the Flow console (also what `flowtui` alone does on a terminal)."""
    from flowtui.app import run_console

    run_console(ctx.flow)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="FLOWTUI_WEB_TOKEN", show_envvar=True, metavar="TOKEN",
              help="This run's secret (16+ URL-safe characters; default: a random one, printed in the link). "
                   "Prefer $FLOWTUI_WEB_TOKEN: the command line shows in process listings.")
@pass_context
def web(ctx, host, port, token):
    """Serve the Flow console in a browser (textual-serve), on 127.0.0.1 unless told otherwise.

    Only whoever holds this run's token gets in: open the link it prints at start
    (http://127.0.0.1:8000/?token=...), which sets a cookie for that page. Every request without
    the token, and every websocket from another origin (another site, or another port of this
    machine), is refused with 403. There is no way to serve without the token, on any address.
    """
    from flowtui import web as console_web

    token_given = token is not None
    token = console_web.checked_token(token) if token_given else console_web.new_token()
    os.environ.pop(console_web.TOKEN_ENV, None)  # the console processes it starts need no token
    command = " ".join(shlex.quote(part) for part in [
        sys.executable, "-m", "flowtui", "--db", str(ctx.flow.db.path), "tui"])
    if not console_web.is_loopback(host):
        click.echo(f"Warning: serving on {host}: anyone who can reach it can try the console. It lets in only "
                   "the link with this run's token, over plain http (use it on networks you trust).", err=True)
    console_web.ConsoleServer(command, token=token, host=host, port=port, token_given=token_given).serve()


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(tui)
    cli.add_command(web)
