"""The outbox: posted documents leave for a destination exactly once, whatever fails or stops where.

Worked example: Kopi & Co's first day posts invoice KL-202610-0001 and, the next day, credit note
CN-KL-202610-0001 crediting it (tests/integration/test_posting.py's DAY_ONE). A fake destination behaves like the real
APIs: it keeps what it is sent, numbers it, answers ``find``, and a second request with the same idempotency
key creates nothing new. Every test counts what the destination created.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.outbox import store
from flowtui.engine.outbox.dispatcher import Policy, dispatch
from flowtui.engine.outbox.protocol import Delivery, Destination, PermanentError, RetryableError
from flowtui.engine.outbox.queueing import outbox, queue_posted, requeue
from flowtui.engine.outbox.records import DocumentKind, JournalEntry, LedgerDocument, OutboundDocument, OutboxState
from tests.integration.test_posting import DAY_ONE, open_cafe, sync_and_map

ROOT = Path(__file__).resolve().parents[2]
INVOICE, NOTE = "KL-202610-0001", "CN-KL-202610-0001"
START = datetime(2026, 10, 10, 5, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process stops here (as a kill would): nothing after it runs, no handler sees it."""


class FakeBooks:
    """An accounting API of our own: dedupes by idempotency key, numbers what it creates, judges later if
    ``asynchronous`` (as MyInvois does). With ``path`` its books outlive the process (JSON)."""

    def __init__(self, name: str = "fake", *, path: Path | None = None, asynchronous: bool = False) -> None:
        self.name, self.path, self.asynchronous = name, path, asynchronous
        self.documents: dict[str, dict] = {}  # idempotency key -> what it holds
        self.creates = 0
        self.requests: list[tuple[str, str]] = []  # (send|find|status, number or remote id)
        self.failures: list[Exception] = []  # raised by the next sends, before anything is kept
        self.after_create: list[BaseException | str] = []  # raised once the document is kept ("kill": SIGKILL)
        self.verdicts: dict[str, list[Delivery]] = {}  # remote id -> what status() answers, in turn
        if path is not None and path.exists():
            saved = json.loads(path.read_text())
            self.documents, self.creates, self.requests = saved["documents"], saved["creates"], [
                tuple(r) for r in saved["requests"]]

    def _save(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps({"documents": self.documents, "creates": self.creates,
                                             "requests": self.requests}))

    def _delivery(self, kept: dict) -> Delivery:
        state = OutboxState.SUBMITTED if self.asynchronous else OutboxState.SENT
        return Delivery(kept["id"], state, kept["number"], {"long_id": f"L-{kept['id']}"})

    def send(self, document: OutboundDocument) -> Delivery:
        self.requests.append(("send", document.number))
        self._save()
        if self.failures:
            raise self.failures.pop(0)
        kept = self.documents.get(document.idempotency_key)
        if kept is None:
            self.creates += 1
            link = document.link
            kept = {"id": f"R{self.creates}", "number": f"BK-{self.creates:04}", "ours": document.number,
                    "links": link.remote_id if link else None}
            self.documents[document.idempotency_key] = kept
        self._save()
        if self.after_create:
            trouble = self.after_create.pop(0)
            if trouble == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise trouble  # type: ignore[misc]
        return self._delivery(kept)

    def find(self, document: OutboundDocument) -> Delivery | None:
        self.requests.append(("find", document.number))
        kept = self.documents.get(document.idempotency_key)
        return None if kept is None else self._delivery(kept)

    def status(self, remote_id: str) -> Delivery:
        self.requests.append(("status", remote_id))
        return self.verdicts[remote_id].pop(0)

    def held(self) -> list[str]:
        return sorted(d["ours"] for d in self.documents.values())


@dataclass
class Clock:
    at: datetime = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def books(flow, orders_dir, monkeypatch):
    """Kopi & Co with the invoice and the credit note of DAY_ONE posted."""
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    open_cafe(flow, orders_dir)
    sync_and_map(flow, orders_dir, DAY_ONE)
    flow.post(everything=True)
    return flow


@pytest.fixture
def clock():
    return Clock()


