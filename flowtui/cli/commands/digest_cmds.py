"""sync, digests, digest show."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from decimal import Decimal

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import day, echo, emit_json, instant, money, quantity, safe, show_money, table
from flowtui.cli.params import DATE, json_option
from flowtui.engine.core.money import from_sen
from flowtui.engine.core.records import shown_summary
from flowtui.engine.core.statuses import PostStatus
from flowtui.engine.digests.store import DIGEST_STATUSES, DigestFilter
from flowtui.engine.pipeline.sync import SyncOutcome, window_of

MAX_REJECTIONS_SHOWN = 20
MAX_NUMBERS_SHOWN = 10  # document numbers on a sync's "auto invoice" line (--json has them all)
EXIT_REJECTIONS = 3  # the sync ran, but left entries it could not land open (like `post`'s refusals)


@contextmanager
def _progress_bar(enabled: bool):
    """A live progress bar on stderr when it is a terminal; otherwise nothing."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    # (names and notes are plain text: not Rich markup, and no terminal controls)
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                  TextColumn("{task.fields[note]}", markup=False), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stream: str, share: float | None, note: str) -> None:
            if stream not in tasks:
                tasks[stream] = bar.add_task(safe(stream), total=1.0, note="")
            if share is not None:
                bar.update(tasks[stream], completed=share, note=safe(note))
            else:
                bar.update(tasks[stream], note=safe(note))

        yield report


def _outcome_json(o: SyncOutcome) -> dict:
    return {
        "stream": o.stream, "status": o.status, "from": day(o.window.start), "to": day(o.window.end),
        "orders_new": o.landing.new, "orders_changed": o.landing.changed,
        "orders_unchanged": o.landing.unchanged + o.landing.stale, "orders_skipped": o.landing.skipped,
        "orders_rejected": o.landing.rejected, "open_rejections": o.open_rejections,
        "digests_created": o.digests.created, "digests_updated": o.digests.updated, "digests_removed": o.digests.removed,
        "rejections": [{"ref": r.ref, "order_id": r.order_id, "errors": list(r.errors)} for r in o.landing.rejections],
        "warnings": o.warnings, "error": o.error,
        "posted": [{"digest_id": p.digest_id, "status": p.status, "reasons": p.reasons,
                    "documents": [{"kind": k, "number": n} for k, n in p.documents]} for p in o.postings],
    }


def _print_outcome(o: SyncOutcome) -> None:
    landing = o.landing
    echo(f"{o.stream}: {o.status} ({window_of(o)})")
    if o.error:
        echo(f"  error: {o.error}", err=True)
        return
    echo(
        f"  orders: {landing.new:,} new, {landing.changed:,} changed, {landing.unchanged + landing.stale:,} unchanged, "
        f"{landing.rejected:,} rejected" + (f", {landing.skipped:,} outside the range" if landing.skipped else "")
    )
    echo(
        f"  digests: {o.digests.created:,} created, {o.digests.updated:,} updated"
        + (f", {o.digests.removed:,} removed" if o.digests.removed else "")
    )
    if o.open_rejections:
        echo(f"  still open: {o.open_rejections:,} rejected or unreadable (flowtui rejections --stream "
             f"\"{o.stream}\")")
    for rejection in landing.rejections[:MAX_REJECTIONS_SHOWN]:
        echo(f"  warning: {rejection.describe()}", err=True)
    if landing.rejected > MAX_REJECTIONS_SHOWN:
        echo(f"  warning: ... and {landing.rejected - MAX_REJECTIONS_SHOWN:,} more rejected orders "
             "(`flowtui sync --json` lists them all)", err=True)
    for warning in o.warnings:
        echo(f"  warning: {warning}", err=True)
    if o.postings:
        posted = [p for p in o.postings if p.status == PostStatus.POSTED]
        adjusted = [p for p in o.postings if p.status == "adjusted"]
        refused = [p for p in o.postings if p.status == "refused"]
        numbers = _numbers([n for p in posted + adjusted for _, n in p.documents])
        echo(f"  auto invoice: {len(posted):,} digest(s) posted"
             + (f", {len(adjusted):,} change(s) to posted days posted as adjustments" if adjusted else "")
             + (f" ({numbers})" if numbers else "")
             + (f", {len(refused)} waiting for attention (see `flowtui digests --status needs_attention`)"
                if refused else ""))


def _numbers(numbers: list[str]) -> str:
    """The numbers of the documents a sync posted: all of a few, else a count and the first few."""
    if len(numbers) <= MAX_NUMBERS_SHOWN:
        return ", ".join(numbers)
    return (f"{len(numbers):,} documents: {', '.join(numbers[:MAX_NUMBERS_SHOWN])} and "
            f"{len(numbers) - MAX_NUMBERS_SHOWN:,} more; `flowtui sync --json` lists them all")


