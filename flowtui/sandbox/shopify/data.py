"""Generated data of the Shopify sandbox: a Malaysian shop, its two POS locations and its online store.

Every order is made whole from ``(seed, day, channel, n)``, with everything that will ever happen to it (payments,
refunds on later days, a cancellation); :func:`as_of` then shows it as the API would at an instant, so moving the
sandbox's "now" one night on (``next_night``) reveals the refunds and cancellations of that night and nothing else.

Money is integer sen inside, strings the way Shopify writes ``Decimal`` (``"12.5"``, ``"12.0"``) outside. Rules
(also what the connector must undo):

- a line: ``originalUnitPriceSet`` x ``quantity`` - its ``discountAllocations``, in the shop's prices; its tax lines
  (SST 6 % or 8 %) are computed on that, half up to the sen. ``taxesIncluded`` orders have tax-inclusive prices (and
  shipping): their tax is ``price x rate / (1 + rate)``, half up.
- a tip is a line item of its own (``Tip``, no SKU, not taxable, as Shopify's ``TipSale.lineItem``) and
  ``totalTipReceivedSet``; only a cancellation gives it back.
- ``totalPriceSet`` = lines (the tip's included) + shipping (after discounts) + tax when not included; the successful
  SALE / CAPTURE transactions add up to it.
- a refund's line ``subtotalSet`` is in the order's prices (tax-inclusive when ``taxesIncluded``), ``totalTaxSet``
  its tax; its REFUND transactions add up to what went back.
- some online buyers pay in Singapore dollars: ``presentmentMoney`` in SGD, ``shopMoney`` (what the books use) in MYR.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

MYT = "Asia/Kuala_Lumpur"
SHOP = {"id": "gid://shopify/Shop/68817420513", "name": "Kedai Kopi Kita", "email": "owner@kedaikopikita.my",
        "currencyCode": "MYR", "ianaTimezone": MYT, "timezoneAbbreviation": "+08", "timezoneOffset": "+0800",
        "timezoneOffsetMinutes": 480, "myshopifyDomain": "kedai-kopi-kita.myshopify.com", "taxesIncluded": False}
LOCATIONS = (  # (numeric id, name, city): the two shops with Shopify POS
    (71234560001, "Kedai Kopi Kita Bangsar", "Kuala Lumpur"),
    (71234560002, "Kedai Kopi Kita George Town", "George Town"),
)
PRODUCTS = (  # (title, sku, price in sen, tax rate in basis points; 0 = not taxable)
    ("Kopi Kita House Blend 250g", "KK-BEAN-250", 3800, 800), ("Kopi Kita House Blend 1kg", "KK-BEAN-1000", 12900, 800),
    ("Single Origin Sabah 250g", "KK-SABAH-250", 5200, 800), ("Drip Bags (10 pack)", "KK-DRIP-10", 2450, 800),
    ("Enamel Mug", "KK-MUG", 3500, 800), ("Kopi Sock Filter", "KK-SOCK", 1290, 800),
    ("Iced Kopi Susu", "KK-ICED", 990, 600), ("Kaya Toast Set", "KK-KAYA", 1250, 600),
    ("Cold Brew Bottle 500ml", "KK-COLD-500", 1590, 600), ("Barista Workshop Seat", "KK-CLASS", 15000, 600),
    ("Kopi Kita Gift Card RM50", "KK-GIFT-50", 5000, 0), ("Tote Bag", None, 2900, 800),
)
SHIPPING = (("Standard Shipping", "STANDARD", 800), ("Express (next day)", "EXPRESS", 1500))
CUSTOM_METHOD = "Touch 'n Go eWallet"  # a custom POS payment method: Shopify reports its name as the gateway


def money(sen: int) -> str:
    """Sen as Shopify writes a ``Decimal``: no trailing zeros but one (``1250`` -> ``"12.5"``, ``1200`` -> ``"12.0"``)."""
    text = format(Decimal(sen).scaleb(-2).normalize(), "f")
    return text if "." in text else text + ".0"


def bag(sen: int, currency: str = "MYR") -> dict:
    amount = {"amount": money(sen), "currencyCode": currency}
    return {"shopMoney": amount, "presentmentMoney": dict(amount)}


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def tax_of(amount: int, bp: int, included: bool) -> int:
    """SST on ``amount`` sen at ``bp`` basis points, half up; out of a tax-inclusive amount when ``included``."""
    if included:
        return (2 * amount * bp + 10000 + bp) // (2 * (10000 + bp))
    return (amount * bp + 5000) // 10000


def location(number: int, name: str, city: str, created: datetime) -> dict:
    return {"id": gid("Location", number), "legacyResourceId": str(number), "name": name, "isActive": True,
            "address": {"address1": None, "city": city, "country": "Malaysia", "countryCode": "MY", "zip": None},
            "createdAt": iso(created), "updatedAt": iso(created)}


@dataclass
class Ids:
    """Numeric ids, one counter per kind, in the order things are made."""
    next: dict[str, int] = field(default_factory=dict)

    def new(self, kind: str) -> str:
        base = {"Order": 6_101_000_000, "LineItem": 15_201_000_000, "OrderTransaction": 7_301_000_000,
                "Refund": 9_401_000_000, "RefundLineItem": 4_501_000_000, "ShippingLine": 5_601_000_000,
                "RefundShippingLine": 3_701_000_000}[kind]
        self.next[kind] = self.next.get(kind, base) + 1
        return gid(kind, self.next[kind])


@dataclass
class Made:
    """One order with its whole future (its refunds carry their instant, ``_at``), for :func:`as_of` to show."""
    order: dict
    processed: datetime
    cancelled: datetime | None = None
    cancel_status: str | None = None


class OrderMaker:
    """Makes the orders of one local day from ``(seed, day)``; ids come from a shared :class:`Ids`."""

    def __init__(self, seed: int, locations: list[dict], ids: Ids) -> None:
        self.seed, self.locations, self.ids = seed, locations, ids
        self.tz = ZoneInfo(MYT)

    def day(self, day: date) -> list[Made]:
        rng = random.Random(f"{self.seed}:shopify:{day.isoformat()}")
        midnight = datetime.combine(day, time(0), self.tz)
        plans: list[tuple[datetime, dict | None]] = []
        for loc in self.locations:
            count = rng.randint(6, 10)
            plans += [(midnight + timedelta(seconds=rng.randint(9 * 3600, 22 * 3600)), loc) for _ in range(count)]
            if rng.random() < 0.4:  # a late sale just after local midnight (the evening before, in UTC)
                plans.append((midnight + timedelta(seconds=rng.randint(60, 45 * 60)), loc))
        plans += [(midnight + timedelta(seconds=rng.randint(0, 86399)), None) for _ in range(rng.randint(8, 12))]
        plans.sort(key=lambda p: p[0])
        return [self.order(random.Random(f"{self.seed}:shopify:{day}:{n}"), when, loc) for n, (when, loc) in enumerate(plans)]

    # -- one order ----------------------------------------------------------------------------------
    def order(self, rng: random.Random, when: datetime, loc: dict | None) -> Made:
        made = self._order(rng, when, loc)
        if loc is None and random.Random(f"{self.seed}:fx:{made.order['id']}").random() < 0.12:
            present(made.order, "SGD", Decimal("0.3012"))  # a buyer in Singapore: shopMoney stays in ringgit
        return made

    def _order(self, rng: random.Random, when: datetime, loc: dict | None) -> Made:
        online = loc is None
        included = online and rng.random() < 0.25
        test = online and rng.random() < 0.03
        lines = [self.line(rng, included) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        shipping = self.shipping(rng, included) if online and rng.random() < 0.8 else []
        tip = rng.choice((200, 300, 500, 1000)) if not online and rng.random() < 0.12 else 0
        goods = sum(x["_net"] for x in lines)
        ship = sum(s["_net"] for s in shipping)
        tax = sum(x["_tax"] for x in lines + shipping)
        total = goods + ship + (0 if included else tax) + tip
        if tip:  # as Shopify: a tip is a line item of its own (TipSale.lineItem), and totalTipReceivedSet
            lines.append(self.tip_line(tip))
        created = when + timedelta(hours=rng.randint(1, 6)) if not online and rng.random() < 0.03 else when
        order_id = self.ids.new("Order")
        order = {
            "id": order_id, "legacyResourceId": order_id.rsplit("/", 1)[1], "name": "", "createdAt": iso(created),
            "updatedAt": iso(created), "processedAt": iso(when), "cancelledAt": None, "cancelReason": None,
            "closedAt": None, "test": test, "sourceName": "web" if online else "pos", "displayFinancialStatus": "PAID",
            "taxesIncluded": included, "currencyCode": "MYR", "presentmentCurrencyCode": "MYR",
            "retailLocation": loc, "subtotalPriceSet": bag(goods),
            "totalDiscountsSet": bag(sum(x["_discount"] for x in lines + shipping)),
            "totalShippingPriceSet": bag(ship), "totalTaxSet": bag(tax), "totalTipReceivedSet": bag(tip),
            "totalPriceSet": bag(total), "taxLines": _sum_tax_lines(lines + shipping),
            "lineItems": lines, "shippingLines": shipping, "transactions": [], "refunds": [],
        }
        made = Made(order, when)
        fate = rng.random()
        if online and not test and fate < 0.04:  # authorized, then cancelled before capture: voided
            auth = self.txn(rng, "AUTHORIZATION", "shopify_payments", total, when)
            cancelled = when + timedelta(minutes=rng.randint(20, 300))
            void = {**self.txn(rng, "VOID", "shopify_payments", total, cancelled), "parentTransaction": auth}
            order["transactions"] = [auth, void]
            made.cancelled, made.cancel_status = cancelled, "VOIDED"
            order["displayFinancialStatus"] = "AUTHORIZED"
            return made
        order["transactions"] = self.payments(rng, total, when, online, test)
        if online and not test and fate < 0.05:  # a pending bank transfer, never paid
            order["transactions"] = [self.txn(rng, "SALE", "manual", total, when, "PENDING")]
            order["displayFinancialStatus"] = "PENDING"
            return made
        if fate < 0.08:  # paid, then cancelled a day or two later: everything goes back
            at = when + timedelta(days=rng.randint(1, 2), minutes=rng.randint(0, 600))
            self.refund(rng, made, at, full=True, restock="CANCEL")
            made.cancelled, made.cancel_status = at, "REFUNDED"
        elif fate < 0.12:
            self.refund(rng, made, when + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600)), full=True)
        elif fate < 0.22:
            self.refund(rng, made, when + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600)))
        elif fate < 0.24:  # goodwill: money back, no items
            self.refund(rng, made, when + timedelta(days=rng.randint(1, 3)), amount_only=min(500, total))
        return made

    def line(self, rng: random.Random, included: bool) -> dict:
        title, sku, price, bp = rng.choice(PRODUCTS)
        quantity = rng.choice((1, 1, 1, 2, 3))
        gross = price * quantity
        discount = (gross + 5) // 10 if bp and rng.random() < 0.15 else 0  # 10 % off, to the sen
        net = gross - discount
        tax = tax_of(net, bp, included) if bp else 0
        return {
            "id": self.ids.new("LineItem"), "name": title, "title": title, "sku": sku, "quantity": quantity,
            "currentQuantity": quantity, "refundableQuantity": quantity, "taxable": bool(bp),
            "requiresShipping": sku is not None and not sku.startswith(("KK-CLASS", "KK-GIFT")),
            "originalUnitPriceSet": bag(price), "originalTotalSet": bag(gross),
            "discountedUnitPriceAfterAllDiscountsSet": bag(net // quantity), "discountedTotalSet": bag(net),
            "totalDiscountSet": bag(discount),
            "discountAllocations": [{"allocatedAmountSet": bag(discount)}] if discount else [],
            "taxLines": [_tax_line(tax, bp)] if bp else [],
            "_net": net, "_tax": tax, "_discount": discount, "_bp": bp,
        }

    def tip_line(self, tip: int) -> dict:
        return {"id": self.ids.new("LineItem"), "name": "Tip", "title": "Tip", "sku": None, "quantity": 1,
                "currentQuantity": 1, "refundableQuantity": 1, "taxable": False, "requiresShipping": False,
                "originalUnitPriceSet": bag(tip), "originalTotalSet": bag(tip),
                "discountedUnitPriceAfterAllDiscountsSet": bag(tip), "discountedTotalSet": bag(tip),
                "totalDiscountSet": bag(0), "discountAllocations": [], "taxLines": [],
                "_net": tip, "_tax": 0, "_discount": 0, "_bp": 0, "_tip": True}

    def shipping(self, rng: random.Random, included: bool) -> list[dict]:
        title, code, price = rng.choice(SHIPPING)
        discount = price if rng.random() < 0.15 else 0  # a free-shipping code
        net = price - discount
        tax = tax_of(net, 600, included)
        return [{"id": self.ids.new("ShippingLine"), "title": title, "code": code, "source": "shopify",
                 "isRemoved": False, "originalPriceSet": bag(price), "discountedPriceSet": bag(net),
                 "discountAllocations": [{"allocatedAmountSet": bag(discount)}] if discount else [],
                 "taxLines": [_tax_line(tax, 600)] if net else [], "_net": net, "_tax": tax, "_discount": discount}]

    def txn(self, rng: random.Random, kind: str, gateway: str, amount: int, at: datetime, status: str = "SUCCESS",
            test: bool = False) -> dict:
        return {"id": self.ids.new("OrderTransaction"), "kind": kind, "status": status, "gateway": gateway,
                "formattedGateway": _formatted(gateway), "test": test, "amountSet": bag(amount),
                "amountRoundingSet": _cash_rounding(amount) if gateway == "cash" else None, "createdAt": iso(at),
                "processedAt": iso(at), "parentTransaction": None}

    def payments(self, rng: random.Random, total: int, when: datetime, online: bool, test: bool) -> list[dict]:
        if test:
            return [self.txn(rng, "SALE", "bogus", total, when, test=True)]
        pick = rng.random()
        if online:
            if pick < 0.15:
                return [self.txn(rng, "SALE", "manual", total, when)]
            if pick < 0.28 and total > 2000:
                card = total - min(5000, total // 2)
                return [self.txn(rng, "SALE", "gift_card", total - card, when),
                        self.txn(rng, "SALE", "shopify_payments", card, when)]
            if pick < 0.36:  # a declined card, then a good one
                return [self.txn(rng, "SALE", "shopify_payments", total, when, "FAILURE"),
                        self.txn(rng, "SALE", "shopify_payments", total, when + timedelta(minutes=2))]
            if pick < 0.65:
                auth = self.txn(rng, "AUTHORIZATION", "shopify_payments", total, when)
                capture = self.txn(rng, "CAPTURE", "shopify_payments", total, when + timedelta(minutes=rng.randint(5, 240)))
                return [auth, {**capture, "parentTransaction": auth}]
            return [self.txn(rng, "SALE", "shopify_payments", total, when)]
        if pick < 0.40:
            return [self.txn(rng, "SALE", "cash", total, when)]
        if pick < 0.72:
            return [self.txn(rng, "SALE", "shopify_payments", total, when)]
        if pick < 0.88:
            return [self.txn(rng, "SALE", CUSTOM_METHOD, total, when)]
        if pick < 0.94 and total > 1000:
            return [self.txn(rng, "SALE", "gift_card", 1000, when), self.txn(rng, "SALE", "cash", total - 1000, when)]
        cash = total // 2 // 100 * 100
        return [self.txn(rng, "SALE", "cash", cash, when), self.txn(rng, "SALE", "shopify_payments", total - cash, when)]

    def refund(self, rng: random.Random, made: Made, at: datetime, full: bool = False, restock: str = "RETURN",
               amount_only: int = 0) -> None:
        order = made.order
        items, shipping_back, back = [], [], 0
        if not amount_only:
            # a tip is not given back, unless the order is cancelled
            goods = [line for line in order["lineItems"] if restock == "CANCEL" or not line.get("_tip")]
            lines = goods if full else [rng.choice(goods)]
            for line in lines:
                qty = line["quantity"] if full else rng.randint(1, line["quantity"])
                sub = line["_net"] * qty // line["quantity"] if qty < line["quantity"] else line["_net"]
                tax = (line["_tax"] * qty + line["quantity"] // 2) // line["quantity"]
                back += sub + (0 if order["taxesIncluded"] else tax)
                items.append({"id": self.ids.new("RefundLineItem"), "lineItem": line, "quantity": qty,
                              "restockType": restock if line["requiresShipping"] else "NO_RESTOCK",
                              "restocked": restock != "NO_RESTOCK" and line["requiresShipping"],
                              "location": order["retailLocation"], "priceSet": bag(line["_net"] // line["quantity"]),
                              "subtotalSet": bag(sub), "totalTaxSet": bag(tax)})
            for ship in order["shippingLines"] if full else []:
                back += ship["_net"] + (0 if order["taxesIncluded"] else ship["_tax"])
                shipping_back.append({"id": self.ids.new("RefundShippingLine"), "shippingLine": ship,
                                      "subtotalAmountSet": bag(ship["_net"]), "taxAmountSet": bag(ship["_tax"])})
        else:
            back = amount_only
        paid = [t for t in order["transactions"] if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"]
        transactions, left = [], back
        for sale in reversed(paid):  # back the way it came, the last payment first
            amount = min(left, _sen(sale["amountSet"]))
            if amount:
                transactions.append({**self.txn(rng, "REFUND", sale["gateway"], amount, at), "parentTransaction": sale})
                left -= amount
        refund_id = self.ids.new("Refund")
        order["refunds"].append({
            "id": refund_id, "legacyResourceId": refund_id.rsplit("/", 1)[1], "createdAt": iso(at), "updatedAt": iso(at),
            "note": "Cancelled order" if restock == "CANCEL" else ("Goodwill" if amount_only else None),
            "totalRefundedSet": bag(back), "refundLineItems": items, "refundShippingLines": shipping_back,
            "transactions": transactions, "_at": at})
        order["transactions"] += transactions


def as_of(made: Made, instant: datetime) -> dict:
    """The order as the API shows it at ``instant``: later refunds, transactions and the cancellation unseen."""
    order = dict(made.order)
    refunds = [r for r in order["refunds"] if r["_at"] <= instant]
    order["refunds"] = refunds
    order["transactions"] = [t for t in order["transactions"] if _instant(t["processedAt"]) <= instant]
    changed = [_instant(order["createdAt"])] + [r["_at"] for r in refunds]
    received = sum(_sen(t["amountSet"]) for t in order["transactions"]
                   if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS")
    refunded = sum(_sen(r["totalRefundedSet"]) for r in refunds)
    order["totalReceivedSet"], order["totalRefundedSet"] = bag(received), bag(refunded)
    order["totalRefundedShippingSet"] = bag(sum(_sen(s["subtotalAmountSet"]) for r in refunds for s in r["refundShippingLines"]))
    order["currentTotalPriceSet"] = bag(_sen(order["totalPriceSet"]) - refunded)
    if order["displayFinancialStatus"] == "PAID" and received < _sen(order["totalPriceSet"]):  # captured later
        order["displayFinancialStatus"] = "AUTHORIZED"
    if refunds:
        order["displayFinancialStatus"] = "REFUNDED" if refunded >= received else "PARTIALLY_REFUNDED"
    if made.cancelled is not None and made.cancelled <= instant:
        order["cancelledAt"], order["cancelReason"] = iso(made.cancelled), "CUSTOMER"
        order["closedAt"] = iso(made.cancelled)
        order["displayFinancialStatus"] = made.cancel_status
        changed.append(made.cancelled)
    for t in order["transactions"]:
        changed.append(_instant(t["processedAt"]))
    last = max(changed)
    order["updatedAt"] = iso(min(last + timedelta(seconds=7), max(last, instant)))  # never after "now"
    gateways = []
    for t in order["transactions"]:
        if t["gateway"] not in gateways and t["kind"] != "REFUND":
            gateways.append(t["gateway"])
    order["paymentGatewayNames"] = gateways
    return order


def present(order: dict, currency: str, rate: Decimal) -> None:
    """Show ``order`` to its buyer in ``currency`` (``presentmentMoney``, ``rate`` per ringgit, to the cent)."""
    order["presentmentCurrencyCode"] = currency
    seen: set[int] = set()

    def walk(value) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if "shopMoney" in value and "presentmentMoney" in value:
                amount = (Decimal(value["shopMoney"]["amount"]) * rate).quantize(Decimal("0.01"))
                value["presentmentMoney"] = {"amount": money(int(amount * 100)), "currencyCode": currency}
                return
            for key, item in value.items():
                if key != "retailLocation":
                    walk(item)
    walk(order)


def _tax_line(amount: int, bp: int) -> dict:
    return {"title": "SST", "rate": bp / 10000, "ratePercentage": bp / 100, "priceSet": bag(amount),
            "channelLiable": False, "source": "Shopify"}


def _sum_tax_lines(lines: list[dict]) -> list[dict]:
    by_rate: dict[int, int] = {}
    for line in lines:
        for tax in line["taxLines"]:
            bp = round(tax["rate"] * 10000)
            by_rate[bp] = by_rate.get(bp, 0) + _sen(tax["priceSet"])
    return [_tax_line(amount, bp) for bp, amount in sorted(by_rate.items())]


def _cash_rounding(amount: int) -> dict:
    """Shopify POS's cash rounding of a cash payment or refund to the nearest 5 sen (9.99 -> +0.01, 5.02 -> -0.02):
    the cash that changed hands is ``amountSet`` + this; 0 when the amount needs none."""
    return bag((amount + 2) // 5 * 5 - amount)


def _formatted(gateway: str) -> str:
    return {"shopify_payments": "Shopify Payments", "manual": "Manual", "cash": "Cash", "gift_card": "Gift card",
            "bogus": "Bogus"}.get(gateway, gateway)


def _sen(money_bag: dict) -> int:
    return int(Decimal(money_bag["shopMoney"]["amount"]) * 100)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
