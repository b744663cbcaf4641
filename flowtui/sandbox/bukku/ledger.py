"""The sandbox's own ledger, for tests to compare with flowtui's: ``GET /_sandbox/summary``.

Counts and totals per document type (ready documents only count in totals; drafts and voids are counted apart),
the debits and credits every ready document puts on each account, numbers posted twice (possible only with
``unique_numbers`` off) and writes refused because their number was taken, and every credit-note link. Amounts
are strings with two decimals, so a comparison is exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from flowtui.sandbox.bukku.company import RECEIVABLE_ACCOUNT_ID, ROUNDING_ACCOUNT_ID, TAX_ACCOUNT_ID

ZERO = Decimal("0.00")


def postings(doc: dict) -> list[tuple[int, Decimal, Decimal]]:
    """(account id, debit, credit) lines a ready document posts, netted through receivables as Bukku shows them."""
    out: list[tuple[int, Decimal, Decimal]] = []
    sign = {"sale_invoice": 1, "sale_credit_note": -1}.get(doc["type"])
    if sign is not None:
        for item in doc["form_items"]:
            if item.get("type") is None:
                out.append(_side(item["account_id"], -sign * item["net_amount"]))
        out.append(_side(TAX_ACCOUNT_ID, -sign * doc["tax_amount"]))
        out.append(_side(ROUNDING_ACCOUNT_ID, -sign * doc["rounding_amount"]))
        out.append(_side(RECEIVABLE_ACCOUNT_ID, sign * doc["amount"]))
    if doc["type"] == "sale_refund":
        out.append(_side(RECEIVABLE_ACCOUNT_ID, doc["amount"]))
    for deposit in doc.get("deposit_items") or []:
        fee = deposit["fee_amount"]
        if doc["type"] == "sale_refund":  # money paid out of the account, its fee too
            out.append(_side(deposit["account_id"], -(deposit["amount"] + fee)))
        else:  # money received into the account, less its fee
            out.append(_side(RECEIVABLE_ACCOUNT_ID, -deposit["amount"]))
            out.append(_side(deposit["account_id"], deposit["amount"] - fee))
        if fee:
            out.append(_side(deposit["fee_account_id"], fee))
    for item in doc.get("journal_items") or []:
        out.append((item["account_id"], item["debit_amount"] or ZERO, item["credit_amount"] or ZERO))
    return [p for p in out if p[1] or p[2]]


def _side(account: int, amount: Decimal) -> tuple[int, Decimal, Decimal]:
    return (account, amount, ZERO) if amount >= 0 else (account, ZERO, -amount)


def summary(books, requests: Counter) -> dict:
    with books.lock:
        docs = list(books.documents.values())
        rejected_numbers = list(books.rejected_numbers)
        rejected = dict(books.rejected)
    kinds: dict[str, dict] = {}
    for kind in ("sale_invoice", "sale_credit_note", "sale_refund", "journal_entry"):
        mine = [d for d in docs if d["type"] == kind]
        ready = [d for d in mine if d["status"] == "ready"]
        numbers = Counter(d["number"] for d in mine)
        kinds[kind] = {
            "count": len(ready), "statuses": dict(Counter(d["status"] for d in mine)),
            "amount": _money(sum((d["amount"] for d in ready), ZERO)),
            "tax": _money(sum((d.get("tax_amount", ZERO) for d in ready), ZERO)),
            "balance": _money(sum((d["balance"] for d in ready), ZERO)),
            "numbers": sorted(d["number"] for d in ready),
            "duplicates": sorted(n for n, c in numbers.items() if c > 1),
            "rejected_duplicates": sorted(n for k, n in rejected_numbers if k == kind),
            "by_date": {day: _money(sum((d["amount"] for d in ready if d["date"] == day), ZERO))
                        for day in sorted({d["date"] for d in ready})},
        }
    kinds["sale_invoice"]["deposits"] = _money(sum((x["amount"] for d in docs if d["type"] == "sale_invoice"
                                                    and d["status"] == "ready" for x in d["deposit_items"]), ZERO))
    links = [{"from": d["number"], "type": d["type"], "to": x["number"], "apply_amount": _money(x["apply_amount"])}
             for d in docs if d["status"] == "ready" for x in d.get("link_items") or []]
    kinds["sale_credit_note"]["links"] = [x for x in links if x["type"] == "sale_credit_note"]
    kinds["sale_credit_note"]["unlinked"] = sorted(
        d["number"] for d in docs if d["type"] == "sale_credit_note" and d["status"] == "ready"
        and not d.get("link_items") and not d["linked_items"])
    kinds["sale_refund"]["links"] = [x for x in links if x["type"] == "sale_refund"]
    invoices = {d["number"] for d in docs if d["type"] == "sale_invoice" and d["status"] == "ready"}
    kinds["sale_credit_note"]["references"] = [  # number2, the reference no., naming an invoice (or not)
        {"from": d["number"], "number2": d.get("number2"), "invoice": d.get("number2") in invoices}
        for d in docs if d["type"] == "sale_credit_note" and d["status"] == "ready"]
    sides: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for d in docs:
        if d["status"] == "ready":
            for account, debit, credit in postings(d):
                sides[account][0] += debit
                sides[account][1] += credit
    accounts = {books.accounts[a]["code"]: {"id": a, "name": books.accounts[a]["name"], "debit": _money(dr),
                                           "credit": _money(cr), "balance": _money(dr - cr)}
                for a, (dr, cr) in sorted(sides.items())}
    return {"invoices": kinds["sale_invoice"], "credit_notes": kinds["sale_credit_note"],
            "refunds": kinds["sale_refund"], "journal_entries": kinds["journal_entry"], "accounts": accounts,
            "rejected": rejected, "requests": {"total": sum(requests.values()),
                                               "by_status": {str(k): v for k, v in sorted(requests.items())}}}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"
