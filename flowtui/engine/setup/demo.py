"""Demo data: a realistic month of orders for two outlets of a small café chain.

Kopi & Co runs a café in KL Sentral (dine-in, 10% service charge, 6% service
tax) and a takeaway kiosk in Gurney Plaza, Penang (drinks at 6%, merchandise
at 10% sales tax, RM5 vouchers). Cash bills are rounded to 5 sen. A few
orders are paid in two ways, returned (against an earlier receipt) or voided,
and the late crowd buys after local midnight. The café's orders are written
as NDJSON, the kiosk's as CSV, so both file formats are exercised.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")
TZ = ZoneInfo("Asia/Kuala_Lumpur")


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    tax_code: str
    rate: Decimal


def _menu(rows: list[tuple[str, str, str, str]]) -> list[Product]:
    rates = {"SV6": Decimal("0.06"), "ST10": Decimal("0.10"), "ZR": Decimal("0")}
    return [Product(sku, name, Decimal(price), code, rates[code]) for sku, name, price, code in rows]


CAFE_MENU = _menu([
    ("KC-KOPI-O", "Kopi O", "3.50", "SV6"), ("KC-KOPI-C", "Kopi C", "4.20", "SV6"),
    ("KC-TEH-TARIK", "Teh Tarik", "4.50", "SV6"), ("KC-LATTE", "Iced Latte", "11.90", "SV6"),
    ("KC-MOCHA", "Mocha", "12.90", "SV6"), ("KC-MILO-DINO", "Milo Dinosaur", "7.50", "SV6"),
    ("KC-NASI-LEMAK", "Nasi Lemak Ayam Goreng", "14.90", "SV6"), ("KC-ROTI-BAKAR", "Roti Bakar Kaya", "5.50", "SV6"),
    ("KC-MEE-GORENG", "Mee Goreng Mamak", "12.50", "SV6"), ("KC-LAKSA", "Laksa Penang", "13.90", "SV6"),
    ("KC-CROISSANT", "Butter Croissant", "6.90", "SV6"), ("KC-KEK-LAPIS", "Kek Lapis Slice", "8.50", "SV6"),
    ("KC-EGGS", "Half-boiled Eggs (2)", "4.00", "SV6"), ("KC-CURRY-PUFF", "Curry Puff", "2.80", "SV6"),
])
KIOSK_MENU = _menu([
    ("KC-KOPI-O", "Kopi O", "3.50", "SV6"), ("KC-TEH-TARIK", "Teh Tarik", "4.50", "SV6"),
    ("KC-LATTE", "Iced Latte", "11.90", "SV6"), ("KC-WHITE-COFFEE", "Ipoh White Coffee", "6.90", "SV6"),
    ("KC-BEANS-250", "House Blend Beans 250g", "42.00", "ST10"), ("KC-DRIP-10", "Drip Bags (10)", "29.90", "ST10"),
    ("KC-MUG", "Kopi & Co Enamel Mug", "35.00", "ST10"), ("KC-TUMBLER", "Steel Tumbler 500ml", "59.00", "ST10"),
    ("KC-TOTE", "Canvas Tote Bag", "25.00", "ST10"), ("KC-KAYA-JAR", "Homemade Kaya Jar", "18.50", "ZR"),
])

PAYMENT_MIX = (("Cash", 45), ("Visa/Mastercard", 25), ("Touch 'n Go", 18), ("GrabPay", 12))
STORES = {
    "KLS-01": ("Kopi & Co KL Sentral", CAFE_MENU, (70, 120), True),
    "PNG-02": ("Kopi & Co Gurney Plaza", KIOSK_MENU, (35, 70), False),
}


def round_cash(amount: Decimal) -> Decimal:
    """Bank Negara rounding to the nearest 5 sen (1,2 down; 3,4 up; 6,7 down; 8,9 up)."""
    return ((amount / Decimal("0.05")).quantize(Decimal(1), rounding=ROUND_HALF_UP) * Decimal("0.05")).quantize(CENT)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _pick_method(rnd: random.Random) -> str:
    return rnd.choices([m for m, _ in PAYMENT_MIX], weights=[w for _, w in PAYMENT_MIX])[0]


def _order(rnd: random.Random, store_id: str, seq: int, when: datetime) -> dict:
    store_name, menu, _, dine_in = STORES[store_id]
    lines, subtotal, line_tax = [], Decimal(0), Decimal(0)
    for product in rnd.sample(menu, k=rnd.choice((1, 1, 2, 2, 3, 4))):
        quantity = rnd.choice((1, 1, 1, 2, 2, 3))
        gross = product.price * quantity
        discount = _q(gross * Decimal("0.10")) if rnd.random() < 0.06 else Decimal("0.00")
        amount = gross - discount
        tax = _q(amount * product.rate)
        lines.append({"sku": product.sku, "name": product.name, "quantity": str(quantity),
                      "unit_price": str(product.price), "discount": str(discount), "tax": str(tax),
                      "tax_code": product.tax_code, "amount": str(amount)})
        subtotal += amount
        line_tax += tax
    discount = Decimal("5.00") if not dine_in and subtotal > 50 and rnd.random() < 0.25 else Decimal("0.00")
    service_charge = _q((subtotal - discount) * Decimal("0.10")) if dine_in else Decimal("0.00")
    tax = line_tax + _q(service_charge * Decimal("0.06"))
    before = subtotal - discount + service_charge + tax
    method = _pick_method(rnd)
    split = rnd.random() < 0.05 and before > 10
    rounding = round_cash(before) - before if method == "Cash" and not split else Decimal("0.00")
    total = before + rounding
    if split:
        first = _q(total * Decimal(rnd.choice(("0.3", "0.5", "0.6"))))
        other = "Visa/Mastercard" if method == "Cash" else "Cash"
        payments = [{"method": method, "amount": str(first)}, {"method": other, "amount": str(total - first)}]
    else:
        payments = [{"method": method, "amount": str(total)}]
    number = f"{store_id[:3]}{seq:06d}"
    return {
        "id": f"{store_id}-{seq:06d}", "number": number, "store_id": store_id, "store_name": store_name,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "type": "sale",
        "status": "voided" if rnd.random() < 0.005 else "completed", "channel": "dine-in" if dine_in else "takeaway",
        "subtotal": str(subtotal), "discount": str(discount), "service_charge": str(service_charge),
        "tax": str(tax), "rounding": str(rounding), "total": str(total), "lines": lines, "payments": payments,
    }


def _return_of(rnd: random.Random, sale: dict, seq: int, when: datetime) -> dict:
    line = rnd.choice(sale["lines"])
    amount, tax = Decimal(line["amount"]), Decimal(line["tax"])
    quantity = Decimal(line["quantity"])
    unit_discount = _q(Decimal(line["discount"]) / quantity)
    if quantity > 1:  # return one unit of the line
        amount, tax = Decimal(line["unit_price"]) - unit_discount, _q(tax / quantity)
    returned = {**line, "quantity": "1", "discount": str(unit_discount), "amount": str(amount), "tax": str(tax)}
    total = amount + tax
    method = sale["payments"][0]["method"]
    rounding = round_cash(total) - total if method == "Cash" else Decimal("0.00")
    return {
        "id": f"{sale['store_id']}-R{seq:05d}", "number": f"R{seq:05d}", "store_id": sale["store_id"],
        "store_name": sale["store_name"], "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "type": "return", "status": "completed", "original_id": sale["id"], "original_number": sale["number"],
        "subtotal": str(amount), "discount": "0.00", "service_charge": "0.00", "tax": str(tax),
        "rounding": str(rounding), "total": str(total + rounding), "lines": [returned],
        "payments": [{"method": method, "amount": str(total + rounding)}],
    }


def _day_orders(seed: int, store_id: str, business_day: date) -> list[dict]:
    """One store's orders of one day: the same every time, whenever the demo runs."""
    rnd = random.Random(f"{seed}:{store_id}:{business_day.isoformat()}")
    volume = STORES[store_id][2]
    orders: list[dict] = []
    stamp = business_day.strftime("%y%m%d")
    for n in range(1, rnd.randint(*volume) + (25 if business_day.weekday() >= 5 else 0) + 1):
        late = rnd.random() < 0.03  # after midnight: the next calendar day
        local = datetime.combine(business_day, time(0, rnd.randint(2, 50))) + timedelta(days=1) if late \
            else datetime.combine(business_day, time(8)) + timedelta(seconds=rnd.randint(0, 15 * 3600))
        sale = _order(rnd, store_id, n, local.replace(tzinfo=TZ))
        sale["id"], sale["number"] = f"{store_id}-{stamp}-{n:04d}", f"{store_id[:3]}{stamp}{n:04d}"
        orders.append(sale)
        if rnd.random() < 0.012 and n > 20:
            earlier = [o for o in orders[-300:] if o["type"] == "sale" and o["status"] == "completed"]
            returned_at = datetime.fromisoformat(sale["time"].replace("Z", "+00:00")) + timedelta(minutes=rnd.randint(5, 90))
            back = _return_of(rnd, rnd.choice(earlier), n, returned_at)
            back["id"], back["number"] = f"{store_id}-{stamp}-R{n:04d}", f"R{store_id[:3]}{stamp}{n:04d}"
            orders.append(back)
    return orders


