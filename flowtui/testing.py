"""Test support for flowtui's own tests and for the tests of sources written as plug-ins.

:class:`FlowBooks` is flowtui's side of the source conformance suite
(:mod:`flowtui.connectors.conformance`): it connects a stream of the source under test to books on a
temporary database, syncs it through the engine (``Flow.sync``, as ``flowtui sync`` does) and reads back
what landed. It sits above the engine's layers, as the CLI does; nothing in flowtui imports it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flowtui.connectors.conformance import Landed, Synced
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings

_LANDED_SQL = """
SELECT o.order_id AS id, o.business_date, o.type, o.status, o.total, o.version,
       coalesce(o.original_id, o.original_number) AS original
FROM orders o JOIN streams s ON s.id = o.stream_id
WHERE s.name = ?
"""


class FlowBooks:
    """Streams of the source under test, in ``flow``'s books (initialised on first use)."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self._streams = 0

    def connect(self, provider: str, options: dict, start: date) -> str:
        self.flow.init()
        self._streams += 1
        name = f"Conformance {self._streams}"
        self.flow.add_stream(name, provider, dict(options), StreamSettings(start_date=start), force=True)
        return name

    def sync(self, stream: str, first: date, last: date) -> Synced:
        [outcome] = self.flow.sync([stream], start=first, end=last)
        landing = outcome.landing
        rejected = [(r.order_id or r.ref, tuple(r.errors)) for r in landing.rejections]
        return Synced(failed=outcome.failed, error=outcome.error, new=landing.new, changed=landing.changed,
                      unchanged=landing.unchanged, rejected=rejected)

    def orders(self, stream: str) -> dict[str, Landed]:
        with self.flow.db.read() as con:
            cursor = con.execute(_LANDED_SQL, [stream])
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        return {row["id"]: Landed(row["id"], row["business_date"], row["type"], row["status"], Decimal(row["total"]),
                                  row["version"], row["original"]) for row in rows}

    def test(self, stream: str) -> str:
        return self.flow.test_stream(stream)
