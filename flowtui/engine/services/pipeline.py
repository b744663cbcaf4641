"""Sync: streams read into the database and rolled into digests (posted when auto invoice is on), and the input
that could not be landed (rejections)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.statuses import SyncStatus
from flowtui.engine.digests.store import DigestFilter, rebuild_dirty
from flowtui.engine.ledger import posting
from flowtui.engine.pipeline import rejections as rejections_mod
from flowtui.engine.pipeline.sync import Progress, SyncOutcome, rebuild_pending, streams_to_sync, sync_stream
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup.secrets import SecretStore


@dataclass
class PipelineService(Service):
    """Sync (with its secrets to reach the sources) and rejections."""

    secrets: SecretStore = field(default_factory=SecretStore.default)

    def sync(self, names: list[str], start: date | None = None, end: date | None = None,
             progress: Progress | None = None) -> list[SyncOutcome]:
        if start and end and start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        with self._write():
            pass
        targets = streams_to_sync(self.db, names)
        outcomes = []
        for name in targets:
            outcome = sync_stream(self.db, name, start=start, end=end, progress=progress, secrets=self.secrets)
            finished = outcome.status in (SyncStatus.OK, SyncStatus.WARNING)
            if finished and self._auto_invoice(name):  # (not a day half synced: a cancelled run posts nothing)
                outcome.postings = posting.post(self.db, DigestFilter(stream=name), explicit=False)
            outcomes.append(outcome)
            if outcome.status == SyncStatus.CANCELLED:  # the streams after it are not started
                break
        rebuild_pending(self.db)
        return outcomes

    def _auto_invoice(self, stream: str) -> bool:
        with self.db.read() as con:
            return streams_mod.require_stream(con, stream).auto_invoice

    def rejections(self, stream: str | None = None, everything: bool = False) -> list[rejections_mod.RejectionRow]:
        """Open rejections (every one with ``everything``); see :mod:`flowtui.engine.pipeline.rejections`."""
        with self.db.read() as con:
            if stream:
                streams_mod.require_stream(con, stream)
            return rejections_mod.listing(con, stream=stream, everything=everything)

    def dismiss_rejections(self, ids: list[int], reason: str) -> list[rejections_mod.RejectionRow]:
        """Dismiss open rejections on the record (who, when, why); their days stop being held."""
        with self._write() as con:
            now = clock.now()
            dismissed = rejections_mod.dismiss(con, list(ids), reason, posting.actor(), now)
            rebuild_dirty(con, now)
            return dismissed
