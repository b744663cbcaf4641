"""Hostile Shopify field values, fuzzed: every bad order is reported with a reason naming it, the rest land."""

from __future__ import annotations

import copy
import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flowtui.connectors.shopify.mapping import map_order
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from flowtui.sandbox.shopify import ShopifySandbox

END = date(2026, 10, 14)
DAY = END - timedelta(days=1)

BAD_QUANTITY = st.one_of(st.integers(max_value=0), st.integers(min_value=10**7), st.floats(allow_nan=True),
                         st.text(max_size=5), st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
BAD_AMOUNT = st.one_of(st.sampled_from(["lots", "1.005", "NaN", "1e999", "-5.00", "", " ", "Infinity", "0x10"]),
                       st.none(), st.booleans(), st.lists(st.integers(), max_size=2), st.dictionaries(
                           st.text(max_size=3), st.integers(), max_size=2), st.integers(min_value=10**9))
BAD_TIME = st.one_of(st.sampled_from(["yesterday", "2026-10-13T03:00:00", "", "13/10/2026 11:00"]), st.none(),
                     st.integers(), st.booleans())
BAD_LIST = st.one_of(st.text(max_size=4), st.integers(), st.lists(st.one_of(st.integers(), st.text(max_size=3)),
                                                                   min_size=1, max_size=3))


def _money(value):
    return {"shopMoney": {"amount": value, "currencyCode": "MYR"}}


def spoil(order: dict, how: tuple[str, object]) -> dict:
    field, value = how
    bad = copy.deepcopy(order)
    line = bad["lineItems"][0]
    if field == "quantity":
        line["quantity"] = value
    elif field == "price":
        line["originalUnitPriceSet"] = _money(value)
    elif field == "line_tax":
        line["taxLines"] = [{"rate": 0.06, "title": "SST", "priceSet": _money(value)}]
    elif field == "discount":
        line["discountAllocations"] = [{"allocatedAmountSet": _money(value)}]
    elif field == "payment":
        bad["transactions"] = [{**bad["transactions"][0], "amountSet": _money(value)}]
    elif field == "shipping":
        bad["shippingLines"] = [{"id": None, "title": "x", "isRemoved": False, "discountedPriceSet": _money(value),
                                 "taxLines": []}]
    elif field == "time":
        bad["processedAt"] = value
    elif field == "lines":
        bad["lineItems"] = value
    elif field == "gateway":
        bad["transactions"] = [{**bad["transactions"][0], "gateway": value}]
    return bad


#: what a GraphQL server can send at all: a value of the field's type (Int, the Decimal and DateTime scalars as
#: strings, a nullable String), however wrong; a value of another type is the server's own error, not data
WIRE = st.one_of(
    st.tuples(st.just("quantity"), st.one_of(st.integers(-2**31, 0), st.integers(10**6, 2**31 - 1))),
    *(st.tuples(st.just(field), st.one_of(st.sampled_from(["lots", "1.005", "NaN", "1e999", "-5.00", "", "Infinity"]),
                                          st.text(max_size=6)))
      for field in ("price", "line_tax", "discount", "payment", "shipping")),
    st.tuples(st.just("time"), st.one_of(st.sampled_from(["yesterday", "2026-10-13T03:00:00", "", "13/10/2026"]),
                                         st.text(max_size=8))),
    st.tuples(st.just("gateway"), st.one_of(st.none(), st.just(""))),
)

HOSTILE = st.one_of(
    st.tuples(st.just("quantity"), BAD_QUANTITY), st.tuples(st.just("price"), BAD_AMOUNT),
    st.tuples(st.just("line_tax"), BAD_AMOUNT), st.tuples(st.just("discount"), BAD_AMOUNT),
    st.tuples(st.just("payment"), BAD_AMOUNT), st.tuples(st.just("shipping"), BAD_AMOUNT),
    st.tuples(st.just("time"), BAD_TIME), st.tuples(st.just("lines"), BAD_LIST),
    st.tuples(st.just("gateway"), st.one_of(st.none(), st.just(""), st.integers())),
)


@pytest.fixture(scope="module")
def box():
    with ShopifySandbox(seed=4, days=2, end_date=END, restore_rate=1_000_000) as sandbox:
        yield sandbox


def _template(box) -> dict:
    return next(o for o in box.orders() if o["displayFinancialStatus"] == "PAID" and not o["test"]
                and not o["refunds"] and o["lineItems"] and o["processedAt"].startswith(str(DAY)))


@given(how=HOSTILE)
@settings(max_examples=200, deadline=None)
def test_mapping_never_raises_and_names_what_it_refuses(how):
    base = {"id": "gid://shopify/Order/1", "name": "#1", "test": False, "processedAt": "2026-10-13T03:00:00Z",
            "displayFinancialStatus": "PAID", "taxesIncluded": False,
            "lineItems": {"nodes": [{"id": "gid://shopify/LineItem/1", "sku": "A", "name": "A", "quantity": 1,
                                     "originalUnitPriceSet": _money("10.00"), "discountAllocations": [],
                                     "taxLines": []}]},
            "shippingLines": {"nodes": []}, "refunds": [],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "cash", "amountSet": _money("10.00")}]}
    base["lineItems"] = base["lineItems"]["nodes"]  # the shape add_order serves, a plain list, read the same
    for entry in map_order(spoil(base, how)):
        if entry.error is not None:
            assert entry.error.strip() and entry.canonical["id"] == "1"


_ids = itertools.count(1)


@given(hostile=st.lists(WIRE, min_size=1, max_size=3))
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a sync each: no shrinking
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_hostile_order_is_rejected_with_a_reason_and_the_rest_land(box, tmp_path_factory, monkeypatch, hostile):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    template = _template(box)
    planted = []
    for how in hostile:
        ident = f"98{next(_ids):06d}"
        box.add_order({**spoil(template, how), "id": f"gid://shopify/Order/{ident}", "name": f"#F{ident}"})
        planted.append(ident)
    folder = tmp_path_factory.mktemp("books")
    monkeypatch.setenv("FLOWTUI_CONFIG_DIR", str(folder / "config"))
    flow = Flow(Database.at(folder / "flow.duckdb"))
    flow.init()
    flow.add_stream("Shop", "shopify", {"shop": box.shop_domain, "access_token": box.token, "base_url": box.base_url},
                    StreamSettings(start_date=DAY), force=True)
    [outcome] = flow.sync(["Shop"], start=DAY, end=DAY)
    assert not outcome.failed, outcome.error
    rejected = {r.order_id: r.errors for r in outcome.landing.rejections}
    for ident in planted:
        # a value that happens to be harmless (a quantity of 2 is not bad) lands; anything else says why
        assert ident in rejected or _landed(flow, ident), (ident, hostile)
        assert all(e.strip() for e in rejected.get(ident, ())), rejected[ident]
    with flow.db.read() as con:
        landed = {row[0] for row in con.execute("SELECT order_id FROM orders").fetchall()}
    good = {o["id"].rsplit("/", 1)[1] for o in box.orders() if not o["id"].rsplit("/", 1)[1].startswith("98")
            and _local(o["processedAt"]) == DAY and o["displayFinancialStatus"] == "PAID" and not o["test"]}
    assert good - landed == set()


def _local(instant: str) -> date:
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Kuala_Lumpur")).date()


def _landed(flow, ident: str) -> bool:
    with flow.db.read() as con:
        return bool(con.execute("SELECT 1 FROM orders WHERE order_id = ?", [ident]).fetchall())
