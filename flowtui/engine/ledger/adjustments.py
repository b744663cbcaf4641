"""When a posted day changes at the source: what the ledger holds, what the day is now, the difference.

A posted document is never edited. The ledger's view of a digest is the sum of
every document posted from it (invoices add, credit notes subtract); the
day's view is its sales less its returns, as the orders are now. Both keep
the two **sides** apart: sales items (their product's income account, else
Sales) and returns items (Sales Returns), each as it counts in the day's
total (returns negative). Their difference — per side and SKU (or the one
all-sales / all-returns line), per payment method, and in service charge,
shipping, discount, tax, tips, rounding and total — is what an adjustment posts: a
supplementary invoice when it adds up to more, a credit note when to less.
So a void reduces Sales and a late return adds to Sales Returns, whichever
document carries them. Money in integer sen, quantities in thousandths.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from flowtui.engine.ledger import sql
from flowtui.engine.ledger.posting_plan import RETURN, SALE, ItemTotal, SideTotals, discount_parts
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import rows

_FIELDS = ("discount", "service_charge", "shipping", "tax", "tips", "rounding", "total")


def _key(item: ItemTotal, grouping: str, side: str) -> tuple[str, str, str | None]:
    return (side, "", None) if grouping == "all" else (side, item.sku, item.tax_code)


def net_side(sales: SideTotals | None, returns: SideTotals | None, grouping: str) -> SideTotals:
    """The day as it is now: sales less returns, each item on its side."""
    items: dict[tuple, list] = {}
    names: dict[tuple, str | None] = {}
    totals = dict.fromkeys(_FIELDS, 0)
    payments: dict[str, int] = defaultdict(int)
    discounts: dict[str, int] = defaultdict(int)
    orders = 0
    for side, sign, which in ((sales, 1, SALE), (returns, -1, RETURN)):
        if side is None:
            continue
        orders += side.orders
        for name in _FIELDS:
            totals[name] += sign * getattr(side, name)
        for method, amount in side.payments:
            payments[method] += sign * amount
        for code, amount in discount_parts(side):
            discounts[code] += sign * amount
        for item in side.items:
            key = _key(item, grouping, which)
            values = items.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate((0 if grouping == "all" else item.quantity, item.discount, item.tax, item.amount)):
                values[i] += sign * value
            names[key] = names.get(key) or item.name
    return _side(orders, totals, items, names, payments, discounts)


def _side(orders, totals, items, names, payments, discounts) -> SideTotals:
    return SideTotals(
        orders=orders, **totals,
        items=tuple(ItemTotal(sku, names.get((side, sku, code)), code, quantity, discount, tax, amount, side=side)
                    for (side, sku, code), (quantity, discount, tax, amount) in sorted(
                        items.items(), key=lambda kv: (kv[0][0] != SALE, kv[0][1], kv[0][2] or ""))),
        payments=tuple(sorted(payments.items())),
        discounts=tuple(sorted((code, amount) for code, amount in discounts.items() if amount)),
    )


def ledger_sides(con: Connection, digest_ids: list[int], grouping: dict[int, str]) -> dict[int, SideTotals]:
    """What the ledger holds for each digest: all its documents, invoices less credit notes."""
    params = {"ids": digest_ids}
    out: dict[int, dict] = {}
    for r in rows(con, sql.LEDGER_TOTALS, params):
        out[r["digest_id"]] = {"orders": 0, "totals": {f: r[f] for f in _FIELDS}, "items": {}, "names": {},
                               "payments": defaultdict(int), "discounts": defaultdict(int)}
    for r in rows(con, sql.LEDGER_ITEMS, params):
        data = out[r["digest_id"]]
        everything = grouping.get(r["digest_id"]) == "all"
        key = (r["side"], "", None) if everything else (r["side"], r["sku"], r["tax_code"])
        values = data["items"].setdefault(key, [0, 0, 0, 0])
        for i, value in enumerate((0 if everything else r["quantity"], r["discount"], r["tax"], r["amount"])):
            values[i] += value
        data["names"][key] = data["names"].get(key) or r["name"]
    for r in rows(con, sql.LEDGER_PAYMENTS, params):
        out[r["digest_id"]]["payments"][r["method"]] += r["amount"]
    for r in rows(con, sql.LEDGER_DISCOUNTS, params):  # discount lines: the order discount by the tax code it reduces
        out[r["digest_id"]]["discounts"][r["tax_code"]] += r["amount"]
    return {k: _side(0, v["totals"], v["items"], v["names"], v["payments"], v["discounts"]) for k, v in out.items()}


def difference(now: SideTotals, posted: SideTotals, orders: int) -> SideTotals | None:
    """``now - posted`` line by line; None when every line nets to zero."""
    items: dict[tuple, list] = {}
    names: dict[tuple, str | None] = {}
    for side, sign in ((now, 1), (posted, -1)):
        for item in side.items:
            key = (item.side, item.sku, item.tax_code)
            values = items.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate((item.quantity, item.discount, item.tax, item.amount)):
                values[i] += sign * value
            names[key] = names.get(key) or item.name
    items = {k: v for k, v in items.items() if any(v)}
    payments: dict[str, int] = defaultdict(int)
    for method, amount in now.payments:
        payments[method] += amount
    for method, amount in posted.payments:
        payments[method] -= amount
    payments = {m: a for m, a in payments.items() if a}
    discounts: dict[str, int] = defaultdict(int)
    for side, sign in ((now, 1), (posted, -1)):
        for code, amount in discount_parts(side):
            discounts[code] += sign * amount
    discounts = {c: a for c, a in discounts.items() if a}
    totals = {f: getattr(now, f) - getattr(posted, f) for f in _FIELDS}
    if not items and not payments and not discounts and not any(totals.values()):
        return None
    return _side(orders, totals, items, names, payments, discounts)


def negated(side: SideTotals) -> SideTotals:
    """The same difference seen from a credit note: every amount the other way round."""
    return replace(
        side, discount=-side.discount, service_charge=-side.service_charge, shipping=-side.shipping, tax=-side.tax,
        tips=-side.tips, rounding=-side.rounding, total=-side.total,
        items=tuple(ItemTotal(i.sku, i.name, i.tax_code, -i.quantity, -i.discount, -i.tax, -i.amount, i.side)
                    for i in side.items),
        payments=tuple((m, -a) for m, a in side.payments),
        discounts=tuple((c, -a) for c, a in side.discounts),
    )


@dataclass(frozen=True)
class OrderChanges:
    added: list[str]
    voided: list[str]
    changed: list[str]

    @property
    def count(self) -> int:
        return len(self.added) + len(self.voided) + len(self.changed)

    def describe(self, limit: int = 10) -> str:
        parts = []
        for label, ids in (("added", self.added), ("voided or gone", self.voided), ("changed", self.changed)):
            if ids:
                shown = ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
                parts.append(f"{label}: {shown}")
        return "; ".join(parts) or "no order changed"


def order_changes(con: Connection, digest_id: int) -> OrderChanges:
    """Orders of the day that differ from what its postings covered."""
    added, voided, changed = [], [], []
    for r in rows(con, sql.CROSSING_ORDER_CHANGES, {"id": digest_id}):
        was, now = r["old_status"] == "completed", r["new_status"] == "completed"
        if now and not was:
            added.append(r["order_id"])
        elif was and not now:
            voided.append(r["order_id"])
        elif was and now and r["old_version"] != r["new_version"]:
            changed.append(r["order_id"])
    return OrderChanges(added, voided, changed)


def trail(con: Connection, digest_id: int) -> list[dict]:
    """Every version of a digest, and what (if anything) posted it."""
    return [{**r, "documents": r["documents"] or []} for r in rows(con, sql.CROSSING_DIGEST_TRAIL, [digest_id])]


def changes_since_posted(con: Connection, digest_id: int, grouping: str) -> dict:
    """What changed since the day was posted: orders, and payments and items before (ledger) and after (digest)."""
    before = ledger_sides(con, [digest_id], {digest_id: grouping}).get(digest_id)
    after_payments = {r["method"]: r["amount"] for r in rows(con, sql.CROSSING_DIGEST_PAYMENTS_SEN, [digest_id])}
    after_items = {r["sku"]: (r["quantity"], r["amount"])
                   for r in rows(con, sql.CROSSING_DIGEST_ITEMS_SEN, [digest_id])}
    before_payments = dict(before.payments) if before else {}
    before_items: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in before.items if before else ():
        before_items[item.sku][0] += item.quantity
        before_items[item.sku][1] += item.amount
    if grouping == "all":
        after_items = {"": (0, sum(a for _, a in after_items.values()))}
    payments = [{"method": m, "before": before_payments.get(m, 0), "after": after_payments.get(m, 0)}
                for m in sorted(set(before_payments) | set(after_payments))]
    items = [{"sku": sku, "before_quantity": before_items[sku][0] if sku in before_items else 0,
              "after_quantity": after_items.get(sku, (0, 0))[0],
              "before_amount": before_items[sku][1] if sku in before_items else 0,
              "after_amount": after_items.get(sku, (0, 0))[1]}
             for sku in sorted(set(before_items) | set(after_items))]
    changed_items = [i for i in items if (i["before_quantity"], i["before_amount"]) != (i["after_quantity"], i["after_amount"])]
    orders = order_changes(con, digest_id)
    return {"orders": {"added": orders.added, "voided": orders.voided, "changed": orders.changed},
            "payments": [p for p in payments if p["before"] != p["after"]], "items": changed_items,
            "total_before": before.total if before else 0}
