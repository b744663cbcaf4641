"""Printing: invoices, credit notes, digest reports and the tax report as PDF (each print recorded in the
document's history), and the documented views written as files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.services.unit import Service

#: ``progress(done, total)`` while a batch prints (as :data:`flowtui.engine.printing.documents.Progress`)
Progress = Callable[[int, int], None]


@dataclass
class PrintingService(Service):
    """PDFs and exported files (the printing functions need only ``db``, which this service carries)."""

    def invoice_pdf(self, number: str, target=None, *, template_dir=None) -> Path:
        """Print an invoice or credit note to PDF; returns the file written (``pdfs/`` beside the database
        unless ``target`` names a FILE.pdf or a folder). The print is recorded in the document's history."""
        from flowtui.engine.printing import documents as printing

        return printing.print_invoice(self, number, target, template_dir=template_dir)

    def digest_pdf(self, digest_id: int, target=None, *, template_dir=None) -> Path:
        """Print one digest's daily sales report to PDF; returns the file written."""
        from flowtui.engine.printing import documents as printing

        return printing.print_digest(self, digest_id, target, template_dir=template_dir)

    def invoice_pdfs(self, numbers: list[str] | None = None, *, start: date | None = None, end: date | None = None,
                     location: str | None = None, target_dir=None, progress: Progress | None = None,
                     template_dir=None, workers: int | None = None) -> list[Path]:
        """Print the documents named, or every one dated ``start``..``end`` (at ``location``), into a folder."""
        from flowtui.engine.printing import documents as printing

        return printing.print_invoices(self, numbers, start=start, end=end, location=location, target_dir=target_dir,
                                       progress=progress, template_dir=template_dir, workers=workers)

    def digest_pdfs(self, ids: list[int] | None = None, *, start: date | None = None, end: date | None = None,
                    stream: str | None = None, location: str | None = None, target=None,
                    progress: Progress | None = None, template_dir=None, workers: int | None = None) -> list[Path]:
        """Print digests by id or by date range: one PDF each into a folder, or all in one file (target ``*.pdf``)."""
        from flowtui.engine.printing import documents as printing

        return printing.print_digests(self, ids, start=start, end=end, stream=stream, location=location,
                                      target=target, progress=progress, template_dir=template_dir, workers=workers)

    def tax_report_pdf(self, start: date, end: date, target, *, template_dir=None) -> Path:
        from flowtui.engine.printing import documents as printing

        if start > end:
            raise InvalidInput(f"--from {start} is after --to {end}.")
        return printing.print_tax_report(self, start, end, target, template_dir=template_dir)

    def export_views(self, fmt: str, folder: Path, *, start: date | None = None, end: date | None = None,
                     views: list[str] | None = None):
        """Write the documented views (default: all) as ``fmt`` files into ``folder``; see
        :mod:`flowtui.engine.printing.export`."""
        from flowtui.engine.printing.export import export_views

        return export_views(self.db, fmt, folder, start=start, end=end, views=views)


def copy_templates(folder: Path, force: bool = False) -> list[Path]:
    """Copy the packaged templates, stylesheet and fonts into ``folder`` to customise them; files already there
    are refused unless ``force``. Returns the packaged files copied."""
    from flowtui.engine.printing.render import PACKAGED_TEMPLATES, packaged_files

    files = list(packaged_files())
    clashes = [f for f in files if (folder / f.relative_to(PACKAGED_TEMPLATES)).exists()]
    if clashes and not force:
        raise InvalidInput(f"{folder} already has {len(clashes)} of these files "
                           f"(e.g. {clashes[0].relative_to(PACKAGED_TEMPLATES)}); --force overwrites them.")
    for f in files:
        dest = folder / f.relative_to(PACKAGED_TEMPLATES)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
    return files
