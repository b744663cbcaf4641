"""product(s), stock, post, invoices, invoice show, ledger trial-balance / journal."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import day, echo, emit_json, instant, listing, money, price, quantity, show_money, table
from flowtui.cli.params import DATE, json_option
from flowtui.engine.core.formats import price as show_price
from flowtui.engine.pipeline.reconcile import BOOKS
from flowtui.engine.printing.report_views import document_title

EXIT_REFUSED = 3


@click.group()
def product():
    """Add products (SKUs) to the books."""


@product.command("add")
@click.argument("sku")
@click.argument("name")
@click.option("--price", required=True, help="Selling price, excluding tax.")
@click.option("--cost", required=True, help="Unit cost, for cost of goods sold.")
@click.option("--track-stock", is_flag=True, help="Deduct stock when it sells.")
@click.option("--income-account", metavar="CODE", help="Income account for its sales (default: the sales mapping).")
@click.option("--barcode", help="Barcode a scanner types (MiniPOS).")
@click.option("--tax-code", help="Tax code charged at the MiniPOS, e.g. SV6.")
@click.option("--tax-rate", help="Tax rate charged at the MiniPOS: 0.06 or 6%.")
@pass_context
def product_add(ctx, sku, name, price, cost, track_stock, income_account, barcode, tax_code, tax_rate):
    """Add product SKU called NAME."""
    added = ctx.flow.add_product(sku, name, price, cost, track_stock, income_account, barcode, tax_code, tax_rate)
    echo(f"Added product {added.sku} {added.name} at {show_price(added.unit_price)}"
         + (" (stock tracked)." if added.track_stock else "."))


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def products(click_ctx, as_json):
    """List products; `products import FILE.csv` adds or updates them."""
    if click_ctx.invoked_subcommand is not None:
        return
    click_ctx.obj.must_exist = True  # listing only reads (`products import` may create the books)
    found = click_ctx.obj.flow.products()
    rows = [{"sku": p.sku, "name": p.name, "price": price(p.unit_price), "cost": price(p.cost),
             "track_stock": p.track_stock, "income_account": p.income_account, "barcode": p.barcode,
             "tax_code": p.tax_code, "tax_rate": str(p.tax_rate)} for p in found]
    if not as_json:  # the table shows every decimal a price or cost has, like the JSON
        rows = [row | {"price": show_price(p.unit_price), "cost": show_price(p.cost)} for row, p in zip(rows, found)]
    listing(as_json, rows, {"sku": "SKU", "name": "NAME", "price": "PRICE", "cost": "COST",
                            "track_stock": "TRACKED", "income_account": "INCOME ACCOUNT"}, right={"price", "cost"})


@products.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_context
def products_import(ctx, file):
    """Add or update products from FILE.csv (sku, name, price, cost, track_stock, income_account)."""
    result = ctx.flow.import_products(file)
    if result.errors:
        for error in result.errors:
            echo(f"Error: {error}", err=True)
        echo(f"Nothing imported: fix the {len(result.errors)} row(s) above and run again.", err=True)
        raise click.exceptions.Exit(2)
    echo(f"Imported {file}: {result.added} added, {result.updated} updated.")


@click.group(invoke_without_command=True)
@click.option("--location", help="Only this location.")
@json_option
@click.pass_context
def stock(click_ctx, location, as_json):
    """Stock on hand per SKU and location; `stock set` records opening stock."""
    if click_ctx.invoked_subcommand is not None:
        return
    click_ctx.obj.must_exist = True  # listing only reads (`stock set` may create the books)
    found = click_ctx.obj.flow.stock(location)
    rows = [{"sku": r.sku, "name": r.name, "location": r.location, "quantity": quantity(r.quantity),
             "value": money(r.value), "negative": r.negative} for r in found]
    listing(as_json, rows, {"sku": "SKU", "name": "NAME", "location": "LOCATION", "quantity": "ON HAND",
                            "value": "VALUE"}, right={"quantity", "value"})
    for r in found if not as_json else []:
        if r.negative:
            echo(f"warning: {r.sku} at {r.location} is below zero ({quantity(r.quantity)}): more was sold "
                 f"than is on hand; count it (`flowtui stock set {r.sku} QTY --location "
                 f"\"{r.location}\" --date D`)", err=True)


@stock.command("set")
@click.argument("sku")
@click.argument("qty")
@click.option("--location", required=True, help="Where the stock is.")
@click.option("--date", "on", type=DATE, help="The day the count is for (default: today); opening stock can "
              "precede the sales it covers.")
@pass_context
def stock_set(ctx, sku, qty, location, on):
    """Set SKU's stock on hand at a location to QTY at the end of a day (opening stock or a count).

    The difference is booked to the Inventory account: opening stock against opening balance equity,
    a later count against stock adjustments.
    """
    row = ctx.flow.set_stock(sku, qty, location, on)
    echo(f"{row.sku} at {row.location}: {quantity(row.quantity)} on hand, worth {show_money(row.value)}.")


@click.command()
@click.argument("digest_ids", nargs=-1, type=int, metavar="[DIGEST_ID]...")
@click.option("--all", "everything", is_flag=True, help="Every digest not posted yet (days that are over).")
@click.option("--stream", help="Only this stream's digests.")
@click.option("--from", "start", type=DATE, help="From this business date.")
@click.option("--to", "end", type=DATE, help="Up to this business date.")
@json_option
@pass_context
def post(ctx, digest_ids, everything, stream, start, end, as_json):
    """Post digests as invoices and credit notes, with payments, journal entries and stock.

    Exits 0 when everything selected is posted (now or before), 3 when
    something was refused (the reason says what to map).
    """
    from flowtui.cli.commands.digest_cmds import _progress_bar

    with _progress_bar(not as_json and sys.stderr.isatty()) as report:
        progress = (lambda done, total: report("posting", done / total, f"{done}/{total} digests")) if report else None
        outcomes = ctx.flow.post(list(digest_ids), everything=everything, stream=stream, start=start, end=end,
                                 progress=progress)
    if as_json:
        emit_json([{"digest_id": o.digest_id, "digest": o.label, "status": o.status,
                    "documents": [{"kind": k, "number": n} for k, n in o.documents], "reasons": o.reasons}
                   for o in outcomes])
    else:
        print_post_outcomes(outcomes, one_by_one=bool(digest_ids))
    if any(o.status == "refused" for o in outcomes):
        raise click.exceptions.Exit(EXIT_REFUSED)


@click.command()
@click.option("--from", "start", type=DATE)
@click.option("--to", "end", type=DATE)
@click.option("--location", help="Only this location.")
@json_option
@read_only
@pass_context
def invoices(ctx, start, end, location, as_json):
    """List invoices and credit notes."""
    rows = [{"number": d.number, "kind": d.kind, "date": day(d.date), "contact": d.contact,
             "location": d.location, "total": money(d.total), "status": d.status, "digest_id": d.digest_id,
             "created_at": instant(d.created_at), "role": d.role} for d in ctx.flow.invoices(start, end, location)]
    listing(as_json, rows, {"number": "NUMBER", "kind": "KIND", "date": "DATE", "location": "LOCATION",
                            "contact": "CONTACT", "total": "TOTAL", "status": "STATUS", "digest_id": "DIGEST"},
            right={"total"})


@click.group()
def invoice():
    """Look at one invoice or credit note."""


@invoice.command("show")
@click.argument("number")
@json_option
@read_only
@pass_context
def invoice_show(ctx, number, as_json):
    """Show invoice (or credit note) NUMBER: lines, payments, taxes, history, linked documents."""
    show_document(ctx.flow.invoice(number), as_json)


@invoice.command("reverse")
@click.argument("number")
@click.option("--reason", required=True, help="Why (kept in the documents' history).")
@json_option
@pass_context
def invoice_reverse(ctx, number, reason, as_json):
    """Reverse posted document NUMBER with a linked reversing document (nothing is deleted).

    Every document still standing on NUMBER's digest is reversed (its credit note and adjustments too), each
    by a document of the same date with the same amounts; the digest goes back to ready so it can be posted
    again.
    """
    done = ctx.flow.reverse_invoice(number, reason)
    if as_json:
        emit_json({"digest_id": done.digest_id, "digest_status": done.status,
                   "reversed": [{"number": old, "reversed_by": new} for old, new in done.documents]})
        return
    for old, new in done.documents:
        echo(f"Reversed {old} with {new}.")
    echo(f"Digest {done.digest_id} is {done.status.replace('_', ' ')} again"
         + (" (`flowtui post` posts it anew)." if done.status == "ready" else "."))


@click.group()
def ledger():
    """The general ledger: trial balance and journal."""


@ledger.command("trial-balance")
@click.option("--as-of", type=DATE, help="Balances at the end of this date.")
@json_option
@read_only
@pass_context
def trial_balance(ctx, as_of, as_json):
    """Debit and credit totals per account; debits equal credits."""
    rows = ctx.flow.trial_balance(as_of)
    data = [{"code": r.code, "name": r.name, "type": r.type, "debit": money(r.debit), "credit": money(r.credit),
             "balance": money(r.balance)} for r in rows]
    totals = {"debit": money(sum(r.debit for r in rows)), "credit": money(sum(r.credit for r in rows))}
    if as_json:
        emit_json({"as_of": day(as_of), "rows": data, "totals": totals})
        return
    table(["CODE", "NAME", "TYPE", "DEBIT", "CREDIT", "BALANCE"],
          [[r.code, r.name, r.type, show_money(r.debit), show_money(r.credit), show_money(r.balance)]
           for r in rows] + [["", "TOTAL", "", show_money(sum(r.debit for r in rows)),
                              show_money(sum(r.credit for r in rows)), ""]], right={3, 4, 5})


@ledger.group("entry")
def entry():
    """Manual journal entries."""


@entry.command("add")
@click.option("--date", "on", type=DATE, required=True, help="The entry's date.")
@click.option("--memo", required=True, help="What it is for.")
@click.option("--debit", "debits", multiple=True, required=True, metavar="ACCOUNT:AMOUNT",
              help="Account code and amount to debit, e.g. 6000:12.50 (repeat for more).")
@click.option("--credit", "credits", multiple=True, required=True, metavar="ACCOUNT:AMOUNT",
              help="Account code and amount to credit, e.g. 1010:12.50 (repeat for more).")
@json_option
@pass_context
def entry_add(ctx, on, memo, debits, credits, as_json):
    """Record a manual journal entry: balanced (debits = credits), dated, with a memo."""
    entry_id = ctx.flow.add_journal_entry(on, memo, [_account_amount(d) for d in debits],
                                          [_account_amount(c) for c in credits])
    if as_json:
        emit_json({"entry_id": entry_id, "date": day(on), "memo": memo})
    else:
        echo(f"Journal entry {entry_id} recorded on {day(on)}: {memo}")


@ledger.command("journal")
@click.option("--from", "start", type=DATE)
@click.option("--to", "end", type=DATE)
@click.option("--account", metavar="CODE", help="Only lines on this account.")
@json_option
@read_only
@pass_context
def journal(ctx, start, end, account, as_json):
    """Journal entries, line by line."""
    rows = [{"entry": r.entry_id, "date": day(r.date), "document": r.document, "kind": r.kind, "memo": r.memo,
             "account": r.account, "account_name": r.account_name, "debit": money(r.debit),
             "credit": money(r.credit)} for r in ctx.flow.journal(start, end, account)]
    listing(as_json, rows, {"entry": "ENTRY", "date": "DATE", "document": "DOCUMENT", "account": "ACCOUNT",
                            "account_name": "NAME", "debit": "DEBIT", "credit": "CREDIT"},
            right={"entry", "debit", "credit"})


@click.command()
@click.option("--stream", help="Only this stream.")
@click.option("--from", "start", type=DATE, help="From this business date.")
@click.option("--to", "end", type=DATE, help="Up to this business date.")
@json_option
@read_only
@pass_context
def reconcile(ctx, stream, start, end, as_json):
    """Compare, per stream, location and day, the source's orders, the digest and the ledger.

    Exits 0 only when all three agree on every day that is over.
    """
    checks = ctx.flow.reconcile(stream, start, end)
    if as_json:
        emit_json([{"stream": c.stream, "location": c.location, "pos_store_id": c.pos_store_id,
                    "date": day(c.date), "digest_id": c.digest_id, "source": money(c.source),
                    "digest": money(c.digest), "ledger": money(c.ledger), "open": c.open, "agrees": c.agrees,
                    "rejections": c.rejections, "differences": c.differences} for c in checks])
    else:
        table(["DATE", "STREAM", "LOCATION", "SOURCE", "DIGEST", "LEDGER", "CHECK"],
              [[day(c.date), c.stream, c.location or f"({c.pos_store_id})", show_money(c.source),
                show_money(c.digest), show_money(c.ledger), "REJECTED" if c.rejections else
                "open" if c.open and c.agrees else ("ok" if c.agrees else "DIFFERS")] for c in checks],
              right={3, 4, 5})
        differing = [c for c in checks if c.fails]
        for c in differing:
            for text in c.differences:
                echo(f"{day(c.date) or 'no day'} {c.stream} {c.location or c.pos_store_id or '-'}: {text}")
        echo(f"{len(checks) - len(differing)} of {len(checks)} day(s) agree" if differing
             else f"All {len(checks)} day(s) agree.")
        if stream is None and not any(c.stream == BOOKS for c in checks):
            echo("The Inventory account equals the stock's value on every date.")
    if any(c.fails for c in checks):
        raise click.exceptions.Exit(1)


def _account_amount(text: str) -> tuple[str, Decimal]:
    from flowtui.engine.core.errors import InvalidInput
    from flowtui.engine.ledger.products import parse_amount

    code, sep, amount = text.replace("=", ":").rpartition(":")
    if not sep or not code.strip():
        raise InvalidInput(f"{text!r} is not ACCOUNT:AMOUNT (e.g. 6000:12.50).")
    return code.strip(), parse_amount(amount, f"The amount for {code.strip()}", places=2)


def print_post_outcomes(outcomes, one_by_one: bool = True) -> None:
    """A line per digest; with ``one_by_one`` off (digests chosen by --all or filters) the days posted before are
    counted in one line, not listed: ``12 digests already posted (nothing to do)``."""
    if not outcomes:
        echo("Nothing to post.")
    earlier = 0
    for o in outcomes:
        if o.status == "already_posted" and not one_by_one:
            earlier += 1
            continue
        docs = ", ".join(f"{kind.replace('_', ' ')} {number}" for kind, number in o.documents)
        if o.status == "posted":
            echo(f"Posted digest {o.digest_id} ({o.label}): {docs}")
        elif o.status == "adjusted":
            docs = docs.replace("invoice", "supplementary invoice")
            echo(f"Posted the change to digest {o.digest_id} ({o.label}): {docs} ({'; '.join(o.reasons)})")
        elif o.status == "unchanged":
            echo(f"Digest {o.digest_id} ({o.label}) changed but every line nets to zero: nothing to post "
                 f"({'; '.join(o.reasons)})")
        elif o.status == "already_posted":
            echo(f"Digest {o.digest_id} ({o.label}) was already posted" + (f": {docs}" if docs else ""))
        else:
            echo(f"Refused digest {o.digest_id} ({o.label}):")
            for reason in o.reasons:
                echo(f"  - {reason}")
    if earlier:
        echo(f"{earlier:,} digest{'' if earlier == 1 else 's'} already posted (nothing to do)")


def show_document(d, as_json: bool) -> None:
    r = d.row
    if as_json:
        emit_json({
            "number": r.number, "kind": r.kind, "date": day(r.date), "contact": r.contact, "location": r.location,
            "total": money(r.total), "status": r.status, "digest_id": r.digest_id, "created_at": instant(r.created_at),
            "stream": d.stream, "digest_version": d.digest_version, "currency": d.currency, "role": d.role,
            "subtotal": money(d.subtotal), "discount": money(d.discount), "service_charge": money(d.service_charge),
            "shipping": money(d.shipping), "tax": money(d.tax), "tips": money(d.tips), "rounding": money(d.rounding),
            "lines": [{"description": x["description"], "sku": x["sku"], "quantity": quantity(x["quantity"]),
                       "unit_price": money(x["unit_price"]), "discount": money(x["discount"]),
                       "tax": money(x["tax"]), "tax_code": x["tax_code"], "amount": money(x["amount"]),
                       "account": x["account"], "side": x["side"]} for x in d.lines],
            "payments": [{"method": p["method"], "account": p["account"], "amount": money(p["amount"])}
                         for p in d.payments],
            "taxes": [{"tax_code": t["tax_code"], "taxable": money(t["taxable"]), "tax": money(t["tax"])}
                      for t in d.taxes],
            "history": [{"at": instant(h["at"]), "actor": h["actor"], "event": h["event"], "detail": h["detail"]}
                        for h in d.history],
            "linked": [{"number": x["number"], "kind": x["kind"], "date": day(x["date"]), "total": money(x["total"]),
                        "relation": x["relation"]} for x in d.linked],
        })
        return
    title = document_title(r.kind, d.role)
    echo(f"{title} {r.number}  {day(r.date)}  [{r.status}]")
    echo(f"To: {r.contact}   Location: {r.location}   Source: {d.stream}, digest {r.digest_id} v{d.digest_version}\n")
    table(["DESCRIPTION", "SKU", "QTY", "UNIT PRICE", "DISC", "TAX", "AMOUNT", "ACCOUNT"],
          [[x["description"], x["sku"], quantity(x["quantity"]), show_money(x["unit_price"]), show_money(x["discount"]),
            show_money(x["tax"]), show_money(x["amount"]), x["account"]] for x in d.lines], right={2, 3, 4, 5, 6})
    echo()
    for label, value in (("Subtotal", d.subtotal), ("Discount", d.discount), ("Service charge", d.service_charge),
                         ("Shipping", d.shipping), ("Tax", d.tax), ("Tips", d.tips), ("Rounding", d.rounding),
                         (f"Total ({d.currency})", r.total)):
        if value or label not in ("Shipping", "Tips"):
            echo(f"{label:>20}  {show_money(value):>12}")
    echo()
    table(["PAYMENT", "ACCOUNT", "AMOUNT"], [[p["method"], p["account"], show_money(p["amount"])] for p in d.payments],
          right={2})
    echo()
    table(["TAX CODE", "TAXABLE", "TAX"], [[t["tax_code"] or "-", show_money(t["taxable"]), show_money(t["tax"])]
                                           for t in d.taxes], right={1, 2})
    if d.linked:
        echo("\nLinked: " + "; ".join(f"{x['relation']} {x['kind'].replace('_', ' ')} {x['number']}"
                              for x in d.linked))
    echo("\nHistory:")
    for h in d.history:
        echo(f"  {instant(h['at'])}  {h['actor']}  {h['event']}: {h['detail']}")


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(product)
    cli.add_command(products)
    cli.add_command(stock)
    cli.add_command(post)
    cli.add_command(invoices)
    cli.add_command(invoice)
    cli.add_command(ledger)
    cli.add_command(reconcile)
