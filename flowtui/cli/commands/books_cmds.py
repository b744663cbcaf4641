"""init, accounts, locations and contacts."""

from __future__ import annotations

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import echo, listing
from flowtui.cli.params import json_option
from flowtui.engine.ledger.books import ACCOUNT_TYPES


@click.command()
@click.option("--company", help="Company name printed on invoices.")
@click.option("--currency", help="ISO currency code (default MYR).")
@click.option("--timezone", help="Default IANA time zone for locations (default Asia/Kuala_Lumpur).")
@pass_context
def init(ctx, company, currency, timezone):
    """Create (or update) the books: chart of accounts, Cash Sales contact, payment methods."""
    result = ctx.flow.init(company, currency, timezone)
    echo(f"Books ready: {result.name} ({result.currency}, {result.timezone}) in {ctx.flow.db.path}")


@click.group()
def account():
    """Manage the chart of accounts."""


@account.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--type", "kind", required=True, type=click.Choice(ACCOUNT_TYPES, case_sensitive=False))
@pass_context
def account_add(ctx, code, name, kind):
    """Add account CODE called NAME."""
    added = ctx.flow.add_account(code, name, kind)
    echo(f"Added account {added.code} {added.name} ({added.type}).")


@click.command()
@json_option
@read_only
@pass_context
def accounts(ctx, as_json):
    """List the chart of accounts."""
    rows = [{"code": a.code, "name": a.name, "type": a.type} for a in ctx.flow.accounts()]
    listing(as_json, rows, {"code": "CODE", "name": "NAME", "type": "TYPE"})


@click.group()
def location():
    """Manage locations (outlets)."""


@location.command("add")
@click.argument("name")
@click.option("--timezone", help="IANA time zone (default: the company's).")
@pass_context
def location_add(ctx, name, timezone):
    """Add a location called NAME."""
    added = ctx.flow.add_location(name, timezone)
    echo(f"Added location {added.name} ({added.timezone}).")


@click.command()
@json_option
@read_only
@pass_context
def locations(ctx, as_json):
    """List locations."""
    rows = [{"id": r.id, "name": r.name, "timezone": r.timezone} for r in ctx.flow.locations()]
    listing(as_json, rows, {"name": "NAME", "timezone": "TIMEZONE"})


@click.group()
def contact():
    """Manage contacts (customers invoices are addressed to)."""


@contact.command("add")
@click.argument("name")
@pass_context
def contact_add(ctx, name):
    """Add a contact called NAME."""
    added = ctx.flow.add_contact(name)
    echo(f"Added contact {added.name}.")


@click.command()
@json_option
@read_only
@pass_context
def contacts(ctx, as_json):
    """List contacts."""
    rows = [{"id": r.id, "name": r.name} for r in ctx.flow.contacts()]
    listing(as_json, rows, {"name": "NAME"})


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(init)
    cli.add_command(account)
    cli.add_command(accounts)
    cli.add_command(location)
    cli.add_command(locations)
    cli.add_command(contact)
    cli.add_command(contacts)