def rows(flow, destination: str = "fake") -> dict[str, object]:
    return {i.document_number: i for i in outbox(flow.db, destination)}


# -- queueing ------------------------------------------------------------------------------------------------------


def test_posted_documents_are_queued_once_per_destination(books, clock):
    assert queue_posted(books.db, "fake", now=clock) == 2
    assert queue_posted(books.db, "fake", now=clock) == 0  # already queued: nothing twice
    assert queue_posted(books.db, "other", now=clock) == 2  # another destination has its own rows
    fake, other = rows(books), rows(books, "other")
    assert {n: (r.document_kind, r.state, r.attempts) for n, r in fake.items()} == {
        INVOICE: (DocumentKind.INVOICE, OutboxState.QUEUED, 0), NOTE: (DocumentKind.CREDIT_NOTE, OutboxState.QUEUED, 0)}
    keys = {r.idempotency_key for r in fake.values()} | {r.idempotency_key for r in other.values()}
    assert len(keys) == 4 and all(len(k) == 32 for k in keys)  # one key per document and destination
    with books.db.write() as con:  # queueing one document again is no new row either
        assert not store.enqueue(con, "fake", DocumentKind.INVOICE, fake[INVOICE].document_id, INVOICE, clock())
        view = con.execute("SELECT document_number, document_date, state FROM v_outbox WHERE destination = 'fake' "
                           "ORDER BY outbox_id").fetchall()
    assert [(n, d.isoformat(), s) for n, d, s in view] == [(INVOICE, "2026-10-01", "queued"),
                                                           (NOTE, "2026-10-02", "queued")]


def test_queueing_can_start_from_a_date(books, clock):
    assert queue_posted(books.db, "fake", since=datetime(2026, 10, 2).date(), now=clock) == 1
    assert list(rows(books)) == [NOTE]


# -- sending -------------------------------------------------------------------------------------------------------


