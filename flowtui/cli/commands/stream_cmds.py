"""stream add/set/list/stores/test, map ..., mappings."""

from __future__ import annotations

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import day, echo, emit_json, instant, table
from flowtui.cli.params import DATE, json_option
from flowtui.cli.source_options import given_options, source_options
from flowtui.connectors.registry import provider, providers, skipped
from flowtui.engine.core.clock import local_stamp
from flowtui.engine.ledger.books import CATEGORY_TYPES
from flowtui.engine.setup.streams import StreamSettings

CATEGORIES_HELP = "Categories and the account types they take: " + "; ".join(
    f"{category} ({' or '.join(types)})" for category, types in CATEGORY_TYPES.items()) + "."


def _settings_options(func):
    options = [
        click.option("--start-date", type=DATE, help="First business date to sync."),
        click.option("--auto-sync/--no-auto-sync", default=None, help="Sync nightly with `flowtui sync` (default on)."),
        click.option("--auto-invoice/--no-auto-invoice", default=None,
                     help="Post ready digests after each sync (default off; on for MiniPOS, whose close is the review)."),
        click.option("--grouping", type=click.Choice(["sku", "all"]),
                     help="Invoice lines by SKU (default) or one All Sales line."),
        click.option("--store-name", help="A display name for the stream's shop."),
        click.option("--lookback-days", type=click.IntRange(0, 60),
                     help="Days re-read before the cursor on each sync (default 3)."),
    ]
    func = source_options(func)  # below the settings: listed after them
    for option in reversed(options):
        func = option(func)
    return func


def _settings(kw) -> StreamSettings:
    return StreamSettings(
        store_name=kw.get("store_name"), auto_sync=kw.get("auto_sync"), auto_invoice=kw.get("auto_invoice"),
        grouping=kw.get("grouping"), start_date=kw.get("start_date"), lookback_days=kw.get("lookback_days"),
    )


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        echo(f"warning: {warning}", err=True)


@click.group()
def stream():
    """Connect and configure streams (sales channels)."""
    for line in skipped():  # a source plug-in that could not be loaded: said, and the others work
        echo(f"warning: {line}", err=True)


force_source = click.option(
    "--force", is_flag=True,
    help="Connect it even though another stream reads the same source (it would post those orders twice).")


@stream.command("add")
@click.argument("name")
@click.option("--provider", "provider_name", required=True, type=click.Choice(sorted(providers())),
              help="Where the orders come from.")
@_settings_options
@force_source
@pass_context
def stream_add(ctx, name, provider_name, force, **kw):
    """Connect a new stream called NAME."""
    added = ctx.flow.add_stream(name, provider_name, given_options(kw), _settings(kw), force=force)
    _warn(ctx.flow.stream_warnings(added))
    declared = provider(added.provider)
    echo(f"Added {declared.label} stream {added.name!r}. Next: {declared.next_step.format(name=repr(added.name))}.")


@stream.command("set")
@click.argument("name")
@_settings_options
@force_source
@pass_context
def stream_set(ctx, name, force, **kw):
    """Change a stream's settings."""
    updated = ctx.flow.update_stream(name, _settings(kw), given_options(kw), force=force)
    _warn(ctx.flow.stream_warnings(updated))
    echo(f"Updated stream {updated.name!r}.")


@stream.command("remove")
@click.argument("name")
@json_option
@pass_context
def stream_remove(ctx, name, as_json):
    """Remove stream NAME: it is archived, and everything it brought into the books stays.

    Its orders, digests, documents and journal are kept and readable; it no longer syncs, its
    unposted days are not posted, and it is listed only by `flowtui stream list --all`. Its name
    stays with it.
    """
    removed = ctx.flow.remove_stream(name)
    if as_json:
        emit_json({"name": removed.name, "provider": removed.provider, "archived_at": instant(removed.archived_at)})
        return
    echo(f"Removed stream {removed.name!r} (archived): its digests and documents stay in the books; "
         "it no longer syncs or posts. `flowtui stream list --all` still shows it.")