def generate_orders(today: date, days: int = 30, seed: int = 7, now: datetime | None = None) -> dict[str, list[dict]]:
    """Orders per store for the ``days`` days up to ``today`` (local), none after ``now``.

    Each store-day is generated on its own from the seed and its date, so
    running the demo again later gives the same orders for the same days.
    """
    cutoff = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        store_id: [o for offset in range(days - 1, -1, -1)
                   for o in _day_orders(seed, store_id, today - timedelta(days=offset)) if o["time"] <= cutoff]
        for store_id in STORES
    }


CSV_COLUMNS = ["order_id", "number", "store_id", "store_name", "time", "type", "status", "original_id",
               "original_number", "channel", "subtotal", "discount", "service_charge", "tax", "rounding", "total",
               "payments", "sku", "name", "quantity", "unit_price", "line_discount", "line_tax", "tax_code",
               "line_amount"]


def write_ndjson(path: Path, orders: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for order in orders:
            handle.write(json.dumps(order, ensure_ascii=False) + "\n")


def write_csv(path: Path, orders: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for order in orders:
            head = {k: order.get(k, "") for k in CSV_COLUMNS if k in order}
            head["order_id"] = order["id"]
            head["payments"] = ";".join(f"{p['method']}:{p['amount']}" for p in order["payments"])
            for line in order["lines"]:
                writer.writerow({**head, "sku": line["sku"], "name": line["name"], "quantity": line["quantity"],
                                 "unit_price": line["unit_price"], "line_discount": line["discount"],
                                 "line_tax": line["tax"], "tax_code": line["tax_code"], "line_amount": line["amount"]})


def write_demo_files(folder: Path, today: date, now: datetime) -> list[Path]:
    """Write the café's NDJSON and the kiosk's CSV into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    orders = generate_orders(today, now=now)
    cafe, kiosk = folder / "kl-sentral.ndjson", folder / "gurney-plaza.csv"
    write_ndjson(cafe, orders["KLS-01"])
    write_csv(kiosk, orders["PNG-02"])
    return [cafe, kiosk]
