"""flowtui demo."""

from __future__ import annotations

import sys

import click

from flowtui.cli.commands.digest_cmds import _progress_bar
from flowtui.cli.context import pass_context
from flowtui.cli.output import day, echo, show_money, table
from flowtui.engine.core.statuses import PostStatus
from flowtui.engine.digests.store import DigestFilter


@click.command()
@click.option("--db", "db_path", metavar="PATH", help="Build the demo in this file instead.")
@pass_context
def demo(ctx, db_path):
    """Build a demo database: a month of orders for two outlets, synced into digests."""
    from flowtui.engine.services.demo_setup import DEMO_STOREHUB, DEMO_STREAM, run_demo

    if db_path:
        ctx.db_path = db_path
    flow = ctx.flow
    with _progress_bar(sys.stderr.isatty()) as report:
        result = run_demo(flow, progress=report)
    company = flow.company()
    landing = result.outcome.landing
    echo(f"Demo database: {result.db_path}")
    echo(f"Company: {company.name} ({company.currency}, {company.timezone})")
    echo(f"Stream {DEMO_STREAM!r} (file) reads {result.folder}:")
    for path in result.files:
        echo(f"  {path.name}")
    echo(
        f"Synced: {landing.new:,} new, {landing.changed:,} changed, {landing.unchanged + landing.stale:,} unchanged, "
        f"{landing.rejected:,} rejected orders; {result.outcome.digests.created:,} digests created, "
        f"{result.outcome.digests.updated:,} updated."
    )
    posted = [p for p in result.outcome.postings if p.status == PostStatus.POSTED]
    if posted:
        echo(f"Auto invoice posted {len(posted)} ready day(s) as invoices and credit notes "
             "(today is still open).")
    if result.storehub:
        shub = result.storehub.landing
        echo(
            f"StoreHub stream {DEMO_STOREHUB!r} synced over HTTP from a local StoreHub sandbox ({result.sandbox_url}): "
            f"{shub.new:,} new, {shub.changed:,} changed, {shub.unchanged + shub.stale:,} unchanged, "
            f"{shub.rejected:,} rejected; {result.storehub.digests.created:,} digests created."
            "\n  (The sandbox stopped with the demo; run `flowtui sandbox storehub` to sync that stream again.)")
    rows = flow.digests(DigestFilter(stream=DEMO_STREAM))
    echo(f"\n{len(rows)} digests; the last 8:")
    table(["ID", "DATE", "LOCATION", "ORDERS", "RETURNS", "AMOUNT", "STATUS"],
          [[r.id, day(r.date), r.location, r.order_count, r.return_count, show_money(r.amount), r.status]
           for r in rows[-8:]], right={0, 3, 4, 5})
    if sys.stdout.isatty() and sys.stdin.isatty():  # a person at a terminal: open the console on it
        from flowtui.app import run_console

        run_console(flow)
        return
    db_flag = f" --db {result.db_path}" if db_path else ""
    echo("\nTry next:")
    echo(f"  flowtui{db_flag} digests --status ready")
    echo(f"  flowtui{db_flag} digest show {rows[-1].id if rows else 1}")
    echo(f"  flowtui{db_flag} mappings {DEMO_STREAM!r}")
    echo(f"  flowtui{db_flag} stream list")


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(demo)
