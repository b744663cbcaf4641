"""What posting a digest writes, worked out as plain data (no database).

A day's completed sales become an **invoice**; its completed returns a
**credit note**. Each document gets lines, payments, a tax summary, a
balanced journal entry and, for stock-tracked products when grouping by SKU,
stock movements and a cost-of-goods entry. Money is integer sen throughout;
quantities are integer thousandths; product costs are integer 1/10,000.

The journal of an invoice (a credit note is the mirror image, with its item
lines on the returns account):

=====================================  =======  ========
line                                   debit    credit
=====================================  =======  ========
each payment method's deposit account  paid
each item line's income account                 gross (amount + line discount)
discount account                       line and order discounts
service charge account                          service charge
tax account                                     tax
rounding account                       if < 0   if > 0
=====================================  =======  ========
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
    kind: str  # item | discount | service_charge | tax | rounding
    description: str
    sku: str | None
    quantity: int  # thousandths
    unit_price: int  # 1/10,000
    discount: int
    tax: int
    tax_code: str | None
    amount: int
    account: str


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: int
    credit: int
    memo: str


@dataclass(frozen=True)
class StockMove:
    sku: str
    quantity: int  # thousandths, + in / - out
    unit_cost: int


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


@dataclass(frozen=True)
class DayToPost:
    business_date: date
    grouping: str  # sku | all
    sales: SideTotals | None
    returns: SideTotals | None
    products: dict[str, ProductInfo] = field(default_factory=dict)


def _unit_price(gross: int, quantity: int) -> int:
    """Gross per unit in 1/10,000, rounded half away from zero (quantity in thousandths)."""
    if quantity == 0:
        return 0
    numerator = abs(gross) * 100 * 1000
    value = (2 * numerator + abs(quantity)) // (2 * abs(quantity))
    return value if (gross >= 0) == (quantity > 0) else -value


def _item_lines(side: SideTotals, day: DayToPost, kind: str, accounts: Accounts) -> list[DocumentLine]:
    fallback = accounts.categories["sales" if kind == "invoice" else "returns"]
    if day.grouping == "all":
        codes = {i.tax_code for i in side.items}
        gross = sum(i.gross for i in side.items)
        return [DocumentLine(
            "item", "All Sales" if kind == "invoice" else "All Returns", None, 1000, gross * 100,
            sum(i.discount for i in side.items), side.line_tax, codes.pop() if len(codes) == 1 else None,
            side.subtotal, fallback,
        )]
    lines = []
    for item in sorted(side.items, key=lambda i: (i.sku, i.tax_code or "")):
        product = day.products.get(item.sku)
        account = (product.income_account if product and product.income_account and kind == "invoice" else None)
        lines.append(DocumentLine(
            "item", product.name if product else (item.name or item.sku), item.sku, item.quantity,
            _unit_price(item.gross, item.quantity), item.discount, item.tax, item.tax_code, item.amount,
            account or fallback,
        ))
    return lines


def plan_document(side: SideTotals, day: DayToPost, kind: str, accounts: Accounts) -> DocumentPlan:
    """One document (``invoice`` from sales, ``credit_note`` from returns) with its journal."""
    cats = accounts.categories
    lines = _item_lines(side, day, kind, accounts)
    residual_tax = side.tax - side.line_tax
    if side.discount:
        lines.append(DocumentLine("discount", "Discount", None, 1000, -side.discount * 100, 0, 0, None,
                                  -side.discount, cats["discount"]))
    if side.service_charge:
        lines.append(DocumentLine("service_charge", "Service charge", None, 1000, side.service_charge * 100, 0,
                                  residual_tax, None, side.service_charge, cats["service_charge"]))
    elif residual_tax:
        lines.append(DocumentLine("tax", "Tax adjustment", None, 1000, 0, 0, residual_tax, None, 0, cats["tax"]))
    if side.rounding:
        lines.append(DocumentLine("rounding", "Rounding", None, 1000, side.rounding * 100, 0, 0, None,
                                  side.rounding, cats["rounding"]))
    payments = tuple((method, accounts.payments[method], amount) for method, amount in side.payments if amount)
    taxes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        if line.tax or line.kind == "item":
            entry = taxes[line.tax_code or ""]
            entry[0] += line.amount if line.kind in ("item", "service_charge") else 0
            entry[1] += line.tax
    plan = DocumentPlan(
        kind=kind, date=day.business_date, subtotal=side.subtotal, discount=side.discount,
        service_charge=side.service_charge, tax=side.tax, rounding=side.rounding, total=side.total,
        lines=tuple(lines), payments=payments,
        taxes=tuple((code, taxable, tax) for code, (taxable, tax) in sorted(taxes.items())),
        journal=tuple(_journal(side, lines, payments, kind, cats)), orders=side.orders,
    )
    if day.grouping == "sku":
        plan = _with_stock(plan, side, day, cats)
    return plan


def _journal(side: SideTotals, lines: list[DocumentLine], payments, kind: str, cats: dict[str, str]) -> list[JournalLine]:
    """Debits and credits of a sale; a credit note's are the same with the sides swapped."""
    debit: dict[str, int] = defaultdict(int)
    credit: dict[str, int] = defaultdict(int)
    for method, account, amount in payments:
        debit[account] += amount
    for line in lines:
        if line.kind == "item":
            credit[line.account] += line.amount + line.discount
    discounts = sum(line.discount for line in lines if line.kind == "item") + side.discount
    debit[cats["discount"]] += discounts
    credit[cats["service_charge"]] += side.service_charge
    credit[cats["tax"]] += side.tax
    if side.rounding > 0:
        credit[cats["rounding"]] += side.rounding
    else:
        debit[cats["rounding"]] += -side.rounding
    if kind == "credit_note":
        debit, credit = credit, debit
    memo = "Sales" if kind == "invoice" else "Returns"
    return _lines(debit, credit, memo)


