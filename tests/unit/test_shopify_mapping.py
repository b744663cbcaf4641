"""Shopify orders (as the GraphQL Admin API returns them) -> canonical orders: every rule of the mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flowtui.connectors.shopify.mapping import ADJUSTMENT_SKU, map_order, priced, skipped


def m(amount: str) -> dict:
    return {"shopMoney": {"amount": amount}}


def item(sku="KOPI", qty=2, price="10.00", discounts=(), taxes=(("0.06", "1.20"),), ident=1) -> dict:
    return {"id": f"gid://shopify/LineItem/{ident}", "sku": sku, "name": f"{sku} name", "quantity": qty,
            "originalUnitPriceSet": m(price),
            "discountAllocations": [{"allocatedAmountSet": m(d)} for d in discounts],
            "taxLines": [{"rate": rate, "title": "SST", "priceSet": m(amount)} for rate, amount in taxes],
            "product": {"id": "gid://shopify/Product/7"}, "variant": {"id": "gid://shopify/ProductVariant/8"}}


def txn(kind="SALE", status="SUCCESS", gateway="shopify_payments", amount="21.20", ident=1) -> dict:
    return {"id": f"gid://shopify/OrderTransaction/{ident}", "kind": kind, "status": status, "gateway": gateway,
            "processedAt": "2026-11-02T03:00:00Z", "amountSet": m(amount)}


def order(**over) -> dict:
    base = {
        "id": "gid://shopify/Order/450789469", "name": "#1001", "test": False,
        "processedAt": "2026-11-02T03:00:00Z", "createdAt": "2026-11-02T03:00:00Z",
        "updatedAt": "2026-11-02T03:00:00Z", "cancelledAt": None, "displayFinancialStatus": "PAID",
        "taxesIncluded": False, "currencyCode": "MYR", "sourceName": "web", "retailLocation": None,
        "totalTipReceivedSet": m("0.0"),
        "lineItems": {"pageInfo": {"hasNextPage": False}, "nodes": [item()]},
        "shippingLines": {"pageInfo": {"hasNextPage": False}, "nodes": []},
        "transactions": [txn()], "refunds": [],
    }
    base.update(over)
    return base


def sale(entries):
    return entries[0].canonical


def test_an_online_order_is_one_sale_with_its_lines_tax_and_gateway():
    [entry] = map_order(order())
    assert entry.error is None and entry.ref == "shopify:order/450789469"
    got = entry.canonical
    assert (got["id"], got["number"], got["store_id"], got["time"]) == ("450789469", "#1001", "online",
                                                                        "2026-11-02T03:00:00Z")
    assert (got["type"], got["status"], got["subtotal"], got["tax"], got["total"]) == (
        "sale", "completed", "20.00", "1.20", "21.20")
    assert got["lines"] == [{"sku": "KOPI", "name": "KOPI name", "quantity": 2,
                             "unit_price": "10.00", "discount": "0.00", "tax": "1.20", "amount": "20.00"}]
    assert got["payments"] == [{"method": "shopify_payments", "amount": "21.20"}]


def test_a_custom_item_without_sku_is_known_by_its_name():
    line = item(sku=None) | {"product": None, "variant": None, "name": "Custom sale"}
    assert sale(map_order(order(lineItems={"nodes": [line]})))["lines"][0]["product_id"] == "Custom sale"


def test_a_pos_order_belongs_to_its_retail_location():
    got = sale(map_order(order(retailLocation={"id": "gid://shopify/Location/6884556842", "name": "Bangsar"})))
    assert (got["store_id"], got["store_name"]) == ("6884556842", "Bangsar")


def test_line_amount_is_price_times_quantity_less_its_discount_allocations():
    line = item(qty=3, price="12.50", discounts=("2.50", "1.00"), taxes=(("0.06", "2.04"),))
    got = sale(map_order(order(lineItems={"nodes": [line]}, transactions=[txn(amount="36.04")])))
    assert got["lines"][0]["amount"] == "34.00" and got["lines"][0]["discount"] == "3.50"
    assert (got["subtotal"], got["discount"], got["tax"], got["total"]) == ("34.00", "0.00", "2.04", "36.04")


def test_shipping_is_discounted_ex_tax_and_its_tax_goes_into_tax_and_tips_are_kept():
    shipping = {"nodes": [
        {"id": "gid://shopify/ShippingLine/1", "title": "Pos Laju", "isRemoved": False,
         "discountedPriceSet": m("8.00"), "taxLines": [{"rate": "0.06", "priceSet": m("0.48")}]},
        {"id": "gid://shopify/ShippingLine/2", "title": "removed", "isRemoved": True,
         "discountedPriceSet": m("99.00"), "taxLines": []}]}
    got = sale(map_order(order(shippingLines=shipping, totalTipReceivedSet=m("3.00"),
                               transactions=[txn(amount="20.00"), txn(gateway="cash", amount="12.68", ident=2)])))
    assert (got["shipping"], got["tip"], got["tax"], got["total"]) == ("8.00", "3.00", "1.68", "32.68")
    assert [p["method"] for p in got["payments"]] == ["shopify_payments", "cash"]


def test_payments_are_successful_sales_and_captures_only():
    transactions = [txn(kind="AUTHORIZATION", amount="21.20"), txn(kind="CAPTURE", amount="21.20", ident=2),
                    txn(kind="SALE", status="FAILURE", gateway="manual", amount="21.20", ident=3),
                    txn(kind="SALE", gateway="gift_card", status="SUCCESS", amount="0.00", ident=4)]
    got = sale(map_order(order(transactions=transactions)))
    assert got["payments"] == [{"method": "shopify_payments", "amount": "21.20"},
                               {"method": "gift_card", "amount": "0.00"}]


def test_tax_inclusive_prices_become_ex_tax_exactly_to_the_sen():
    # RM 10.60 including 6%: Shopify charged 0.60 tax on each; 3 of them less a RM 1.00 discount
    line = item(qty=3, price="10.60", discounts=("1.00",), taxes=(("0.06", "1.74"),))
    got = sale(map_order(order(taxesIncluded=True, lineItems={"nodes": [line]}, transactions=[txn(amount="30.80")])))
    [out] = got["lines"]
    assert out["amount"] == "29.06" and out["tax"] == "1.74"  # 31.80 - 1.00 - 1.74, exact
    assert out["unit_price"] == "10.0000"  # 10.60 / 1.06
    assert abs(3 * Decimal(out["unit_price"]) - Decimal(out["discount"]) - Decimal(out["amount"])) < Decimal("0.01")
    assert got["total"] == "30.80"  # what the customer paid: nothing invented, nothing lost


@pytest.mark.parametrize("price,qty,tax", [("9.99", 7, "3.96"), ("0.05", 1, "0.00"), ("123.45", 13, "90.84")])
def test_tax_inclusive_lines_keep_the_canonical_arithmetic(price, qty, tax):
    line = item(qty=qty, price=price, taxes=(("0.08", tax),))
    total = Decimal(price) * qty
    [entry] = map_order(order(taxesIncluded=True, lineItems={"nodes": [line]}, transactions=[txn(amount=str(total))]))
    [out] = entry.canonical["lines"]
    assert Decimal(out["amount"]) + Decimal(out["tax"]) == total
    assert abs(qty * Decimal(out["unit_price"]) - Decimal(out["discount"]) - Decimal(out["amount"])) < Decimal("0.01")
    assert Decimal(out["discount"]) >= 0


def test_priced_falls_back_to_the_amount_when_the_rate_does_not_explain_it():
    unit, discount = priced(Decimal("10.00"), 3, Decimal("99"))
    assert abs(3 * unit - discount - Decimal("10.00")) < Decimal("0.01") and discount >= 0


def test_a_voided_order_is_voided_and_its_refunds_are_not_returns():
    refund = {"id": "gid://shopify/Refund/1", "createdAt": "2026-11-02T05:00:00Z", "refundLineItems": {"nodes": []},
              "transactions": {"nodes": []}}
    entries = map_order(order(displayFinancialStatus="VOIDED", cancelledAt="2026-11-02T04:00:00Z",
                              transactions=[txn(kind="AUTHORIZATION"), txn(kind="VOID", ident=2)], refunds=[refund]))
    assert [e.canonical["status"] for e in entries] == ["voided"]
    assert entries[0].canonical["payments"] == []


def refund(ident=509562969, when="2026-11-05T02:00:00Z", lines=(), shipping=(), paid=(("shopify_payments", "10.60"),)):
    return {"id": f"gid://shopify/Refund/{ident}", "createdAt": when,
            "refundLineItems": {"nodes": [
                {"id": f"gid://shopify/RefundLineItem/{n}", "quantity": q, "subtotalSet": m(sub), "totalTaxSet": m(tax),
                 "lineItem": {"id": "gid://shopify/LineItem/1", "sku": "KOPI", "name": "Kopi"}}
                for n, (q, sub, tax) in enumerate(lines, 1)]},
            "refundShippingLines": {"nodes": [{"id": "gid://shopify/RefundShippingLine/1", "subtotalAmountSet": m(s),
                                               "taxAmountSet": m(t)} for s, t in shipping]},
            "transactions": {"nodes": [txn(kind="REFUND", gateway=g, amount=a, ident=90 + n)
                                       for n, (g, a) in enumerate(paid)]}}


def test_a_refund_is_a_return_dated_by_its_creation_linked_to_the_sale():
    entries = map_order(order(refunds=[refund(lines=[(1, "10.00", "0.60")])], displayFinancialStatus="PARTIALLY_REFUNDED"))
    assert len(entries) == 2
    ret = entries[1]
    got = ret.canonical
    assert ret.error is None and ret.ref == "shopify:refund/509562969"
    assert (got["id"], got["type"], got["original_id"], got["original_number"], got["time"]) == (
        "refund-509562969", "return", "450789469", "#1001", "2026-11-05T02:00:00Z")
    assert (got["subtotal"], got["tax"], got["total"]) == ("10.00", "0.60", "10.60")
    assert got["lines"][0]["sku"] == "KOPI" and got["lines"][0]["quantity"] == 1
    assert got["payments"] == [{"method": "shopify_payments", "amount": "10.60"}]


def test_refunded_shipping_and_its_tax_are_on_the_return():
    got = map_order(order(refunds=[refund(lines=[(1, "10.00", "0.60")], shipping=[("8.00", "0.48")],
                                          paid=[("shopify_payments", "19.08")])]))[1].canonical
    assert (got["shipping"], got["tax"], got["total"]) == ("8.00", "1.08", "19.08")


def test_an_amount_only_refund_is_one_adjustment_line_that_moves_no_stock():
    got = map_order(order(refunds=[refund(paid=[("cash", "5.00")])]))[1].canonical
    assert got["lines"] == [{"sku": ADJUSTMENT_SKU, "name": "Refund (amount only)", "quantity": 1,
                             "unit_price": "5.00", "discount": "0.00", "tax": "0.00", "amount": "5.00"}]
    assert (got["total"], got["payments"]) == ("5.00", [{"method": "cash", "amount": "5.00"}])


def test_a_refund_for_less_than_its_lines_books_the_difference_as_its_discount():
    got = map_order(order(refunds=[refund(lines=[(1, "10.00", "0.60")], paid=[("cash", "9.60")])]))[1].canonical
    assert (got["subtotal"], got["discount"], got["total"]) == ("10.00", "1.00", "9.60")


def test_a_refund_that_moved_no_money_is_no_return():
    assert len(map_order(order(refunds=[refund(lines=[(1, "10.00", "0.60")], paid=[])]))) == 1


def test_a_paid_order_cancelled_keeps_its_sale_and_its_refund_is_a_return():
    entries = map_order(order(displayFinancialStatus="REFUNDED", cancelledAt="2026-11-03T01:00:00Z",
                              refunds=[refund(lines=[(2, "20.00", "1.20")], paid=[("shopify_payments", "21.20")])]))
    assert [(e.canonical["type"], e.canonical["status"]) for e in entries] == [
        ("sale", "completed"), ("return", "completed")]


def test_test_orders_are_skipped():
    assert map_order(order(test=True)) == []


@pytest.mark.parametrize("change,reason", [
    ({"lineItems": {"nodes": [item(qty=-1)]}}, "line item 1 quantity is -1"),
    ({"lineItems": {"nodes": [item(price="ten")]}}, "originalUnitPriceSet is 'ten', not an amount"),
    ({"lineItems": {"nodes": [item(price="1.005")]}}, "more than 2 decimals"),
    ({"lineItems": "lots"}, "lineItems is not a list"),
    ({"lineItems": {"nodes": [item(sku=None) | {"product": None, "variant": None, "name": None}]}},
     "neither a SKU nor a name"),
    ({"processedAt": 17}, "processedAt is 17, not a time"),
    ({"transactions": [txn(gateway=None)]}, "has no gateway"),
    ({"lineItems": {"nodes": [item(discounts=("99.00",))]}}, "discounts"),
])
def test_a_hostile_order_is_one_entry_with_a_reason_naming_the_field(change, reason):
    [entry] = map_order(order(**change))
    assert entry.error is not None and reason in entry.error
    assert entry.canonical["id"] == "450789469"  # enough to hold its day


def test_a_hostile_refund_costs_only_itself():
    bad = refund(lines=[(1, "abc", "0.60")])
    entries = map_order(order(refunds=[bad, refund(ident=2, when="2026-11-06T01:00:00Z", paid=[("cash", "1.00")])]))
    assert [e.error is None for e in entries] == [True, False, True]
    assert "refund 509562969" in (entries[1].error or "")


def test_not_an_object_is_rejected_with_its_type():
    [entry] = map_order(["an", "array"])
    assert "not an order object" in (entry.error or "")


@pytest.mark.parametrize("status,transactions", [
    ("PENDING", [txn(gateway="manual", status="PENDING")]),
    ("AUTHORIZED", [txn(kind="AUTHORIZATION")]),
    ("EXPIRED", [txn(kind="AUTHORIZATION"), txn(kind="CAPTURE", status="FAILURE", ident=2)]),
])
def test_an_order_nothing_was_captured_for_is_not_booked_yet(status, transactions):
    unpaid = order(displayFinancialStatus=status, transactions=transactions)
    assert skipped(unpaid) == "unpaid" and map_order(unpaid) == []


def test_an_order_partly_captured_is_booked_and_its_gap_is_for_landing_to_refuse():
    partly = order(displayFinancialStatus="PARTIALLY_PAID", transactions=[txn(kind="CAPTURE", amount="10.00")])
    assert skipped(partly) is None and sale(map_order(partly))["payments"] == [{"method": "shopify_payments",
                                                                                "amount": "10.00"}]


def test_the_fast_path_writes_exactly_what_the_exact_path_writes():
    from datetime import date

    from flowtui.connectors.shopify import fast, mapping
    from flowtui.sandbox.shopify import ShopifySandbox

    box = ShopifySandbox(seed=7, days=10, end_date=date(2026, 10, 14))
    quick = 0
    for shop_order in box.orders():
        sale_id, store = mapping.numeric_id(shop_order["id"]), mapping.store_of(shop_order)
        got = fast.sale(shop_order, sale_id, store)
        if got is not None:
            quick += 1
            assert got.as_dict() == mapping._sale(shop_order, sale_id, store).as_dict(), shop_order["name"]
    assert quick > len(box.orders()) // 2  # the everyday order takes it


def test_the_fast_paths_typed_columns_are_what_landing_reads_from_the_exact_paths_json():
    """Landing takes the fast path's sales as typed columns (no JSON): they must be exactly the structure it
    parses from the exact path's canonical JSON of the same orders, field by field (rounded cash included)."""
    from datetime import date

    import duckdb
    import orjson
    import pyarrow as pa

    from flowtui.connectors.shopify import fast, mapping
    from flowtui.engine.core.orders import structure_json
    from flowtui.sandbox.shopify import ShopifySandbox

    box = ShopifySandbox(seed=7, days=10, end_date=date(2026, 10, 14))
    sales, texts = [], []
    for shop_order in box.orders():
        sale_id, store = mapping.numeric_id(shop_order["id"]), mapping.store_of(shop_order)
        got = fast.sale(shop_order, sale_id, store)
        if got is not None:
            sales.append(got)
            exact = mapping._sale(shop_order, sale_id, store).as_dict()
            texts.append(orjson.dumps(exact).decode())
            for number, refund in enumerate(sorted(shop_order["refunds"], key=mapping._refund_key), start=1):
                back = fast.refund(shop_order, refund, got, number)
                if back is not None:
                    sales.append(back)
                    exact_back = mapping._refund(shop_order, refund, exact, number)
                    assert exact_back is not None and back.as_dict() == exact_back.as_dict(), refund["id"]
                    texts.append(orjson.dumps(exact_back.as_dict()).decode())
    assert any(s.rounding for s in sales) and any(s.tip for s in sales)
    assert sum(s.kind == "return" for s in sales) > 20 and any(s.kind == "return" and s.rounding for s in sales)
    table = pa.table({"parsed": fast.columns(sales), "payload": pa.array(texts, pa.string())})
    con = duckdb.connect()
    con.register("t", table)
    differ = con.execute(f"SELECT count(*) FROM t WHERE parsed IS DISTINCT FROM json_transform(payload, "
                         f"'{structure_json()}')").fetchone()[0]
    same_type = con.execute(f"SELECT typeof(parsed) = typeof(json_transform(payload, '{structure_json()}')) "
                            "FROM t LIMIT 1").fetchone()[0]
    assert (differ, same_type) == (0, True)


