"""What posting a digest writes, worked out as plain data (no database).

A day's completed sales become an **invoice**; its completed returns a
**credit note**. Each document gets lines, payments, a tax summary, a
balanced journal entry and, for stock-tracked products when grouping by SKU,
stock movements and a cost-of-goods entry. Money is integer sen throughout;
quantities are integer thousandths; product costs are integer 1/10,000.

The journal of an invoice (a credit note is the mirror image):

=====================================  =======  ========
line                                   debit    credit
=====================================  =======  ========
each payment method's deposit account  paid
each item line's account                        gross (amount + line discount)
discount account                       line and order discounts
service charge account                          service charge
shipping account                                shipping
tax account, one line per tax code              tax
tips account                                    tips
rounding account                       if < 0   if > 0
=====================================  =======  ========

Every item line belongs to a **side**: a sale's lines go to their product's
income account (else sales), a return's to the returns account — whichever
document carries them. A day's invoice holds its sales, its credit note its
returns; the one document that posts a change to a posted day (an
adjustment) holds both sides' differences, so a void or a downward edit
reduces Sales and a late return increases Sales Returns. Service charge,
shipping, discount, tax, tips and rounding go to their own accounts whichever side they
come from, so a correction reverses the account the amount first went to: refunded shipping
(a return's) is taken back from the shipping (income) account, a refunded tip from the tips
(liability) account.

The tax no line carries (the service charge's and the shipping's) is carried
by the service charge line, else by the shipping line, else by a "Tax
adjustment" line, under the service charge's tax code when the day has a
service charge (else under no code).

Cost of goods is worked out once per document from the exact sum of
quantity × cost and rounded once; each stock movement carries its share of
that value, so the Inventory account always equals the stock's value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

SALE, RETURN = "sale", "return"


@dataclass(frozen=True)
class ItemTotal:
    """Lines of one side of a day with the same SKU (or product id) and tax code."""

    sku: str
    name: str | None
    tax_code: str | None
    quantity: int  # thousandths
    discount: int
    tax: int
    amount: int  # after the line discount, before tax
    side: str = SALE  # sale | return: which account the line belongs to

    @property
    def gross(self) -> int:
        return self.amount + self.discount


@dataclass(frozen=True)
class SideTotals:
    """One side (sales or returns) of a digest's day."""

    orders: int
    discount: int
    service_charge: int
    tax: int
    rounding: int
    total: int
    items: tuple[ItemTotal, ...]
    payments: tuple[tuple[str, int], ...]  # (method, amount)
    discounts: tuple[tuple[str, int], ...] = ()  # the order discount by the tax code it reduces ("" = none)
    shipping: int = 0  # ex-tax (its tax is part of ``tax``)
    tips: int = 0

    @property
    def subtotal(self) -> int:
        return sum(i.amount for i in self.items)

    @property
    def line_tax(self) -> int:
        return sum(i.tax for i in self.items)


@dataclass(frozen=True)
class ProductInfo:
    name: str
    income_account: str | None
    track_stock: bool
    cost: int  # 1/10,000 of the currency unit


@dataclass(frozen=True)
class Accounts:
    """The accounts a stream posts to: categories and payment methods."""

    categories: dict[str, str]
    payments: dict[str, str]


@dataclass(frozen=True)
class DocumentLine:
    kind: str  # item | discount | service_charge | shipping | tax | tips | rounding
    description: str
    sku: str | None
    quantity: int  # thousandths
    unit_price: int  # 1/10,000
    discount: int
    tax: int
    tax_code: str | None
    amount: int
    account: str
    side: str | None = None  # items: sale | return


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: int
    credit: int
    memo: str
    tax_code: str | None = None  # tax lines: the code the tax is due under


@dataclass(frozen=True)
class StockMove:
    sku: str
    quantity: int  # thousandths, + in / - out
    unit_cost: int
    value: int = 0  # sen, its share of the document's cost of goods (+ in / - out)


@dataclass(frozen=True)
class DocumentPlan:
    kind: str  # invoice | credit_note
    date: date
    subtotal: int
    discount: int
    service_charge: int
    tax: int
    rounding: int
    total: int
    lines: tuple[DocumentLine, ...]
    payments: tuple[tuple[str, str, int], ...]  # (method, account, amount)
    taxes: tuple[tuple[str, int, int], ...]  # (tax code, taxable, tax)
    journal: tuple[JournalLine, ...]
    cogs: tuple[JournalLine, ...] = ()
    stock: tuple[StockMove, ...] = ()
    orders: int = 0
    shipping: int = 0
    tips: int = 0


