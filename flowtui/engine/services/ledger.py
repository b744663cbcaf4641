"""The ledger: posting digests as documents, reversing them, manual entries, reading and exporting the books,
and reconciling source, digests and ledger."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.exports import ledger as ledger_export
from flowtui.engine.ledger import books, journal, outcomes, posting, reversal
from flowtui.engine.ledger import reading as ledger
from flowtui.engine.ledger.posting_plan import JournalLine
from flowtui.engine.pipeline import reconcile as reconcile_mod
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.engine.services.digests import DigestsService
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import streams as streams_mod


@dataclass
class LedgerService(Service):
    """Posting and the books; ``listing`` is the digests service posting checks what it is asked for against."""

    listing: DigestsService

    def post(self, ids: list[int] | None = None, *, everything: bool = False, stream: str | None = None,
             start: date | None = None, end: date | None = None, progress=None) -> list[posting.PostOutcome]:
        """Post digests by id, or every unposted digest matching the filters (open days are left alone)."""
        if start and end and start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        if ids:
            known = {d.id for d in self.listing.digests(DigestFilter(ids=tuple(ids)))}
            missing = [i for i in ids if i not in known]
            if missing:
                raise NotFound(f"No digest with id {', '.join(map(str, missing))}; see `flowtui digests`.")
            return self._post(DigestFilter(ids=tuple(ids)), explicit=True, progress=progress)
        if not (everything or stream or start or end):
            raise InvalidInput("Say which digests to post: their ids, or --all (optionally with --stream/--from/--to).")
        if stream:
            with self.db.read() as con:
                stream = streams_mod.require_stream(con, stream).name
        return self._post(DigestFilter(stream=stream, start=start, end=end), explicit=False, progress=progress)

    def preview_post(self, ids: list[int]) -> outcomes.PostPreview:
        """What posting these digests would do, before doing it: how many post, were posted already, wait for
        their day to end, or are refused (need attention, or their stream was removed). Read as the console
        lists them (no attention reasons worked out); posting itself checks each digest again."""
        if not ids:
            return outcomes.PostPreview()
        removed = self._removed_streams()
        page = self.listing.digest_page(DigestFilter(ids=tuple(ids)), limit=len(ids))
        kinds = {d.id: outcomes.kind_of(d.status) for d in page.rows}
        for d in page.rows:
            if d.stream in removed and kinds[d.id] != outcomes.ALREADY_POSTED:
                kinds[d.id] = outcomes.BLOCKED
        return outcomes.PostPreview.of((i, kinds[i]) for i in ids if i in kinds)

    def _removed_streams(self) -> dict:
        with self.db.read() as con:
            return {s.name: s.archived_at for s in streams_mod.all_streams(con) if s.archived_at is not None}

    def _post(self, flt: DigestFilter, *, explicit: bool, progress=None) -> list[posting.PostOutcome]:
        """Post what ``flt`` selects, except the days of removed streams: those are refused, saying why."""
        removed = self._removed_streams()
        rows = self.listing.digests(flt) if removed else []
        held = {d.id: d for d in rows if d.stream in removed and d.status != "posted"}
        if not held:
            return posting.post(self.db, flt, explicit=explicit, progress=progress)
        refused = [posting.PostOutcome(d.id, f"{d.stream} / {d.location or d.pos_store_id} / {d.date}", "refused",
                                       reasons=[outcomes.REMOVED_STREAM.format(
                                           stream=d.stream, day=f"{removed[d.stream]:%Y-%m-%d}")], stream=d.stream)
                   for d in held.values() if explicit or d.status != "open"]
        rest = tuple(d.id for d in rows if d.id not in held)
        posted = posting.post(self.db, DigestFilter(ids=rest), explicit=explicit, progress=progress) if rest else []
        order = {d.id: i for i, d in enumerate(rows)}
        return sorted(refused + posted, key=lambda o: order.get(o.digest_id, 0))

    def reverse_invoice(self, number: str, reason: str) -> reversal.Reversed:
        """Reverse a posted document (and the rest of its digest's) with linked reversing documents."""
        with self.db.write() as con:
            done = reversal.reverse(con, number, reason, clock.now(), posting.actor())
        return replace(done, status=self.listing.digest(done.digest_id).row.status)

    def add_journal_entry(self, day: date, memo: str, debits: list[tuple[str, Decimal]],
                          credits: list[tuple[str, Decimal]]) -> int:
        """A manual journal entry: balanced, dated, with a memo; returns its id."""
        if not (memo or "").strip():
            raise InvalidInput("A manual entry needs a memo: --memo TEXT.")
        lines = ([JournalLine(code, journal.sen(amount), 0, memo.strip()) for code, amount in debits]
                 + [JournalLine(code, 0, journal.sen(amount), memo.strip()) for code, amount in credits])
        with self._write() as con:
            return journal.add_entry(con, day, journal.MANUAL, memo.strip(), lines, clock.now())

    def invoices(self, start: date | None = None, end: date | None = None,
                 location: str | None = None) -> list[ledger.DocumentRow]:
        with self.db.read() as con:
            location = books.require_location(con, location).name if location else location
            return ledger.documents(con, start, end, location)

    def invoice(self, number: str) -> ledger.DocumentDetail:
        with self.db.read() as con:
            return ledger.document(con, number)

    def trial_balance(self, as_of: date | None = None) -> list[ledger.BalanceRow]:
        with self.db.read() as con:
            return ledger.trial_balance(con, as_of)

    def journal(self, start: date | None = None, end: date | None = None,
                account: str | None = None) -> list[ledger.JournalRow]:
        with self.db.read() as con:
            return ledger.journal(con, start, end, account)

    def export_ledger(self, fmt: str, start: date | None = None, end: date | None = None,
                      target: Path | None = None) -> ledger_export.LedgerExport:
        """The journal as beancount or CSV text (see :mod:`flowtui.engine.exports.ledger`), written to ``target``
        in one rename when given; the database is held only while reading."""
        ledger_export.check_request(fmt, start, end)
        if not self.db.path.exists():
            raise InvalidInput(f"There is no flowtui database at {self.db.path}; point --db at one, "
                               "or build one with `flowtui demo`.")
        with self.db.read() as con:
            books_read = ledger_export.read_ledger(con, start, end)
        result = ledger_export.render(books_read, fmt)
        if target is None:
            return result
        return replace(result, path=ledger_export.write_atomically(target, result.text, f"ledger.{fmt}"))

    def reconcile(self, stream: str | None = None, start: date | None = None,
                  end: date | None = None) -> list[reconcile_mod.DayCheck]:
        """Source, digest and ledger, day by day (see :mod:`flowtui.engine.pipeline.reconcile`)."""
        if start and end and start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        rebuild_pending(self.db)
        with self.db.read() as con:
            if stream:
                stream = streams_mod.require_stream(con, stream).name
            return reconcile_mod.reconcile(con, stream=stream, start=start, end=end, now=clock.now(),
                                           default_tz=books.default_timezone(con))
