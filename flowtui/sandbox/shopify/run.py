"""Run a Shopify sandbox in the foreground: ``python -m flowtui.sandbox.shopify`` and ``flowtui sandbox shopify``."""
from __future__ import annotations

import argparse
from datetime import date

from flowtui.sandbox.serving import serve_until_interrupted
from flowtui.sandbox.shopify.server import ShopifySandbox


def serve(port: int = 8766, seed: int = 1, days: int = 14, token: str = "shpat_sandbox", echo=print, *,
          host: str = "127.0.0.1", fail_every: int | None = None, api_version: str = "2025-07",
          end_date: date | None = None) -> None:
    """Run a Shopify sandbox in the foreground until Ctrl-C."""
    sandbox = ShopifySandbox(seed=seed, days=days, token=token, fail_every=fail_every, api_version=api_version,
                             end_date=end_date)
    url = sandbox.start(host, port)
    orders = sandbox.orders()
    echo(f"Shopify sandbox at {url} (endpoint {sandbox.graphql_url})")
    echo(f"shop: {sandbox.shop_domain}  access token: {sandbox.token}")
    echo(f"{len(orders):,} orders ({sum(o['test'] for o in orders)} test) at {len(sandbox.locations())} POS locations "
         f"and online, local dates {sandbox.start_date} .. {sandbox.end_date}; cost bucket "
         f"{sandbox.bucket.maximum:g} points, {sandbox.bucket.restore_rate:g}/s"
         f"{f'; every {fail_every}th request fails (503)' if fail_every else ''}. Ctrl-C stops it.")
    serve_until_interrupted(sandbox, echo)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flowtui.sandbox.shopify", description=serve.__doc__)
    for name, default in (("--host", "127.0.0.1"), ("--port", 8766), ("--seed", 1), ("--days", 14),
                          ("--token", "shpat_sandbox")):
        parser.add_argument(name, type=type(default), default=default)
    parser.add_argument("--fail-every", type=int, default=None, help="answer every Nth request with a 503")
    parser.add_argument("--end-date", type=date.fromisoformat, default=None, help="last local day (default yesterday)")
    args = parser.parse_args(argv)
    serve(args.port, args.seed, args.days, args.token, host=args.host, fail_every=args.fail_every, end_date=args.end_date)