@stream.command("list")
@click.option("--all", "everything", is_flag=True, help="Also streams that were removed (archived).")
@json_option
@read_only
@pass_context
def stream_list(ctx, everything, as_json):
    """List streams with the outcome of their last sync."""
    rows = ctx.flow.streams(include_archived=everything)
    if as_json:
        emit_json([
            {
                "name": r.stream.name, "provider": r.stream.provider, "created_at": instant(r.stream.created_at),
                "status": r.status, "last_sync_at": instant(r.last_sync_at), "auto_sync": r.stream.auto_sync,
                "auto_invoice": r.stream.auto_invoice, "grouping": r.stream.grouping,
                "start_date": day(r.stream.start_date), "lookback_days": r.stream.lookback_days,
                "cursor_date": day(r.stream.cursor_date), "store_name": r.stream.store_name,
                "last_error": r.last_error, "warnings": r.warnings,
                "account": r.stream.config.get("account"), "credentials": ctx.flow.credentials(r.stream),
                "archived_at": instant(r.stream.archived_at),
            }
            for r in rows
        ])
        return
    table(
        ["NAME", "PROVIDER", "CREATED", "STATUS", "LAST SYNC", "AUTO SYNC", "AUTO INVOICE", "GROUPING"],
        [[r.stream.name, r.stream.provider, day(r.stream.created_at.date()),
          f"archived {day(r.stream.archived_at.date())}" if r.stream.archived_at else r.status,
          local_stamp(r.last_sync_at, r.timezone) or "never", _on(r.stream.auto_sync), _on(r.stream.auto_invoice),
          r.stream.grouping] for r in rows],
    )
    for r in rows:
        if r.last_error:
            echo(f"{r.stream.name}: {r.last_error}")
        for warning in r.warnings[:5]:
            echo(f"{r.stream.name}: warning: {warning}")


@stream.command("test")
@click.argument("name")
@read_only
@pass_context
def stream_test(ctx, name):
    """Check that the stream's source can be read (credentials, address) and list its stores."""
    echo(ctx.flow.test_stream(name))


@stream.command("stores")
@click.argument("name")
@json_option
@read_only
@pass_context
def stream_stores(ctx, name, as_json):
    """POS stores seen in the stream's orders or offered by its source."""
    rows = ctx.flow.stream_stores(name)
    if as_json:
        emit_json([{"id": r.pos_store_id, "name": r.name, "location": r.location, "orders": r.orders} for r in rows])
    else:
        table(["POS STORE", "NAME", "LOCATION", "ORDERS"],
              [[r.pos_store_id, r.name, r.location or "(not mapped)", r.orders] for r in rows], right={3})


@click.group("map")
def map_group():
    """Map POS stores, payment methods and posting categories."""


@map_group.command("location")
@click.argument("stream_name", metavar="STREAM")
@click.argument("pos_store_id")
@click.option("--location", required=True, help="Location the store's sales belong to.")
@click.option("--contact", help="Contact invoices are addressed to (default Cash Sales).")
@click.option("--number-format", help="Invoice number format, e.g. POS-KL-{yyyy}{mm}-{seq:04}.")
@click.option("--credit-note-format", help="Credit note number format (default: the invoice's with CN).")
@pass_context
def map_location(ctx, stream_name, pos_store_id, location, contact, number_format, credit_note_format):
    """Map POS store POS_STORE_ID of STREAM to a location."""
    ctx.flow.map_location(stream_name, pos_store_id, location, contact, number_format, credit_note_format)
    echo(f"{stream_name}: POS store {pos_store_id} -> location {location}.")


@map_group.command("payment")
@click.argument("stream_name", metavar="STREAM")
@click.argument("pos_method")
@click.option("--account", required=True, help="Account code the money is deposited to (an asset account).")
@click.option("--force", is_flag=True, help="Map it even if the account is not an asset account.")
@pass_context
def map_payment(ctx, stream_name, pos_method, account, force):
    """Map POS payment method POS_METHOD of STREAM to an account."""
    ctx.flow.map_payment(stream_name, pos_method, account, force=force)
    echo(f"{stream_name}: payment {pos_method!r} -> account {account}.")


