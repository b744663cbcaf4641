r"""Printing for the CLI: JSON for machines, aligned tables for people.

JSON rules (the contract): money is a string with 2 decimals (a product's price and cost keep up to
their 4), dates are
``YYYY-MM-DD``, instants are ISO 8601 UTC (``...Z``), quantities are numbers.

Nothing a source or a person wrote reaches the terminal as a control: order ids, names and messages
quoting them can hold ``ESC ]0;...`` (retitles the terminal), ``ESC [2J`` (clears it), C1 controls,
DEL or bidi overrides. Everything printed goes through :func:`echo` (or :func:`table`), which shows such
characters as escapes (``\x1b``, ``\u202e``); JSON keeps every value exact, with those characters
written as JSON escapes. The CLI modules never call ``click.echo`` themselves.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from flowtui.engine.core import formats
from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.money import amount_text, price_text

#: characters a terminal acts on: C0 controls, DEL, C1 controls, bidi embeddings, overrides and isolates
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: the same, less the line breaks and tabs of the CLI's own messages
UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: what JSON text must escape beyond what ``json.dumps`` does (C0 controls in strings it escapes already)
UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    return SHORT.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def safe(value: object) -> str:
    r"""One value as it may be printed, on one line: ``safe("A\x1b]0;x\x07")`` (ESC and BEL) -> ``A\x1b]0;x\x07``
    (backslashes and letters).
    """
    return UNSAFE.sub(_escape, "" if value is None else str(value))


def safe_text(text: object) -> str:
    """A message as it may be printed: its lines and tabs kept, any other control shown as an escape."""
    return UNSAFE_IN_TEXT.sub(_escape, "" if text is None else str(text))


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of a message that may quote values from the books, made safe (:func:`safe_text`)."""
    click.echo(safe_text(message), err=err, nl=nl)


money = amount_text  # JSON: a string with 2 decimals
price = price_text  # JSON: a unit price or cost as it is kept, at least 2 decimals and all 4 when it has them


def quantity(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def instant(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def to_json(data: Any) -> str:
    """JSON text of ``data``, every value exact: the characters a terminal acts on are written as JSON escapes
    (``json.dumps`` already escapes C0 controls; DEL, C1 controls and bidi controls it would write raw)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # (only ever inside strings)


def emit_json(data: Any) -> None:
    click.echo(to_json(data))


show_money = formats.money  # a table cell for people


def table(headers: list[str], rows: list[list[Any]], right: set[int] | None = None) -> None:
    """Print rows as aligned columns; columns in ``right`` are right-aligned. Cells are :func:`safe`."""
    right = right or set()
    headers = [safe(h) for h in headers]
    cells = [[safe(v) for v in row] for row in rows]
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


def listing(as_json: bool, rows: list[dict], columns: dict[str, str], right: set[str] | None = None,
            amounts: set[str] | None = None) -> None:
    """Rows as JSON (every key) or as a table of ``columns`` (key -> header); the ``amounts`` columns (money, as
    the JSON writes it) are shown for people as every table shows money (:func:`show_money`: ``5,041.99``)."""
    if as_json:
        emit_json(rows)
        return
    keys = list(columns)
    amounts = amounts or set()
    table([columns[k] for k in keys],
          [[show_money(row.get(k)) if k in amounts else row.get(k) for k in keys] for row in rows],
          right={keys.index(k) for k in (right or set()) | amounts})
