"""The service facade: what the CLI and the console call.

Each method is one or a few short units of work on the database and returns
small frozen dataclasses. No business rule lives in a click command or a
screen; they live here or below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from flowtui.connectors.registry import provider as stream_provider
from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.core.records import (
    SUMMARY_FIELDS,
    DigestDetail,
    DigestItem,
    DigestOrder,
    DigestPage,
    DigestRow,
    digest_row,
)
from flowtui.engine.digests import browse, filters
from flowtui.engine.digests.store import (
    DIGEST_STATUSES,
    DigestFilter,
    digest_children,
    listing_page,
    query_digests,
    rebuild_dirty,
)
from flowtui.engine.ledger import adjustments, books, journal, posting, products, reversal, taxes
from flowtui.engine.ledger import export as ledger_export
from flowtui.engine.ledger import reading as ledger
from flowtui.engine.ledger.posting_plan import JournalLine
from flowtui.engine.ledger.products import StockRow
from flowtui.engine.pipeline import reconcile as reconcile_mod
from flowtui.engine.pipeline import rejections as rejections_mod
from flowtui.engine.pipeline.sync import Progress, SyncOutcome, rebuild_pending, streams_to_sync, sync_stream
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup import unmap
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.secrets import describe as describe_secret
from flowtui.engine.setup.streams import Mappings, StoreRow, Stream, StreamSettings, StreamStatus
from flowtui.engine.storage.database import Connection, Database


@dataclass
class Flow:
    """flowtui's engine, bound to one database file."""

    db: Database
    secrets: SecretStore = field(default_factory=SecretStore.default)

    # -- set-up ------------------------------------------------------------------
    def _write(self):
        return _Initialised(self.db)

    def init(self, name: str | None = None, currency: str | None = None, timezone: str | None = None) -> books.Company:
        with self.db.write() as con:
            return books.initialise(con, clock.now(), name=name, currency=currency, timezone=timezone)

    def company(self) -> books.Company:
        with self.db.read() as con:
            return books.company(con)

    def add_account(self, code: str, name: str, kind: str) -> books.Account:
        with self._write() as con:
            return books.add_account(con, code, name, kind, clock.now())

    def accounts(self) -> list[books.Account]:
        """The chart of accounts; a read (books never set up list none: `init` or any change seeds them)."""
        with self.db.read() as con:
            return books.accounts(con)

    def add_location(self, name: str, timezone: str | None = None) -> books.Location:
        with self._write() as con:
            return books.add_location(con, name, timezone, clock.now())

    def locations(self) -> list[books.Location]:
        with self.db.read() as con:
            return books.locations(con)

    def add_contact(self, name: str) -> books.Contact:
        with self._write() as con:
            return books.add_contact(con, name, clock.now())

    def contacts(self) -> list[books.Contact]:
        """The contacts; a read, like :meth:`accounts`."""
        with self.db.read() as con:
            return books.contacts(con)

    # -- streams -------------------------------------------------------------------
    def add_stream(self, name: str, provider: str, options: dict, settings: StreamSettings,
                   force: bool = False) -> Stream:
        """Connect a stream. One reading what another stream reads is refused unless ``force`` (it would double-post).

        ``options["api_key"]`` (plain text) goes to the secrets file only if the stream is created.
        """
        options, key = _split_key(options)

        def change(con: Connection) -> Stream:
            given = {**options, "api_key": self._key_reference(con, name.strip(), None)} if key else options
            return streams_mod.add_stream(con, name, provider, given, settings, clock.now(), force)

        return self._change_stream(change, key)

    def update_stream(self, name: str, settings: StreamSettings, options: dict | None = None,
                      force: bool = False) -> Stream:
        """Change a stream's settings; a new ``api_key`` goes to the secrets file only if the change is made."""
        options, key = _split_key(options or {})

        def change(con: Connection) -> Stream:
            stream = streams_mod.require_active(streams_mod.require_stream(con, name))
            given = {**options, "api_key": self._key_reference(con, stream.name, stream.config.get("api_key"))} \
                if key else options
            return streams_mod.update_stream(con, stream.name, settings, given, force)

        return self._change_stream(change, key)

    def _key_reference(self, con: Connection, stream: str, current: dict | None) -> dict:
        return {"secret": self.secrets.entry_for(books.database_id(con), stream, current)}

    def _change_stream(self, change: Callable[[Connection], Stream], key: str | None) -> Stream:
        """One write adding or changing a stream; its new API key (if any) is written to the secrets file last.

        The key is kept only once the database change has been made and only if the stream refers to it:
        a refused change leaves the secrets file as it was. A secrets file that cannot be written rolls the
        change back; if the commit then fails, the entry is put back as it was (nothing is ever deleted
        that was there before).
        """
        written: tuple[str, str | None] | None = None
        try:
            with self._write() as con:
                stream = change(con)
                reference = stream.config.get("api_key") or {}
                if key and "secret" in reference:
                    written = reference["secret"], self.secrets.store(reference["secret"], key)
        except BaseException:
            if written is not None:
                self.secrets.restore(*written)
            raise
        return stream

    def stream_warnings(self, stream: Stream) -> list[str]:
        """What is risky about how a stream is set up (a key that would travel unencrypted), for the operator."""
        return stream_provider(stream.provider).warnings(stream.config)

    def remove_stream(self, name: str) -> Stream:
        """Archive a stream: its orders, digests and documents stay; it no longer syncs, posts or changes."""
        with self._write() as con:
            return streams_mod.archive_stream(con, name, clock.now())

    def connector(self, name: str):
        """The live connector of a stream (credentials resolved); no database is held while it is used."""
        with self.db.read() as con:
            stream = streams_mod.require_stream(con, name)
        secret = self.secrets.resolve(stream.config.get("api_key"))
        return stream_connector(stream, secret)

    def test_stream(self, name: str) -> str:
        return self.connector(name).test()

    def probe(self, provider: str, options: dict) -> tuple[str, list]:
        """Try a source before connecting it: (a one-line description, the stores it offers).

        ``options`` are those of :meth:`add_stream` with the API key in plain
        text; nothing is saved.
        """
        from flowtui.connectors.registry import ProviderConfigError
        from flowtui.connectors.registry import provider as get_provider

        try:
            chosen = get_provider(provider)
            config = chosen.configure({**options, "api_key": {"plain": True}} if options.get("api_key") else options)
            connector = chosen.connect(config, options.get("api_key"))
        except ProviderConfigError as exc:
            raise InvalidInput(str(exc)) from None
        return connector.test(), connector.stores()

    def credentials(self, stream: Stream) -> str:
        return describe_secret(stream.config.get("api_key"), self.secrets)

    def streams(self, include_archived: bool = False) -> list[StreamStatus]:
        """Streams in use (and removed ones with ``include_archived``) with their last sync."""
        with self.db.read() as con:
            return streams_mod.stream_statuses(con, include_archived)

    def stream_stores(self, name: str) -> list[StoreRow]:
        """Stores seen in the stream's orders, and those its source offers (asked live when it can list them)."""
        offered = self.connector(name).stores()
        with self._write() as con:
            stream = streams_mod.require_stream(con, name)
            if offered:
                streams_mod.remember_stores(con, stream.id, offered, clock.now())
            return streams_mod.stores(con, stream)

    def map_location(self, stream: str, pos_store_id: str, location: str, contact: str | None = None,
                     number_format: str | None = None, credit_note_format: str | None = None) -> None:
        with self._write() as con:
            streams_mod.map_location(
                con, _active(con, stream), pos_store_id, location, contact, number_format,
                clock.now(), credit_note_format,
            )
        rebuild_pending(self.db)

    def map_payment(self, stream: str, pos_method: str, account: str, force: bool = False) -> None:
        """Map a POS payment method to an asset account (any account with ``force``)."""
        with self._write() as con:
            streams_mod.map_payment(con, _active(con, stream), pos_method, account, force)

    def map_account(self, stream: str, category: str, account: str, force: bool = False) -> None:
        """Map a category to an account of a type it allows (books.CATEGORY_TYPES; any with ``force``)."""
        with self._write() as con:
            streams_mod.map_account(con, _active(con, stream), category, account, force)

    def unmap_location(self, stream: str, pos_store_id: str) -> str:
        """Unmap a POS store (its unposted days need attention again); returns the location it had."""
        with self._write() as con:
            location = unmap.unmap_location(con, _active(con, stream), pos_store_id)
        rebuild_pending(self.db)
        return location

    def unmap_payment(self, stream: str, pos_method: str) -> tuple[str, str | None]:
        with self._write() as con:
            return unmap.unmap_payment(con, _active(con, stream), pos_method)

    def unmap_account(self, stream: str, category: str) -> tuple[str, str | None]:
        with self._write() as con:
            return unmap.unmap_account(con, _active(con, stream), category)

    def mappings(self, stream: str) -> Mappings:
        with self.db.read() as con:
            return streams_mod.mappings(con, streams_mod.require_stream(con, stream))

    # -- tax --------------------------------------------------------------------------------
    def map_tax(self, stream: str, category: str, code: str) -> None:
        with self._write() as con:
            taxes.map_tax(con, streams_mod.require_stream(con, stream).id, category, code)
        rebuild_pending(self.db)

    def tax_mappings(self, stream: str) -> list[dict]:
        """What code each category's tax carries: the stream's mapping, and what its source says per store."""
        with self.db.read() as con:
            found = streams_mod.require_stream(con, stream)
            mapped = taxes.tax_mappings(con, found.id)
            stores = con.execute("SELECT pos_store_id, service_charge_tax_code FROM stream_stores "
                                 "WHERE stream_id = ? AND service_charge_tax_code IS NOT NULL ORDER BY 1",
                                 [found.id]).fetchall()
        rows = [{"category": c, "store": None, "tax_code": mapped.get(c), "source": "mapping" if c in mapped else None}
                for c in taxes.TAX_CATEGORIES]
        rows += [{"category": "service_charge", "store": s, "tax_code": code, "source": "source"} for s, code in stores]
        return rows

    def tax_codes(self) -> list[taxes.TaxCode]:
        with self._write() as con:
            return taxes.tax_codes(con)

    def add_tax_code(self, code: str, kind: str, rate, description: str | None = None) -> taxes.TaxCode:
        with self._write() as con:
            return taxes.add_tax_code(con, code, kind, products.parse_rate(rate), description, clock.now())

    def tax_report(self, start: date, end: date) -> taxes.TaxReport:
        with self.db.read() as con:
            return taxes.report(con, start, end)

    def tax_report_pdf(self, start: date, end: date, target, *, template_dir=None) -> Path:
        from flowtui.engine.printing import documents as printing

        if start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        return printing.print_tax_report(self, start, end, target, template_dir=template_dir)

    # -- sync and digests ----------------------------------------------------------------
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
            if not outcome.failed and self._auto_invoice(name):
                outcome.postings = posting.post(self.db, DigestFilter(stream=name), explicit=False)
            outcomes.append(outcome)
        rebuild_pending(self.db)
        return outcomes

    def _auto_invoice(self, stream: str) -> bool:
        with self.db.read() as con:
            return streams_mod.require_stream(con, stream).auto_invoice

    def digests(self, flt: DigestFilter = DigestFilter()) -> list[DigestRow]:
        if flt.status is not None and flt.status not in DIGEST_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(DIGEST_STATUSES)}, not {flt.status!r}.")
        with self.db.read() as con:
            flt = filters.resolve_filter(con, flt)
            frame = query_digests(con, flt, now=clock.now(), default_tz=books.default_timezone(con))
        return [digest_row(r) for r in frame.iter_rows(named=True)]

    def digest(self, digest_id: int) -> DigestDetail:
        with self.db.read() as con:
            frame = query_digests(con, DigestFilter(ids=(digest_id,)), now=clock.now(),
                                  default_tz=books.default_timezone(con))
            if frame.is_empty():
                raise NotFound(f"No digest with id {digest_id}; see `flowtui digests`.")
            row = frame.row(0, named=True)
            children = digest_children(con, digest_id)
            versions = adjustments.trail(con, digest_id)
            changes = None
            if row["status"] == "changed":
                grouping = streams_mod.require_stream(con, row["stream"]).grouping
                changes = adjustments.changes_since_posted(con, digest_id, grouping)
            warnings = products.stock_warnings(con, digest_id, posted=row["status"] == "posted")
        return DigestDetail(
            row=digest_row(row),
            version=row["version"],
            updated_at=row["updated_at"],
            summary={k: row[k] for k in SUMMARY_FIELDS},
            payments=list(children["payments"]),
            items=[DigestItem(*r) for r in children["items"]],
            taxes=list(children["taxes"]),
            orders=[DigestOrder(*r) for r in children["orders"]],
            attention=list(row["attention"]),
            versions=versions,
            changes=changes,
            warnings=warnings,
        )

    # -- products and stock ------------------------------------------------------------------
    def add_product(self, sku: str, name: str, price, cost, track_stock: bool = False,
                    income_account: str | None = None, barcode: str | None = None, tax_code: str | None = None,
                    tax_rate=None) -> products.Product:
        with self._write() as con:
            return products.add_product(con, sku, name, price, cost, track_stock, income_account, clock.now(),
                                        barcode, tax_code, tax_rate)

    def import_products(self, path: Path) -> products.ImportResult:
        with self._write() as con:
            return products.import_products(con, path, clock.now())

    def products(self) -> list[products.Product]:
        with self.db.read() as con:
            return products.products(con)

    def stock(self, location: str | None = None) -> list[StockRow]:
        with self.db.read() as con:
            return products.stock(con, location)

    def set_stock(self, sku: str, quantity, location: str, on: date | None = None) -> StockRow:
        """Stock on hand at the end of ``on`` (default today); the difference is booked to Inventory."""
        with self._write() as con:
            return products.set_stock(con, sku, quantity, location, clock.now(), on)

    # -- posting and the ledger -------------------------------------------------------------
    def post(self, ids: list[int] | None = None, *, everything: bool = False, stream: str | None = None,
             start: date | None = None, end: date | None = None, progress=None) -> list[posting.PostOutcome]:
        """Post digests by id, or every unposted digest matching the filters (open days are left alone)."""
        if start and end and start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        if ids:
            known = {d.id for d in self.digests(DigestFilter(ids=tuple(ids)))}
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

    def _post(self, flt: DigestFilter, *, explicit: bool, progress=None) -> list[posting.PostOutcome]:
        """Post what ``flt`` selects, except the days of removed streams: those are refused, saying why."""
        with self.db.read() as con:
            removed = {s.name: s.archived_at for s in streams_mod.all_streams(con) if s.archived_at is not None}
        rows = self.digests(flt) if removed else []
        held = {d.id: d for d in rows if d.stream in removed and d.status != "posted"}
        if not held:
            return posting.post(self.db, flt, explicit=explicit, progress=progress)
        refused = [posting.PostOutcome(d.id, f"{d.stream} / {d.location or d.pos_store_id} / {d.date}", "refused",
                                       reasons=[f"stream archived: {d.stream!r} was removed on "
                                                f"{removed[d.stream]:%Y-%m-%d} and its days are no longer posted"])
                   for d in held.values() if explicit or d.status != "open"]
        rest = tuple(d.id for d in rows if d.id not in held)
        posted = posting.post(self.db, DigestFilter(ids=rest), explicit=explicit, progress=progress) if rest else []
        order = {d.id: i for i, d in enumerate(rows)}
        return sorted(refused + posted, key=lambda o: order.get(o.digest_id, 0))

    def reverse_invoice(self, number: str, reason: str) -> reversal.Reversed:
        """Reverse a posted document (and the rest of its digest's) with linked reversing documents."""
        with self.db.write() as con:
            done = reversal.reverse(con, number, reason, clock.now(), posting.actor())
        return replace(done, status=self.digest(done.digest_id).row.status)

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
        """The journal as beancount or CSV text (see :mod:`flowtui.engine.ledger.export`), written to ``target``
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

    # -- rejections: input that could not be landed ---------------------------------------------
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

    # -- for the console ---------------------------------------------------------------------
    def digest_page(self, flt: DigestFilter = DigestFilter(), *, sort: str = "date", descending: bool = False,
                    offset: int = 0, limit: int = 200,
                    on_read: Callable[[DigestPage], object] | None = None) -> DigestPage:
        """One page of a digest listing, with how many there are in all and their total.

        ``on_read(page)``, if given, gets the page as soon as it is read, while the file is
        still being let go (~5 ms): a console can start drawing it. It must not block.
        """
        if flt.status is not None and flt.status not in DIGEST_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(DIGEST_STATUSES)}, not {flt.status!r}.")
        with self.db.read() as con:
            flt = filters.resolve_filter(con, flt)
            found = listing_page(con, flt, now=clock.now(), default_tz=books.default_timezone(con), sort=sort,
                                 descending=descending, limit=limit, offset=offset)
            page = DigestPage([digest_row(r) for r in found.rows], found.total, found.amount, offset)
            if on_read is not None:
                on_read(page)
        return page

    def order(self, digest_id: int, order_id: str) -> browse.OrderDetail:
        with self.db.read() as con:
            rows = con.execute("SELECT stream_id FROM digests WHERE id = ?", [digest_id]).fetchall()
            if not rows:
                raise NotFound(f"No digest with id {digest_id}.")
            return browse.order(con, rows[0][0], order_id)

    def next_number(self, fmt: str, day: date | None = None) -> str:
        with self.db.read() as con:
            return browse.next_number(con, fmt, day or clock.today_in(books.default_timezone(con)))

    def invoice_pdf(self, number: str, target=None, *, template_dir=None) -> Path:
        """Print an invoice or credit note to PDF; returns the file written (``pdfs/`` beside the database
        unless ``target`` names a FILE.pdf or a folder). The print is recorded in the document's history."""
        from flowtui.engine.printing import documents as printing

        return printing.print_invoice(self, number, target, template_dir=template_dir)

    def digest_pdf(self, digest_id: int, target=None, *, template_dir=None) -> Path:
        """Print one digest's daily sales report to PDF; returns the file written."""
        from flowtui.engine.printing import documents as printing

        return printing.print_digest(self, digest_id, target, template_dir=template_dir)

    def till(self, stream: str):
        """The MiniPOS till of ``stream`` (see :class:`flowtui.engine.minipos.till.Till`)."""
        from flowtui.engine.minipos.till import Till

        return Till(self, stream)

    def pending_days(self) -> int:
        with self.db.read() as con:
            return con.execute("SELECT count(*) FROM dirty_days").fetchall()[0][0]


