"""Products (SKU, name, price, cost, income account, stock tracking) and stock on hand.

Stock is a ledger of movements per (SKU, location): opening stock and
adjustments from ``flowtui stock set``, sales out and returns in from posting.
On hand is their sum. Each movement carries its **value** in sen, and each is
booked to the Inventory account by the journal entry that made it (opening
stock against opening balance equity, a count's difference against stock
adjustments, sales and returns through cost of goods), so the Inventory
account equals the stock's value at every date.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.core.money import from_sen
from flowtui.engine.ledger import books, journal, sql
from flowtui.engine.ledger.posting_plan import stock_values
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the

PRODUCT_COLUMNS = ("sku", "name", "price", "cost", "track_stock", "income_account", "barcode", "tax_code", "tax_rate")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    unit_price: Decimal
    cost: Decimal
    income_account: str | None
    track_stock: bool
    barcode: str | None = None
    tax_code: str | None = None
    tax_rate: Decimal = Decimal(0)


def parse_amount(text: str | Decimal | int, what: str, places: int = 4) -> Decimal:
    """A non-negative exact amount with at most ``places`` decimals."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number, not {text!r}.") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{what} must be zero or more, not {text!r}.")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{what} can have at most {places} decimals, not {text!r}.")
    if value >= Decimal(10) ** 13:
        raise InvalidInput(f"{what} is too large: {text!r}.")
    return value


def parse_quantity(text: str | Decimal | int, what: str = "Quantity") -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number, not {text!r}.") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.001")) or abs(value) >= Decimal(10) ** 14:
        raise InvalidInput(f"{what} must be a number with at most 3 decimals, not {text!r}.")
    return value


def _income_account(con: Connection, code: str | None) -> str | None:
    if not code:
        return None
    account = books.require_account(con, code)
    if account.type != "income":
        raise InvalidInput(f"Account {account.code} ({account.name}) is a{'n' if account.type[0] in 'ae' else ''} "
                           f"{account.type} account; a product's income account must be an income account.")
    return account.code


def parse_rate(text, what: str = "Tax rate") -> Decimal:
    """A tax rate as a fraction (0.06, at most 4 decimals) or a percentage (6%, 6.25%: at most 2); never rounded."""
    raw = str(text).strip()
    percent = raw.endswith("%") or parse_amount(raw, what, places=4) >= 1
    rate = parse_amount(raw.rstrip("%"), what + (" in %" if percent else ""), places=2 if percent else 4)
    rate = rate / 100 if percent else rate
    if rate >= 1:
        raise InvalidInput(f"{what} must be below 100%, not {text!r}.")
    return rate.quantize(Decimal("0.0001"))


def add_product(con: Connection, sku: str, name: str, price, cost, track_stock: bool,
                income_account: str | None, now: datetime, barcode: str | None = None,
                tax_code: str | None = None, tax_rate=None) -> Product:
    sku, name = sku.strip(), name.strip()
    if not sku or not name:
        raise InvalidInput("A product needs a SKU and a name.")
    if one(con, sql.PRODUCT_SKU, [sku]):
        raise InvalidInput(f"Product {sku} already exists; update it with `flowtui products import`.")
    product = Product(sku, name, parse_amount(price, "Price"), parse_amount(cost, "Cost"),
                      _income_account(con, income_account), bool(track_stock), (barcode or "").strip() or None,
                      (tax_code or "").strip() or None, parse_rate(tax_rate) if tax_rate not in (None, "") else Decimal(0))
    _upsert(con, product, now)
    return product


def _upsert(con: Connection, p: Product, now: datetime) -> None:
    con.execute(
        sql.UPSERT_PRODUCT,
        [p.sku, p.name, p.unit_price, p.cost, p.income_account, p.track_stock, now, now, p.barcode, p.tax_code,
         p.tax_rate],
    )


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    errors: list[str]