def _lines(debit: dict[str, int], credit: dict[str, int], memo: str) -> list[JournalLine]:
    """Net each account to one line (debits first, then credits, by account); zeros are dropped."""
    net = {a: debit.get(a, 0) - credit.get(a, 0) for a in set(debit) | set(credit)}
    debits = [JournalLine(a, n, 0, memo) for a, n in sorted(net.items()) if n > 0]
    credits = [JournalLine(a, 0, -n, memo) for a, n in sorted(net.items()) if n < 0]
    return debits + credits


def _cogs_amount(quantity: int, cost: int) -> int:
    """quantity (thousandths) x cost (1/10,000) in sen, rounded half up."""
    raw = quantity * cost  # units of 1e-7
    return (raw + 50_000) // 100_000 if raw >= 0 else -((-raw + 50_000) // 100_000)


def _with_stock(plan: DocumentPlan, side: SideTotals, day: DayToPost, cats: dict[str, str]) -> DocumentPlan:
    """Stock out for an invoice's items, back in for a credit note's (negative quantities turn it round)."""
    sign = -1 if plan.kind == "invoice" else 1
    moves, cost = [], 0
    for item in side.items:
        product = day.products.get(item.sku)
        if product and product.track_stock and item.quantity:
            moves.append(StockMove(item.sku, sign * item.quantity, product.cost))
            cost += _cogs_amount(item.quantity, product.cost)
    if not moves:
        return plan
    goods, stock = cats["cost_of_goods"], cats["inventory"]
    if plan.kind == "invoice":
        cogs = _lines({goods: cost}, {stock: cost}, "Cost of goods sold")
    else:
        cogs = _lines({stock: cost}, {goods: cost}, "Cost of goods returned")
    return DocumentPlan(**{**plan.__dict__, "stock": tuple(moves), "cogs": tuple(cogs)})


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
