"""The ledger's words, defined once: account types and the categories a stream maps to accounts.

A *category* is a part of a sale the books post somewhere (sales, tax, rounding...). Each takes accounts of
certain types; a stream maps it (``flowtui map account``) or the books' default is used. This table is the one
list: the mappings and their checks, the digest listing's "no account for" rule, the CLI's help and the
screens read it. Both are :class:`enum.StrEnum`, so the stored text is unchanged.
"""

from __future__ import annotations

from enum import StrEnum

from flowtui.engine.core.statuses import values


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Category(StrEnum):
    SALES = "sales"
    RETURNS = "returns"
    DISCOUNT = "discount"
    SERVICE_CHARGE = "service_charge"
    TAX = "tax"
    ROUNDING = "rounding"
    SHIPPING = "shipping"
    TIPS = "tips"
    COST_OF_GOODS = "cost_of_goods"
    INVENTORY = "inventory"
    CASH_OVER_SHORT = "cash_over_short"
    OPENING_BALANCE = "opening_balance"
    STOCK_ADJUSTMENT = "stock_adjustment"


ACCOUNT_TYPES: tuple[str, ...] = values(AccountType)

_C, _A = Category, AccountType
#: Every category a stream can map -> the account types it may go to (in the order help texts list them); plain
#: texts, as stored (so click choices and messages show them as they are typed).
CATEGORY_TYPES: dict[str, tuple[str, ...]] = {c.value: tuple(t.value for t in types) for c, types in (
    (_C.SALES, (_A.INCOME,)),
    (_C.RETURNS, (_A.INCOME,)),
    (_C.DISCOUNT, (_A.INCOME,)),
    (_C.SERVICE_CHARGE, (_A.INCOME,)),
    (_C.TAX, (_A.LIABILITY,)),
    (_C.ROUNDING, (_A.INCOME, _A.EXPENSE)),
    (_C.SHIPPING, (_A.INCOME,)),
    (_C.TIPS, (_A.LIABILITY,)),
    (_C.COST_OF_GOODS, (_A.EXPENSE,)),
    (_C.INVENTORY, (_A.ASSET,)),
    (_C.CASH_OVER_SHORT, (_A.EXPENSE, _A.INCOME)),
    (_C.OPENING_BALANCE, (_A.EQUITY,)),
    (_C.STOCK_ADJUSTMENT, (_A.EXPENSE,)),
)}

#: The categories every digest's posting may need (a digest without an account for one it uses needs attention).
POSTING_CATEGORIES: tuple[str, ...] = tuple(c.value for c in (_C.SALES, _C.RETURNS, _C.DISCOUNT, _C.SERVICE_CHARGE,
                                                               _C.TAX, _C.ROUNDING, _C.SHIPPING, _C.TIPS))

#: What a payment method's money is deposited to: a cash, bank or clearing account.
PAYMENT_ACCOUNT_TYPES: tuple[str, ...] = (_A.ASSET.value,)