@dataclass(frozen=True)
class DayToPost:
    business_date: date
    grouping: str  # sku | all
    sales: SideTotals | None
    returns: SideTotals | None
    products: dict[str, ProductInfo] = field(default_factory=dict)
    service_charge_tax_code: str | None = None  # the code the service charge's tax is due under


def _unit_price(gross: int, quantity: int) -> int:
    """Gross per unit in 1/10,000, rounded half away from zero (quantity in thousandths)."""
    if quantity == 0:
        return 0
    numerator = abs(gross) * 100 * 1000
    value = (2 * numerator + abs(quantity)) // (2 * abs(quantity))
    return value if (gross >= 0) == (quantity > 0) else -value


def _item_lines(side: SideTotals, day: DayToPost, accounts: Accounts) -> list[DocumentLine]:
    """Item lines: sales first, then returns; a sale's on its product's income account (else sales), a return's
    on the returns account."""
    lines: list[DocumentLine] = []
    by_side: dict[str, list[ItemTotal]] = {SALE: [], RETURN: []}
    for item in side.items:
        by_side[item.side].append(item)
    for which, items in by_side.items():
        if not items:
            continue
        fallback = accounts.categories["sales" if which == SALE else "returns"]
        if day.grouping == "all":
            codes = {i.tax_code for i in items}
            lines.append(DocumentLine(
                "item", "All Sales" if which == SALE else "All Returns", None, 1000,
                sum(i.gross for i in items) * 100, sum(i.discount for i in items), sum(i.tax for i in items),
                codes.pop() if len(codes) == 1 else None, sum(i.amount for i in items), fallback, which,
            ))
            continue
        products, sale = day.products, which == SALE
        for item in sorted(items, key=lambda i: (i.sku, i.tax_code or "")):
            product = products.get(item.sku)
            account = product.income_account if sale and product and product.income_account else None
            lines.append(DocumentLine(
                "item", product.name if product else (item.name or item.sku), item.sku, item.quantity,
                _unit_price(item.gross, item.quantity), item.discount, item.tax, item.tax_code, item.amount,
                account or fallback, which,
            ))
    return lines


def discount_parts(side: SideTotals) -> list[tuple[str, int]]:
    """The order discount by tax code (what the codes' taxable amounts are net of); any rest under no code."""
    parts = [(code, amount) for code, amount in side.discounts if amount]
    rest = side.discount - sum(amount for _, amount in parts)
    return parts + ([("", rest)] if rest else [])


def plan_document(side: SideTotals, day: DayToPost, kind: str, accounts: Accounts) -> DocumentPlan:
    """One document (``invoice`` from sales, ``credit_note`` from returns) with its journal."""
    cats = accounts.categories
    lines = _item_lines(side, day, accounts)
    residual_tax = side.tax - side.line_tax
    for code, amount in discount_parts(side):
        lines.append(DocumentLine("discount", "Discount", None, 1000, -amount * 100, 0, 0, code or None, -amount,
                                  cats["discount"]))
    if side.service_charge:
        lines.append(DocumentLine("service_charge", "Service charge", None, 1000, side.service_charge * 100, 0,
                                  residual_tax, day.service_charge_tax_code, side.service_charge,
                                  cats["service_charge"]))
        residual_tax = 0
    if side.shipping:
        lines.append(DocumentLine("shipping", "Shipping", None, 1000, side.shipping * 100, 0, residual_tax, None,
                                  side.shipping, cats["shipping"]))
        residual_tax = 0
    if residual_tax:
        lines.append(DocumentLine("tax", "Tax adjustment", None, 1000, 0, 0, residual_tax, None, 0, cats["tax"]))
    if side.tips:
        lines.append(DocumentLine("tips", "Tips", None, 1000, side.tips * 100, 0, 0, None, side.tips, cats["tips"]))
    if side.rounding:
        lines.append(DocumentLine("rounding", "Rounding", None, 1000, side.rounding * 100, 0, 0, None,
                                  side.rounding, cats["rounding"]))
    payments = tuple((method, accounts.payments[method], amount) for method, amount in side.payments if amount)
    taxes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        if line.tax or line.kind in ("item", "discount") or (line.kind == "service_charge" and line.tax_code):
            entry = taxes[line.tax_code or ""]
            entry[0] += line.amount if line.kind in ("item", "service_charge", "discount") else 0
            entry[1] += line.tax
    plan = DocumentPlan(
        kind=kind, date=day.business_date, subtotal=side.subtotal, discount=side.discount,
        service_charge=side.service_charge, tax=side.tax, rounding=side.rounding, total=side.total,
        shipping=side.shipping, tips=side.tips, lines=tuple(lines), payments=payments,
        taxes=tuple((code, taxable, tax) for code, (taxable, tax) in sorted(taxes.items())),
        journal=tuple(_journal(side, lines, payments, kind, cats)), orders=side.orders,
    )
    if day.grouping == "sku":
        plan = _with_stock(plan, side, day, cats)
    return plan


