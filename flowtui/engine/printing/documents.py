"""Printing to PDF: what ``flowtui invoice pdf``, ``flowtui digest pdf`` and the console's print action call.

Each function reads what it prints in one short read of the database, lets go
of the file while WeasyPrint works (seconds, for a batch), then records each
printed invoice in its history (event ``printed``, the file's path) in one
short write. Batches render on every core (:func:`flowtui.engine.printing.render.render_batch`), the
workers starting on the first documents while the rest are still being read.

Where files go: a target ending in ``.pdf`` is a file; any other target is a
folder (created if need be) that gets ``<number>.pdf`` / ``digest-<id>-<date>-<location>.pdf``.
With no target, the ``pdfs/`` folder beside the database.
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.digests import detail as digest_detail
from flowtui.engine.digests.filters import resolve_filter
from flowtui.engine.digests.store import DigestFilter, query_digests
from flowtui.engine.ledger import books
from flowtui.engine.ledger import reading as ledger
from flowtui.engine.printing import sql
from flowtui.engine.printing.report_views import digest_view, document_title, document_view, printed_stamp
from flowtui.engine.setup import company
from flowtui.engine.storage.rows import one, rows

Progress = Callable[[int, int], None]

_SINGLE: dict[tuple, object] = {}  # one warm renderer per template folder, for one-at-a-time printing
# let go of it before the interpreter tears modules down (WeasyPrint's font cleanup needs them)
atexit.register(_SINGLE.clear)


@dataclass(frozen=True)
class PrintSetup:
    company: dict
    printed: str
    template_dir: Path | None


def pdf_folder(flow) -> Path:
    """The default home of printed files: ``pdfs/`` beside the database."""
    return Path(os.path.abspath(flow.db.path)).parent / "pdfs"


def safe_name(text: str) -> str:
    """A file name from a document number or label: letters, digits, ``.``, ``-`` and ``_`` only."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._")
    return cleaned[:120] or "document"


def is_file_target(target) -> bool:
    return target is not None and Path(target).suffix.lower() == ".pdf"


def _target(flow, target, name: str) -> Path:
    if target is None:
        return pdf_folder(flow) / name
    path = Path(target).expanduser()
    chosen = path if is_file_target(path) else path / name
    return Path(os.path.abspath(chosen))


def _folder(flow, target) -> Path:
    if is_file_target(target):
        raise InvalidInput(f"{target} is a file name; printing several documents needs a folder (-o DIR).")
    return Path(os.path.abspath(Path(target).expanduser())) if target is not None else pdf_folder(flow)


def _setup(con, template_dir) -> PrintSetup:
    profile = company.profile(con)
    folder = company.template_dir(template_dir, profile.template_dir)
    return PrintSetup(profile.printable(), printed_stamp(clock.now(), profile.timezone), folder)


def _declared_rates(con) -> dict[str, Decimal]:
    """Each tax code's nominal rate: the tax codes' own, else one all its products declare."""
    from flowtui.engine.ledger import taxes

    declared = {r["tax_code"]: r["rate"] for r in rows(con, sql.DECLARED_RATES)}
    return {**declared, **taxes.rates(con)}


def _document_views(con, numbers: list[str]) -> list[tuple[int, str, dict]]:
    """(document id, number, view) for each number, in order."""
    rates = _declared_rates(con)
    views = []
    for number in numbers:
        detail = ledger.document(con, number)
        source = one(con, sql.DIGEST_DATE, [detail.row.digest_id])
        view = document_view(detail, source_date=source["business_date"] if source else None, declared_rates=rates)
        views.append((detail.row.id, detail.row.number, view))
    return views


def _record_printed(flow, printed: list[tuple[int, Path]]) -> None:
    """History: one ``printed`` event per file, in one short write."""
    if not printed:
        return
    from flowtui.engine.ledger import history
    from flowtui.engine.ledger.posting import actor

    with flow.db.write() as con:
        history.record(con, [(i, "printed", str(p)) for i, p in printed], now=clock.now(), actor=actor())


def _renderer(template_dir: Path | None):
    """A warm renderer for this template folder, rebuilt when its files change (the console prints many)."""
    from flowtui.engine.printing.render import PACKAGED_TEMPLATES, Renderer

    dirs = ([template_dir] if template_dir else []) + [PACKAGED_TEMPLATES]
    stamp = tuple((str(p), p.stat().st_mtime_ns) for d in dirs for p in sorted(d.rglob("*")) if p.is_file())
    key = (str(template_dir), stamp)
    if key not in _SINGLE:
        _SINGLE.clear()
        _SINGLE[key] = Renderer(template_dir)
    return _SINGLE[key]


def _numbers_in(flow, start: date | None, end: date | None, location: str | None) -> list[str]:
    with flow.db.read() as con:
        return [row.number for row in ledger.documents(con, start, end, location)]


# -- invoices and credit notes ---------------------------------------------------------------


def print_invoice(flow, number: str, target=None, *, template_dir=None) -> Path:
    """Print one invoice or credit note; returns the file written (and records it in the history)."""
    from flowtui.engine.printing.render import write_atomically

    with flow.db.read() as con:
        setup = _setup(con, template_dir)
        [(doc_id, number, view)] = _document_views(con, [number])
    path = _target(flow, target, f"{safe_name(number)}.pdf")
    data = _renderer(setup.template_dir).document(view, setup.company, setup.printed)
    write_atomically(path, data)
    _record_printed(flow, [(doc_id, path)])
    return path


