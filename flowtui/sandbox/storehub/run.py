"""Run a StoreHub sandbox in the foreground: ``python -m flowtui.sandbox.storehub`` and ``flowtui sandbox``."""
from __future__ import annotations

import argparse
from datetime import date

from flowtui.sandbox.serving import serve_until_interrupted
from flowtui.sandbox.storehub.server import StoreHubSandbox


def serve(port: int = 8765, seed: int = 1, days: int = 14, rate_limit: float | None = 3.0, echo=print, *,
          host: str = "127.0.0.1", end_date: date | None = None, scale: float = 1.0, busy_per_day: int = 420) -> None:
    """Run a sandbox in the foreground until Ctrl-C."""
    sandbox = StoreHubSandbox(seed=seed, days=days, end_date=end_date, rate_limit=rate_limit, scale=scale,
                              busy_per_day=busy_per_day)
    url = sandbox.start(host, port)
    echo(f"StoreHub sandbox at {url}")
    echo(f"account: {sandbox.account}  API key: {sandbox.api_key}")
    echo(f"{len(sandbox._rows):,} transactions in {len(sandbox.store_ids)} stores, local dates "
         f"{sandbox.start_date} .. {sandbox.end_date}; rate limit: "
         f"{'none' if rate_limit is None else f'{rate_limit:g} requests/s'}. Ctrl-C stops it.")
    serve_until_interrupted(sandbox, echo)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flowtui.sandbox.storehub", description=serve.__doc__)
    for name, default in (("--host", "127.0.0.1"), ("--port", 8765), ("--seed", 1), ("--days", 14)):
        parser.add_argument(name, type=type(default), default=default)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None, help="last local day (default yesterday)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every store's daily volume")
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args(argv)
    serve(args.port, args.seed, args.days, None if args.no_rate_limit else 3.0, host=args.host,
          end_date=args.end_date, scale=args.scale)
