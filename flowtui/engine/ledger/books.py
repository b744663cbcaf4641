"""The books' reference data: company settings, accounts, contacts, locations,
payment methods and the default account for each posting category."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flowtui.engine.core import names
from flowtui.engine.core.accounts import (  # noqa: F401  (the categories' one table, re-exported for the books' callers)
    ACCOUNT_TYPES,
    CATEGORY_TYPES,
    PAYMENT_ACCOUNT_TYPES,
    POSTING_CATEGORIES,
    Category,
)
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.ledger import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import named, one, rows, the

DEFAULT_TIMEZONE = "Asia/Kuala_Lumpur"
DEFAULT_CURRENCY = "MYR"
DEFAULT_CONTACT = "Cash Sales"

#: A small Malaysian-style chart of accounts.
DEFAULT_CHART: tuple[tuple[str, str, str], ...] = (
    ("1000", "Cash on Hand", "asset"),
    ("1010", "Bank - Current Account", "asset"),
    ("1020", "Card Settlement Clearing", "asset"),
    ("1030", "E-wallet Clearing", "asset"),
    ("1100", "Trade Receivables", "asset"),
    ("1200", "Inventory", "asset"),
    ("2000", "Trade Payables", "liability"),
    ("2100", "SST Payable", "liability"),
    ("2200", "Tips Payable", "liability"),
    ("3000", "Owner's Capital", "equity"),
    ("3100", "Retained Earnings", "equity"),
    ("3200", "Opening Balance Equity", "equity"),
    ("4000", "Sales", "income"),
    ("4010", "Sales Returns", "income"),
    ("4020", "Sales Discounts", "income"),
    ("4100", "Service Charge Income", "income"),
    ("4200", "Shipping Income", "income"),
    ("4900", "Rounding Adjustment", "income"),
    ("5000", "Cost of Goods Sold", "expense"),
    ("5100", "Stock Adjustments", "expense"),
    ("6000", "Bank and Card Charges", "expense"),
    ("6100", "Cash Over/Short", "expense"),
)

#: Posting category -> default account code.
DEFAULT_CATEGORIES: dict[str, str] = {
    Category.SALES.value: "4000",
    Category.RETURNS.value: "4010",
    Category.DISCOUNT.value: "4020",
    Category.SERVICE_CHARGE.value: "4100",
    Category.SHIPPING.value: "4200",
    Category.TAX.value: "2100",
    Category.TIPS.value: "2200",
    Category.ROUNDING.value: "4900",
    Category.COST_OF_GOODS.value: "5000",
    Category.INVENTORY.value: "1200",
    Category.OPENING_BALANCE.value: "3200",
    Category.STOCK_ADJUSTMENT.value: "5100",
    Category.CASH_OVER_SHORT.value: "6100",
}

DEFAULT_PAYMENT_METHODS: tuple[tuple[str, str], ...] = (
    ("Cash", "1000"),
    ("Card", "1020"),
    ("E-wallet", "1030"),
)


@dataclass(frozen=True)
class Company:
    name: str
    currency: str
    timezone: str


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {tz!r}; use an IANA name such as Asia/Kuala_Lumpur.") from None
    return tz


def _check_currency(code: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InvalidInput(f"Currency must be a three-letter ISO code such as MYR, not {code!r}.")
    return code


def _setting(con: Connection, key: str) -> str | None:
    found = one(con, sql.SETTING, [key])
    return found["value"] if found else None


def _put_setting(con: Connection, key: str, value: str) -> None:
    con.execute(sql.PUT_SETTING, [key, value])


def database_id(con: Connection) -> str:
    """This database's own random id (migration 12): its streams' API keys are kept under it.

    A file whose id was deleted by hand gets a new one (on a write connection); its streams' keys stay
    where their references say.
    """
    value = _setting(con, "database_id")
    if value is None:
        value = str(uuid.uuid4())
        _put_setting(con, "database_id", value)
    return value


def company(con: Connection) -> Company:
    return Company(
        name=_setting(con, "company_name") or "My Company",
        currency=_setting(con, "currency") or DEFAULT_CURRENCY,
        timezone=_setting(con, "timezone") or DEFAULT_TIMEZONE,
    )


def default_timezone(con: Connection) -> str:
    return _setting(con, "timezone") or DEFAULT_TIMEZONE


def _refuse_currency_change(con: Connection, code: str) -> None:
    current = _setting(con, "currency")
    if current is None or current == code:
        return
    counts = the(con, sql.BOOKS_HELD)
    documents, entries = counts["documents"], counts["entries"]
    if documents or entries:
        held = f"{documents:,} document(s)" if documents else f"{entries:,} journal entry(ies)"
        raise InvalidInput(f"The books are kept in {current} and already hold {held}; the currency cannot change "
                           f"to {code} now. Start new books in {code} with `flowtui --db NEW_FILE init --currency "
                           f"{code}`.")


def is_initialised(con: Connection) -> bool:
    return _setting(con, "initialised") is not None


def initialise(
    con: Connection, now: datetime, *, name: str | None = None, currency: str | None = None, timezone: str | None = None
) -> Company:
    """Seed the books (idempotent): settings given now win, existing data stays.

    The currency is the one thing that cannot change once the books hold a document or a journal entry
    (their amounts are in it).
    """
    if currency is not None:
        code = _check_currency(currency)
        _refuse_currency_change(con, code)
        _put_setting(con, "currency", code)
    if timezone is not None:
        _put_setting(con, "timezone", check_timezone(timezone))
    if name is not None:
        if not name.strip():
            raise InvalidInput("The company name cannot be empty.")
        _put_setting(con, "company_name", name.strip())
    for key, value in (("company_name", "My Company"), ("currency", DEFAULT_CURRENCY), ("timezone", DEFAULT_TIMEZONE)):
        if _setting(con, key) is None:
            _put_setting(con, key, value)
    if not is_initialised(con):
        con.executemany(sql.INSERT_DEFAULT_ACCOUNTS, [(code, label, kind, now) for code, label, kind in DEFAULT_CHART])
        con.executemany(sql.INSERT_DEFAULT_CATEGORY_ACCOUNTS, list(DEFAULT_CATEGORIES.items()))
        con.executemany(sql.INSERT_DEFAULT_PAYMENT_METHODS, [(label, code, now) for label, code in DEFAULT_PAYMENT_METHODS])
        con.execute(sql.INSERT_DEFAULT_CONTACT, [DEFAULT_CONTACT, now])
        _put_setting(con, "initialised", now.isoformat())
    return company(con)


# -- accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: str


def add_account(con: Connection, code: str, name: str, kind: str, now: datetime) -> Account:
    code, name, kind = code.strip(), name.strip(), kind.strip().lower()
    if not code or not name:
        raise InvalidInput("An account needs a code and a name.")
    if kind not in ACCOUNT_TYPES:
        raise InvalidInput(f"Account type must be one of {', '.join(ACCOUNT_TYPES)}, not {kind!r}.")
    existing = one(con, sql.ACCOUNT_NAMED, [code])
    if existing:
        raise InvalidInput(f"Account {code} already exists ({existing['name']}).")
    con.execute(sql.INSERT_ACCOUNT, [code, name, kind, now])
    return Account(code, name, kind)


def accounts(con: Connection) -> list[Account]:
    return [Account(**row) for row in rows(con, sql.CHART)]


def require_account(con: Connection, code: str) -> Account:
    found = rows(con, sql.ACCOUNT_BY_CODE, [code.strip()])
    if not found:
        raise NotFound(f"No account with code {code!r}; see `flowtui accounts` or add it with `flowtui account add`.")
    return Account(**found[0])


def _a(kind: str) -> str:
    return f"a{'n' if kind[0] in 'aeiou' else ''} {kind}"


def check_account_type(account: Account, allowed: tuple[str, ...], purpose: str, force: bool = False,
                       hint: str = "") -> Account:
    """``account`` if its type is one ``purpose`` may use (or ``force``), else a clear refusal naming both."""
    if force or account.type in allowed:
        return account
    wanted = " or ".join(_a(t) for t in allowed)
    raise InvalidInput(f"Account {account.code} ({account.name}) is {_a(account.type)} account, but {purpose} needs "
                       f"{wanted} account{hint}. Pick another account, or add --force to map it anyway.")


# -- contacts and locations --------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    id: int
    name: str


@dataclass(frozen=True)
class Location:
    id: int
    name: str
    timezone: str


def add_contact(con: Connection, name: str, now: datetime) -> Contact:
    name = name.strip()
    if not name:
        raise InvalidInput("A contact needs a name.")
    clash = names.taken(name, names_in(con, "contacts"))
    if clash is not None:
        raise InvalidInput(f"Contact {name!r} already exists{names.also_as(name, clash)}.")
    return Contact(**the(con, sql.INSERT_CONTACT, [name, now]))


def contacts(con: Connection) -> list[Contact]:
    return [Contact(**r) for r in rows(con, sql.CONTACTS)]


def names_in(con: Connection, table: str) -> list[str]:
    return [r["name"] for r in rows(con, sql.NAMES_IN.format(table=table))]  # table names are ours


def require_contact(con: Connection, name: str) -> Contact:
    """The contact ``name`` means (whatever its case); a clear error naming the nearest ones when none."""
    return Contact(**named(con, sql.CONTACT_BY_NAME, name, lambda: names_in(con, "contacts"), "contact",
                           "`flowtui contacts`, or add it with `flowtui contact add`"))


def add_location(con: Connection, name: str, timezone: str | None, now: datetime) -> Location:
    name = name.strip()
    if not name:
        raise InvalidInput("A location needs a name.")
    tz = check_timezone(timezone) if timezone else default_timezone(con)
    clash = names.taken(name, names_in(con, "locations"))
    if clash is not None:
        raise InvalidInput(f"Location {name!r} already exists{names.also_as(name, clash)}.")
    return Location(**the(con, sql.INSERT_LOCATION, [name, tz, now]))


def locations(con: Connection) -> list[Location]:
    return sorted((Location(**r) for r in rows(con, sql.LOCATIONS)), key=lambda location: names.natural_key(location.name))


def require_location(con: Connection, name: str) -> Location:
    """The location ``name`` means (whatever its case); a clear error naming the nearest ones when none."""
    return Location(**named(con, sql.LOCATION_BY_NAME, name, lambda: names_in(con, "locations"), "location",
                            "`flowtui locations`, or add it with `flowtui location add`"))