def _active(con: Connection, name: str) -> Stream:
    """The stream ``name`` means, refused when it was removed (see :func:`streams_mod.require_active`)."""
    return streams_mod.require_active(streams_mod.require_stream(con, name))


def _split_key(options: dict) -> tuple[dict, str | None]:
    """The options without the plain-text ``api_key`` (returned apart); ``api_key_env`` becomes a reference."""
    options = dict(options)
    key, env = (options.pop("api_key", None) or "").strip() or None, options.pop("api_key_env", None)
    if key and env:
        raise InvalidInput("Give either --api-key or --api-key-env, not both.")
    if env:
        options["api_key"] = {"env": env.strip().lstrip("$")}
    return options, key


def stream_connector(stream: Stream, secret: str | None):
    from flowtui.connectors.registry import ProviderConfigError

    try:
        return stream_provider(stream.provider).connect(stream.config, secret)
    except ProviderConfigError as exc:
        raise InvalidInput(str(exc)) from None


class _Initialised:
    """A write unit of work on books that are seeded (``flowtui init`` is implied)."""

    def __init__(self, db: Database) -> None:
        self._cm = db.write()

    def __enter__(self) -> Connection:
        con = self._cm.__enter__()
        if not books.is_initialised(con):
            books.initialise(con, clock.now())
        return con

    def __exit__(self, *exc) -> bool | None:
        return self._cm.__exit__(*exc)