def tip_item(amount="5.00"):
    return {"id": "gid://shopify/LineItem/99", "sku": None, "name": "Tip", "quantity": 1,
            "originalUnitPriceSet": m(amount), "discountAllocations": [], "taxLines": []}


def test_the_line_item_shopify_books_a_tip_as_is_the_tip_not_an_item_sold():
    got = sale(map_order(order(lineItems={"nodes": [item(), tip_item()]}, totalTipReceivedSet=m("5.0"),
                               transactions=[txn(amount="26.20")])))
    assert [line["sku"] for line in got["lines"]] == ["KOPI"]
    assert (got["subtotal"], got["tip"], got["total"]) == ("20.00", "5.00", "26.20")


def test_a_cancellation_gives_the_tip_back_as_the_returns_tip():
    back = refund(lines=[(2, "20.00", "1.20")], paid=[("shopify_payments", "26.20")])
    back["refundLineItems"]["nodes"].append({"id": "gid://shopify/RefundLineItem/9", "quantity": 1,
                                             "subtotalSet": m("5.0"), "totalTaxSet": m("0.0"),
                                             "lineItem": {"id": "gid://shopify/LineItem/99", "sku": None, "name": "Tip"}})
    entries = map_order(order(lineItems={"nodes": [item(), tip_item()]}, totalTipReceivedSet=m("5.0"),
                              transactions=[txn(amount="26.20")], refunds=[back], displayFinancialStatus="REFUNDED"))
    got = entries[1].canonical
    assert [line["sku"] for line in got["lines"]] == ["KOPI"]
    assert (got["tip"], got["discount"], got["total"]) == ("5.00", "0.00", "26.20")


