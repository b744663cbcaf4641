"""A local StoreHub-compatible API server with generated data and injectable faults.

    with StoreHubSandbox(seed=1, days=14) as sandbox:   # starts on a free port
        httpx.get(sandbox.base_url + "/stores", auth=sandbox.auth)

It answers like the real API (see ``DESIGN.md``): HTTP Basic, ``/stores``,
``/products``, ``/inventory/{storeId}`` and ``/transactions`` (local calendar
dates, online orders only with ``includeOnline=true``, silently cut at
``cap``), 3 requests a second. Fault knobs (``fail_every``, ``burst_429``,
``non_json_every``, ``slow_every``, ``reset_every``, ``trickle_every``,
``silent_every``) are plain attributes that can be changed while it runs; ``next_night()`` makes the changes a lookback
sync must catch (a void, a late upload, a return, a new day).

The package: this module (the data it holds and its lifecycle), :mod:`.answers` (routes and faults),
:mod:`.data` (generated stores, products, transactions), :mod:`.wire` (their JSON), :mod:`.run` (the command).
"""

from __future__ import annotations

import bisect
import random
import time
from collections import deque
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from flowtui.sandbox.serving import Served
from flowtui.sandbox.storehub.answers import FAULTS, Answering, Handler
from flowtui.sandbox.storehub.data import (
    MYT,
    DayMaker,
    Transaction,
    invoice_number,
    local_midnight_ms,
    make_products,
    make_stores,
    new_ref_id,
    returnable,
)
from flowtui.sandbox.storehub.wire import from_api, product_api, store_api, to_api

_DAY_MS = 86_400_000


