"""map tax, tax codes, tax code add, tax report."""

from __future__ import annotations

import click

from flowtui.cli.context import pass_context
from flowtui.cli.output import day, echo, emit_json, money, show_money, table
from flowtui.cli.params import DATE, json_option
from flowtui.engine.ledger.taxes import TAX_CATEGORIES, TAX_TYPES


def _rate(value) -> str | None:
    return None if value is None else f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


@click.command("tax")
@click.argument("stream_name", metavar="STREAM")
@click.argument("category", type=click.Choice(TAX_CATEGORIES))
@click.option("--code", required=True, help="The tax code, e.g. SV6 (see `flowtui tax codes`).")
@pass_context
def map_tax(ctx, stream_name, category, code):
    """The tax code STREAM's service charge carries when its source names none (e.g. --code SV6)."""
    ctx.flow.map_tax(stream_name, category, code)
    echo(f"{stream_name}: tax on {category.replace('_', ' ')} -> {code}.")


@click.group()
def tax():
    """Tax codes and the SST report."""


@tax.command("codes")
@json_option
@pass_context
def codes(ctx, as_json):
    """The tax codes: type (sales, service, exempt) and nominal rate."""
    rows = ctx.flow.tax_codes()
    if as_json:
        emit_json([{"code": c.code, "type": c.type, "rate": str(c.rate), "description": c.description}
                   for c in rows])
        return
    table(["CODE", "TYPE", "RATE", "DESCRIPTION"], [[c.code, c.type, _rate(c.rate), c.description or ""]
                                                  for c in rows], right={2})


@tax.group("code")
def code_group():
    """Describe a tax code."""


@code_group.command("add")
@click.argument("code")
@click.option("--type", "kind", type=click.Choice(TAX_TYPES), required=True, help="Which tax it is.")
@click.option("--rate", required=True, help="Its rate: 6% or 0.06.")
@click.option("--description", help="What it is for.")
@pass_context
def code_add(ctx, code, kind, rate, description):
    """Add (or change) tax code CODE: its type and nominal rate, for the tax report and printed documents."""
    found = ctx.flow.add_tax_code(code, kind, rate, description)
    echo(f"Tax code {found.code}: {found.type} tax at {_rate(found.rate)}.")


@tax.command("report")
@click.option("--from", "start", type=DATE, required=True, help="First day of the period.")
@click.option("--to", "end", type=DATE, required=True, help="Last day of the period.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), help="Also print it to this PDF file.")
@json_option
@pass_context
def report(ctx, start, end, pdf, as_json):
    """Taxable amount and tax per tax type and rate for a period (what an SST-02 return asks for).

    Every invoice and credit note dated in the period counts (credit notes, adjustments and reversals
    negative); the total is checked against the movement of the tax account. Exits 1 when they disagree.
    """
    found = ctx.flow.tax_report(start, end)
    path = ctx.flow.tax_report_pdf(start, end, pdf) if pdf else None
    if as_json:
        emit_json({
            "from": day(found.start), "to": day(found.end),
            "lines": [{"type": line.type, "rate": None if line.rate is None else str(line.rate),
                       "tax_codes": list(line.codes), "taxable": money(line.taxable), "tax": money(line.tax)}
                      for line in found.lines],
            "taxable": money(found.taxable), "tax": money(found.tax),
            "tax_accounts": found.accounts, "tax_account_movement": money(found.tax_account_movement),
            "other_tax_movement": money(found.other_tax_movement), "agrees": found.agrees,
            "notes": found.notes, "pdf": str(path) if path else None,
        })
    else:
        echo(f"Tax report {day(found.start)} to {day(found.end)}")
        table(["TAX TYPE", "RATE", "CODES", "TAXABLE", "TAX"],
              [[line.type, _rate(line.rate) or "?", ", ".join(c or "(no code)" for c in line.codes),
                show_money(line.taxable), show_money(line.tax)] for line in found.lines]
              + [["total", "", "", show_money(found.taxable), show_money(found.tax)]], right={1, 3, 4})
        verdict = "agrees" if found.agrees else "DOES NOT AGREE"
        echo(f"\nTax account(s) {', '.join(found.accounts)} moved {show_money(found.tax_account_movement)} "
             f"from these documents: {verdict}.")
        for note in found.notes:
            echo(f"note: {note}", err=True)
        if path:
            echo(f"Printed the report to {path}")
    if not found.agrees:
        raise click.exceptions.Exit(1)


def register(cli: click.Group) -> None:
    """Add ``map tax`` to the ``map`` group (:mod:`flowtui.cli.commands.stream_cmds`) and the ``tax`` group."""
    map_group = cli.commands["map"]
    assert isinstance(map_group, click.Group), "flowtui.cli.commands.stream_cmds registers the `map` group first"
    map_group.add_command(map_tax)
    cli.add_command(tax)
