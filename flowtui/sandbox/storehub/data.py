"""Generated data for the StoreHub sandbox: stores, products and transactions (their JSON: :mod:`.wire`).

Money is integer sen inside (``Decimal`` at the edges); every transaction is
exact: ``item.total = quantity x unitPrice - discount + tax`` and
``total = subTotal - discount + serviceCharge + tax + roundedAmount = sum(payments)``.
Stores and products are the same for every seed; transactions and stock
levels depend on the seed. A store-day's sales come from ``(seed, store, day)``
alone, so they look the same whatever the range around them; its returns also
depend on the sales (and returns) of the three days before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from flowtui.engine.core.money import cash_round_sen

MYT = "Asia/Kuala_Lumpur"
TAX_BP = {"SV6": 600, "SV8": 800, "ST5": 500, "ST10": 1000}  # basis points
ONLINE_PAYMENT = {"GrabFood": "GrabPay", "ShopeeFood": "ShopeePay", "Beep": "Boost"}
RETURN_REASONS = ("Wrong item", "Damaged", "Customer changed mind", "Quality issue", "Duplicate order")


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    sku: str
    category: str
    price: int  # sen, before tax
    tax_code: str
    weight: int = 1
    tracked: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Store:
    id: str
    name: str
    code: str
    kind: str  # catalog: "fnb", "kiosk" or "retail"
    city: str
    weekday: tuple[int, int]  # transactions a day (min, max)
    weekend: tuple[int, int]
    hours: tuple[float, ...]  # 24 weights of local hours; hour 0 means 00:00-00:30 only
    payments: tuple[tuple[tuple[str, ...], int], ...]  # (methods, weight); two methods = split
    service_charge_bp: int = 0
    service_tax_bp: int = 0  # tax on the service charge
    online_share: float = 0.0
    online_channels: tuple[str, ...] = ()
    timezone: str = MYT


@dataclass(frozen=True, slots=True)
class Item:
    product_id: str
    quantity: int
    unit_price: int
    sub_total: int
    discount: int
    tax: int
    tax_code: str
    total: int


@dataclass(frozen=True, slots=True)
class Payment:
    method: str
    amount: int


@dataclass(frozen=True, slots=True)
class Transaction:
    ref_id: str
    invoice_number: str
    store_id: str
    type: str  # "Sale" or "Return"
    time_ms: int  # UTC epoch milliseconds
    business_date: date  # local calendar date at the store
    channel: str
    sub_total: int
    discount: int
    service_charge: int
    tax: int
    rounded: int
    total: int
    items: tuple[Item, ...]
    payments: tuple[Payment, ...]
    is_cancelled: bool = False
    cancelled_ms: int | None = None
    return_reason: str | None = None
    sale_invoice_number: str | None = None


# -- the account: four stores and their products ---------------------------------------------

def _hex_id(name: str) -> str:
    return f"{random.Random(name).getrandbits(96):024x}"


_FNB_HOURS = (2, 0, 0, 0, 0, 0, 0, 4, 6, 5, 4, 6, 10, 9, 5, 4, 4, 5, 7, 9, 8, 6, 4, 3)
_KIOSK_HOURS = (1.5, 0, 0, 0, 0, 0, 3, 8, 10, 6, 4, 5, 8, 6, 4, 4, 5, 8, 9, 6, 4, 3, 2, 2)
_RETAIL_HOURS = (0,) * 10 + (3, 4, 6, 6, 5, 5, 5, 6, 7, 7, 6, 4, 0, 0)
_FNB_PAY = ((("Cash",), 34), (("CreditCard",), 18), (("DebitCard",), 5), (("DuitNow QR",), 20),
            (("Touch 'n Go eWallet",), 12), (("Boost",), 4), (("CreditCard", "Cash"), 4),
            (("Touch 'n Go eWallet", "Cash"), 3))
_KIOSK_PAY = ((("Cash",), 30), (("Touch 'n Go eWallet",), 26), (("DuitNow QR",), 24), (("CreditCard",), 12),
              (("Boost",), 5), (("DuitNow QR", "Cash"), 3))
_RETAIL_PAY = ((("CreditCard",), 42), (("DebitCard",), 8), (("Cash",), 20), (("DuitNow QR",), 14),
               (("CreditCard", "Cash"), 8), (("CreditCard", "DuitNow QR"), 8))


def make_stores(busy_per_day: int = 420) -> list[Store]:
    busy = (round(busy_per_day * 0.97), max(1, round(busy_per_day * 1.03)))
    fnb: dict[str, Any] = dict(kind="fnb", hours=_FNB_HOURS, payments=_FNB_PAY, service_charge_bp=1000, service_tax_bp=600,
               online_share=0.14, online_channels=("GrabFood", "GrabFood", "ShopeeFood", "Beep"))
    return [
        Store(_hex_id("store:bangsar"), "Kopi Kita Bangsar", "BSR", city="Kuala Lumpur",
              weekday=(40, 60), weekend=(55, 80), **fnb),
        Store(_hex_id("store:ss2"), "Kopi Kita SS2", "SS2", city="Petaling Jaya",
              weekday=(30, 45), weekend=(45, 65), **fnb),
        Store(_hex_id("store:lowyat"), "GadgetFix Low Yat", "LYT", "retail", "Kuala Lumpur",
              (30, 45), (45, 60), _RETAIL_HOURS, _RETAIL_PAY, online_share=0.05, online_channels=("Beep",)),
        Store(_hex_id("store:sentral"), "Teh Tarik Express KL Sentral", "KLS", "kiosk", "Kuala Lumpur",
              busy, busy, _KIOSK_HOURS, _KIOSK_PAY, online_share=0.08, online_channels=("GrabFood", "ShopeeFood")),
    ]


_CATALOG = {  # kind -> (name, category, price in sen, tax code, popularity, stock tracked)
    "fnb": [
        ("Nasi Lemak Ayam Goreng", "Rice", 1590, "SV6", 8, False), ("Nasi Lemak Biasa", "Rice", 650, "SV6", 6, False),
        ("Nasi Goreng Kampung", "Rice", 1090, "SV6", 5, False), ("Mee Goreng Mamak", "Noodles", 990, "SV6", 5, False),
        ("Char Kuey Teow", "Noodles", 1190, "SV6", 4, False), ("Laksa Penang", "Noodles", 1250, "SV6", 3, False),
        ("Roti Canai", "Roti", 220, "SV6", 9, False), ("Roti Telur", "Roti", 350, "SV6", 6, False),
        ("Teh Tarik", "Drinks", 320, "SV6", 12, False), ("Kopi O", "Drinks", 280, "SV6", 8, False),
        ("Milo Ais", "Drinks", 420, "SV6", 7, False), ("Sirap Bandung", "Drinks", 380, "SV6", 4, False),
        ("Kopi Latte", "Drinks", 950, "SV6", 4, False), ("Ais Kacang", "Dessert", 790, "SV6", 2, False),
        ("Kek Lapis Sarawak (slice)", "Dessert", 600, "SV6", 2, True),
        ("Mineral Water 500ml", "Drinks", 200, "SV6", 3, True), ("100Plus 325ml", "Drinks", 350, "SV6", 3, True),
    ],
    "kiosk": [
        ("Teh Tarik (Kiosk)", "Drinks", 350, "SV6", 14, False), ("Kopi Susu", "Drinks", 350, "SV6", 10, False),
        ("Milo Dinosaur", "Drinks", 650, "SV6", 6, False), ("Teh O Ais Limau", "Drinks", 380, "SV6", 5, False),
        ("Kaya Butter Toast", "Food", 450, "SV6", 9, False), ("Half-Boiled Eggs", "Food", 380, "SV6", 5, False),
        ("Curry Puff", "Food", 250, "SV6", 6, True), ("Kuih Seri Muka", "Food", 180, "SV6", 3, True),
        ("Mineral Water 600ml (Kiosk)", "Drinks", 250, "SV6", 4, True),
    ],
    "retail": [
        ("Battery Replacement", "Repair", 12000, "SV8", 4, False), ("Screen Replacement", "Repair", 28000, "SV8", 3, False),
        ("Screen Protector Installation", "Service", 2500, "SV8", 8, False),
        ("Phone Setup & Data Transfer", "Service", 3000, "SV8", 3, False),
        ("Data Recovery", "Service", 15000, "SV8", 1, False), ("Phone Case", "Accessories", 3990, "ST10", 6, True),
        ("USB-C Cable 1m", "Accessories", 1990, "ST10", 7, True), ("Power Bank 10000mAh", "Accessories", 7900, "ST10", 3, True),
        ("Wireless Earbuds", "Audio", 12900, "ST10", 2, True), ("Tempered Glass (loose)", "Accessories", 1500, "ST10", 5, True),
    ],
}
_DELETED = {  # products that appear in transactions but no longer in /products
    "fnb": ("Nasi Lemak Rendang (seasonal)", "Rice", 1890, "SV6"),
    "kiosk": ("Teh Halia (old recipe)", "Drinks", 330, "SV6"),
    "retail": ("Gift Wrapping", "Service", 500, "SV8"),
}


def make_products() -> dict[str, list[Product]]:
    """Catalog per store kind; the last product of each kind is deleted."""
    out = {}
    for kind, rows in _CATALOG.items():
        prefix = {"fnb": "FNB", "kiosk": "KSK", "retail": "GFX"}[kind]
        products = [Product(_hex_id(f"product:{kind}:{name}"), name, f"{prefix}-{n:03d}", cat, price, code, weight, tracked)
                    for n, (name, cat, price, code, weight, tracked) in enumerate(rows, start=1)]
        name, cat, price, code = _DELETED[kind]
        products.append(Product(_hex_id(f"product:{kind}:{name}"), name, f"{prefix}-900", cat, price, code, deleted=True))
        out[kind] = products
    return out


# -- pricing ------------------------------------------------------------------------------------

def percent(amount: int, bp: int) -> int:
    """``amount`` x ``bp``/10000, rounded half up to the sen (amount >= 0)."""
    return (amount * bp + 5000) // 10000


def make_item(product: Product, quantity: int, discount: int = 0) -> Item:
    sub_total = quantity * product.price
    tax = percent(sub_total - discount, TAX_BP.get(product.tax_code, 0))
    return Item(product.id, quantity, product.price, sub_total, discount, tax, product.tax_code, sub_total - discount + tax)


def build(store: Store, items: tuple[Item, ...], methods: tuple[str, ...], *, ref_id: str, invoice: str, type: str,
          time_ms: int, business_date: date, channel: str = "POS", order_discount: int = 0, **extra) -> Transaction:
    """A transaction whose totals, rounding and payments follow from its items."""
    sub_total = sum(i.sub_total for i in items)
    net = sub_total - sum(i.discount for i in items)
    service = percent(net, store.service_charge_bp) if channel == "POS" else 0
    tax = sum(i.tax for i in items) + percent(service, store.service_tax_bp)
    order_discount = min(order_discount, net + service + tax)
    due = net + service + tax - order_discount
    rounded = cash_round_sen(due) - due if "Cash" in methods else 0
    total = due + rounded
    first = (total // 2) // 100 * 100  # a split: whole ringgit first, the rest (cash last) after
    payments = (Payment(methods[0], first), Payment(methods[1], total - first)) if len(methods) > 1 and first \
        else (Payment(methods[-1], total),)
    return Transaction(ref_id, invoice, store.id, type, time_ms, business_date, channel, sub_total,
                       sub_total - net + order_discount, service, tax, rounded, total, items, payments, **extra)


# -- generation ---------------------------------------------------------------------------------

def local_midnight_ms(day: date, tz: str = MYT) -> int:
    return int(datetime.combine(day, time(0), ZoneInfo(tz)).timestamp()) * 1000


def new_ref_id(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def invoice_number(store: Store, day: date, seq: int, register: int = 1) -> str:
    return f"{store.code}{register}-{day:%y%m%d}-{seq:04d}"


class DayMaker:
    """Makes the transactions of one store on one local day from ``(seed, store, day)``."""

    def __init__(self, seed: int, store: Store, catalog: list[Product], scale: float = 1.0) -> None:
        self.seed, self.store, self.scale = seed, store, scale
        self.products = [p for p in catalog if not p.deleted]
        self.deleted = [p for p in catalog if p.deleted]
        self.cum_weights = list(accumulate(p.weight for p in self.products))
        self.cum_hours = list(accumulate(store.hours))
        self.cum_pay = list(accumulate(w for _, w in store.payments))

    def offset_ms(self, rng: random.Random) -> int:
        hour = rng.choices(range(24), cum_weights=self.cum_hours)[0]
        minute = rng.randrange(30 if hour == 0 else 60)
        return ((hour * 60 + minute) * 60 + rng.randrange(60)) * 1000 + rng.randrange(1000)

    def sale(self, rng: random.Random, day: date, time_ms: int, invoice: str) -> Transaction:
        store = self.store
        lines = rng.choice((1, 1, 2)) if store.kind == "retail" else rng.choice((1, 1, 1, 2, 2, 3, 4))
        items = []
        for _ in range(lines):
            if self.deleted and rng.random() < 0.02:
                product = rng.choice(self.deleted)
            else:
                product = rng.choices(self.products, cum_weights=self.cum_weights)[0]
            quantity = 1 if store.kind == "retail" else rng.choice((1, 1, 1, 1, 2, 2, 3))
            discount = 0
            if rng.random() < 0.06:  # 10% off, or RM 5 off a big ticket
                discount = 500 if product.price >= 5000 else percent(quantity * product.price, 1000)
            items.append(make_item(product, quantity, discount))
        channel = "POS"
        if store.online_channels and rng.random() < store.online_share:
            channel = rng.choice(store.online_channels)
            methods: tuple[str, ...] = (ONLINE_PAYMENT[channel],)
        else:
            methods = rng.choices(store.payments, cum_weights=self.cum_pay)[0][0]
        big = sum(i.sub_total for i in items) >= 2000
        voucher = rng.choice((200, 500)) if channel == "POS" and big and rng.random() < 0.03 else 0
        extra = {}
        if channel == "POS" and rng.random() < 0.01:
            extra = {"is_cancelled": True, "cancelled_ms": time_ms + rng.randint(60, 1800) * 1000}
        return build(store, tuple(items), methods, ref_id=new_ref_id(rng), invoice=invoice, type="Sale",
                     time_ms=time_ms, business_date=day, channel=channel, order_discount=voucher, **extra)

    def pos_sale(self, rng: random.Random, day: date, invoice: str) -> Transaction:
        """A completed POS sale at a random time of ``day`` (e.g. a late upload from an offline register)."""
        while True:
            sale = self.sale(rng, day, local_midnight_ms(day, self.store.timezone) + self.offset_ms(rng), invoice)
            if sale.channel == "POS" and not sale.is_cancelled:
                return sale

    def refund(self, rng: random.Random, sale: Transaction, day: date, time_ms: int, invoice: str) -> Transaction:
        """A Return of one line of ``sale``, paid back the way the sale was paid."""
        items = (rng.choice(sale.items),)
        method = sale.payments[-1].method if sale.payments[-1].method == "Cash" else sale.payments[0].method
        return build(self.store, items, (method,), ref_id=new_ref_id(rng), invoice=invoice, type="Return",
                     time_ms=time_ms, business_date=day, return_reason=rng.choice(RETURN_REASONS),
                     sale_invoice_number=sale.invoice_number)

    def day(self, day: date, history: list[Transaction]) -> list[Transaction]:
        """The day's sales (about 1% voided) and returns (about 1%) of sales in ``history`` or today."""
        rng = random.Random(f"{self.seed}:{self.store.id}:{day.isoformat()}")
        low, high = self.store.weekend if day.weekday() >= 5 else self.store.weekday
        count = max(1, round(rng.randint(low, high) * self.scale))
        midnight = local_midnight_ms(day, self.store.timezone)
        times = sorted(midnight + self.offset_ms(rng) for _ in range(count))
        out = [self.sale(rng, day, t, invoice_number(self.store, day, n)) for n, t in enumerate(times, start=1)]
        candidates = returnable(history + out)
        returned = {t.sale_invoice_number for t in history if t.type == "Return"}
        rng = random.Random(f"{self.seed}:{self.store.id}:{day.isoformat()}:returns")
        for _ in range(int(count * 0.01 + rng.random()) if candidates else 0):
            sale, when = rng.choice(candidates), midnight + self.offset_ms(rng)
            if when - sale.time_ms < 600_000 or sale.invoice_number in returned:
                continue
            returned.add(sale.invoice_number)
            out.append(self.refund(rng, sale, day, when, invoice_number(self.store, day, len(out) + 1)))
        return out


def returnable(transactions: list[Transaction]) -> list[Transaction]:
    """Completed POS sales among ``transactions`` that no return among them refers to."""
    returned = {t.sale_invoice_number for t in transactions if t.type == "Return"}
    return [t for t in transactions if t.type == "Sale" and t.channel == "POS" and not t.is_cancelled
            and t.invoice_number not in returned]


# -- the API's shapes ---------------------------------------------------------------------------
