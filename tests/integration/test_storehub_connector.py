"""The StoreHub connector on its own: mapping, retries, the 5,000 cap, credentials, the rate limit."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.connectors.base import Window
from flowtui.connectors.storehub.bulk import ReplyReader
from flowtui.connectors.storehub.client import (
    CAP,
    Backoff,
    RateLimiter,
    StoreHubAuthError,
    StoreHubConnector,
    StoreHubError,
)
from flowtui.connectors.storehub.mapping import to_canonical

SALE = {
    "refId": "r-1", "invoiceNumber": "INV-1", "storeId": "s1", "transactionType": "Sale",
    "transactionTime": "2026-10-01T16:10:00.000Z", "channel": "GrabFood",
    "subTotal": 20.0, "discount": 1.0, "serviceCharge": 1.9, "tax": 1.25, "roundedAmount": 0.0, "total": 22.15,
    "items": [
        {"productId": "p1", "itemType": "Item", "quantity": 2, "unitPrice": 7.5, "subTotal": 15.0, "discount": 1.0,
         "tax": 0.84, "taxCode": "SV6", "total": 14.84},
        {"productId": "gone", "itemType": "Item", "quantity": 1, "unitPrice": 5.0, "subTotal": 5.0, "discount": 0,
         "tax": 0.30, "taxCode": "SV6", "total": 5.30},
    ],
    "payments": [{"paymentMethod": "GrabPay", "amount": 22.15}],
    "isCancelled": False,
}
PRODUCTS = {"p1": {"sku": "NL-01", "name": "Nasi Lemak"}}


def D(value) -> Decimal:
    return Decimal(str(value))


def test_a_sale_maps_to_a_canonical_order():
    order, error = to_canonical(SALE, PRODUCTS)
    assert error is None
    assert order["id"] == "r-1" and order["number"] == "INV-1" and order["store_id"] == "s1"
    assert (order["type"], order["status"], order["channel"]) == ("sale", "completed", "GrabFood")
    assert order["time"] == "2026-10-01T16:10:00.000Z"
    assert [(x["sku"], x["product_id"], x.get("name"), D(x["amount"])) for x in order["lines"]] == [
        ("NL-01", "p1", "Nasi Lemak", D("14.00")), ("gone", "gone", None, D("5.00"))]  # a deleted product keeps its id
    assert "name" not in order["lines"][1]  # a name not known is not given (canonical JSON leaves it out)
    assert [D(order[k]) for k in ("subtotal", "discount", "service_charge", "tax", "total")] == [
        D("19.00"), D("0.00"), D("1.9"), D("1.25"), D("22.15")]
    assert [(p["method"], D(p["amount"])) for p in order["payments"]] == [("GrabPay", D("22.15"))]


def test_unusual_numbers_take_the_exact_path_and_come_out_the_same():
    fast, _ = to_canonical(SALE, PRODUCTS)
    as_text = json.loads(json.dumps(SALE), parse_float=str)  # every amount a string: the exact path
    exact, _ = to_canonical(as_text, PRODUCTS)
    for key in ("subtotal", "discount", "total", "tax"):
        assert D(fast[key]) == D(exact[key])
    assert [D(x["amount"]) for x in fast["lines"]] == [D(x["amount"]) for x in exact["lines"]]


def test_returns_voids_and_times_without_an_offset():
    ret, _ = to_canonical({**SALE, "transactionType": "Return", "saleInvoiceNumber": "INV-0",
                           "transactionTime": "2026-10-02T01:00:00"}, PRODUCTS)
    assert (ret["type"], ret["original_number"], ret["time"]) == ("return", "INV-0", "2026-10-02T01:00:00Z")
    void, _ = to_canonical({**SALE, "isCancelled": True, "cancelledTime": "2026-10-02T02:00:00Z"}, PRODUCTS)
    assert void["status"] == "voided"


def test_an_order_level_discount_is_what_balances_the_transaction():
    order, _ = to_canonical({**SALE, "discount": 3.0, "total": 20.15, "payments": [
        {"paymentMethod": "Cash", "amount": 20.15}]}, PRODUCTS)
    assert D(order["discount"]) == D("2.00")  # 3.00 in all, 1.00 of it on the first item


# -- hostile input: reported per transaction, never a crash -------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(list(SALE) + ["items", "payments", "quantity", "unitPrice", "bogus"])


@st.composite
def hostile_transactions(draw):
    base = json.loads(json.dumps(SALE))
    for _ in range(draw(st.integers(0, 4))):
        key = draw(field_names)
        target = base
        if key in ("quantity", "unitPrice") and base.get("items") and isinstance(base["items"], list) \
                and isinstance(base["items"][0], dict):
            target = base["items"][0]
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(json_values)
    return base if draw(st.integers(0, 9)) else draw(json_values)


@settings(max_examples=300, deadline=None)
@given(st.lists(hostile_transactions(), max_size=5))
def test_the_parser_never_crashes_on_hostile_transactions(transactions):
    table = read_reply(transactions + [SALE]).columns
    assert table.num_rows == len(transactions) + 1
    for row in table.to_pylist():
        assert row["ref"].startswith("storehub:")
        assert orjson.loads(row["raw"]) is not None or row["raw"].strip() == "null"
        if row["parsed"] is None:  # the exact path: canonical JSON, or the reason there is none
            assert isinstance(orjson.loads(row["payload"]), dict)
    assert table.to_pylist()[-1]["parsed"]["id"] == "r-1"  # the everyday sale read in bulk


def read_reply(transactions: list, products: dict = PRODUCTS):
    """A /transactions reply holding ``transactions``, read as the connector reads it."""
    from flowtui.connectors.base import OrderBatch

    with ReplyReader(products) as reader:
        return OrderBatch(orders=[], columns=reader.read(json.dumps(transactions, ensure_ascii=False).encode()))


def test_hostile_transactions_are_rejected_one_by_one_and_the_rest_lands(flow, orders_dir):
    from flowtui.engine.pipeline.landing import land_batch
    from flowtui.engine.setup.streams import StreamSettings

    flow.init()
    flow.add_stream("s", "file", {"path": str(orders_dir)}, StreamSettings())
    hostile = [
        {**SALE, "refId": "bad-1", "total": "lots"},
        {**SALE, "refId": "bad-2", "items": [{**SALE["items"][0], "quantity": -2}]},
        {**SALE, "refId": "bad-3", "items": "everything"},
        {**SALE, "refId": "bad-4", "transactionTime": None},
        {**SALE, "refId": "bad-5", "total": 10**30},
        "<script>alert(1)</script>",
        {**SALE, "refId": "ok-unicode", "invoiceNumber": "收据-١٢٣-🍜"},
        SALE,
    ]
    with flow.db.write() as con:
        result = land_batch(con, 1, read_reply(hostile), default_tz="Asia/Kuala_Lumpur",
                            sync_run_id=None, now=None or __import__("datetime").datetime.now())
    assert result.new == 2
    rejected = {r.order_id or r.ref: " ".join(r.errors) for r in result.rejections}
    assert set(rejected) == {"bad-1", "bad-2", "bad-3", "bad-4", "bad-5", "storehub:?:#6"}
    assert "total" in rejected["bad-1"] and "quantity" in rejected["bad-2"] and "items" in rejected["bad-3"]
    assert "time" in rejected["bad-4"] and "not a transaction object" in rejected["storehub:?:#6"]

    # an everyday-looking sale with a negative quantity is read in bulk and rejected by landing's checks: the value
    # is quoted as the transaction wrote it, not as the six-decimal DECIMAL it was read into
    negative = {**SALE, "refId": "bad-6", "items": [{**SALE["items"][0], "quantity": -2, "total": -15.16}]}
    [row] = read_reply([negative]).columns.to_pylist()
    assert row["parsed"] is not None
    with flow.db.write() as con:
        result = land_batch(con, 1, read_reply([negative]), default_tz="Asia/Kuala_Lumpur",
                            sync_run_id=None, now=__import__("datetime").datetime.now())
    [rejection] = result.rejections
    assert 'line 1 quantity: "-2" must be a positive quantity with at most 3 decimals' in rejection.errors
    assert not any("000" in error for error in rejection.errors), rejection.errors


# -- HTTP behaviour, against a scripted fake server --------------------------------------------


class Script:
    """A fake StoreHub: answers from a queue per path, records what was asked."""

    def __init__(self, **answers) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}
        self.asked: list[tuple[str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.strip("/")
        self.asked.append((path, dict(request.url.params)))
        queue = self.answers[path]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, int):
            return httpx.Response(answer, json={"error": "no"})
        if isinstance(answer, str):
            return httpx.Response(200, text=answer)
        return httpx.Response(200, json=answer)


def connector(script: Script, attempts: int = 5, **deadlines) -> StoreHubConnector:
    return StoreHubConnector("acct", "sk_live_secret", "https://storehub.test", limiter=RateLimiter(None),
                             backoff=Backoff(attempts=attempts, base=0.001, cap=0.01),
                             transport=httpx.MockTransport(script), **deadlines)


class Trickle(httpx.SyncByteStream):
    """A body that comes one byte at a time, ``pause`` seconds apart: no single read ever times out."""

    def __init__(self, body: bytes, pause: float) -> None:
        self.body, self.pause, self.sent = body, pause, 0

    def __iter__(self):
        for i in range(len(self.body)):
            time.sleep(self.pause)
            self.sent += 1
            yield self.body[i:i + 1]


def trickling(pause: float):
    return lambda _request: httpx.Response(200, stream=Trickle(json.dumps(STORES).encode(), pause))


STORES = [{"id": "s1", "name": "KLCC"}]


def test_transient_failures_are_retried_until_an_answer_comes():
    script = Script(stores=[429, 500, 409, "<html>busy</html>", httpx.ReadTimeout("slow"),
                            httpx.RemoteProtocolError("connection reset"), STORES])
    assert [s.id for s in connector(script, attempts=7).stores()] == ["s1"]
    assert len(script.asked) == 7


def test_after_the_bounded_attempts_the_sync_fails_clearly():
    script = Script(stores=[503])
    with pytest.raises(StoreHubError, match=r"kept failing on /stores \(HTTP 503\) after 5 attempts"):
        connector(script).stores()
    assert len(script.asked) == 5


def test_a_trickling_reply_is_cut_off_at_its_deadline_and_asked_again():
    script = Script(stores=[trickling(0.02), STORES])  # the first reply would take ~0.6 s, a byte at a time
    assert [s.id for s in connector(script, reply_deadline=0.2).stores()] == ["s1"]
    assert len(script.asked) == 2  # the first reply was cut off before it was complete


def test_a_server_that_only_trickles_fails_within_the_request_deadline():
    script = Script(stores=[trickling(0.02)])
    c = connector(script, attempts=100, reply_deadline=0.15, request_deadline=1.5)
    with pytest.raises(StoreHubError) as caught:
        c.stores()
    assert 2 <= len(script.asked) < 100  # attempts ended by the request's deadline, not by their number
    assert str(caught.value).startswith("StoreHub did not answer /stores within 1.5 s (")
    assert "no complete reply within 0.15 s" in str(caught.value)


def test_pauses_between_attempts_end_with_the_request_deadline():
    """A Retry-After of a minute, or a long backoff, is not waited for past the request's deadline."""
    script = Script(stores=[httpx.Response(429, headers={"Retry-After": "60"}, json={"error": "slow down"})])
    c = StoreHubConnector("acct", "key", "https://storehub.test", limiter=RateLimiter(None),
                          backoff=Backoff(attempts=6, base=30, cap=60), transport=httpx.MockTransport(script),
                          request_deadline=0.3)
    started = time.monotonic()
    with pytest.raises(StoreHubError, match=r"did not answer /stores within 0\.3 s \(1 attempt\(s\): HTTP 429\)"):
        c.stores()
    assert time.monotonic() - started < 30  # not the minute asked for (a generous bound, for a busy machine)


