"""A local Bukku Accounting API: the real paths, headers, request and response shapes, Laravel-style validation
errors, and its own ledger to compare with.

    with BukkuSandbox() as bukku:               # starts on a free port of 127.0.0.1
        httpx.get(f"{bukku.base_url}/accounts", headers=bukku.headers())

Every request carries ``Authorization: Bearer <token>`` (else 401 ``{"message": "Unauthenticated."}``) and
``Company-Subdomain: <subdomain>`` (else 403). Knobs for tests, changeable while it runs: ``fail_every`` (every Nth
request answers 503), ``rate_limit`` (requests a second before 429 with ``Retry-After``; None lifts it) and
``clock`` (what "now" is to it), ``drop_responses`` (the next N writes are stored but their answer is lost),
``write_delay`` (seconds a stored write waits before its answer: room to kill a client mid-push),
``books.unique_numbers`` (off: a taken number is accepted, and shows in the summary's duplicates),
``books.cash_rounding`` (5-sen rounding of totals), ``books.myinvois`` (``myinvois_action`` required when ready),
``books.lock_date`` (an ISO day: the period lock, nothing dated on or before it is accepted). A sandbox run as a
command takes the same knobs over HTTP: ``POST /_sandbox/knobs {"drop_responses": 1}``.

The package: this module (lifecycle and knobs), :mod:`.answers` (HTTP and routes), :mod:`.books` (documents,
balances, lists), :mod:`.sales` (checking and building documents), :mod:`.rules` (validation messages),
:mod:`.amounts` (the arithmetic), :mod:`.ledger` (``/_sandbox/summary``), :mod:`.company` (seeded reference data),
:mod:`.run` (the command). The API facts and their sources: docs/bukku.md.
"""

from __future__ import annotations

import time
from collections import Counter, deque

from flowtui.sandbox.bukku import company, ledger
from flowtui.sandbox.bukku.answers import Answering, Handler
from flowtui.sandbox.bukku.books import Books
from flowtui.sandbox.serving import Served

TOKEN = "bukku-sandbox-token"
RATE_LIMIT = 10  # requests a second: the sandbox's own limit, Bukku publishes none


class BukkuSandbox(Served, Answering):
    """One Bukku company's API, served over HTTP on demand."""

    HANDLER = Handler
    THREAD_NAME = "bukku-sandbox"

    def __init__(self, token: str = TOKEN, subdomain: str = company.SUBDOMAIN, fail_every: int | None = None,
                 rate_limit: int | None = RATE_LIMIT, unique_numbers: bool = True, cash_rounding: bool = False,
                 myinvois: bool = False) -> None:
        self.token, self.subdomain = token, subdomain.strip().lower()
        self.fail_every, self.rate_limit = fail_every, rate_limit
        self.drop_responses = 0
        self.write_delay = 0.0
        self.clock = time.monotonic
        self.books = Books(unique_numbers=unique_numbers, cash_rounding=cash_rounding, myinvois=myinvois)
        self.requests: Counter = Counter()
        self.request_log: list[tuple[str, str, int]] = []
        self._count = 0
        self._recent: deque = deque()
        self._init_serving()

    def headers(self) -> dict[str, str]:
        """The headers a client of this company sends."""
        return {"Authorization": f"Bearer {self.token}", "Company-Subdomain": self.subdomain,
                "Accept": "application/json"}

    def summary(self) -> dict:
        """What ``GET /_sandbox/summary`` answers."""
        return ledger.summary(self.books, self.requests)