class StoreHubSandbox(Served, Answering):
    """Generated StoreHub data for ``days`` local days ending ``end_date``, served over HTTP on demand."""

    HANDLER = Handler
    THREAD_NAME = "storehub-sandbox"

    def __init__(self, seed: int = 1, days: int = 14, end_date: date | None = None, account: str = "sandbox",
                 api_key: str = "sandbox-key", rate_limit: float | None = 3.0, cap: int = 5000,
                 busy_per_day: int = 420, scale: float = 1.0) -> None:
        if end_date is None:
            from flowtui.engine.core.clock import today_in  # honours FLOWTUI_NOW
            end_date = today_in(MYT) - timedelta(days=1)
        self.seed, self.days, self.scale = seed, days, scale
        self.start_date, self.end_date = end_date - timedelta(days=days - 1), end_date
        self.account, self.api_key, self.rate_limit, self.cap = account, api_key, rate_limit, cap
        # fault knobs: every Nth request (counted from the server's first request) or the next N
        self.fail_every: int | None = None
        self.burst_429 = 0
        self.non_json_every: int | None = None
        self.slow_every: int | None = None
        self.slow_seconds = 2.0
        self.reset_every: int | None = None
        self.reset_mode = "close"  # "close": drop the connection unanswered; "truncate": cut the body short
        self.trickle_every: int | None = None  # answer one byte at a time, trickle_seconds apart
        self.trickle_seconds = 5.0
        self.trickle_headers = False  # trickle from the status line on (else: headers at once, then the body)
        self.silent_every: int | None = None  # take the request and never answer (until the client leaves)
        # what happened
        self.requests = 0
        self.request_log: list[tuple[str, dict, int | None]] = []  # (path, query, status); None = no answer
        self.faults = dict.fromkeys(FAULTS, 0)
        self.nights = 0
        self._init_serving()

        self.clock = time.monotonic  # the rate limit's clock (tests can hold it still)
        self._hits: deque[float] = deque()
        self._encoded: dict[str, tuple[Transaction, bytes]] = {}
        self._stores = make_stores(busy_per_day)
        self._catalog = make_products()
        self._makers = {s.id: DayMaker(seed, s, self._catalog[s.kind], scale) for s in self._stores}
        self._manual = 0
        self._generate()  # the sorted rows, their (time, refId) keys and an index by refId

    # -- data -----------------------------------------------------------------------------------
    def _generate(self) -> None:
        rows = []
        for store in self._stores:
            recent: deque[list[Transaction]] = deque(maxlen=3)
            for n in range(self.days):
                day = self._makers[store.id].day(self.start_date + timedelta(days=n), [t for d in recent for t in d])
                recent.append(day)
                rows.extend(day)
        rows.sort(key=lambda t: (t.time_ms, t.ref_id))
        self._rows: list[Transaction] = rows
        self._keys: list[tuple[int, str]] = [(t.time_ms, t.ref_id) for t in rows]
        self._by_ref: dict[str, Transaction] = {t.ref_id: t for t in rows}

    def _put(self, t: Transaction) -> None:
        with self._lock:
            old = self._by_ref.get(t.ref_id)
            if old is not None:
                i = bisect.bisect_left(self._keys, (old.time_ms, old.ref_id))
                del self._keys[i], self._rows[i]
            i = bisect.bisect_right(self._keys, (t.time_ms, t.ref_id))
            self._keys.insert(i, (t.time_ms, t.ref_id))
            self._rows.insert(i, t)
            self._by_ref[t.ref_id] = t

    def _select(self, first: date | None = None, last: date | None = None, store_id: str | None = None,
                include_online: bool = True) -> list[Transaction]:
        with self._lock:
            lo = 0 if first is None else bisect.bisect_left(self._keys, (local_midnight_ms(first) - _DAY_MS, ""))
            hi = len(self._keys) if last is None else bisect.bisect_left(
                self._keys, (local_midnight_ms(last + timedelta(days=1)) + _DAY_MS, ""))
            return [t for t in self._rows[lo:hi]
                    if (store_id is None or t.store_id == store_id) and (include_online or t.channel == "POS")
                    and (first is None or t.business_date >= first) and (last is None or t.business_date <= last)]

    @property
    def store_ids(self) -> list[str]:
        return [s.id for s in self._stores]

    @property
    def busy_store_id(self) -> str:
        return self._stores[-1].id

    @property
    def auth(self) -> tuple[str, str]:
        return self.account, self.api_key

    def stores(self) -> list[dict]:
        return [store_api(s) for s in self._stores]

    def products(self) -> list[dict]:
        """The listed products; the deleted ones that still appear in transactions are not here."""
        return [product_api(p) for kind in self._catalog.values() for p in kind if not p.deleted]

    def inventory(self, store_id: str) -> list[dict]:
        """Stock of the store's tracked products; ``KeyError`` for an unknown store."""
        store = next((s for s in self._stores if s.id == store_id), None)
        if store is None:
            raise KeyError(store_id)
        rng = random.Random(f"{self.seed}:inventory:{store_id}")
        return [{"productId": p.id, "quantityOnHand": rng.randint(-2, 150)}
                for p in self._catalog[store.kind] if p.tracked and not p.deleted]

    def transactions(self, store_id: str | None = None, start: date | None = None, end: date | None = None,
                     include_online: bool = True) -> list[dict]:
        """All transactions (or a store's, or local dates start..end), sorted by time, never capped."""
        return [to_api(t) for t in self._select(start, end, store_id, include_online)]

    def get(self, ref_id: str) -> dict:
        return to_api(self._by_ref[ref_id])

    def void(self, ref_id: str, when: datetime | None = None) -> dict:
        """Cancel a transaction at the source (``cancelledTime`` = ``when``, default 15 minutes after it)."""
        with self._lock:
            t = self._by_ref[ref_id]
            cancelled = round(when.timestamp() * 1000) if when else t.time_ms + 900_000
            self._put(replace(t, is_cancelled=True, cancelled_ms=cancelled))
            return self.get(ref_id)

    def add_transaction(self, data: dict) -> dict:
        """Add (or, for a known ``refId``, replace) a transaction in StoreHub's shape, taken as given.

        ``refId`` and ``invoiceNumber`` are made up when missing; the arithmetic is not checked, so
        tests can plant inconsistent transactions on purpose.
        """
        with self._lock:
            self._manual += 1
            ref_id = data.get("refId") or new_ref_id(random.Random(f"{self.seed}:manual:{self._manual}"))
            tz = next((s.timezone for s in self._stores if s.id == data.get("storeId")), MYT)
            self._put(from_api(data, ref_id, data.get("invoiceNumber") or f"MAN1-{self._manual:06d}", tz))
            return self.get(ref_id)

    def next_night(self) -> dict:
        """What happens at the source between two nightly syncs; returns what it did.

        A POS sale from ``end_date - 2`` is voided, a late upload (register 2, offline) appears on
        ``end_date - 1``, ``end_date`` moves one day on with that day's transactions, and a return is
        made on the new day against a sale from an earlier day.
        """
        with self._lock:
            self.nights += 1
            rng = random.Random(f"{self.seed}:night:{self.nights}")
            old_end = self.end_date
            new_day = old_end + timedelta(days=1)
            done: dict = {"night": self.nights, "end_date": new_day.isoformat(), "voided": None}
            target = old_end - timedelta(days=2)
            sales = [t for t in returnable(self._select(target, old_end)) if t.business_date == target]
            if sales:
                sale = rng.choice(sales)
                done["voided"] = _summary(self.void(sale.ref_id, datetime.fromtimestamp(
                    (local_midnight_ms(new_day) + 10 * 3_600_000) / 1000, UTC)))
            done["late_upload"] = _summary(self._late_upload(rng, old_end - timedelta(days=1)))
            added = 0
            for store in self._stores:
                history = self._select(new_day - timedelta(days=3), old_end, store.id)
                for t in self._makers[store.id].day(new_day, history):
                    self._put(t)
                    added += 1
            self.end_date, done["added"] = new_day, added
            done["return"] = self._late_return(rng, new_day)
            return done

    def _late_upload(self, rng: random.Random, day: date) -> dict:
        store = rng.choice(self._stores[:3])
        sale = self._makers[store.id].pos_sale(rng, day, invoice_number(store, day, self.nights, register=2))
        self._put(sale)
        return self.get(sale.ref_id)

    def _late_return(self, rng: random.Random, day: date) -> dict | None:
        store = rng.choice(self._stores[:3])
        sales = [t for t in returnable(self._select(day - timedelta(days=4), day, store.id))
                 if t.business_date <= day - timedelta(days=2)]
        if not sales:
            return None
        sale, maker = rng.choice(sales), self._makers[store.id]
        seq = 1 + sum(1 for t in self._select(day, day, store.id) if t.invoice_number.startswith(f"{store.code}1-"))
        ret = maker.refund(rng, sale, day, local_midnight_ms(day, store.timezone) + 15 * 3_600_000,
                           invoice_number(store, day, seq))
        self._put(ret)
        return {**_summary(self.get(ret.ref_id)), "saleInvoiceNumber": sale.invoice_number, "saleRefId": sale.ref_id}

    # -- HTTP -----------------------------------------------------------------------------------

    def log_for(self, path: str) -> list[tuple[str, dict, int | None]]:
        return [entry for entry in list(self.request_log) if entry[0] == path]


def _summary(t: dict) -> dict:
    return {k: t[k] for k in ("refId", "invoiceNumber", "storeId", "transactionTime")}