def _sen(value: int) -> str:
    return show_money(from_sen(value))


def _changes_json(changes: dict | None) -> dict | None:
    if changes is None:
        return None
    return {
        "orders": changes["orders"],
        "total_before": money(from_sen(changes["total_before"])),
        "payments": [{"method": p["method"], "before": money(from_sen(p["before"])),
                      "after": money(from_sen(p["after"]))} for p in changes["payments"]],
        "items": [{"sku": i["sku"], "before_quantity": quantity(Decimal(i["before_quantity"]).scaleb(-3)),
                   "after_quantity": quantity(Decimal(i["after_quantity"]).scaleb(-3)),
                   "before_amount": money(from_sen(i["before_amount"])),
                   "after_amount": money(from_sen(i["after_amount"]))} for i in changes["items"]],
    }


def _print_changes(changes: dict) -> None:
    echo("\nChanged since it was posted (`flowtui post` posts the difference):")
    for label, ids in changes["orders"].items():
        if ids:
            echo(f"  orders {label}: {', '.join(ids[:20])}" + (" ..." if len(ids) > 20 else ""))
    if changes["payments"]:
        table(["PAYMENT METHOD", "POSTED", "NOW"], [[p["method"], _sen(p["before"]), _sen(p["after"])]
                                                  for p in changes["payments"]], right={1, 2})
    if changes["items"]:
        table(["SKU", "POSTED QTY", "NOW QTY", "POSTED", "NOW"],
              [[i["sku"] or "All Sales", quantity(Decimal(i["before_quantity"]).scaleb(-3)),
                quantity(Decimal(i["after_quantity"]).scaleb(-3)), _sen(i["before_amount"]), _sen(i["after_amount"])]
               for i in changes["items"]], right={1, 2, 3, 4})


@click.command()
@click.argument("names", nargs=-1, metavar="[STREAM]...")
@click.option("--from", "start", type=DATE, help="First business date (default: the stream's cursor).")
@click.option("--to", "end", type=DATE, help="Last business date (default: yesterday).")
@json_option
@pass_context
def sync(ctx, names, start, end, as_json):
    """Sync streams: fetch orders, land them, rebuild the touched digests.

    With no STREAM, syncs every stream with auto sync on. Exits 1 if any
    stream failed, else 3 if a synced stream has input it could not land
    still open (rejected orders, unreadable lines or files: `flowtui
    rejections`), else 0.
    """
    with _progress_bar(not as_json and sys.stderr.isatty()) as report:
        outcomes = ctx.flow.sync(list(names), start, end, progress=report)
    if as_json:
        emit_json([_outcome_json(o) for o in outcomes])
    elif not outcomes:
        echo("No streams to sync (none named, and none with auto sync on).")
    for o in outcomes if not as_json else []:
        _print_outcome(o)
    still_open = sum(o.open_rejections for o in outcomes)
    if still_open and not as_json:
        echo(f"{still_open:,} {'entry' if still_open == 1 else 'entries'} could not be read or "
             f"{'was' if still_open == 1 else 'were'} rejected and {'is' if still_open == 1 else 'are'} "
             "still open; see `flowtui rejections` (fix at the source and sync again, or dismiss "
             "on the record).", err=True)
    if any(o.failed for o in outcomes):
        raise click.exceptions.Exit(1)
    if still_open:
        raise click.exceptions.Exit(EXIT_REJECTIONS)


@click.command()
@click.option("--stream", help="Only this stream.")
@click.option("--location", help="Only this location (name or POS store id).")
@click.option("--from", "start", type=DATE, help="From this business date.")
@click.option("--to", "end", type=DATE, help="Up to this business date.")
@click.option("--status", type=click.Choice(DIGEST_STATUSES), help="Only digests with this status.")
@json_option
@read_only
@pass_context
def digests(ctx, stream, location, start, end, status, as_json):
    """List daily digests."""
    rows = ctx.flow.digests(DigestFilter(stream=stream, location=location, start=start, end=end, status=status))
    if as_json:
        emit_json([
            {"id": r.id, "stream": r.stream, "location": r.location, "pos_store_id": r.pos_store_id,
             "date": day(r.date), "order_count": r.order_count, "return_count": r.return_count,
             "amount": money(r.amount), "invoice_number": r.invoice_number, "status": r.status,
             "created_at": instant(r.created_at), "shipping": money(r.shipping), "tips": money(r.tips)}
            for r in rows
        ])
        return
    table(
        ["ID", "DATE", "STREAM", "LOCATION", "ORDERS", "RETURNS", "AMOUNT", "INVOICE", "STATUS"],
        [[r.id, day(r.date), r.stream, r.location or f"({r.pos_store_id})", r.order_count, r.return_count,
          show_money(r.amount), r.invoice_number or "", r.status] for r in rows],
        right={0, 4, 5, 6},
    )
    pending = ctx.flow.pending_days()
    if pending:
        echo(f"note: {pending} day(s) are waiting to be re-digested; run `flowtui sync`.", err=True)