@map_group.command("account")
@click.argument("stream_name", metavar="STREAM")
@click.argument("category")
@click.option("--account", required=True, help="Account code for the category.")
@click.option("--force", is_flag=True, help="Map it even if the account's type is not the category's.")
@pass_context
def map_account(ctx, stream_name, category, account, force):
    """Map a posting CATEGORY to an account of its type (sales: income, tax: liability...)."""
    ctx.flow.map_account(stream_name, category, account, force=force)
    echo(f"{stream_name}: {category} -> account {account}.")

map_account.help = f"{map_account.help}\n\n{CATEGORIES_HELP}"


@click.group("unmap")
def unmap_group():
    """Take a mapping away (the mirror of `flowtui map`)."""


@unmap_group.command("location")
@click.argument("stream_name", metavar="STREAM")
@click.argument("pos_store_id")
@pass_context
def unmap_location(ctx, stream_name, pos_store_id):
    """Unmap POS store POS_STORE_ID of STREAM: its unposted days need a location again.

    Refused when the store has posted documents (they keep their location; map the store to
    another location instead).
    """
    location = ctx.flow.unmap_location(stream_name, pos_store_id)
    echo(f"{stream_name}: POS store {pos_store_id} is no longer mapped (it was {location}); its unposted "
         "days need attention until it is mapped again.")


@unmap_group.command("payment")
@click.argument("stream_name", metavar="STREAM")
@click.argument("pos_method")
@pass_context
def unmap_payment(ctx, stream_name, pos_method):
    """Unmap POS payment method POS_METHOD of STREAM."""
    method, fallback = ctx.flow.unmap_payment(stream_name, pos_method)
    echo(f"{stream_name}: payment {method!r} is no longer mapped"
         + (f"; it goes to the books' payment method of that name (account {fallback})." if fallback
            else "; days paid by it need attention until it is mapped again."))


@unmap_group.command("account")
@click.argument("stream_name", metavar="STREAM")
@click.argument("category")
@pass_context
def unmap_account(ctx, stream_name, category):
    """Unmap CATEGORY of STREAM: it goes back to the books' default account."""
    category, fallback = ctx.flow.unmap_account(stream_name, category)
    echo(f"{stream_name}: {category} is no longer mapped"
         + (f"; it goes to the default account {fallback}." if fallback
            else "; days that need it need attention until it is mapped again."))


@click.command()
@click.argument("stream_name", metavar="STREAM")
@json_option
@read_only
@pass_context
def mappings(ctx, stream_name, as_json):
    """Show a stream's mappings, including values seen in orders but not mapped yet."""
    result = ctx.flow.mappings(stream_name)
    taxes = ctx.flow.tax_mappings(stream_name)
    if as_json:
        emit_json({"stream": stream_name, "locations": result.locations, "payments": result.payments,
                   "accounts": result.accounts, "taxes": taxes})
        return
    echo("Locations")
    table(["POS STORE", "NAME", "LOCATION", "CONTACT", "NUMBER FORMAT"],
          [[r["pos_store_id"], r["store_name"], r["location"] or "NOT MAPPED", r["contact"], r["number_format"]]
           for r in result.locations])
    echo("\nPayment methods")
    table(["POS METHOD", "ACCOUNT", "SOURCE"],
          [[r["pos_method"], r["account"] or "NOT MAPPED", r["source"]] for r in result.payments])
    echo("\nAccounts")
    table(["CATEGORY", "ACCOUNT", "SOURCE"],
          [[r["category"], r["account"] or "NOT MAPPED", r["source"]] for r in result.accounts])
    echo("\nTax codes")
    table(["CATEGORY", "POS STORE", "TAX CODE", "SOURCE"],
          [[r["category"], r["store"] or "(all)", r["tax_code"] or "NOT MAPPED", r["source"] or ""] for r in taxes])


def register(cli: click.Group) -> None:
    for command in (stream, map_group, unmap_group, mappings):
        cli.add_command(command)


def _on(flag: bool) -> str:
    return "on" if flag else "off"
