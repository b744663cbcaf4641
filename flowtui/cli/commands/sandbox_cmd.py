"""flowtui sandbox storehub: a local StoreHub-compatible API for trying things out."""

from __future__ import annotations

import click

from flowtui.cli.output import echo


@click.group()
def sandbox():
    """Local stand-ins for the services streams connect to."""


@sandbox.command("storehub")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated data.")
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True,
              help="Days of transactions up to yesterday.")
@click.option("--no-rate-limit", is_flag=True, help="Lift the 3 requests/second limit.")
def sandbox_storehub(port, seed, days, no_rate_limit):
    """Serve a StoreHub-compatible API from generated data until Ctrl-C.

    Connect a stream to it with:
    flowtui stream add Sandbox --provider storehub --account sandbox --api-key sandbox-key
    --base-url http://127.0.0.1:8765 --start-date <first day>
    """
    from flowtui.sandbox.storehub import serve

    serve(port=port, seed=seed, days=days, rate_limit=None if no_rate_limit else 3.0, echo=echo)


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(sandbox)
