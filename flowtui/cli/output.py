"""Printing for the CLI: JSON for machines, aligned tables for people.

JSON rules (the contract): money is a string with 2 decimals (a product's price and cost keep up to
their 4), dates are
``YYYY-MM-DD``, instants are ISO 8601 UTC (``...Z``), quantities are numbers.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from flowtui.engine import formats
from flowtui.engine.clock import iso_utc


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def price(value: Decimal | None) -> str | None:
    """A unit price or cost as it is kept: at least 2 decimals, and all 4 when it has them (``0.8125``)."""
    if value is None:
        return None
    amount = Decimal(value)
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount.normalize():f}"


def quantity(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def instant(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def show_money(value: Decimal | None) -> str:
    return formats.money(value)


def table(headers: list[str], rows: list[list[Any]], right: set[int] | None = None) -> None:
    """Print rows as aligned columns; columns in ``right`` are right-aligned."""
    right = right or set()
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(parts).rstrip()

    click.echo(line(headers))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))
    if not rows:
        click.echo("(none)")


def listing(as_json: bool, rows: list[dict], columns: dict[str, str], right: set[str] | None = None) -> None:
    """Rows as JSON (every key) or as a table of ``columns`` (key -> header)."""
    if as_json:
        emit_json(rows)
        return
    keys = list(columns)
    table([columns[k] for k in keys], [[row.get(k) for k in keys] for row in rows],
          right={keys.index(k) for k in (right or set())})