def test_deadlines_come_from_the_connector_or_the_environment(monkeypatch):
    monkeypatch.delenv("FLOWTUI_STOREHUB_REPLY_DEADLINE", raising=False)
    monkeypatch.delenv("FLOWTUI_STOREHUB_REQUEST_DEADLINE", raising=False)
    c = connector(Script(stores=[STORES]))
    assert c.deadlines() == (60.0, 180.0)  # the documented defaults
    monkeypatch.setenv("FLOWTUI_STOREHUB_REPLY_DEADLINE", "2.5")
    monkeypatch.setenv("FLOWTUI_STOREHUB_REQUEST_DEADLINE", "9")
    assert c.deadlines() == (2.5, 9.0)
    assert connector(Script(stores=[STORES]), reply_deadline=1, request_deadline=3).deadlines() == (1, 3)
    monkeypatch.setenv("FLOWTUI_STOREHUB_REQUEST_DEADLINE", "soon")
    with pytest.raises(StoreHubError, match="FLOWTUI_STOREHUB_REQUEST_DEADLINE must be a number of seconds"):
        c.stores()


def test_a_failed_test_says_the_test_failed_and_a_failed_sync_that_the_sync_stopped():
    script = Script(stores=[503])
    with pytest.raises(StoreHubError) as caught:
        connector(script).test()
    assert str(caught.value).startswith("The test failed: StoreHub kept failing on /stores (HTTP 503)")
    assert "sync" not in str(caught.value)
    with pytest.raises(StoreHubError) as caught:
        list(connector(script).fetch(Window(date(2026, 10, 2), date(2026, 10, 3))))
    assert str(caught.value).startswith("StoreHub kept failing on /stores (HTTP 503) after 5 attempts.")
    assert str(caught.value).endswith("The sync stopped; the next one starts again from the same day.")


