"""`flowtui minipos ...`: ring up sales, returns and voids at a MiniPOS till, and close its day."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import day as show_day
from flowtui.cli.output import echo, emit_json, instant, money, quantity, show_money, table
from flowtui.cli.params import DATE, json_option
from flowtui.engine.core.clock import local_stamp
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.minipos.checkout import Tender


def _number(text: str) -> bool:
    try:
        Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        return False
    return True


def parse_item(text: str) -> tuple[str, str, str | None]:
    """``SKU``, ``SKU:QTY`` or ``SKU:QTY:DISCOUNT`` (an amount or a percentage)."""
    parts = text.rsplit(":", 2)
    if len(parts) == 3 and _number(parts[1]) and _number(parts[2]):
        return parts[0].strip(), parts[1], parts[2]
    code, _, qty = text.rpartition(":")
    if code and _number(qty):
        return code.strip(), qty, None
    return text.strip(), "1", None


def parse_pay(text: str) -> Tender:
    """``METHOD:AMOUNT``, or just ``METHOD`` to pay whatever is left."""
    method, _, amount = text.rpartition(":")
    if not method or not _number(amount):
        return Tender(text.strip())
    value = Decimal(amount.strip())
    if value < 0:
        raise InvalidInput(f"{text!r}: a payment cannot be negative.")
    return Tender(method.strip(), value)


def rung_json(till, rung) -> dict:
    s = rung.settlement
    return {
        "stream": till.name, "number": rung.number, "type": rung.kind, "original_number": rung.original,
        "business_date": show_day(rung.business_date),
        "subtotal": money(rung.bill.subtotal), "discount": money(rung.bill.discount), "tax": money(rung.bill.tax),
        "total_before_rounding": money(rung.bill.total), "rounding": money(s.rounding), "total": money(s.total),
        "payments": [{"method": m, "amount": money(a)} for m, a in s.payments],
        "cash_tendered": money(s.cash_tendered), "change": money(s.change),
        "lines": [{"sku": ln.sku, "name": ln.name, "quantity": quantity(ln.quantity),
                   "unit_price": money(ln.unit_price), "discount": money(ln.discount),
                   "order_discount": money(ln.share), "tax": money(ln.tax), "tax_code": ln.tax_code,
                   "amount": money(ln.amount)} for ln in rung.bill.lines],
    }


def order_json(o) -> dict:
    return {
        "number": o.number, "time": instant(o.at), "business_date": show_day(o.business_date), "type": o.kind,
        "status": o.status, "original_number": o.original, "subtotal": money(o.subtotal),
        "discount": money(o.discount), "tax": money(o.tax), "rounding": money(o.rounding), "total": money(o.total),
        "payments": [{"method": m, "amount": money(a)} for m, a in o.payments],
        "lines": [{"sku": ln["sku"], "name": ln["name"], "quantity": quantity(ln["quantity"]),
                   "unit_price": money(ln["unit_price"]), "discount": money(ln["discount"]), "tax": money(ln["tax"]),
                   "amount": money(ln["amount"])} for ln in o.lines],
    }


def day_json(d) -> dict:
    return {
        "stream": d.stream, "location": d.location, "business_date": show_day(d.business_date),
        "orders": len(d.orders), "sales": money(d.sales), "refunds": money(d.refunds),
        "by_method": [{"method": m, "amount": money(a)} for m, a in d.by_method.items()],
        "opening_float": money(d.opening_float), "expected_cash": money(d.expected_cash),
        "counted_cash": money(d.counted_cash), "over_short": money(d.over_short),
        "closed_at": instant(d.closed_at),
    }


def print_day(d) -> None:
    echo(f"{d.stream} at {d.location}, {d.business_date}: {len(d.orders)} order(s), "
         f"sales {show_money(d.sales)}, refunds {show_money(d.refunds)}"
         + (f", closed {local_stamp(d.closed_at, d.timezone)}" if d.closed_at else ""))
    if d.by_method:
        table(["METHOD", "NET"], [[m, show_money(a)] for m, a in d.by_method.items()], right={1})
    echo(f"Expected cash in the drawer: {show_money(d.expected_cash)} "
         f"(float {show_money(d.opening_float)} + cash {show_money(d.net_cash)})")
    if d.over_short is not None:
        echo(f"Counted {show_money(d.counted_cash)}: "
             + ("exact." if not d.over_short else f"{'over' if d.over_short > 0 else 'short'} by "
                f"{show_money(abs(d.over_short))}."))


till_date = click.option("--date", "business_date", type=DATE, help="Business date (default: today at the till).")


@click.group()
def minipos():
    """The built-in till: sell, return, void and close the day (scripts; the console has a checkout)."""


@minipos.command("sell")
@click.argument("stream")
@click.option("--item", "items", multiple=True, required=True, metavar="SKU[:QTY[:DISCOUNT]]",
              help="A product by SKU, barcode or name; quantity (default 1); line discount (1.50 or 10%).")
@click.option("--pay", "pays", multiple=True, required=True, metavar="METHOD[:AMOUNT]",
              help="A payment, e.g. Card:10.00; cash may be more than due (change is given); "
                   "a method without an amount pays the rest.")
@click.option("--discount", metavar="AMOUNT|PCT", help="Order discount, e.g. 2.00 or 10%.")
@json_option
@pass_context
def sell(ctx, stream, items, pays, discount, as_json):
    """Ring up a sale at MiniPOS STREAM and print its receipt."""
    till = ctx.flow.till(stream)
    parsed = [parse_item(text) for text in items]
    cart = till.cart([(code, qty) for code, qty, _ in parsed], discount,
                     {i: d for i, (_, _, d) in enumerate(parsed) if d is not None})
    rung = till.ring_up(cart, [parse_pay(text) for text in pays])
    if as_json:
        emit_json(rung_json(till, rung))
    else:
        echo("\n".join(till.receipt(rung)))


@minipos.command("return")
@click.argument("stream")
@click.argument("number")
@click.option("--item", "items", multiple=True, metavar="SKU[:QTY]",
              help="What comes back (default: everything not yet returned).")
@click.option("--refund", "method", default="Cash", show_default=True, help="How the money goes back.")
@json_option
@pass_context
def return_(ctx, stream, number, items, method, as_json):
    """Take back items of sale NUMBER at MiniPOS STREAM and refund them."""
    till = ctx.flow.till(stream)
    wanted: dict[str, Decimal] | None = None
    if items:
        wanted = {}
        for text in items:
            code, qty, _ = parse_item(text)
            wanted[code] = wanted.get(code, Decimal(0)) + Decimal(qty)
    rung = till.refund(number, wanted, method)
    if as_json:
        emit_json(rung_json(till, rung))
    else:
        echo("\n".join(till.receipt(rung)))


@minipos.command("void")
@click.argument("stream")
@json_option
@pass_context
def void(ctx, stream, as_json):
    """Void the last order rung up at MiniPOS STREAM."""
    voided = ctx.flow.till(stream).void_last()
    if as_json:
        emit_json(order_json(voided))
    else:
        echo(f"Voided order {voided.number} ({voided.kind}, {show_money(voided.total)}).")


@minipos.command("orders")
@click.argument("stream")
@till_date
@json_option
@read_only
@pass_context
def orders(ctx, stream, business_date, as_json):
    """The orders of a day at MiniPOS STREAM."""
    d = ctx.flow.till(stream).day(business_date)
    if as_json:
        emit_json([order_json(o) for o in d.orders])
        return
    if not d.orders:
        echo(f"No orders at {d.stream} on {d.business_date}.")
        return
    table(["NUMBER", "TIME", "TYPE", "STATUS", "TOTAL", "PAID BY"],
          [[o.number, local_stamp(o.at, d.timezone), o.kind, o.status, show_money(o.total),
            ", ".join(f"{m} {show_money(a)}" for m, a in o.payments)] for o in d.orders], right={4})


@minipos.command("day")
@click.argument("stream")
@till_date
@json_option
@read_only
@pass_context
def day(ctx, stream, business_date, as_json):
    """A day's takings at MiniPOS STREAM by payment method, and the cash expected in the drawer."""
    d = ctx.flow.till(stream).day(business_date)
    if as_json:
        emit_json(day_json(d))
    else:
        print_day(d)


