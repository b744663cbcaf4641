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
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.money import cash_round, to_sen
from flowtui.engine.core.orders import Number, Order, OrderLine, Payment
from flowtui.engine.core.statuses import OrderStatus, OrderType

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


def _dec(value: Number | None) -> Decimal:
    """An amount of a demo order: the model also takes text or floats, but the demo builds every amount as a Decimal."""
    assert isinstance(value, Decimal), f"demo amounts are Decimals, not {value!r}"
    return value


def _text(value: object) -> str:
    """A text field of a demo order (its time: the demo sets each as an ISO UTC string)."""
    assert isinstance(value, str), f"demo times are ISO text, not {value!r}"
    return value


def _pick_method(rnd: random.Random) -> str:
    return rnd.choices([m for m, _ in PAYMENT_MIX], weights=[w for _, w in PAYMENT_MIX])[0]


def _order(rnd: random.Random, store_id: str, order_id: str, number: str, when: datetime) -> Order:
    store_name, menu, _, dine_in = STORES[store_id]
    lines, subtotal, line_tax = [], Decimal(0), Decimal(0)
    for product in rnd.sample(menu, k=rnd.choice((1, 1, 2, 2, 3, 4))):
        quantity = rnd.choice((1, 1, 1, 2, 2, 3))
        gross = product.price * quantity
        discount = to_sen(gross * Decimal("0.10")) if rnd.random() < 0.06 else Decimal("0.00")
        amount = gross - discount
        tax = to_sen(amount * product.rate)
        lines.append(OrderLine(sku=product.sku, name=product.name, quantity=Decimal(quantity), unit_price=product.price,
                               discount=discount, tax=tax, tax_code=product.tax_code, amount=amount))
        subtotal += amount
        line_tax += tax
    discount = Decimal("5.00") if not dine_in and subtotal > 50 and rnd.random() < 0.25 else Decimal("0.00")
    service_charge = to_sen((subtotal - discount) * Decimal("0.10")) if dine_in else Decimal("0.00")
    tax = line_tax + to_sen(service_charge * Decimal("0.06"))
    before = subtotal - discount + service_charge + tax
    method = _pick_method(rnd)
    split = rnd.random() < 0.05 and before > 10
    rounding = cash_round(before) - before if method == "Cash" and not split else Decimal("0.00")
    total = before + rounding
    payments: tuple[Payment, ...]
    if split:
        first = to_sen(total * Decimal(rnd.choice(("0.3", "0.5", "0.6"))))
        other = "Visa/Mastercard" if method == "Cash" else "Cash"
        payments = (Payment(method=method, amount=first), Payment(method=other, amount=total - first))
    else:
        payments = (Payment(method=method, amount=total),)
    return Order(
        id=order_id, number=number, store_id=store_id, store_name=store_name, time=iso_utc(when), type=OrderType.SALE,
        status=OrderStatus.VOIDED if rnd.random() < 0.005 else OrderStatus.COMPLETED,
        channel="dine-in" if dine_in else "takeaway", subtotal=subtotal, discount=discount,
        service_charge=service_charge, tax=tax, rounding=rounding, total=total, lines=tuple(lines), payments=payments,
    )


def _return_of(rnd: random.Random, sale: Order, order_id: str, number: str, when: datetime) -> Order:
    line = rnd.choice(sale.lines or ())
    amount, tax, quantity = _dec(line.amount), _dec(line.tax), _dec(line.quantity)
    unit_discount = to_sen(_dec(line.discount) / quantity)
    if quantity > 1:  # return one unit of the line
        amount, tax = _dec(line.unit_price) - unit_discount, to_sen(tax / quantity)
    returned = replace(line, quantity=Decimal(1), discount=unit_discount, amount=amount, tax=tax)
    total = amount + tax
    method = (sale.payments or ())[0].method
    rounding = cash_round(total) - total if method == "Cash" else Decimal("0.00")
    return Order(
        id=order_id, number=number, store_id=sale.store_id, store_name=sale.store_name, time=iso_utc(when),
        type=OrderType.RETURN, status=OrderStatus.COMPLETED, original_id=sale.id, original_number=sale.number,
        subtotal=amount, discount=Decimal("0.00"), service_charge=Decimal("0.00"), tax=tax, rounding=rounding,
        total=total + rounding, lines=(returned,), payments=(Payment(method=method, amount=total + rounding),),
    )


def _day_orders(seed: int, store_id: str, business_day: date) -> list[Order]:
    """One store's orders of one day: the same every time, whenever the demo runs."""
    rnd = random.Random(f"{seed}:{store_id}:{business_day.isoformat()}")
    volume = STORES[store_id][2]
    orders: list[Order] = []
    stamp = business_day.strftime("%y%m%d")
    for n in range(1, rnd.randint(*volume) + (25 if business_day.weekday() >= 5 else 0) + 1):
        late = rnd.random() < 0.03  # after midnight: the next calendar day
        local = datetime.combine(business_day, time(0, rnd.randint(2, 50))) + timedelta(days=1) if late \
            else datetime.combine(business_day, time(8)) + timedelta(seconds=rnd.randint(0, 15 * 3600))
        when = local.replace(tzinfo=TZ)
        sale = _order(rnd, store_id, f"{store_id}-{stamp}-{n:04d}", f"{store_id[:3]}{stamp}{n:04d}", when)
        orders.append(sale)
        if rnd.random() < 0.012 and n > 20:
            earlier = [o for o in orders[-300:] if o.type == OrderType.SALE and o.status == OrderStatus.COMPLETED]
            returned_at = when + timedelta(minutes=rnd.randint(5, 90))
            back = _return_of(rnd, rnd.choice(earlier), f"{store_id}-{stamp}-R{n:04d}", f"R{store_id[:3]}{stamp}{n:04d}",
                              returned_at)
            orders.append(back)
    return orders


def generate_orders(today: date, days: int = 30, seed: int = 7, now: datetime | None = None) -> dict[str, list[Order]]:
    """Orders per store for the ``days`` days up to ``today`` (local), none after ``now``.

    Each store-day is generated on its own from the seed and its date, so
    running the demo again later gives the same orders for the same days.
    """
    cutoff = iso_utc(now or datetime.now(UTC))
    return {
        store_id: [o for offset in range(days - 1, -1, -1)
                   for o in _day_orders(seed, store_id, today - timedelta(days=offset)) if _text(o.time) <= cutoff]
        for store_id in STORES
    }


CSV_COLUMNS = ["order_id", "number", "store_id", "store_name", "time", "type", "status", "original_id",
               "original_number", "channel", "subtotal", "discount", "service_charge", "tax", "rounding", "total",
               "payments", "sku", "name", "quantity", "unit_price", "line_discount", "line_tax", "tax_code",
               "line_amount"]


def write_ndjson(path: Path, orders: list[Order]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for order in orders:
            handle.write(order.to_json() + "\n")


def write_csv(path: Path, orders: list[Order]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for order in map(Order.as_dict, orders):
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