@pytest.mark.parametrize("status", [401, 403])
def test_bad_credentials_fail_at_once(status):
    script = Script(stores=[status])
    with pytest.raises(StoreHubAuthError, match="check the account name and API key"):
        connector(script).stores()
    assert len(script.asked) == 1


def test_every_request_asks_for_online_orders_and_a_day_either_side():
    script = Script(stores=[STORES], products=[[]], transactions=[[SALE]])
    batches = list(connector(script).fetch(Window(date(2026, 10, 2), date(2026, 10, 3))))
    asks = [q for p, q in script.asked if p == "transactions"]
    assert asks == [{"from": "2026-10-01", "to": "2026-10-04", "storeId": "s1", "includeOnline": "true"}]
    assert sum(len(b) for b in batches) == 1 and [s.id for s in batches[0].stores] == ["s1"]


def test_a_capped_window_is_split_down_to_single_days():
    def answer(request):
        first, last = request.url.params["from"], request.url.params["to"]
        days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
        if days > 1:
            return [SALE] * CAP  # too many: the real API would have cut it silently
        if first == "2026-10-03":
            return [SALE] * CAP  # one store-day that is over the cap on its own
        return [{**SALE, "refId": f"r-{first}"}]

    script = Script(stores=[STORES], products=[[]], transactions=[answer])
    batches = list(connector(script).fetch(Window(date(2026, 10, 2), date(2026, 10, 3))))
    days = sorted((q["from"], q["to"]) for p, q in script.asked if p == "transactions")
    assert ("2026-10-01", "2026-10-01") in days and ("2026-10-04", "2026-10-04") in days
    warnings = [w for b in batches for w in b.warnings]
    assert warnings == ["StoreHub returned 5,000 transactions (its cap) for store s1 on 2026-10-03: "
                        "some of that day's transactions may be missing."]


def test_the_key_never_shows():
    c = connector(Script(stores=[STORES]))
    assert "sk_live_secret" not in repr(c) and "sk_live_secret" not in str(c)


def test_the_rate_limiter_allows_three_requests_in_any_second():
    limiter = RateLimiter(3)
    started = time.monotonic()
    stamps = []
    for _ in range(7):
        limiter.wait()
        stamps.append(time.monotonic() - started)
    assert stamps[2] < 1.0  # a burst of three goes at once, without waiting for the next second
    assert stamps[3] >= 1.0 and stamps[6] >= 2.0
    for i in range(3, 7):
        assert stamps[i] - stamps[i - 3] >= 1.0


def test_money_is_read_exactly():
    order, _ = to_canonical({**SALE, "total": 0.1 + 0.2}, PRODUCTS)  # a float that is not 0.3
    assert Decimal(order["total"]) == Decimal("0.30000000000000004")  # kept exact: the checks will reject it