def import_products(con: Connection, path: Path, now: datetime) -> ImportResult:
    """Add or update products from a CSV (columns: sku, name, price, cost, track_stock, income_account).

    Every row is checked first; a file with any bad row changes nothing and
    reports each bad row by line number.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"{path} does not exist.") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    if "price" not in columns and "unit_price" in columns:
        columns[columns.index("unit_price")] = "price"
    missing = [c for c in ("sku", "name", "price", "cost") if c not in columns]
    if missing:
        raise InvalidInput(f"{path.name}: missing column(s) {', '.join(missing)}; "
                           f"expected {', '.join(PRODUCT_COLUMNS)}.")
    products, errors = [], []
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(cells.values()):
            continue
        try:
            flag = cells.get("track_stock", "").lower()
            if flag not in _TRUE | _FALSE:
                raise InvalidInput(f"track_stock must be yes or no, not {flag!r}.")
            if not cells["sku"] or not cells["name"]:
                raise InvalidInput("sku and name are required.")
            products.append(Product(cells["sku"], cells["name"], parse_amount(cells["price"], "price"),
                                    parse_amount(cells["cost"], "cost"),
                                    _income_account(con, cells.get("income_account")), flag in _TRUE,
                                    cells.get("barcode") or None, cells.get("tax_code") or None,
                                    parse_rate(cells["tax_rate"], "tax_rate") if cells.get("tax_rate") else Decimal(0)))
        except (InvalidInput, NotFound) as exc:
            errors.append(f"{path.name}:{line}: {exc}")
    if errors:
        return ImportResult(0, 0, errors)
    existing = {r["sku"] for r in rows(con, sql.PRODUCT_SKUS)}
    for product in products:
        _upsert(con, product, now)
    updated = sum(1 for p in {p.sku: p for p in products}.values() if p.sku in existing)
    return ImportResult(len({p.sku for p in products}) - updated, updated, [])


def products(con: Connection) -> list[Product]:
    return [Product(**r) for r in rows(con, sql.PRODUCTS_LISTED)]


@dataclass(frozen=True)
class StockRow:
    sku: str
    name: str | None
    location: str
    quantity: Decimal
    value: Decimal = Decimal(0)  # what the Inventory account holds for it

    @property
    def negative(self) -> bool:
        return self.quantity < 0


def stock(con: Connection, location: str | None = None) -> list[StockRow]:
    if location:
        location = books.require_location(con, location).name
    return [StockRow(**r) for r in rows(con, sql.STOCK, [location, location])]


def stock_warnings(con: Connection, digest_id: int, posted: bool) -> list[str]:
    """Tracked SKUs of a digest whose stock at its location is below zero — or would be once it posts."""
    warnings = []
    for r in rows(con, sql.CROSSING_DIGEST_STOCK, [digest_id]):
        sku, place, on_hand, sold = r["sku"], r["location"], r["on_hand"], r["sold"]
        after = on_hand if posted else on_hand - sold
        if after < 0:
            warnings.append(
                f"stock of {sku} at {place} is {_qty(after)}" + ("" if posted else f" once this posts (on hand {_qty(on_hand)})")
                + f": more sold than counted; count it with `flowtui stock set {sku} QTY --location \"{place}\" --date D`")
    return warnings


def _qty(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def set_stock(con: Connection, sku: str, quantity, location: str, now: datetime, on: date | None = None) -> StockRow:
    """Make on hand at the end of ``on`` (default: today at the location) equal ``quantity``.

    The difference is one movement: ``opening`` when the SKU had no stock there before that day (booked
    Dr Inventory / Cr opening balance equity), else ``adjustment`` (a count: against stock adjustments).
    Its value is quantity x the product's cost, rounded once. Movements after ``on`` stay as they are.
    """
    product = one(con, sql.PRODUCT_SKU, [sku.strip()])
    if not product:
        raise NotFound(f"No product with SKU {sku!r}; add it with `flowtui product add`.")
    sku, name, cost = product["sku"], product["name"], product["cost"]
    target = parse_quantity(quantity)
    place = books.require_location(con, location)
    day = on or clock.today_in(place.timezone)
    before = the(con, sql.STOCK_BEFORE, [sku, place.id, day])
    delta = target - Decimal(before["on_hand"])
    if delta:
        kind = "adjustment" if before["movements"] else "opening"
        [value] = stock_values([(int(delta * 1000), int(cost * 10_000))])
        memo = f"{'Opening stock' if kind == 'opening' else 'Stock count'}: {sku} at {place.name} set to {target}"
        entry_id = journal.add_entry(con, day, "stock", memo, journal.two_sided(
            journal.category_account(con, "inventory"),
            journal.category_account(con, "opening_balance" if kind == "opening" else "stock_adjustment"),
            value, memo), now) if value else None
        con.execute(
            sql.INSERT_STOCK_COUNT,
            [sku, place.id, day, delta, cost, kind, f"set to {target} on {day}", now, from_sen(value),
             entry_id],
        )
    now_held = the(con, sql.STOCK_NOW, [sku, place.id])
    return StockRow(sku, name, place.name, now_held["on_hand"], now_held["value"])