def test_each_document_is_sent_once_and_the_remote_ids_kept(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    assert isinstance(dest, Destination)
    report = dispatch(books.db, dest, now=clock)
    assert report.sent == [INVOICE, NOTE] and not (report.failed or report.retrying or report.resumed)
    again = dispatch(books.db, dest, now=clock)
    assert again.sent == [] and dest.creates == 2 and dest.requests == [("send", INVOICE), ("send", NOTE)]
    sent = rows(books)
    assert {n: (r.state, r.remote_id, r.remote_number, r.attempts, r.sent_at) for n, r in sent.items()} == {
        INVOICE: (OutboxState.SENT, "R1", "BK-0001", 1, START), NOTE: (OutboxState.SENT, "R2", "BK-0002", 1, START)}
    # the credit note went out pointing at the invoice's id over there
    assert dest.documents[sent[NOTE].idempotency_key]["links"] == "R1"
    with books.db.read() as con:
        assert con.execute("SELECT remote_detail FROM v_outbox WHERE remote_id = 'R1'").fetchall() == [
            ('{"long_id": "L-R1"}',)]


def test_the_destination_gets_the_document_as_the_books_hold_it(books, clock):
    queue_posted(books.db, "fake", now=clock)
    seen: list[OutboundDocument] = []

    class Recording(FakeBooks):
        def send(self, document):
            seen.append(document)
            return super().send(document)

    dispatch(books.db, Recording(), now=clock)
    invoice, note = (d.body for d in seen)
    assert isinstance(invoice, LedgerDocument) and isinstance(note, LedgerDocument)
    assert (invoice.kind, invoice.role, invoice.contact, invoice.location, invoice.total, invoice.currency) == (
        DocumentKind.INVOICE, "original", "Cash Sales", "KL Sentral", Decimal("53.80"), "MYR")
    assert sum(line.amount for line in invoice.lines) == invoice.subtotal + invoice.service_charge + invoice.rounding
    assert [(p.method, p.amount) for p in invoice.payments] == [("Card", Decimal("22.00")), ("Cash", Decimal("31.80"))]
    assert sum(t.tax for t in invoice.taxes) == invoice.tax == Decimal("3.59")
    assert (note.kind, note.linked_number, note.total) == (DocumentKind.CREDIT_NOTE, INVOICE, Decimal("3.70"))
    assert (seen[1].link.number, seen[1].link.remote_id) == (INVOICE, "R1")


def test_a_credit_note_waits_until_the_invoice_it_credits_is_there(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.failures = [RetryableError("Bukku answered 503 Service Unavailable", retry_after=120)]
    report = dispatch(books.db, dest, now=clock)
    assert report.retrying == [(INVOICE, "Bukku answered 503 Service Unavailable")] and report.sent == []
    assert dest.requests == [("send", INVOICE)]  # the credit note was not tried before its invoice
    clock.advance(seconds=119)
    assert dispatch(books.db, dest, now=clock).sent == []  # Retry-After honoured
    clock.advance(seconds=1)
    assert dispatch(books.db, dest, now=clock).sent == [INVOICE, NOTE]
    assert dest.creates == 2


def test_a_retry_keeps_the_idempotency_key_and_asks_before_sending_again(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.failures = [RetryableError("timed out after 30 s")]
    dispatch(books.db, dest, now=clock, limit=1)
    waiting = rows(books)[INVOICE]
    assert (waiting.state, waiting.attempts, waiting.last_error) == (OutboxState.QUEUED, 1, "timed out after 30 s")
    assert waiting.next_attempt_at == START + timedelta(seconds=30)  # the first backoff
    clock.advance(minutes=1)
    dispatch(books.db, dest, now=clock)
    done = rows(books)[INVOICE]
    assert (done.state, done.attempts, done.idempotency_key) == (OutboxState.SENT, 2, waiting.idempotency_key)
    assert dest.requests[:3] == [("send", INVOICE), ("find", INVOICE), ("send", INVOICE)]
    assert dest.creates == 2
    assert done.last_error == "timed out after 30 s"  # the error stays on the record


def test_a_timeout_after_the_destination_took_the_document_does_not_send_it_twice(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.after_create = [RetryableError("read timed out")]  # created over there, the answer lost on the way
    assert dispatch(books.db, dest, now=clock, limit=1).retrying == [(INVOICE, "read timed out")]
    clock.advance(hours=1)
    report = dispatch(books.db, dest, now=clock)
    assert report.resumed == [INVOICE] and report.sent == [INVOICE, NOTE]
    assert dest.creates == 2 and dest.held() == [NOTE, INVOICE]
    assert rows(books)[INVOICE].remote_id == "R1"


def test_a_permanent_error_fails_the_document_with_the_destinations_words(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.failures = [PermanentError("Bukku refused the invoice: fix the mappings (flowtui target mappings)",
                                    ["contact_id: The contact id field is required.", "form_items.0.account_id: "
                                     "The selected account is invalid."])]
    report = dispatch(books.db, dest, now=clock)
    assert [n for n, _ in report.failed] == [INVOICE] and report.sent == []  # its credit note waits for it
    failed = rows(books)[INVOICE]
    assert (failed.state, failed.attempts) == (OutboxState.FAILED, 1)
    assert [i.document_number for i in outbox(books.db, states=(OutboxState.FAILED,))] == [INVOICE]
    assert failed.last_error.startswith("Bukku refused the invoice")
    assert failed.remote_errors == ("contact_id: The contact id field is required.",
                                    "form_items.0.account_id: The selected account is invalid.")
    clock.advance(days=1)
    assert dispatch(books.db, dest, now=clock).sent == []  # never retried on its own
    requeue(books.db, failed.id, now=clock)  # the mapping was fixed
    assert dispatch(books.db, dest, now=clock).sent == [INVOICE, NOTE]
    assert dest.creates == 2
    with pytest.raises(InvalidInput, match="is sent, not failed"):
        requeue(books.db, failed.id, now=clock)


def test_retryable_errors_give_up_after_the_policys_attempts(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.failures = [RetryableError("429 Too Many Requests"), ConnectionResetError("connection reset by peer")]
    policy = Policy(max_attempts=2)
    dispatch(books.db, dest, now=clock, policy=policy, limit=1)
    clock.advance(hours=1)
    report = dispatch(books.db, dest, now=clock, policy=policy, limit=1)
    assert report.failed == [(INVOICE, "Gave up after 2 attempts; the last said: ConnectionResetError: "
                                       "connection reset by peer")]
    assert rows(books)[INVOICE].state == OutboxState.FAILED and dest.creates == 0


# -- crashes -------------------------------------------------------------------------------------------------------


def test_a_crash_between_send_and_record_is_resumed_without_a_second_document(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks()
    dest.after_create = [Crash()]
    with pytest.raises(Crash):
        dispatch(books.db, dest, now=clock)
    assert rows(books)[INVOICE].state == OutboxState.SENDING  # as the dead process left it
    clock.advance(minutes=1)  # a claim of this very process may be another thread's: left alone within the lease
    assert dispatch(books.db, dest, now=clock).sent == []
    clock.advance(minutes=10)
    report = dispatch(books.db, dest, now=clock)
    assert report.resumed == [INVOICE] and report.sent == [INVOICE, NOTE]
    assert dest.creates == 2 and dest.held() == [NOTE, INVOICE]
    assert [r for r in dest.requests if r[1] == INVOICE] == [("send", INVOICE), ("find", INVOICE)]


def test_kill_9_during_a_send_is_taken_over_at_once_by_the_next_run(books, clock, tmp_path):
    queue_posted(books.db, "fake", now=clock)
    state = tmp_path / "fake-books.json"
    child = ("import sys\nfrom pathlib import Path\n"
             "from flowtui.engine.storage.database import Database\n"
             "from flowtui.engine.outbox.dispatcher import dispatch\n"
             "from tests.integration.test_outbox import FakeBooks\n"
             "dest = FakeBooks(path=Path(sys.argv[2]))\n"
             "dest.after_create = ['kill']\n"
             "dispatch(Database.at(sys.argv[1]), dest)\n")
    env = os.environ | {"FLOWTUI_NOW": START.isoformat()}
    done = subprocess.run([sys.executable, "-c", child, str(books.db.path), str(state)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert rows(books)[INVOICE].state == OutboxState.SENDING
    dest = FakeBooks(path=state)
    assert dest.creates == 1
    clock.advance(seconds=1)  # well within the lease: the claimer is a process of this machine that is gone
    report = dispatch(books.db, dest, now=clock)
    assert report.resumed == [INVOICE] and report.sent == [INVOICE, NOTE]
    assert dest.creates == 2 and dest.held() == [NOTE, INVOICE]


def test_the_books_stay_free_while_a_destination_is_slow(books, clock):
    queue_posted(books.db, "fake", now=clock)
    inside, release = threading.Event(), threading.Event()

    class Slow(FakeBooks):
        def send(self, document):
            inside.set()
            assert release.wait(60)
            return super().send(document)

    worker = threading.Thread(target=dispatch, args=(books.db, Slow()), kwargs={"now": clock, "limit": 1})
    worker.start()
    try:
        assert inside.wait(60)
        with books.db.write() as con:  # posting, syncing, the console: none waits for the destination
            con.execute("INSERT INTO settings VALUES ('written_meanwhile', 'yes')")
        assert rows(books)[INVOICE].state == OutboxState.SENDING
    finally:
        release.set()
        worker.join(60)
    assert rows(books)[INVOICE].state == OutboxState.SENT


def test_a_dispatcher_that_outlived_its_lease_loses_its_claim_and_nothing_is_created_twice(books, clock):
    queue_posted(books.db, "fake", now=clock)
    inside, release = threading.Event(), threading.Event()

    class Stuck(FakeBooks):
        first = True

        def send(self, document):
            if Stuck.first:
                Stuck.first = False
                inside.set()
                assert release.wait(60)
            return super().send(document)

    dest = Stuck()
    slow_report = {}
    worker = threading.Thread(target=lambda: slow_report.update(
        r=dispatch(books.db, dest, now=clock, limit=1)))
    worker.start()
    try:
        assert inside.wait(60)
        clock.advance(minutes=11)  # its claim is older than the lease: the next run takes the invoice over
        report = dispatch(books.db, dest, now=clock)
        assert report.sent == [INVOICE, NOTE] and dest.creates == 2
    finally:
        release.set()
        worker.join(60)
    assert slow_report["r"].lost == [INVOICE]  # its late answer is not recorded over the new claim's
    assert dest.creates == 2 and rows(books)[INVOICE].remote_id == "R1"  # its request, same key, made nothing new


# -- destinations that judge later (MyInvois) ------------------------------------------------------------------------


def test_submitted_documents_are_asked_about_until_valid_or_invalid(books, clock):
    queue_posted(books.db, "fake", now=clock)
    dest = FakeBooks(asynchronous=True)
    report = dispatch(books.db, dest, now=clock, limit=1)
    assert report.submitted == [INVOICE]
    assert rows(books)[INVOICE].state == OutboxState.SUBMITTED
    assert dispatch(books.db, dest, now=clock).submitted == []  # the credit note waits until its invoice is valid
    dest.verdicts["R1"] = [Delivery("R1", OutboxState.SUBMITTED), Delivery("R1", OutboxState.SENT, "BK-0001")]
    clock.advance(seconds=5)
    assert dispatch(books.db, dest, now=clock).submitted == [INVOICE]  # still in progress
    clock.advance(seconds=5)
    report = dispatch(books.db, dest, now=clock)
    assert report.sent == [INVOICE] and report.submitted == [NOTE]  # valid; then its credit note goes
    dest.verdicts["R2"] = [Delivery("R2", OutboxState.REJECTED, errors=("DS302: The document is a duplicate.",))]
    clock.advance(seconds=5)
    report = dispatch(books.db, dest, now=clock)
    assert report.rejected == [(NOTE, "DS302: The document is a duplicate.")]
    note = rows(books)[NOTE]
    assert (note.state, note.remote_errors) == (OutboxState.REJECTED, ("DS302: The document is a duplicate.",))
    assert note.last_error == "rejected by the destination: DS302: The document is a duplicate."
    assert dest.creates == 2


def test_a_destination_may_only_answer_what_a_destination_can_say():
    with pytest.raises(ValueError, match="answers one of"):
        Delivery("R1", OutboxState.QUEUED)
    with pytest.raises(ValueError, match="id for the document"):
        Delivery("", OutboxState.SENT)


# -- corrections and other books ----------------------------------------------------------------------------------


def test_a_reversed_invoice_and_its_reversal_both_go_out_linked(books, clock):
    books.reverse_invoice(INVOICE, "posted to the wrong outlet")
    assert queue_posted(books.db, "fake", now=clock) == 3
    dest = FakeBooks()
    report = dispatch(books.db, dest, now=clock)
    assert len(report.sent) == 3 and report.sent[:2] == [INVOICE, NOTE]  # the original before what corrects it
    reversal = next(r for r in rows(books).values() if r.document_number not in (INVOICE, NOTE))
    kept = dest.documents[reversal.idempotency_key]
    assert kept["links"] == "R1" and dest.creates == 3  # the destination's books end where ours do


def test_a_journal_entry_of_its_own_can_be_queued_and_sent(books, clock):
    entry_id = books.add_journal_entry(datetime(2026, 10, 3).date(), "Owner's top-up",
                                       [("1000", Decimal("100.00"))], [("3000", Decimal("100.00"))])
    seen: list[OutboundDocument] = []

    class Recording(FakeBooks):
        def send(self, document):
            seen.append(document)
            return super().send(document)

    with books.db.write() as con:
        assert store.enqueue(con, "fake", DocumentKind.JOURNAL_ENTRY, entry_id, None, clock())
    assert dispatch(books.db, Recording(), now=clock).sent == [f"JE-{entry_id}"]
    body = seen[0].body
    assert isinstance(body, JournalEntry) and body.memo == "Owner's top-up"
    assert [(line.account_code, line.debit, line.credit) for line in body.lines] == [
        ("1000", Decimal("100.00"), Decimal("0.00")), ("3000", Decimal("0.00"), Decimal("100.00"))]
