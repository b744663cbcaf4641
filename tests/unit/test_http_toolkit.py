"""The shared HTTP toolkit against a scripted fake service (httpx.MockTransport) on fake time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from flowtui.connectors.http import (
    CostBucket,
    CredentialsRefused,
    Cursor,
    Deadlines,
    GaveUp,
    HttpClient,
    LinkHeader,
    PageNumber,
    RequestRate,
    RequestStats,
    RetryLater,
    RetryPolicy,
    UnexpectedListing,
    UnexpectedStatus,
    open_http,
    retry_after,
    shared_limiter,
)
from flowtui.engine.core.errors import FlowError


class FakeTime:
    """A monotonic clock that moves only when someone sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Service:
    """Answers from a list, in turn (the last one again and again); records every request."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.asked: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, int):
            return httpx.Response(answer, json={"error": "no"})
        return httpx.Response(200, json=answer)


def client(service, time: FakeTime | None = None, *, attempts: int = 5, request_deadline: float | None = 300.0,
           limiter=None, stats=None, now=None, base_url: str = "https://shop.test") -> HttpClient:
    time = time or FakeTime()
    return HttpClient(open_http(base_url, auth=("acct", "secret"), transport=httpx.MockTransport(service)),
                      service="Shop", credentials_hint="check the shop's access token", limiter=limiter,
                      policy=RetryPolicy(attempts=attempts, base=0.5, cap=8.0),
                      deadlines=Deadlines(reply=30, request=request_deadline), stats=stats,
                      clock=time.clock, sleep=time.sleep, now=now)


# -- retries -------------------------------------------------------------------------------------------

def test_a_429_waits_as_long_as_its_retry_after_says_then_asks_again():
    time = FakeTime()
    service = Service(httpx.Response(429, headers={"Retry-After": "7"}), {"ok": True})
    with client(service, time) as http:
        assert http.get("/orders") == {"ok": True}
    assert len(service.asked) == 2
    assert time.slept == [7.0]  # longer than any first backoff (at most 0.5 s): the service's word wins
    assert (http.stats.requests, http.stats.retries, http.stats.waits, http.stats.waited) == (2, 1, 1, 7.0)


def test_a_retry_after_given_as_an_http_date_is_honoured():
    time = FakeTime()
    now = datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    service = Service(httpx.Response(503, headers={"Retry-After": later}), {"ok": True})
    with client(service, time, now=lambda: now) as http:
        assert http.get("/orders") == {"ok": True}
    assert time.slept == [30.0]


def test_retry_after_reads_seconds_dates_and_nonsense():
    now = datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after(" 1.5 ", now) == 1.5
    assert retry_after("Wed, 21 Oct 2026 07:29:00 GMT", now) == 60.0
    assert retry_after("Wed, 21 Oct 2026 07:00:00 GMT", now) == 0.0  # a date gone by: at once
    assert retry_after("-5", now) == 0.0
    for nonsense in (None, "", "soon", "nan", "inf"):
        assert retry_after(nonsense, now) is None


def test_backoff_is_jittered_and_bounded():
    policy = RetryPolicy(base=0.5, cap=8.0)
    for attempt in range(1, 10):
        pauses = [policy.backoff(attempt) for _ in range(200)]
        bound = min(8.0, 0.5 * 2 ** (attempt - 1))
        assert all(0 <= p <= bound for p in pauses), (attempt, max(pauses))
        assert len(set(pauses)) > 100  # random, not one fixed pause every client would share


def test_transient_network_errors_and_unreadable_replies_are_asked_again():
    time = FakeTime()
    service = Service(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                      httpx.Response(200, text="<html>busy</html>"), 502, {"ok": 1})
    with client(service, time, attempts=5) as http:
        assert http.get("/orders") == {"ok": 1}
    assert len(service.asked) == 5 and len(time.slept) == 4 and http.stats.retries == 4
    assert all(0 <= pause <= 8.0 for pause in time.slept)


def test_after_the_last_attempt_the_error_says_what_kept_failing():
    service = Service(500)
    with pytest.raises(GaveUp, match=r"^Shop kept failing on /orders \(HTTP 500\) after 3 attempts\.$") as caught:
        client(service, attempts=3).get("/orders")
    assert isinstance(caught.value, FlowError) and len(service.asked) == 3


def test_a_pause_that_would_pass_the_request_deadline_is_not_taken():
    time = FakeTime()
    service = Service(httpx.Response(429, headers={"Retry-After": "60"}))
    with pytest.raises(GaveUp, match=r"did not answer /orders within 10 s \(1 attempt\(s\): HTTP 429\)"):
        client(service, time, request_deadline=10).get("/orders")
    assert time.slept == [] and len(service.asked) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_fail_at_once_without_asking_again(status):
    time = FakeTime()
    service = Service(status)
    with pytest.raises(CredentialsRefused) as caught:
        client(service, time).get("/orders")
    assert str(caught.value) == f"Shop refused the credentials ({status}): check the shop's access token."
    assert len(service.asked) == 1 and time.slept == []


def test_another_failing_status_is_not_asked_again():
    service = Service(404)
    with pytest.raises(UnexpectedStatus, match=r"^Shop answered HTTP 404 for /nowhere\.$"):
        client(service).get("/nowhere")
    assert len(service.asked) == 1


def test_a_reader_can_ask_to_wait_and_try_again():
    """What a cost-based API does: a THROTTLED reply in a 200, with how long until the points are back."""
    time = FakeTime()
    service = Service({"errors": [{"extensions": {"code": "THROTTLED"}}]}, {"data": {"orders": []}})

    def read(content: bytes):
        data = json.loads(content)
        if data.get("errors"):
            raise RetryLater("throttled", after=2.5)
        return data["data"]

    with client(service, time) as http:
        assert http.request("POST", "/graphql.json", json={"query": "{orders}"}, read=read).data == {"orders": []}
    assert time.slept == [2.5] and service.asked[0].method == "POST"
    assert json.loads(service.asked[0].content) == {"query": "{orders}"}


# -- limits ---------------------------------------------------------------------------------------------

def test_a_request_rate_lets_a_burst_through_and_then_keeps_the_window():
    time = FakeTime()
    rate = RequestRate(3, period=1.0, margin=0.0, clock=time.clock, sleep=time.sleep)
    started = time.now
    stamps = []
    for _ in range(7):
        rate.acquire()
        stamps.append(time.now - started)
    assert stamps[:3] == [0, 0, 0]
    for i in range(3, 7):
        assert stamps[i] - stamps[i - 3] >= 1.0  # never four starts in one second
    while len(stamps) < 9:  # fill the window again
        rate.acquire()
        stamps.append(time.now - started)
    assert rate.acquire(within=0.1) is None  # the next turn is further off than the caller can wait
    assert rate.acquire(within=1.0) == 1.0
    rate.rate = None
    assert rate.acquire() == 0.0  # lifted


def test_a_cost_bucket_follows_what_the_service_reports():
    time = FakeTime()
    bucket = CostBucket(capacity=100, restore_rate=50, clock=time.clock, sleep=time.sleep)
    assert bucket.acquire(60) == 0.0 and bucket.available == 40
    assert bucket.acquire(60) == pytest.approx(0.4)  # 20 points short at 50 a second
    bucket.refund(10)  # the query cost less than asked
    assert bucket.available == pytest.approx(10)
    bucket.observe(available=900, restore_rate=100, capacity=1000)  # the service's throttleStatus
    assert bucket.available == 900 and bucket.acquire(1000) == pytest.approx(1.0)
    assert bucket.acquire(500, within=1.0) is None


def test_clients_of_the_same_credential_share_one_limiter():
    made = []

    def make():
        made.append(1)
        return RequestRate(2, margin=0.0, clock=time.clock, sleep=time.sleep)

    time = FakeTime()
    one = shared_limiter(("test-shop", "acct-1"), make)
    assert shared_limiter(("test-shop", "acct-1"), make) is one and len(made) == 1
    assert shared_limiter(("test-shop", "acct-2"), make) is not one and len(made) == 2

    service = Service({"ok": 1})
    first, second = (client(service, time, limiter=shared_limiter(("test-shop", "acct-1"), make)) for _ in range(2))
    first.get("/a")
    second.get("/b")
    assert time.slept == []  # two in the window: both at once
    first.get("/c")  # a third: waits for the window, although this client asked only once before
    assert time.slept == [1.0] and first.stats.waits == 1 and second.stats.waits == 0


# -- paginators -----------------------------------------------------------------------------------------

def test_a_cursor_is_followed_until_the_reply_has_none():
    def page(request):
        cursor = request.url.params.get("cursor")
        return {None: {"receipts": [1, 2], "cursor": "c2"}, "c2": {"receipts": [3], "cursor": "c3"},
                "c3": {"receipts": [], "cursor": None}}[cursor]

    service = Service(page)
    pages = list(client(service).pages("/receipts", {"limit": 2}, Cursor()))
    assert [p["receipts"] for p in pages] == [[1, 2], [3], []]
    assert [dict(r.url.params) for r in service.asked] == [
        {"limit": "2"}, {"limit": "2", "cursor": "c2"}, {"limit": "2", "cursor": "c3"}]


def test_a_nested_cursor_stops_when_there_is_no_next_page():
    def page(request):
        after = request.url.params.get("after")
        info = {"hasNextPage": after is None, "endCursor": "e1" if after is None else "e2"}
        return {"data": {"orders": {"pageInfo": info}}}

    service = Service(page)
    paginator = Cursor(cursor="data.orders.pageInfo.endCursor", param="after",
                       has_more="data.orders.pageInfo.hasNextPage")
    assert len(list(client(service).pages("/orders", None, paginator))) == 2


def test_page_numbers_end_at_an_empty_page_or_the_total_pages_header():
    def page(request):
        number = int(request.url.params.get("page", 1))
        return [number] * 2 if number <= 3 else []

    service = Service(page)
    assert list(client(service).pages("/orders", {"per_page": 2}, PageNumber())) == [[1, 1], [2, 2], [3, 3], []]

    def counted(request):
        number = int(request.url.params["page"])
        return httpx.Response(200, json=[number] * 2, headers={"X-WP-TotalPages": "2"})

    service = Service(counted)
    pages = list(client(service).pages("/orders", {"page": 1}, PageNumber(total_pages="X-WP-TotalPages")))
    assert pages == [[1, 1], [2, 2]] and len(service.asked) == 2
    short = Service([1, 2, 3], [4])
    assert list(client(short).pages("/orders", None, PageNumber(size=3))) == [[1, 2, 3], [4]]


def test_a_link_header_is_followed_and_never_to_another_host():
    def page(request):
        number = int(request.url.params.get("page", 1))
        links = f'<https://shop.test/orders?page={number + 1}&ids=1,2>; rel="next", <https://shop.test/orders?page=9>; rel="last"'
        return httpx.Response(200, json=[number], headers={"Link": links} if number < 3 else {})

    service = Service(page)
    assert list(client(service).pages("/orders", None, LinkHeader())) == [[1], [2], [3]]
    assert dict(service.asked[1].url.params) == {"page": "2", "ids": "1,2"}

    elsewhere = Service(httpx.Response(200, json=[1], headers={"Link": '<https://evil.test/orders?page=2>; rel="next"'}))
    with pytest.raises(UnexpectedListing, match="another host"):
        list(client(elsewhere).pages("/orders", None, LinkHeader()))
    assert len(elsewhere.asked) == 1  # the credentials never went there

    loop = Service(httpx.Response(200, json=[1], headers={"Link": '</orders?page=1>; rel="next"'}))
    with pytest.raises(UnexpectedListing, match="same page twice"):
        list(client(loop).pages("/orders", {"page": "1"}, LinkHeader()))


# -- statistics -----------------------------------------------------------------------------------------

def test_statistics_count_requests_retries_waits_and_bytes_and_roll_up():
    time = FakeTime()
    process = RequestStats()
    stats = RequestStats(parent=process)
    body = {"orders": list(range(50))}
    service = Service(httpx.Response(429, headers={"Retry-After": "2"}, content=b"slow down"), body)
    with client(service, time, stats=stats) as http:
        http.get("/orders")
        http.get("/orders")
    size = len(json.dumps(body, separators=(",", ":")).encode())
    assert (stats.requests, stats.retries, stats.waits, stats.waited) == (3, 1, 1, 2.0)
    assert stats.bytes == len(b"slow down") + 2 * size
    assert stats.seconds >= 0 and stats.read_seconds >= 0
    assert process.snapshot() == stats.snapshot()


# -- StoreHub on the toolkit ------------------------------------------------------------------------------

def test_storehub_keeps_one_limiter_for_the_process_and_counts_into_its_statistics():
    from flowtui.connectors.storehub import client as storehub

    assert shared_limiter(("storehub",), lambda: RequestRate(99)) is storehub.PROCESS_LIMITER
    before = storehub.STATS.requests
    service = Service([{"id": "s1", "name": "KLCC"}])
    connector = storehub.StoreHubConnector("acct", "key", "https://storehub.test", limiter=RequestRate(None),
                                           transport=httpx.MockTransport(service))
    assert [s.id for s in connector.stores()] == ["s1"]
    assert connector.stats.requests == 1 and connector.stats.bytes > 0
    assert storehub.STATS.requests == before + 1  # what the benchmark reads
