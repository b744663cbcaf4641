"""The service facade: what the CLI and the console call.

``Flow`` composes one small service per area (:class:`Services`), each over the same database:
books, streams, mappings, tax, sync and rejections (pipeline), digests, products, the ledger, printing.
Its methods hand each call to the service of its area, so a face needs only the one object; the
work, and any rule, lives in the service or below. Each method is one or a few short units of work
on the database and returns small frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from flowtui.engine.core.records import DigestDetail, DigestPage, DigestRow
from flowtui.engine.digests import browse
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.exports import ledger as ledger_export
from flowtui.engine.ledger import books, outcomes, posting, products, reversal, taxes
from flowtui.engine.ledger import reading as ledger
from flowtui.engine.ledger.products import StockRow  # by name: the method `products` hides the module in the class
from flowtui.engine.pipeline import reconcile as reconcile_mod
from flowtui.engine.pipeline import rejections as rejections_mod
from flowtui.engine.pipeline.sync import Progress, SyncOutcome
from flowtui.engine.services.books import BooksService
from flowtui.engine.services.digests import DigestsService
from flowtui.engine.services.ledger import LedgerService
from flowtui.engine.services.mappings import MappingsService
from flowtui.engine.services.pipeline import PipelineService
from flowtui.engine.services.printing import PrintingService
from flowtui.engine.services.printing import Progress as PrintProgress
from flowtui.engine.services.products import ProductsService
from flowtui.engine.services.streams import StreamsService, stream_connector
from flowtui.engine.services.taxes import TaxService
from flowtui.engine.services.till import Till
from flowtui.engine.setup.company import CompanyProfile  # by name: the method `company` hides the module in the class
from flowtui.engine.setup.mapping import Mappings, StoreRow
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.streams import Stream, StreamSettings, StreamStatus
from flowtui.engine.storage.database import Database

__all__ = ["Flow", "Services", "stream_connector"]


@dataclass(frozen=True)
class Services:
    """The per-area services one :class:`Flow` is made of, all over its database (and its secrets)."""

    books: BooksService
    streams: StreamsService
    mappings: MappingsService
    taxes: TaxService
    pipeline: PipelineService
    digests: DigestsService
    products: ProductsService
    ledger: LedgerService
    printing: PrintingService

    @classmethod
    def over(cls, db: Database, secrets: SecretStore) -> Services:
        digests = DigestsService(db)
        return cls(books=BooksService(db), streams=StreamsService(db, secrets), mappings=MappingsService(db),
                   taxes=TaxService(db), pipeline=PipelineService(db, secrets), digests=digests,
                   products=ProductsService(db), ledger=LedgerService(db, digests), printing=PrintingService(db))


@dataclass
class Flow:
    """flowtui's engine, bound to one database file."""

    db: Database
    secrets: SecretStore = field(default_factory=SecretStore.default)
    services: Services = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.services = Services.over(self.db, self.secrets)

    # -- set-up (BooksService) -----------------------------------------------------------
    def init(self, name: str | None = None, currency: str | None = None, timezone: str | None = None) -> books.Company:
        return self.services.books.init(name, currency, timezone)

    def company(self) -> books.Company:
        return self.services.books.company()

    def company_profile(self) -> CompanyProfile:
        return self.services.books.company_profile()

    def set_company(self, *, name: str | None = None, address: list[str] | None = None,
                    registration_no: str | None = None, sst_no: str | None = None, tin: str | None = None,
                    phone: str | None = None, email: str | None = None,
                    template_dir: str | None = None) -> CompanyProfile:
        return self.services.books.set_company(name=name, address=address, registration_no=registration_no,
                                               sst_no=sst_no, tin=tin, phone=phone, email=email,
                                               template_dir=template_dir)

    def add_account(self, code: str, name: str, kind: str) -> books.Account:
        return self.services.books.add_account(code, name, kind)

    def accounts(self) -> list[books.Account]:
        return self.services.books.accounts()

    def add_location(self, name: str, timezone: str | None = None) -> books.Location:
        return self.services.books.add_location(name, timezone)

    def locations(self) -> list[books.Location]:
        return self.services.books.locations()

    def add_contact(self, name: str) -> books.Contact:
        return self.services.books.add_contact(name)

    def contacts(self) -> list[books.Contact]:
        return self.services.books.contacts()

    # -- streams (StreamsService) ----------------------------------------------------------
    def add_stream(self, name: str, provider: str, options: dict, settings: StreamSettings,
                   force: bool = False) -> Stream:
        return self.services.streams.add_stream(name, provider, options, settings, force)

    def update_stream(self, name: str, settings: StreamSettings, options: dict | None = None,
                      force: bool = False) -> Stream:
        return self.services.streams.update_stream(name, settings, options, force)

    def stream_warnings(self, stream: Stream) -> list[str]:
        return self.services.streams.stream_warnings(stream)

    def remove_stream(self, name: str) -> Stream:
        return self.services.streams.remove_stream(name)

    def connector(self, name: str):
        return self.services.streams.connector(name)

    def test_stream(self, name: str) -> str:
        return self.services.streams.test_stream(name)

    def probe(self, provider: str, options: dict) -> tuple[str, list]:
        return self.services.streams.probe(provider, options)

    def credentials(self, stream: Stream) -> str:
        return self.services.streams.credentials(stream)

    def streams(self, include_archived: bool = False) -> list[StreamStatus]:
        return self.services.streams.streams(include_archived)

    def stream_stores(self, name: str) -> list[StoreRow]:
        return self.services.streams.stream_stores(name)

    # -- mappings (MappingsService) --------------------------------------------------------
    def map_location(self, stream: str, pos_store_id: str, location: str, contact: str | None = None,
                     number_format: str | None = None, credit_note_format: str | None = None) -> None:
        self.services.mappings.map_location(stream, pos_store_id, location, contact, number_format, credit_note_format)

    def map_payment(self, stream: str, pos_method: str, account: str, force: bool = False) -> None:
        self.services.mappings.map_payment(stream, pos_method, account, force)

    def map_account(self, stream: str, category: str, account: str, force: bool = False) -> None:
        self.services.mappings.map_account(stream, category, account, force)

    def unmap_location(self, stream: str, pos_store_id: str) -> str:
        return self.services.mappings.unmap_location(stream, pos_store_id)

    def unmap_payment(self, stream: str, pos_method: str) -> tuple[str, str | None]:
        return self.services.mappings.unmap_payment(stream, pos_method)

    def unmap_account(self, stream: str, category: str) -> tuple[str, str | None]:
        return self.services.mappings.unmap_account(stream, category)

    def mappings(self, stream: str) -> Mappings:
        return self.services.mappings.mappings(stream)

    # -- tax (TaxService) ------------------------------------------------------------------
    def map_tax(self, stream: str, category: str, code: str) -> None:
        self.services.taxes.map_tax(stream, category, code)

    def tax_mappings(self, stream: str) -> list[dict]:
        return self.services.taxes.tax_mappings(stream)

    def tax_codes(self) -> list[taxes.TaxCode]:
        return self.services.taxes.tax_codes()

    def add_tax_code(self, code: str, kind: str, rate, description: str | None = None) -> taxes.TaxCode:
        return self.services.taxes.add_tax_code(code, kind, rate, description)

    def tax_report(self, start: date, end: date) -> taxes.TaxReport:
        return self.services.taxes.tax_report(start, end)

    # -- sync and rejections (PipelineService) ---------------------------------------------
    def sync(self, names: list[str], start: date | None = None, end: date | None = None,
             progress: Progress | None = None) -> list[SyncOutcome]:
        return self.services.pipeline.sync(names, start, end, progress)

    def rejections(self, stream: str | None = None, everything: bool = False) -> list[rejections_mod.RejectionRow]:
        return self.services.pipeline.rejections(stream, everything)

    def dismiss_rejections(self, ids: list[int], reason: str) -> list[rejections_mod.RejectionRow]:
        return self.services.pipeline.dismiss_rejections(ids, reason)

    # -- digests (DigestsService) ----------------------------------------------------------
    def digests(self, flt: DigestFilter = DigestFilter()) -> list[DigestRow]:
        return self.services.digests.digests(flt)

    def digest(self, digest_id: int) -> DigestDetail:
        return self.services.digests.digest(digest_id)

    def digest_page(self, flt: DigestFilter = DigestFilter(), *, sort: str = "date", descending: bool = False,
                    offset: int = 0, limit: int = 200,
                    on_read: Callable[[DigestPage], object] | None = None) -> DigestPage:
        return self.services.digests.digest_page(flt, sort=sort, descending=descending, offset=offset, limit=limit,
                                                 on_read=on_read)

    def order(self, digest_id: int, order_id: str) -> browse.OrderDetail:
        return self.services.digests.order(digest_id, order_id)

    def next_number(self, fmt: str, day: date | None = None) -> str:
        return self.services.digests.next_number(fmt, day)

    def pending_days(self) -> int:
        return self.services.digests.pending_days()

    # -- products and stock (ProductsService) ----------------------------------------------
    def add_product(self, sku: str, name: str, price, cost, track_stock: bool = False,
                    income_account: str | None = None, barcode: str | None = None, tax_code: str | None = None,
                    tax_rate=None) -> products.Product:
        return self.services.products.add_product(sku, name, price, cost, track_stock, income_account, barcode,
                                                  tax_code, tax_rate)

    def import_products(self, path: Path) -> products.ImportResult:
        return self.services.products.import_products(path)

    def products(self) -> list[products.Product]:
        return self.services.products.products()

    def stock(self, location: str | None = None) -> list[StockRow]:
        return self.services.products.stock(location)

    def set_stock(self, sku: str, quantity, location: str, on: date | None = None) -> StockRow:
        return self.services.products.set_stock(sku, quantity, location, on)

    # -- posting and the ledger (LedgerService) --------------------------------------------
    def post(self, ids: list[int] | None = None, *, everything: bool = False, stream: str | None = None,
             start: date | None = None, end: date | None = None, progress=None) -> list[posting.PostOutcome]:
        return self.services.ledger.post(ids, everything=everything, stream=stream, start=start, end=end,
                                         progress=progress)

    def preview_post(self, ids: list[int]) -> outcomes.PostPreview:
        return self.services.ledger.preview_post(ids)

    def reverse_invoice(self, number: str, reason: str) -> reversal.Reversed:
        return self.services.ledger.reverse_invoice(number, reason)

    def add_journal_entry(self, day: date, memo: str, debits: list[tuple[str, Decimal]],
                          credits: list[tuple[str, Decimal]]) -> int:
        return self.services.ledger.add_journal_entry(day, memo, debits, credits)

    def invoices(self, start: date | None = None, end: date | None = None,
                 location: str | None = None) -> list[ledger.DocumentRow]:
        return self.services.ledger.invoices(start, end, location)

    def invoice(self, number: str) -> ledger.DocumentDetail:
        return self.services.ledger.invoice(number)

    def trial_balance(self, as_of: date | None = None) -> list[ledger.BalanceRow]:
        return self.services.ledger.trial_balance(as_of)

    def journal(self, start: date | None = None, end: date | None = None,
                account: str | None = None) -> list[ledger.JournalRow]:
        return self.services.ledger.journal(start, end, account)

    def export_ledger(self, fmt: str, start: date | None = None, end: date | None = None,
                      target: Path | None = None) -> ledger_export.LedgerExport:
        return self.services.ledger.export_ledger(fmt, start, end, target)

    def reconcile(self, stream: str | None = None, start: date | None = None,
                  end: date | None = None) -> list[reconcile_mod.DayCheck]:
        return self.services.ledger.reconcile(stream, start, end)

    # -- printing (PrintingService) --------------------------------------------------------
    def invoice_pdf(self, number: str, target=None, *, template_dir=None) -> Path:
        return self.services.printing.invoice_pdf(number, target, template_dir=template_dir)

    def digest_pdf(self, digest_id: int, target=None, *, template_dir=None) -> Path:
        return self.services.printing.digest_pdf(digest_id, target, template_dir=template_dir)

    def tax_report_pdf(self, start: date, end: date, target, *, template_dir=None) -> Path:
        return self.services.printing.tax_report_pdf(start, end, target, template_dir=template_dir)

    def invoice_pdfs(self, numbers: list[str] | None = None, *, start: date | None = None, end: date | None = None,
                     location: str | None = None, target_dir=None, progress: PrintProgress | None = None,
                     template_dir=None, workers: int | None = None) -> list[Path]:
        return self.services.printing.invoice_pdfs(numbers, start=start, end=end, location=location,
                                                   target_dir=target_dir, progress=progress,
                                                   template_dir=template_dir, workers=workers)

    def digest_pdfs(self, ids: list[int] | None = None, *, start: date | None = None, end: date | None = None,
                    stream: str | None = None, location: str | None = None, target=None,
                    progress: PrintProgress | None = None, template_dir=None, workers: int | None = None) -> list[Path]:
        return self.services.printing.digest_pdfs(ids, start=start, end=end, stream=stream, location=location,
                                                  target=target, progress=progress, template_dir=template_dir,
                                                  workers=workers)

    def export_views(self, fmt: str, folder: Path, *, start: date | None = None, end: date | None = None,
                     views: list[str] | None = None):
        return self.services.printing.export_views(fmt, folder, start=start, end=end, views=views)

    # -- the MiniPOS till ------------------------------------------------------------------
    def till(self, stream: str) -> Till:
        """The MiniPOS till of ``stream`` (see :class:`flowtui.engine.services.till.Till`)."""
        return Till(self.db, stream, self.services.pipeline.sync)