@click.group()
def digest():
    """Look at one digest."""


@digest.command("show")
@click.argument("digest_id", type=int, metavar="ID")
@json_option
@read_only
@pass_context
def digest_show(ctx, digest_id, as_json):
    """Show digest ID: summary, payments, items, orders and what needs attention."""
    d = ctx.flow.digest(digest_id)
    r = d.row
    if as_json:
        emit_json({
            "id": r.id, "stream": r.stream, "location": r.location, "pos_store_id": r.pos_store_id,
            "date": day(r.date), "status": r.status, "invoice_number": r.invoice_number,
            "order_count": r.order_count, "return_count": r.return_count, "amount": money(r.amount),
            "shipping": money(d.summary["shipping"]), "tips": money(d.summary["tips"]),
            "version": d.version, "created_at": instant(r.created_at), "updated_at": instant(d.updated_at),
            "summary": {k: money(v) for k, v in d.summary.items()},
            "payments": [{"method": m, "amount": money(a)} for m, a in d.payments],
            "items": [{"sku": i.sku, "name": i.name, "quantity": quantity(i.quantity),
                       "unit_price": money(i.unit_price), "discount": money(i.discount),
                       "tax": money(i.tax), "amount": money(i.amount)} for i in d.items],
            "taxes": [{"tax_code": c, "taxable": money(t), "tax": money(x)} for c, t, x in d.taxes],
            "orders": [{"id": o.id, "number": o.number, "time": instant(o.time), "type": o.type,
                        "status": o.status, "total": money(o.total)} for o in d.orders],
            "attention": d.attention,
            "warnings": d.warnings,
            "versions": [{"version": v["version"], "created_at": instant(v["created_at"]),
                          "amount": money(v["amount"]), "order_count": v["order_count"],
                          "return_count": v["return_count"], "posted_at": instant(v["posted_at"]),
                          "documents": v["documents"], "note": v["note"]} for v in d.versions],
            "changes": _changes_json(d.changes),
        })
        return
    echo(f"Digest {r.id}: {r.stream} / {r.location or r.pos_store_id} / {day(r.date)}  [{r.status}]"
         + (f"  invoice {r.invoice_number}" if r.invoice_number else ""))
    echo(f"{r.order_count} sale(s), {r.return_count} return(s); version {d.version}\n")
    table(["SUMMARY", "AMOUNT"], [[k.replace("_", " "), show_money(v)] for k, v in shown_summary(d.summary)],
          right={1})
    echo()
    table(["PAYMENT METHOD", "AMOUNT"], [[m, show_money(a)] for m, a in d.payments], right={1})
    echo()
    table(["SKU", "NAME", "QTY", "UNIT PRICE", "AMOUNT"],
          [[i.sku, i.name, quantity(i.quantity), show_money(i.unit_price), show_money(i.amount)] for i in d.items],
          right={2, 3, 4})
    echo()
    table(["TAX CODE", "TAXABLE", "TAX"], [[c or "(no code)", show_money(t), show_money(x)] for c, t, x in d.taxes],
          right={1, 2})
    echo()
    table(["ORDER", "NUMBER", "TIME (UTC)", "TYPE", "TOTAL"],
          [[o.id, o.number, instant(o.time), o.type, show_money(o.total)] for o in d.orders], right={4})
    if d.attention:
        echo("\nNeeds attention:")
        for reason in d.attention:
            echo(f"  - {reason}")
    if d.warnings:
        echo("\nWarnings:")
        for warning in d.warnings:
            echo(f"  - {warning}")
    if len(d.versions) > 1 or any(v["documents"] for v in d.versions):
        echo("\nVersions:")
        for v in d.versions:
            posted = (f"posted {instant(v['posted_at'])}: {', '.join(v['documents']) or v['note']}"
                      if v["posted_at"] else "not posted")
            echo(f"  v{v['version']}  {instant(v['created_at'])}  {show_money(v['amount']):>12}  {posted}")
    if d.changes:
        _print_changes(d.changes)


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(sync)
    cli.add_command(digests)
    cli.add_command(digest)