@minipos.command("close")
@click.argument("stream")
@till_date
@click.option("--float", "opening_float", metavar="AMOUNT", help="Cash in the drawer when the day began.")
@click.option("--counted", metavar="AMOUNT", help="Cash counted in the drawer now (shows over or short).")
@json_option
@pass_context
def close(ctx, stream, business_date, opening_float, counted, as_json):
    """End the day at MiniPOS STREAM: build its digest (and post it when auto invoice is on)."""
    closed = ctx.flow.till(stream).close(business_date, opening_float, counted)
    outcome = closed.outcome
    documents = closed.documents
    this = closed.closes[-1] if closed.closes else {}
    if as_json:
        emit_json(day_json(closed.day) | {
            "sync": outcome.status, "error": outcome.error, "documents": documents,
            "over_short_posted": money(this.get("posted")),
            "closes": [{"closed_at": instant(c["closed_at"]), "closed_by": c["closed_by"],
                        "opening_float": money(c["opening_float"]), "expected_cash": money(c["expected_cash"]),
                        "counted_cash": money(c["counted_cash"]), "over_short": money(c["over_short"]),
                        "over_short_posted": money(c["posted"])} for c in closed.closes]})
        return
    print_day(closed.day)
    if this.get("posted"):
        echo(f"Cash {'over' if this['posted'] > 0 else 'short'} {show_money(abs(this['posted']))} posted to "
             f"cash over/short" + (" (the change since the last close)." if len(closed.closes) > 1 else "."))
    if outcome.failed:
        raise click.ClickException(f"The day is closed but its digest was not built: {outcome.error}")
    echo(f"Digest built ({outcome.digests.touched} day(s) updated)"
         + (f"; posted {', '.join(documents)}." if documents else "."))


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(minipos)
