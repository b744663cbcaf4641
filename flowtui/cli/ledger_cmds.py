"""product(s), stock, post, invoices, invoice show, ledger trial-balance / journal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flowtui.cli.output import day, emit_json, instant, listing, money, quantity, show_money, table
from flowtui.cli.params import DATE, json_option

EXIT_REFUSED = 3


def register(cli: click.Group) -> None:
    from flowtui.cli import pass_context

    _register_reconcile(cli)

    @cli.group()
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
        click.echo(f"Added product {added.sku} {added.name} at {show_money(added.unit_price)}"
                   + (" (stock tracked)." if added.track_stock else "."))

    @cli.group(invoke_without_command=True)
    @json_option
    @click.pass_context
    def products(click_ctx, as_json):
        """List products; `products import FILE.csv` adds or updates them."""
        if click_ctx.invoked_subcommand is not None:
            return
        rows = [{"sku": p.sku, "name": p.name, "price": money(p.unit_price), "cost": money(p.cost),
                 "track_stock": p.track_stock, "income_account": p.income_account, "barcode": p.barcode,
                 "tax_code": p.tax_code, "tax_rate": str(p.tax_rate)}
                for p in click_ctx.obj.flow.products()]
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
                click.echo(f"Error: {error}", err=True)
            click.echo(f"Nothing imported: fix the {len(result.errors)} row(s) above and run again.", err=True)
            raise click.exceptions.Exit(2)
        click.echo(f"Imported {file}: {result.added} added, {result.updated} updated.")

    @cli.group(invoke_without_command=True)
    @click.option("--location", help="Only this location.")
    @json_option
    @click.pass_context
    def stock(click_ctx, location, as_json):
        """Stock on hand per SKU and location; `stock set` records opening stock."""
        if click_ctx.invoked_subcommand is not None:
            return
        rows = [{"sku": r.sku, "name": r.name, "location": r.location, "quantity": quantity(r.quantity)}
                for r in click_ctx.obj.flow.stock(location)]
        listing(as_json, rows, {"sku": "SKU", "name": "NAME", "location": "LOCATION", "quantity": "ON HAND"},
                right={"quantity"})

    @stock.command("set")
    @click.argument("sku")
    @click.argument("qty")
    @click.option("--location", required=True, help="Where the stock is.")
    @pass_context
    def stock_set(ctx, sku, qty, location):
        """Set SKU's stock on hand at a location to QTY (opening stock or a count)."""
        row = ctx.flow.set_stock(sku, qty, location)
        click.echo(f"{row.sku} at {row.location}: {quantity(row.quantity)} on hand.")

    @cli.command()
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
        from flowtui.cli.digest_cmds import _progress_bar

        with _progress_bar(not as_json and sys.stderr.isatty()) as report:
            progress = (lambda done, total: report("posting", done / total, f"{done}/{total} digests")) if report else None
            outcomes = ctx.flow.post(list(digest_ids), everything=everything, stream=stream, start=start, end=end,
                                     progress=progress)
        if as_json:
            emit_json([{"digest_id": o.digest_id, "digest": o.label, "status": o.status,
                        "documents": [{"kind": k, "number": n} for k, n in o.documents], "reasons": o.reasons}
                       for o in outcomes])
        else:
            print_post_outcomes(outcomes)
        if any(o.status == "refused" for o in outcomes):
            raise click.exceptions.Exit(EXIT_REFUSED)

    @cli.command()
    @click.option("--from", "start", type=DATE)
    @click.option("--to", "end", type=DATE)
    @click.option("--location", help="Only this location.")
    @json_option
    @pass_context
    def invoices(ctx, start, end, location, as_json):
        """List invoices and credit notes."""
        rows = [{"number": d.number, "kind": d.kind, "date": day(d.date), "contact": d.contact,
                 "location": d.location, "total": money(d.total), "status": d.status, "digest_id": d.digest_id,
                 "created_at": instant(d.created_at), "role": d.role} for d in ctx.flow.invoices(start, end, location)]
        listing(as_json, rows, {"number": "NUMBER", "kind": "KIND", "date": "DATE", "location": "LOCATION",
                                "contact": "CONTACT", "total": "TOTAL", "status": "STATUS", "digest_id": "DIGEST"},
                right={"total"})

    @cli.group()
    def invoice():
        """Look at one invoice or credit note."""

    @invoice.command("show")
    @click.argument("number")
    @json_option
    @pass_context
    def invoice_show(ctx, number, as_json):
        """Show invoice (or credit note) NUMBER: lines, payments, taxes, history, linked documents."""
        show_document(ctx.flow.invoice(number), as_json)

    @cli.group()
    def ledger():
        """The general ledger: trial balance and journal."""

    @ledger.command("trial-balance")
    @click.option("--as-of", type=DATE, help="Balances at the end of this date.")
    @json_option
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

    @ledger.command("journal")
    @click.option("--from", "start", type=DATE)
    @click.option("--to", "end", type=DATE)
    @click.option("--account", metavar="CODE", help="Only lines on this account.")
    @json_option
    @pass_context
    def journal(ctx, start, end, account, as_json):
        """Journal entries, line by line."""
        rows = [{"entry": r.entry_id, "date": day(r.date), "document": r.document, "kind": r.kind, "memo": r.memo,
                 "account": r.account, "account_name": r.account_name, "debit": money(r.debit),
                 "credit": money(r.credit)} for r in ctx.flow.journal(start, end, account)]
        listing(as_json, rows, {"entry": "ENTRY", "date": "DATE", "document": "DOCUMENT", "account": "ACCOUNT",
                                "account_name": "NAME", "debit": "DEBIT", "credit": "CREDIT"},
                right={"entry", "debit", "credit"})


