"""Run a Bukku sandbox in the foreground: ``python -m flowtui.sandbox.bukku`` and ``flowtui sandbox bukku``."""
from __future__ import annotations

import argparse

from flowtui.sandbox.bukku.company import SUBDOMAIN
from flowtui.sandbox.bukku.server import RATE_LIMIT, TOKEN, BukkuSandbox
from flowtui.sandbox.serving import serve_until_interrupted


def serve(port: int = 8769, token: str = TOKEN, subdomain: str = SUBDOMAIN, echo=print, *, host: str = "127.0.0.1",
          fail_every: int | None = None, rate_limit: int | None = RATE_LIMIT) -> None:
    """Run a Bukku Accounting sandbox in the foreground until Ctrl-C."""
    sandbox = BukkuSandbox(token=token, subdomain=subdomain, fail_every=fail_every, rate_limit=rate_limit)
    url = sandbox.start(host, port)
    books = sandbox.books
    echo(f"Bukku sandbox at {url}  (summary: {url}/_sandbox/summary)")
    echo(f"headers: Authorization: Bearer {sandbox.token}   Company-Subdomain: {sandbox.subdomain}")
    echo(f"{len(books.accounts)} accounts, {len(books.tax_codes)} tax codes, {len(books.locations)} locations, "
         f"{len(books.contacts)} contacts, {len(books.products)} products; "
         f"{f'at most {rate_limit} requests/s' if rate_limit else 'no rate limit'}"
         f"{f'; every {fail_every}th request fails (503)' if fail_every else ''}. Ctrl-C stops it.")
    serve_until_interrupted(sandbox, echo)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flowtui.sandbox.bukku", description=serve.__doc__)
    for name, default in (("--host", "127.0.0.1"), ("--port", 8769), ("--token", TOKEN), ("--subdomain", SUBDOMAIN)):
        parser.add_argument(name, type=type(default), default=default)
    parser.add_argument("--fail-every", type=int, default=None, help="answer every Nth request with a 503")
    parser.add_argument("--rate-limit", type=int, default=RATE_LIMIT, help="requests a second (0: none)")
    args = parser.parse_args(argv)
    serve(args.port, args.token, args.subdomain, host=args.host, fail_every=args.fail_every,
          rate_limit=args.rate_limit or None)