Key = tuple[str, str | None]  # (account, tax code)


def _journal(side: SideTotals, lines: list[DocumentLine], payments, kind: str, cats: dict[str, str]) -> list[JournalLine]:
    """Debits and credits of a sale; a credit note's are the same with the sides swapped. Tax: a line per code."""
    debit: dict[Key, int] = defaultdict(int)
    credit: dict[Key, int] = defaultdict(int)
    for _method, account, amount in payments:
        debit[account, None] += amount
    for line in lines:
        if line.kind == "item":
            credit[line.account, None] += line.amount + line.discount
        if line.tax:
            credit[cats["tax"], line.tax_code or None] += line.tax
    # a category is asked for only when the day uses it, as the attention rules check (storage.digest_listing)
    discounts = sum(line.discount for line in lines if line.kind == "item") + side.discount
    if discounts:
        debit[cats["discount"], None] += discounts
    if side.service_charge:
        credit[cats["service_charge"], None] += side.service_charge
    if side.shipping:
        credit[cats["shipping"], None] += side.shipping
    if side.tips:
        credit[cats["tips"], None] += side.tips
    if side.rounding > 0:
        credit[cats["rounding"], None] += side.rounding
    elif side.rounding < 0:
        debit[cats["rounding"], None] += -side.rounding
    if kind == "credit_note":
        debit, credit = credit, debit
    memo = "Sales" if kind == "invoice" else "Returns"
    return _lines(debit, credit, memo)


def _lines(debit: dict[Key, int], credit: dict[Key, int], memo: str) -> list[JournalLine]:
    """Net each account (and tax code) to one line, debits first, then credits, by account; zeros are dropped."""
    keys = sorted(set(debit) | set(credit), key=lambda k: (k[0], k[1] or ""))
    net = {k: debit.get(k, 0) - credit.get(k, 0) for k in keys}
    debits = [JournalLine(a, n, 0, memo, code) for (a, code), n in net.items() if n > 0]
    credits = [JournalLine(a, 0, -n, memo, code) for (a, code), n in net.items() if n < 0]
    return debits + credits


def _sen_of(raw: int) -> int:
    """Quantity (thousandths) x cost (1/10,000), i.e. units of 1e-7, in sen rounded half away from zero."""
    return (raw + 50_000) // 100_000 if raw >= 0 else -((-raw + 50_000) // 100_000)


def stock_values(quantities_and_costs: list[tuple[int, int]]) -> list[int]:
    """Each movement's value in sen: the running exact total rounded once, so they add up to the rounded sum."""
    values, running, booked = [], 0, 0
    for quantity, cost in quantities_and_costs:
        running += quantity * cost
        values.append(_sen_of(running) - booked)
        booked += values[-1]
    return values


def _with_stock(plan: DocumentPlan, side: SideTotals, day: DayToPost, cats: dict[str, str]) -> DocumentPlan:
    """Stock out for an invoice's items, back in for a credit note's (negative quantities turn it round).

    Cost of goods is the exact sum of quantity x cost over the document, rounded once.
    """
    sign = -1 if plan.kind == "invoice" else 1
    tracked = []
    for item in side.items:
        product = day.products.get(item.sku)
        if product and product.track_stock and item.quantity:
            tracked.append((item.sku, item.quantity, product.cost))
    if not tracked:
        return plan
    values = stock_values([(q, c) for _, q, c in tracked])
    moves = tuple(StockMove(sku, sign * q, c, sign * v) for (sku, q, c), v in zip(tracked, values))
    cost = sum(values)
    goods, stock = cats["cost_of_goods"], cats["inventory"]
    if plan.kind == "invoice":
        cogs = _lines({(goods, None): cost}, {(stock, None): cost}, "Cost of goods sold")
    else:
        cogs = _lines({(stock, None): cost}, {(goods, None): cost}, "Cost of goods returned")
    return DocumentPlan(**{**plan.__dict__, "stock": moves, "cogs": tuple(cogs)})


def plan_day(day: DayToPost, accounts: Accounts) -> list[DocumentPlan]:
    """The documents a day posts: an invoice for its sales, a credit note for its returns."""
    plans = []
    if day.sales is not None and day.sales.orders:
        plans.append(plan_document(day.sales, day, "invoice", accounts))
    if day.returns is not None and day.returns.orders:
        plans.append(plan_document(day.returns, day, "credit_note", accounts))
    return plans


def balanced(lines: tuple[JournalLine, ...] | list[JournalLine]) -> bool:
    return sum(line.debit for line in lines) == sum(line.credit for line in lines)