def _register_reconcile(cli: click.Group) -> None:
    from flowtui.cli import pass_context

    @cli.command()
    @click.option("--stream", help="Only this stream.")
    @click.option("--from", "start", type=DATE, help="From this business date.")
    @click.option("--to", "end", type=DATE, help="Up to this business date.")
    @json_option
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
                    click.echo(f"{day(c.date) or 'no day'} {c.stream} {c.location or c.pos_store_id or '-'}: {text}")
            click.echo(f"{len(checks) - len(differing)} of {len(checks)} day(s) agree" if differing
                       else f"All {len(checks)} day(s) agree.")
        if any(c.fails for c in checks):
            raise click.exceptions.Exit(1)


def print_post_outcomes(outcomes) -> None:
    if not outcomes:
        click.echo("Nothing to post.")
    for o in outcomes:
        docs = ", ".join(f"{kind.replace('_', ' ')} {number}" for kind, number in o.documents)
        if o.status == "posted":
            click.echo(f"Posted digest {o.digest_id} ({o.label}): {docs}")
        elif o.status == "adjusted":
            docs = docs.replace("invoice", "supplementary invoice")
            click.echo(f"Posted the change to digest {o.digest_id} ({o.label}): {docs} ({'; '.join(o.reasons)})")
        elif o.status == "unchanged":
            click.echo(f"Digest {o.digest_id} ({o.label}) changed but every line nets to zero: nothing to post "
                       f"({'; '.join(o.reasons)})")
        elif o.status == "already_posted":
            click.echo(f"Digest {o.digest_id} ({o.label}) was already posted" + (f": {docs}" if docs else ""))
        else:
            click.echo(f"Refused digest {o.digest_id} ({o.label}):")
            for reason in o.reasons:
                click.echo(f"  - {reason}")


def show_document(d, as_json: bool) -> None:
    r = d.row
    if as_json:
        emit_json({
            "number": r.number, "kind": r.kind, "date": day(r.date), "contact": r.contact, "location": r.location,
            "total": money(r.total), "status": r.status, "digest_id": r.digest_id, "created_at": instant(r.created_at),
            "stream": d.stream, "digest_version": d.digest_version, "currency": d.currency, "role": d.role,
            "subtotal": money(d.subtotal), "discount": money(d.discount), "service_charge": money(d.service_charge),
            "tax": money(d.tax), "rounding": money(d.rounding),
            "lines": [{"description": x["description"], "sku": x["sku"], "quantity": quantity(x["quantity"]),
                       "unit_price": money(x["unit_price"]), "discount": money(x["discount"]),
                       "tax": money(x["tax"]), "tax_code": x["tax_code"], "amount": money(x["amount"]),
                       "account": x["account"]} for x in d.lines],
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
    title = "Invoice" if r.kind == "invoice" else "Credit note"
    if d.role == "adjustment":
        title = "Supplementary invoice" if r.kind == "invoice" else "Credit note (adjustment)"
    click.echo(f"{title} {r.number}  {day(r.date)}  [{r.status}]")
    click.echo(f"To: {r.contact}   Location: {r.location}   Source: {d.stream}, digest {r.digest_id} v{d.digest_version}\n")
    table(["DESCRIPTION", "SKU", "QTY", "UNIT PRICE", "DISC", "TAX", "AMOUNT", "ACCOUNT"],
          [[x["description"], x["sku"], quantity(x["quantity"]), show_money(x["unit_price"]), show_money(x["discount"]),
            show_money(x["tax"]), show_money(x["amount"]), x["account"]] for x in d.lines], right={2, 3, 4, 5, 6})
    click.echo()
    for label, value in (("Subtotal", d.subtotal), ("Discount", d.discount), ("Service charge", d.service_charge),
                         ("Tax", d.tax), ("Rounding", d.rounding), (f"Total ({d.currency})", r.total)):
        click.echo(f"{label:>20}  {show_money(value):>12}")
    click.echo()
    table(["PAYMENT", "ACCOUNT", "AMOUNT"], [[p["method"], p["account"], show_money(p["amount"])] for p in d.payments],
          right={2})
    click.echo()
    table(["TAX CODE", "TAXABLE", "TAX"], [[t["tax_code"] or "-", show_money(t["taxable"]), show_money(t["tax"])]
                                           for t in d.taxes], right={1, 2})
    if d.linked:
        click.echo("\nLinked: " + "; ".join(f"{x['relation']} {x['kind'].replace('_', ' ')} {x['number']}"
                                          for x in d.linked))
    click.echo("\nHistory:")
    for h in d.history:
        click.echo(f"  {instant(h['at'])}  {h['actor']}  {h['event']}: {h['detail']}")
