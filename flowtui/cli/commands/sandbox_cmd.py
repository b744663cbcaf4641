"""flowtui sandbox storehub|shopify|bukku: local StoreHub- and Shopify-compatible APIs for trying things out."""

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


@sandbox.command("shopify")
@click.option("--port", type=click.IntRange(0, 65535), default=8766, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated data.")
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True,
              help="Days of orders up to yesterday.")
@click.option("--token", default="shpat_sandbox", show_default=True, help="The access token it accepts.")
@click.option("--fail-every", type=click.IntRange(1), default=None, help="Answer every Nth request with a 503.")
def sandbox_shopify(port, seed, days, token, fail_every):
    """Serve a Shopify GraphQL Admin API from generated orders until Ctrl-C.

    Connect a stream to it with:
    flowtui stream add Shop --provider shopify --shop kedai-kopi-kita.myshopify.com --access-token shpat_sandbox
    --base-url http://127.0.0.1:8766 --start-date <first day>
    """
    from flowtui.sandbox.shopify import serve

    serve(port=port, seed=seed, days=days, token=token, fail_every=fail_every, echo=echo)


@sandbox.command("bukku")
@click.option("--port", type=click.IntRange(0, 65535), default=8769, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--token", default="bukku-sandbox-token", show_default=True, help="The bearer token it accepts.")
@click.option("--subdomain", default="kedai-kopi", show_default=True, help="The Company-Subdomain it accepts.")
@click.option("--fail-every", type=click.IntRange(1), default=None, help="Answer every Nth request with a 503.")
@click.option("--no-rate-limit", is_flag=True, help="Lift the 10 requests/second limit.")
def sandbox_bukku(port, token, subdomain, fail_every, no_rate_limit):
    """Serve a Bukku Accounting API (its own books, seeded with accounts, tax codes, locations, contacts and
    products) until Ctrl-C. Its ledger: GET /_sandbox/summary.

    Send a stream's postings to it with:
    flowtui target add Books --provider bukku --subdomain kedai-kopi --token bukku-sandbox-token
    --base-url http://127.0.0.1:8769
    """
    from flowtui.sandbox.bukku import serve

    serve(port=port, token=token, subdomain=subdomain, fail_every=fail_every, rate_limit=None if no_rate_limit else 10,
          echo=echo)


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(sandbox)
