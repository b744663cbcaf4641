"""The ledger's words, defined once: account types and the categories a stream maps to accounts.

A *category* is a part of a sale the books post somewhere (sales, tax, rounding...). Each takes accounts of
certain types; a stream maps it (``flowtui map account``) or the books' default is used. This table is the one
list: the mappings and their checks, the digest listing's "no account for" rule, the CLI's help and the
screens read it. Both are :class:`enum.StrEnum`, so the stored text is unchanged.
"""

from __future__ import annotations

from enum import StrEnum


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
    COST_OF_GOODS = "cost_of_goods"
    INVENTORY = "inventory"
    CASH_OVER_SHORT = "cash_over_short"
    OPENING_BALANCE = "opening_balance"
    STOCK_ADJUSTMENT = "stock_adjustment"


ACCOUNT_TYPES: tuple[str, ...] = tuple(AccountType)

_A = AccountType
#: Every category a stream can map -> the account types it may go to (in the order help texts list them).
CATEGORY_TYPES: dict[str, tuple[str, ...]] = {
    Category.SALES: (_A.INCOME,),
    Category.RETURNS: (_A.INCOME,),
    Category.DISCOUNT: (_A.INCOME,),
    Category.SERVICE_CHARGE: (_A.INCOME,),
    Category.TAX: (_A.LIABILITY,),
    Category.ROUNDING: (_A.INCOME, _A.EXPENSE),
    Category.COST_OF_GOODS: (_A.EXPENSE,),
    Category.INVENTORY: (_A.ASSET,),
    Category.CASH_OVER_SHORT: (_A.EXPENSE, _A.INCOME),
    Category.OPENING_BALANCE: (_A.EQUITY,),
    Category.STOCK_ADJUSTMENT: (_A.EXPENSE,),
}

#: The categories every digest's posting may need (a digest without an account for one it uses needs attention).
POSTING_CATEGORIES: tuple[str, ...] = (Category.SALES, Category.RETURNS, Category.DISCOUNT, Category.SERVICE_CHARGE,
                                       Category.TAX, Category.ROUNDING)

#: What a payment method's money is deposited to: a cash, bank or clearing account.
PAYMENT_ACCOUNT_TYPES: tuple[str, ...] = (_A.ASSET,)
