"""flowtui ledger export: the journal as beancount or CSV text."""

from __future__ import annotations

from pathlib import Path

import click

from flowtui.cli.context import pass_context
from flowtui.cli.output import echo
from flowtui.cli.params import DATE
from flowtui.engine.exports.ledger import FORMATS


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="beancount (bean-check can check it) or csv (one row per journal line).")
@click.option("--from", "start", type=DATE,
              help="From this date; what was posted before comes in as opening balances the day before.")
@click.option("--to", "end", type=DATE, help="Up to this date.")
@click.option("-o", "--output", "output", required=True, metavar="FILE",
              help="The file to write (replaced whole); - for standard output.")
@pass_context
def ledger_export(ctx, fmt, start, end, output):
    """Write the general ledger as plain text: every account, every journal entry, exact amounts.

    Balances at the end of the file equal `flowtui ledger trial-balance --as-of` its last day.
    """
    if output == "-":
        echo(ctx.flow.export_ledger(fmt, start, end).text, nl=False)
        return
    result = ctx.flow.export_ledger(fmt, start, end, Path(output))
    span = f" ({result.first} to {result.last})" if result.first else ""
    opening = f", with the balances brought forward at {result.opening}" if result.opening else ""
    echo(f"Wrote {result.entries:,} journal entr{'y' if result.entries == 1 else 'ies'}{span}{opening} "
         f"as {fmt} to {result.path}")


def register(cli: click.Group) -> None:
    """Add ``export`` to the ``ledger`` group (:mod:`flowtui.cli.commands.ledger_cmds`)."""
    ledger = cli.commands["ledger"]
    assert isinstance(ledger, click.Group), "flowtui.cli.commands.ledger_cmds registers the `ledger` group first"
    ledger.add_command(ledger_export)
