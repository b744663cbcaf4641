"""Checking and building the documents the sandbox accepts: sales invoices, sales credit notes, sales refunds and
journal entries, from a request body to the ``transaction`` Bukku answers with (or the :class:`Errors` it answers
422 with). Shapes: farhan-syah/bukku-client ``src/sales/{invoices,credit-notes,refunds}/type.ts`` and
``src/accounting/journal-entries/type.ts``. The books they go into are :mod:`.books`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from flowtui.sandbox.bukku import amounts
from flowtui.sandbox.bukku.rules import Errors

if TYPE_CHECKING:
    from flowtui.sandbox.bukku.books import Books

STATUSES = ("draft", "pending_approval", "ready")
MYINVOIS = ("NORMAL", "VALIDATE", "EXTERNAL")
ZERO = Decimal("0.00")


def header(errors: Errors, books: Books, body: dict, kind: str, contact_required: bool = True) -> dict:
    """The fields every document has: contact, number, date, currency, status and texts."""
    contact = errors.exists(body, "contact_id", books.contacts, required=contact_required)
    number = errors.text(body, "number", 50)
    if number is not None and books.number_taken(kind, number):
        errors.add("number", "The number has already been taken.")
    day = errors.day(body, "date")
    if day is not None and books.lock_date is not None and day.isoformat() <= books.lock_date:
        errors.add("date", f"The date must be a date after {books.lock_date}: the period up to it is locked.")
    currency = errors.text(body, "currency_code", 3, required=True)
    if currency is not None and currency not in books.currencies:
        errors.add("currency_code", "The selected currency code is invalid.")
    rate = errors.decimal(body, "exchange_rate", most=8, positive=True)
    status = errors.one_of(body, "status", STATUSES)
    einvoice = books.myinvois and kind in ("sale_invoice", "sale_credit_note", "sale_refund")
    action = errors.one_of(body, "myinvois_action", MYINVOIS, required=einvoice and status == "ready")
    for field, most in (("number2", 50), ("title", 255), ("description", 255), ("remarks", 2000),
                        ("billing_party", 2000), ("shipping_party", 2000), ("shipping_info", 2000)):
        errors.text(body, field, most)
    return {"contact": contact, "number": number, "date": day.isoformat() if day else None,
            "currency_code": currency, "exchange_rate": rate, "status": status, "myinvois_action": action}


def form_items(errors: Errors, books: Books, body: dict, tax_mode: str | None) -> list[tuple[dict, amounts.Line]]:
    """The lines, each as Bukku shows it with what it comes to (subtitles and subtotals come to nothing)."""
    items = errors.items(body, "form_items")
    built: list[tuple[dict, amounts.Line]] = []
    for n, item in enumerate(items or []):
        at = f"form_items.{n}"
        kind = errors.one_of(item, "type", ("bundle", "subtitle", "subtotal"), f"{at}.type", required=False)
        if kind == "bundle":
            errors.add(f"{at}.type", "Bundle items are not supported by the flowtui Bukku sandbox.")
            continue
        if kind in ("subtitle", "subtotal"):
            if kind == "subtitle":
                errors.text(item, "description", 2000, f"{at}.description", required=True)
            built.append(({"type": kind, "description": item.get("description")}, amounts.Line(ZERO, ZERO, ZERO, ZERO)))
            continue
        account = errors.exists(item, "account_id", books.accounts, f"{at}.account_id")
        description = errors.text(item, "description", 2000, f"{at}.description", required=True)
        price = errors.decimal(item, "unit_price", f"{at}.unit_price")
        quantity = errors.decimal(item, "quantity", f"{at}.quantity")
        discount = errors.discount(item, f"{at}.discount")
        tax = errors.exists(item, "tax_code_id", books.tax_codes, f"{at}.tax_code_id", required=False,
                            usable=lambda t: not t["is_archived"] and t["type"] == "sale")
        product = errors.exists(item, "product_id", books.products, f"{at}.product_id", required=False)
        unit = None
        if item.get("product_unit_id") is not None:
            units = {u["id"]: u for u in (product or {}).get("units", [])}
            unit = errors.exists(item, "product_unit_id", units, f"{at}.product_unit_id")
        location = errors.exists(item, "location_id", books.locations, f"{at}.location_id", required=False)
        if item.get("service_date") is not None:
            errors.day(item, "service_date", f"{at}.service_date")
        if account is None or price is None or quantity is None or description is None or tax_mode is None:
            continue
        rate = tax["rate"] if tax else ZERO
        money = amounts.line(quantity, price, discount, rate, tax_mode)
        if product and unit is None:
            unit = product["units"][0]
        built.append(({
            "type": None, "account_id": account["id"], "account_name": account["name"], "description": description,
            "service_date": item.get("service_date"), "product_id": product["id"] if product else None,
            "product_name": product["name"] if product else None, "product_sku": product["sku"] if product else None,
            "product_unit_id": unit["id"] if unit else None, "product_unit_label": unit["label"] if unit else None,
            "location_id": location["id"] if location else None, "location_code": location["code"] if location else None,
            "quantity": quantity, "unit_price": price, "amount": money.amount, "discount": discount,
            "discount_amount": money.discount_amount, "tax_code_id": tax["id"] if tax else None,
            "tax_code": tax["code"] if tax else None, "tax_amount": money.tax_amount, "net_amount": money.net_amount,
            "classification_code": item.get("classification_code")}, money))
    return built


def deposit_items(errors: Errors, books: Books, body: dict, required: bool) -> list[dict]:
    items = errors.items(body, "deposit_items", required=required)
    out = []
    for n, item in enumerate(items or []):
        at = f"deposit_items.{n}"
        account = errors.exists(item, "account_id", books.accounts, f"{at}.account_id")
        amount = errors.decimal(item, "amount", f"{at}.amount", most=2, positive=True)
        method = errors.exists(item, "payment_method_id", books.payment_methods, f"{at}.payment_method_id",
                               required=False)
        errors.text(item, "number", 50, f"{at}.number")
        fee_text = errors.discount({"discount": item.get("fee_text")}, f"{at}.fee_text")
        fee_account = errors.exists(item, "fee_account_id", books.accounts, f"{at}.fee_account_id",
                                    required=fee_text is not None)
        if account is None or amount is None:
            continue
        out.append({"payment_method_id": method["id"] if method else None, "account_id": account["id"],
                    "account_name": account["name"], "amount": amount, "number": item.get("number"),
                    "fee_text": fee_text, "fee_account_id": fee_account["id"] if fee_account else None,
                    "fee_amount": amounts.fee_of(amount, fee_text)})
    return out


def link_items(errors: Errors, books: Books, body: dict, contact: dict | None, target_type: str) -> list[dict]:
    """``link_items``: amounts applied to ``target_type`` documents of the same contact, each at most its balance."""
    items = errors.items(body, "link_items", required=False)
    out = []
    for n, item in enumerate(items or []):
        at = f"link_items.{n}"
        target = errors.exists(item, "target_transaction_id", books.documents, f"{at}.target_transaction_id",
                               usable=lambda d: d["type"] == target_type and d["status"] == "ready"
                               and (contact is None or d["contact_id"] == contact["id"]))
        apply = errors.decimal(item, "apply_amount", f"{at}.apply_amount", most=2, positive=True)
        if target is None or apply is None:
            continue
        if apply > target["balance"]:
            errors.add(f"{at}.apply_amount", f"The apply amount may not be greater than the balance of "
                                             f"{target['number']} ({target['balance']}).")
            continue
        out.append({"target_transaction_id": target["id"], "type": target_type, "number": target["number"],
                    "date": target["date"], "description": target.get("description"), "amount": target["amount"],
                    "apply_amount": apply})
    return out


def document(books: Books, body: dict, kind: str) -> tuple[Errors, dict | None]:
    """A sales invoice (``sale_invoice``) or credit note (``sale_credit_note``) checked and built, not yet stored."""
    errors = Errors()
    head = header(errors, books, body, kind)
    mode = errors.one_of(body, "payment_mode", ("cash", "credit")) if kind == "sale_invoice" else None
    tax_mode = errors.one_of(body, "tax_mode", ("inclusive", "exclusive"))
    lines = form_items(errors, books, body, tax_mode)
    deposits = deposit_items(errors, books, body, required=mode == "cash") if mode == "cash" else []
    terms = errors.items(body, "term_items", required=mode == "credit") if mode == "credit" else []
    for n, term in enumerate(terms or []):
        if term.get("date") is not None:
            errors.day(term, "date", f"term_items.{n}.date")
        elif term.get("term_id") is None:
            errors.add(f"term_items.{n}.date", f"The term items.{n}.date field is required when term items.{n}.term "
                                               "id is not present.")
        errors.required(term, "payment_due", f"term_items.{n}.payment_due")
    links = link_items(errors, books, body, head["contact"], "sale_invoice") if kind == "sale_credit_note" else []
    if errors:
        return errors, None
    total = amounts.totals([m for _, m in lines], books.cash_rounding)
    if total.amount < 0:
        errors.add("form_items", "The total amount must not be negative.")
    paid = sum((d["amount"] for d in deposits), ZERO)
    if mode == "cash" and paid != total.amount:
        errors.add("deposit_items", f"The total deposit amount ({paid}) must be equal to the transaction amount "
                                    f"({total.amount}).")
    applied = sum((x["apply_amount"] for x in links), ZERO)
    if applied > total.amount:
        errors.add("link_items", f"The total apply amount ({applied}) may not be greater than the transaction "
                                 f"amount ({total.amount}).")
    if errors:
        return errors, None
    contact = head.pop("contact")
    record = {**head, "type": kind, "contact_id": contact["id"], "contact_name": contact["legal_name"],
              "contact_code": contact["contact_code"], "number2": body.get("number2"), "currency_symbol": "RM",
              "title": body.get("title"), "description": body.get("description"), "remarks": body.get("remarks"),
              "billing_party": body.get("billing_party") or contact["legal_name"], "tax_mode": tax_mode,
              "tag_ids": [], "tag_names": [], "form_items": [dict(item, line=n + 1) for n, (item, _) in enumerate(lines)],
              "amount": total.amount, "net_amount": total.net, "tax_amount": total.tax,
              "rounding_on": books.cash_rounding, "rounding_amount": total.rounding, "linked_items": [],
              "short_link": None, "files": [], "email_status": "UNSENT"}
    if kind == "sale_invoice":
        record.update(payment_mode=mode, deposit_items=deposits, term_items=terms or [], balance=total.amount - paid)
    else:
        record.update(link_items=links, balance=total.amount - applied)
    return errors, record


def refund(books: Books, body: dict) -> tuple[Errors, dict | None]:
    """A sales refund: money paid back (``deposit_items``), applied to credit notes (``link_items``)."""
    errors = Errors()
    head = header(errors, books, body, "sale_refund")
    deposits = deposit_items(errors, books, body, required=True)
    links = link_items(errors, books, body, head["contact"], "sale_credit_note")
    if errors:
        return errors, None
    paid = sum((d["amount"] for d in deposits), ZERO)
    applied = sum((x["apply_amount"] for x in links), ZERO)
    if applied > paid:
        errors.add("link_items", f"The total apply amount ({applied}) may not be greater than the transaction "
                                 f"amount ({paid}).")
        return errors, None
    contact = head.pop("contact")
    return errors, {**head, "type": "sale_refund", "contact_id": contact["id"], "contact_name": contact["legal_name"],
                    "contact_code": contact["contact_code"], "number2": body.get("number2"), "currency_symbol": "RM",
                    "description": body.get("description"), "remarks": body.get("remarks"), "tag_ids": [],
                    "deposit_items": deposits, "link_items": links, "amount": paid, "balance": paid - applied,
                    "files": []}


def journal_entry(books: Books, body: dict) -> tuple[Errors, dict | None]:
    errors = Errors()
    head = header(errors, books, body, "journal_entry", contact_required=False)
    items = errors.items(body, "journal_items")
    lines = []
    for n, item in enumerate(items or []):
        at = f"journal_items.{n}"
        account = errors.exists(item, "account_id", books.accounts, f"{at}.account_id")
        debit = errors.decimal(item, "debit_amount", f"{at}.debit_amount", required=False, most=2, minimum=ZERO)
        credit = errors.decimal(item, "credit_amount", f"{at}.credit_amount", required=False, most=2, minimum=ZERO)
        if (debit or ZERO) and (credit or ZERO) or not ((debit or ZERO) or (credit or ZERO)):
            errors.add(f"{at}.debit_amount", "Either the debit amount or the credit amount must be entered.")
        if account is not None:
            lines.append({"line": n + 1, "account_id": account["id"], "account_name": account["name"],
                          "account_code": account["code"], "description": item.get("description"),
                          "debit_amount": debit or None, "credit_amount": credit or None})
    if errors:
        return errors, None
    debits = sum((x["debit_amount"] or ZERO for x in lines), ZERO)
    credits = sum((x["credit_amount"] or ZERO for x in lines), ZERO)
    if debits != credits:
        errors.add("journal_items", f"The total debit ({debits}) must be equal to the total credit ({credits}).")
        return errors, None
    head.pop("contact")
    return errors, {**head, "type": "journal_entry", "contact_id": body.get("contact_id"), "number2": body.get("number2"),
                    "currency_symbol": "RM", "description": body.get("description"), "remarks": body.get("remarks"),
                    "journal_items": lines, "amount": debits, "balance": ZERO, "files": []}
