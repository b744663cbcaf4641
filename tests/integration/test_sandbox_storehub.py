"""The StoreHub sandbox: the API's shapes and rules, exact data, faults on demand, nightly changes."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from flowtui.sandbox.storehub import StoreHubSandbox

END = date(2026, 10, 14)
MYT = ZoneInfo("Asia/Kuala_Lumpur")
CENT = Decimal("0.01")
CUSTOM_METHODS = {"DuitNow QR", "Touch 'n Go eWallet", "Boost", "GrabPay"}


def call(base: str, path: str, auth=("sandbox", "sandbox-key"), timeout: float = 10):
    """(status, content type, body) of a GET; no exception for HTTP error statuses."""
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()


def get_json(base: str, path: str, **kwargs):
    status, content_type, body = call(base, path, **kwargs)
    assert status == 200 and content_type == "application/json", (status, body[:200])
    return json.loads(body, parse_float=Decimal)


def query(store_id=None, first=END, last=END, online=True) -> str:
    path = f"/transactions?from={first}&to={last}"
    return path + (f"&storeId={store_id}" if store_id else "") + ("&includeOnline=true" if online else "")


def local_date(t: dict) -> date:
    return datetime.fromisoformat(t["transactionTime"].replace("Z", "+00:00")).astimezone(MYT).date()


@pytest.fixture(scope="module")
def sandbox():
    with StoreHubSandbox(seed=1, days=14, end_date=END, rate_limit=None) as sb:
        yield sb


@pytest.fixture(scope="module")
def everything(sandbox):
    """Every transaction through the API: each store in 7-day windows (under the cap)."""
    out = []
    for store_id in sandbox.store_ids:
        for first in (END - timedelta(days=13), END - timedelta(days=6)):
            part = get_json(sandbox.base_url, query(store_id, first, first + timedelta(days=6)))
            assert len(part) < 5000
            out.extend(part)
    return out


@pytest.fixture
def fresh():
    with StoreHubSandbox(seed=3, days=2, end_date=END, rate_limit=None) as sb:
        yield sb


# -- shapes and authentication --------------------------------------------------------------------

def test_wrong_or_missing_credentials_get_401(sandbox):
    for auth in (None, ("sandbox", "wrong"), ("someone", "sandbox-key")):
        status, content_type, body = call(sandbox.base_url, "/stores", auth=auth)
        assert (status, content_type, json.loads(body)) == (401, "application/json", {"error": "Unauthorized"})
    assert sandbox.faults["unauthorized"] >= 3


def test_stores_products_and_inventory(sandbox):
    stores = get_json(sandbox.base_url, "/stores")
    assert [s["id"] for s in stores] == sandbox.store_ids and len(stores) == 4
    assert all(s["timezone"] == "Asia/Kuala_Lumpur" and s["name"] for s in stores)
    products = get_json(sandbox.base_url, "/products")
    assert len({p["id"] for p in products}) == len({p["sku"] for p in products}) == len(products) > 20
    for p in products:
        assert isinstance(p["unitPrice"], Decimal) and p["unitPrice"].as_tuple().exponent == -2
        assert p["taxCode"] in {"SV6", "SV8", "ST10"} and p["name"]
    stock = get_json(sandbox.base_url, f"/inventory/{sandbox.store_ids[2]}")
    assert stock and all(set(s) == {"productId", "quantityOnHand"} and isinstance(s["quantityOnHand"], int)
                         for s in stock)
    assert {s["productId"] for s in stock} <= {p["id"] for p in products}
    assert call(sandbox.base_url, "/inventory/nope")[0] == 404
    assert call(sandbox.base_url, "/nothing-here")[0] == 404


def test_bad_dates_get_400_and_unknown_stores_404(sandbox):
    for path in ("/transactions", "/transactions?from=2026-10-01", "/transactions?from=2026-10-1&to=2026-10-02",
                 "/transactions?from=2026-10-01&to=2026-02-30", "/transactions?from=yesterday&to=today",
                 "/transactions?from=2026-10-03&to=2026-10-01"):
        status, _, body = call(sandbox.base_url, path)
        assert status == 400 and "error" in json.loads(body), path
    assert call(sandbox.base_url, query("nope"))[0] == 404


# -- the data -------------------------------------------------------------------------------------

def _rounding(sen: int) -> int:
    return {0: 0, 1: -1, 2: -2, 3: 2, 4: 1}[sen % 5]


def check_arithmetic(t: dict, store_kind: str) -> None:
    money = ("subTotal", "discount", "serviceCharge", "tax", "roundedAmount", "total")
    amounts = [t[k] for k in money] + [v for i in t["items"] for k, v in i.items() if isinstance(v, Decimal)] \
        + [p["amount"] for p in t["payments"]]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts), t  # 2 decimals on the wire
    assert all(a >= 0 for a in amounts if a is not t["roundedAmount"])  # returns too: positive amounts
    for i in t["items"]:
        assert i["itemType"] == "Item" and isinstance(i["quantity"], int) and i["quantity"] > 0
        assert i["subTotal"] == i["quantity"] * i["unitPrice"]
        assert i["total"] == i["subTotal"] - i["discount"] + i["tax"]
        rate = {"SV6": 6, "SV8": 8, "ST10": 10}[i["taxCode"]]
        assert i["tax"] == ((i["subTotal"] - i["discount"]) * rate / 100).quantize(CENT, ROUND_HALF_UP)
    net = sum(i["subTotal"] - i["discount"] for i in t["items"])
    assert t["subTotal"] == sum(i["subTotal"] for i in t["items"])
    assert t["discount"] >= sum(i["discount"] for i in t["items"])
    service_rate = Decimal("0.10") if store_kind == "fnb" and t["channel"] == "POS" else 0
    assert t["serviceCharge"] == (net * service_rate).quantize(CENT, ROUND_HALF_UP)
    service_tax = t["tax"] - sum(i["tax"] for i in t["items"])
    assert service_tax == (t["serviceCharge"] * Decimal("0.06")).quantize(CENT, ROUND_HALF_UP)
    assert t["total"] == t["subTotal"] - t["discount"] + t["serviceCharge"] + t["tax"] + t["roundedAmount"]
    assert sum(p["amount"] for p in t["payments"]) == t["total"] and t["total"] >= 0
    due = int((t["total"] - t["roundedAmount"]) * 100)
    if any(p["paymentMethod"] == "Cash" for p in t["payments"]):
        assert t["roundedAmount"] * 100 == _rounding(due) and int(t["total"] * 100) % 5 == 0
    else:
        assert t["roundedAmount"] == 0


def test_arithmetic_holds_for_every_transaction(sandbox, everything):
    kinds = dict(zip(sandbox.store_ids, ("fnb", "fnb", "retail", "kiosk")))
    assert len(everything) == len(sandbox.transactions())
    for t in everything:
        check_arithmetic(t, kinds[t["storeId"]])
    assert len({t["refId"] for t in everything}) == len({t["invoiceNumber"] for t in everything}) == len(everything)
    assert everything[:50] == sandbox.transactions(sandbox.store_ids[0])[:50]  # the wire equals the Python view


def test_returns_voids_and_the_mix_of_a_real_account(sandbox, everything):
    by_invoice = {t["invoiceNumber"]: t for t in everything}
    returns = [t for t in everything if t["transactionType"] == "Return"]
    voids = [t for t in everything if t["isCancelled"]]
    online = [t for t in everything if t["channel"] != "POS"]
    n = len(everything)
    assert 0.004 * n < len(returns) < 0.02 * n and 0.004 * n < len(voids) < 0.02 * n
    assert 0.06 * n < len(online) < 0.14 * n and {t["channel"] for t in online} == {"GrabFood", "ShopeeFood", "Beep"}
    for r in returns:
        sale = by_invoice[r["saleInvoiceNumber"]]
        assert sale["transactionType"] == "Sale" and sale["storeId"] == r["storeId"] and r["returnReason"]
        assert sale["transactionTime"] < r["transactionTime"] and r["total"] > 0
    assert any(local_date(by_invoice[r["saleInvoiceNumber"]]) < local_date(r) for r in returns)
    assert len({r["saleInvoiceNumber"] for r in returns}) == len(returns)  # no sale is returned twice
    for t in everything:
        assert (t["cancelledTime"] is not None) == t["isCancelled"]
        assert t["cancelledTime"] is None or t["cancelledTime"] > t["transactionTime"]
    methods = Counter(p["paymentMethod"] for t in everything for p in t["payments"])
    assert CUSTOM_METHODS <= set(methods) and "Cash" in methods
    assert sum(len(t["payments"]) == 2 for t in everything) > 50
    assert any(t["roundedAmount"] != 0 for t in everything)
    after_midnight = [t for t in everything if t["transactionTime"][11:13] == "16" and t["transactionTime"][14:16] < "30"]
    assert len(after_midnight) > 20
    listed = {p["id"] for p in sandbox.products()}
    assert any(i["productId"] not in listed for t in everything for i in t["items"])  # deleted products


def test_volumes_per_store_and_day(sandbox, everything):
    per_day = Counter((t["storeId"], local_date(t)) for t in everything)
    assert {d for _, d in per_day} == {END - timedelta(days=n) for n in range(14)}
    for store_id in sandbox.store_ids[:3]:
        assert all(25 <= per_day[store_id, END - timedelta(days=n)] <= 85 for n in range(14))
    assert all(390 <= per_day[sandbox.busy_store_id, END - timedelta(days=n)] <= 450 for n in range(14))


def test_generation_is_deterministic_and_sales_do_not_depend_on_the_range():
    a, b = StoreHubSandbox(seed=5, days=4, end_date=END), StoreHubSandbox(seed=5, days=4, end_date=END)
    assert a.transactions() == b.transactions() and a.products() == b.products()
    assert a.inventory(a.store_ids[0]) == b.inventory(b.store_ids[0])
    assert StoreHubSandbox(seed=6, days=4, end_date=END).transactions() != a.transactions()
    longer = StoreHubSandbox(seed=5, days=7, end_date=END)
    first = a.start_date
    assert [t for t in longer.transactions(start=first) if t["transactionType"] == "Sale"] == [
        t for t in a.transactions() if t["transactionType"] == "Sale"]


def test_end_date_defaults_to_yesterday_in_kuala_lumpur(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-31T16:30:00Z")  # already 1 November in Kuala Lumpur
    sb = StoreHubSandbox(days=1)
    assert (sb.start_date, sb.end_date) == (date(2026, 10, 31), date(2026, 10, 31))


def test_a_hundred_thousand_transactions_generate():
    # how quickly is a benchmark (make bench: benchmarks/storehub.py, target < 10 s), not a test
    sb = StoreHubSandbox(seed=2, days=14, end_date=END, scale=13)
    assert len(sb.transactions(sb.store_ids[0], END, END)) > 350 and len(sb._rows) > 95_000


# -- /transactions rules ----------------------------------------------------------------------------

def test_from_and_to_are_local_dates(sandbox, everything):
    early = next(t for t in everything if t["transactionTime"][11:16] < "16:30" and t["transactionTime"][11:13] == "16"
                 and t["channel"] == "POS")
    utc_day = date.fromisoformat(early["transactionTime"][:10])
    local = utc_day + timedelta(days=1)
    refs = {t["refId"] for t in get_json(sandbox.base_url, query(early["storeId"], local, local))}
    assert early["refId"] in refs
    if utc_day >= sandbox.start_date:
        refs = {t["refId"] for t in get_json(sandbox.base_url, query(early["storeId"], utc_day, utc_day))}
        assert early["refId"] not in refs


def test_online_orders_only_with_include_online(sandbox):
    store_id = sandbox.store_ids[0]
    pos = get_json(sandbox.base_url, query(store_id, END - timedelta(days=2), END, online=False))
    both = get_json(sandbox.base_url, query(store_id, END - timedelta(days=2), END))
    assert pos and all(t["channel"] == "POS" for t in pos)
    assert [t for t in both if t["channel"] == "POS"] == pos and len(both) > len(pos)
    assert get_json(sandbox.base_url, query(store_id) + "&includeOnline=false") == get_json(
        sandbox.base_url, query(store_id, online=False))


def test_the_5000_cap_bites_on_14_busy_days_and_not_on_one(sandbox):
    busy = sandbox.busy_store_id
    everything = sandbox.transactions(busy)
    for online in (True, False):
        capped = get_json(sandbox.base_url, query(busy, END - timedelta(days=13), END, online=online))
        expected = [t for t in everything if online or t["channel"] == "POS"]
        assert len(expected) > 5000 and len(capped) == 5000
        assert [t["refId"] for t in capped] == [t["refId"] for t in expected[:5000]]  # the first 5,000 by time
    day = get_json(sandbox.base_url, query(busy))
    assert len(day) == len(sandbox.transactions(busy, END, END)) < 5000
    times = [t["transactionTime"] for t in day]
    assert times == sorted(times)
    all_stores = get_json(sandbox.base_url, query(None))
    assert {t["storeId"] for t in all_stores} == set(sandbox.store_ids)


def test_rate_limit_answers_429_above_3_per_second():
    with StoreHubSandbox(days=1, end_date=END) as sb:
        now = [100.0]
        sb.clock = lambda: now[0]  # every request in the same instant, however slow the machine
        statuses = [call(sb.base_url, "/stores")[0] for _ in range(6)]
        assert statuses == [200] * 3 + [429] * 3
        status, content_type, body = call(sb.base_url, "/stores")
        assert (status, content_type, json.loads(body)) == (429, "application/json", {"error": "Too Many Requests"})
        now[0] += 1.1  # a second later
        assert call(sb.base_url, "/stores")[0] == 200
        sb.rate_limit = None
        assert [call(sb.base_url, "/stores")[0] for _ in range(10)] == [200] * 10
        assert sb.faults["rate_limited"] >= 2


# -- faults ---------------------------------------------------------------------------------------------

def test_fail_every_and_burst_429(fresh):
    fresh.fail_every = 2
    assert [call(fresh.base_url, "/stores")[0] for _ in range(4)] == [200, 500, 200, 500]
    fresh.fail_every = None
    fresh.burst_429 = 2
    assert [call(fresh.base_url, "/stores")[0] for _ in range(3)] == [429, 429, 200]
    assert (fresh.faults["fail"], fresh.faults["burst_429"], fresh.requests) == (2, 2, 7)
    assert [status for _, _, status in fresh.request_log] == [200, 500, 200, 500, 429, 429, 200]


def test_non_json_every(fresh):
    fresh.non_json_every = 2
    first, second = call(fresh.base_url, query()), call(fresh.base_url, query())
    assert first[0] == 200 and json.loads(first[2])
    assert second[0] == 200 and second[1].startswith("text/html")
    with pytest.raises(ValueError):
        json.loads(second[2])
    assert fresh.faults["non_json"] == 1


def test_slow_every_times_the_client_out(fresh):
    fresh.slow_every, fresh.slow_seconds = 2, 0.6
    assert call(fresh.base_url, "/stores")[0] == 200
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call(fresh.base_url, "/stores", timeout=0.2)  # the second waits 0.6 s before answering
    assert fresh.faults["slow"] == 1


@pytest.mark.parametrize("mode", ["close", "truncate"])
def test_reset_every_drops_the_connection(fresh, mode):
    fresh.reset_every, fresh.reset_mode = 2, mode
    assert call(fresh.base_url, query())[0] == 200
    with pytest.raises((http.client.HTTPException, ConnectionError, urllib.error.URLError)):
        call(fresh.base_url, query())
    assert call(fresh.base_url, query())[0] == 200
    assert fresh.faults["reset"] == 1 and fresh.request_log[1][2] is None


def test_trickle_every_answers_in_full_one_byte_at_a_time(fresh):
    """Every read gets a byte well within its timeout, so only a deadline for the whole reply ends it."""
    want = call(fresh.base_url, "/inventory/nope")
    fresh.trickle_every, fresh.trickle_seconds = 1, 0.02
    for headers_too in (False, True):
        fresh.trickle_headers = headers_too
        started = time.monotonic()
        assert call(fresh.base_url, "/inventory/nope", timeout=5) == want  # 404, {"error": "Store not found"}
        assert time.monotonic() - started >= len(want[2]) * 0.02
    assert fresh.faults["trickle"] == 2


def test_silent_every_takes_the_request_and_never_answers(fresh):
    fresh.silent_every = 2
    assert call(fresh.base_url, "/stores")[0] == 200
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call(fresh.base_url, "/stores", timeout=0.5)
    assert call(fresh.base_url, "/stores")[0] == 200
    assert fresh.faults["silent"] == 1 and [s for _, _, s in fresh.request_log] == [200, None, 200]


def test_the_request_log_shows_what_the_client_asked(fresh):
    get_json(fresh.base_url, query(fresh.store_ids[1], END - timedelta(days=1), END))
    path, asked, status = fresh.log_for("/transactions")[-1]
    assert asked == {"from": str(END - timedelta(days=1)), "to": str(END), "storeId": fresh.store_ids[1],
                     "includeOnline": "true"}
    assert (path, status, fresh.requests) == ("/transactions", 200, 1)


def test_a_stopped_sandbox_refuses_connections():
    sb = StoreHubSandbox(days=1, end_date=END, rate_limit=None)
    url = sb.start()
    assert call(url, "/stores")[0] == 200
    sb.stop()
    with pytest.raises(urllib.error.URLError):
        call(url, "/stores", timeout=2)


# -- changes at the source ---------------------------------------------------------------------------------

def test_next_night_voids_uploads_late_returns_and_adds_a_day():
    with StoreHubSandbox(seed=4, days=5, end_date=END, rate_limit=None) as sb:
        kinds = dict(zip(sb.store_ids, ("fnb", "fnb", "retail", "kiosk")))
        before = {t["refId"] for t in sb.transactions()}
        done = sb.next_night()
        new_day = END + timedelta(days=1)
        assert sb.end_date == new_day and done["end_date"] == str(new_day) and done["night"] == 1

        voided = done["voided"]
        seen = get_json(sb.base_url, query(voided["storeId"], END - timedelta(days=2), END - timedelta(days=2)))
        match = next(t for t in seen if t["refId"] == voided["refId"])
        assert match["isCancelled"] and match["cancelledTime"] > match["transactionTime"]

        late = done["late_upload"]
        seen = get_json(sb.base_url, query(late["storeId"], END - timedelta(days=1), END - timedelta(days=1)))
        assert late["refId"] in {t["refId"] for t in seen} and late["refId"] not in before

        fresh_day = get_json(sb.base_url, query(None, new_day, new_day))
        assert len(fresh_day) == done["added"] + 1 and not {t["refId"] for t in fresh_day} & before
        ret = next(t for t in fresh_day if t["refId"] == done["return"]["refId"])
        assert ret["transactionType"] == "Return" and ret["saleInvoiceNumber"] == done["return"]["saleInvoiceNumber"]
        assert local_date(sb.get(done["return"]["saleRefId"])) < new_day
        for t in sb.transactions():
            check_arithmetic(t, kinds[t["storeId"]])

        twin = StoreHubSandbox(seed=4, days=5, end_date=END)
        assert twin.next_night() == done and twin.next_night() == sb.next_night()


def test_void_and_add_transaction_helpers(fresh):
    sale = next(t for t in fresh.transactions() if not t["isCancelled"] and t["transactionType"] == "Sale")
    voided = fresh.void(sale["refId"])
    assert voided["isCancelled"] and voided["cancelledTime"] > sale["transactionTime"]
    assert {**voided, "isCancelled": False, "cancelledTime": None} == sale
    planted = fresh.add_transaction({**sale, "refId": None, "invoiceNumber": None, "total": Decimal("999.99"),
                                     "transactionTime": f"{END}T16:05:00.000Z"})  # just after midnight on END + 1
    assert planted["refId"] and planted["invoiceNumber"] and planted["total"] == Decimal("999.99")
    assert planted["refId"] in {t["refId"] for t in get_json(fresh.base_url, query(None, END + timedelta(days=1),
                                                                                   END + timedelta(days=1)))}
    edited = fresh.add_transaction({**planted, "total": "12.30"})  # a known refId replaces the transaction
    assert edited["total"] == Decimal("12.30") and len(fresh.transactions()) == len(
        {t["refId"] for t in fresh.transactions()})


# -- the command ----------------------------------------------------------------------------------------

def test_main_serves_until_ctrl_c():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui.sandbox.storehub", "--port", "0", "--days", "2", "--end-date", str(END)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[0].split()[-1]
        assert url.startswith("http://127.0.0.1:") and "sandbox-key" in lines[1]
        assert get_json(url, "/stores")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