def print_invoices(flow, numbers: list[str] | None = None, *, start: date | None = None, end: date | None = None,
                   location: str | None = None, target_dir=None, progress: Progress | None = None,
                   template_dir=None, workers: int | None = None) -> list[Path]:
    """Print the documents named, or every one dated ``start``..``end`` (at ``location``), into a folder.

    Renders on every core; every file written is recorded in its document's
    history, also when a later one fails.
    """
    from flowtui.engine.printing.render import Job, render_batch

    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    if not numbers and not (start or end or location):
        raise InvalidInput("Say which documents to print: their numbers, or --from/--to (and --location).")
    folder = _folder(flow, target_dir)
    with flow.db.read() as con:
        setup = _setup(con, template_dir)
        location = books.require_location(con, location).name if location else location
        chosen = list(dict.fromkeys(numbers or [r.number for r in ledger.documents(con, start, end, location)]))
        # everything is read in this one short hold (an unknown number fails here, before anything is
        # printed), so the file is free while the workers print
        jobs = [Job("document", view, folder / f"{safe_name(number)}.pdf", key=str(doc_id))
                for doc_id, number, view in _document_views(con, chosen)]

    written: list[tuple[int, Path]] = []
    try:
        return render_batch(jobs, company=setup.company, printed=setup.printed, template_dir=setup.template_dir,
                            workers=workers, progress=progress,
                            done=lambda job, path: written.append((int(job.key), path)))
    finally:
        _record_printed(flow, written)


# -- digests ------------------------------------------------------------------------------------


def _digest_views(con, flt: DigestFilter) -> list[dict]:
    default_tz = books.default_timezone(con)
    frame = query_digests(con, flt, now=clock.now(), default_tz=default_tz, sort="date")
    zones = {r["name"]: r["timezone"] for r in rows(con, sql.LOCATION_ZONES)}
    rates = _declared_rates(con)
    views = []
    for row in frame.iter_rows(named=True):
        detail = digest_detail.from_row(con, row)
        documents = [{"title": document_title(d["kind"], d["role"]), "number": d["number"], "total": d["total"]}
                     for d in rows(con, sql.CROSSING_DIGEST_DOCUMENTS, [row["id"]])]
        views.append(digest_view(detail, timezone=zones.get(row["location"], default_tz), documents=documents,
                                 declared_rates=rates))
    return views


def _digest_file(view: dict) -> str:
    return f"digest-{view['id']}-{view['date']}-{safe_name(view['location'])}.pdf"


def print_digest(flow, digest_id: int, target=None, *, template_dir=None) -> Path:
    """Print one digest's daily sales report; returns the file written."""
    from flowtui.engine.printing.render import write_atomically

    with flow.db.read() as con:
        setup = _setup(con, template_dir)
        views = _digest_views(con, DigestFilter(ids=(digest_id,)))
    if not views:
        raise NotFound(f"No digest with id {digest_id}; see `flowtui digests`.")
    path = _target(flow, target, _digest_file(views[0]))
    write_atomically(path, _renderer(setup.template_dir).digest(views, setup.company, setup.printed))
    return path


def print_digests(flow, ids: list[int] | None = None, *, start: date | None = None, end: date | None = None,
                  stream: str | None = None, location: str | None = None, target=None,
                  progress: Progress | None = None, template_dir=None, workers: int | None = None) -> list[Path]:
    """Print digests by id or by date range: one PDF each into a folder, or all in one file (target ``*.pdf``)."""
    from flowtui.engine.printing.render import Job, render_batch, write_atomically

    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    if not ids and not (start or end or stream or location):
        raise InvalidInput("Say which digests to print: their ids, or --from/--to (and --stream/--location).")
    flt = (DigestFilter(ids=tuple(ids)) if ids
           else DigestFilter(stream=stream, location=location, start=start, end=end))
    with flow.db.read() as con:
        setup = _setup(con, template_dir)
        views = _digest_views(con, resolve_filter(con, flt))
    if ids:
        missing = sorted(set(ids) - {v["id"] for v in views})
        if missing:
            raise NotFound(f"No digest with id {', '.join(map(str, missing))}; see `flowtui digests`.")
    if not views:
        return []
    if is_file_target(target):  # one report for the whole range
        path = _target(flow, target, "digests.pdf")
        write_atomically(path, _renderer(setup.template_dir).digest(views, setup.company, setup.printed))
        if progress:
            progress(1, 1)
        return [path]
    folder = _folder(flow, target)
    jobs = [Job("digest", [view], folder / _digest_file(view), key=str(view["id"])) for view in views]
    return render_batch(jobs, company=setup.company, printed=setup.printed, template_dir=setup.template_dir,
                        workers=workers, progress=progress)


# -- the tax report --------------------------------------------------------------------------------


def print_tax_report(flow, start: date, end: date, target, *, template_dir=None) -> Path:
    """The SST report of ``start``..``end`` as a PDF; returns the file written."""
    from flowtui.engine.ledger import taxes
    from flowtui.engine.printing.render import write_atomically

    with flow.db.read() as con:
        setup = _setup(con, template_dir)
        report = taxes.report(con, start, end)
    path = _target(flow, target, f"tax-report-{start}-{end}.pdf")
    write_atomically(path, _renderer(setup.template_dir).tax_report(report, setup.company, setup.printed))
    return path