def cash(amount: str, rounding: str | None, kind="SALE", ident=1) -> dict:
    return {**txn(kind=kind, gateway="cash", amount=amount, ident=ident), "amountRoundingSet": m(rounding)
            if rounding is not None else None}


def test_a_rounded_cash_payment_pays_its_rounded_amount_and_the_order_carries_the_rounding():
    # 21.22 due, paid in cash: Shopify POS rounds it to 21.20 (amountRoundingSet -0.02)
    shop = order(lineItems={"nodes": [item(price="10.00", taxes=(("0.06", "1.22"),))]},
                 transactions=[cash("21.22", "-0.02")])
    got = sale(map_order(shop))
    assert (got["rounding"], got["total"]) == ("-0.02", "21.20")
    assert got["payments"] == [{"method": "cash", "amount": "21.20"}]
    slow = sale(map_order({**shop, "taxesIncluded": None}))  # not the fast path's: the exact path's
    assert slow["rounding"] == "-0.02" and slow["total"] == "21.20" and slow["payments"] == got["payments"]


def test_a_cash_payment_shopify_did_not_round_carries_no_rounding():
    got = sale(map_order(order(transactions=[cash("21.20", "0.0")])))
    assert "rounding" not in got and got["total"] == "21.20"


def test_a_rounded_cash_refund_gives_back_its_rounded_amount_and_the_return_carries_the_rounding():
    refund = {"id": "gid://shopify/Refund/5", "createdAt": "2026-11-03T03:00:00Z",
              "refundLineItems": {"nodes": [{"quantity": 1, "subtotalSet": m("10.00"), "totalTaxSet": m("0.61"),
                                             "lineItem": {"id": "gid://shopify/LineItem/1", "sku": "KOPI"}}]},
              "refundShippingLines": {"nodes": []},
              "transactions": {"nodes": [cash("10.61", "-0.01", kind="REFUND", ident=9)]}}
    shop = order(lineItems={"nodes": [item(price="10.00", taxes=(("0.06", "1.22"),))]},
                 transactions=[cash("21.22", "-0.02")], refunds=[refund])
    back = map_order(shop)[1].canonical
    assert (back["subtotal"], back["tax"], back["rounding"], back["total"]) == ("10.00", "0.61", "-0.01", "10.60")
    assert back["payments"] == [{"method": "cash", "amount": "10.60"}] and back["discount"] == "0.00"
