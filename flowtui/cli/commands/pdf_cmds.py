"""invoice pdf, digest pdf, company set / show / templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import echo, emit_json, table
from flowtui.cli.params import DATE, json_option

TEMPLATE_DIR_HELP = ("Folder with your own copy of the templates (default: `flowtui company set --template-dir`, "
                     "else $FLOWTUI_TEMPLATE_DIR, else the packaged ones).")


def _printed(rows: list[dict], as_json: bool) -> None:
    if as_json:
        emit_json(rows)
        return
    if not rows:
        echo("Nothing to print.")
    for row in rows:
        echo(f"Printed {row['name']} to {row['path']}")


@click.command("pdf")
@click.argument("numbers", nargs=-1, metavar="[NUMBER]...")
@click.option("-o", "--output", "target", metavar="FILE_OR_DIR",
              help="A FILE.pdf (one document) or a folder (default: pdfs/ beside the database).")
@click.option("--from", "start", type=DATE, help="Every document from this date...")
@click.option("--to", "end", type=DATE, help="...up to this date.")
@click.option("--location", help="Only this location's documents (with --from/--to).")
@click.option("--template-dir", type=click.Path(file_okay=False, path_type=Path), help=TEMPLATE_DIR_HELP)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for a batch (default: every core).")
@json_option
@read_only
@pass_context
def invoice_pdf(ctx, numbers, target, start, end, location, template_dir, workers, as_json):
    """Print invoices and credit notes to A4 PDF, by NUMBER or by date range.

    Each print is recorded in the document's history (`flowtui invoice show`).
    """
    from flowtui.cli.commands.digest_cmds import _progress_bar

    flow = ctx.flow
    if numbers and (start or end or location):
        raise click.UsageError("Give document numbers or --from/--to/--location, not both.")
    if len(numbers) == 1:
        path = flow.invoice_pdf(numbers[0], target, template_dir=template_dir)
        _printed([{"name": numbers[0], "path": str(path)}], as_json)
        return
    with _progress_bar(not as_json and sys.stderr.isatty()) as report:
        progress = (lambda done, total: report("printing", done / total, f"{done}/{total} documents")) \
            if report else None
        paths = flow.invoice_pdfs(list(numbers), start=start, end=end, location=location, target_dir=target,
                                  progress=progress, template_dir=template_dir, workers=workers)
    _printed([{"name": p.stem, "path": str(p)} for p in paths], as_json)


@click.command("pdf")
@click.argument("digest_ids", nargs=-1, type=int, metavar="[ID]...")
@click.option("-o", "--output", "target", metavar="FILE_OR_DIR",
              help="A FILE.pdf (every digest in one report) or a folder, one PDF per digest "
                   "(default: pdfs/ beside the database).")
@click.option("--from", "start", type=DATE, help="Every digest from this business date...")
@click.option("--to", "end", type=DATE, help="...up to this business date.")
@click.option("--stream", help="Only this stream's digests.")
@click.option("--location", help="Only this location's digests.")
@click.option("--template-dir", type=click.Path(file_okay=False, path_type=Path), help=TEMPLATE_DIR_HELP)
@click.option("--workers", type=click.IntRange(min=1), help="Processes for a batch (default: every core).")
@json_option
@read_only
@pass_context
def digest_pdf(ctx, digest_ids, target, start, end, stream, location, template_dir, workers, as_json):
    """Print daily sales digest reports: summary, payments (with space to count the cash), items, orders."""
    from flowtui.cli.commands.digest_cmds import _progress_bar

    if digest_ids and (start or end or stream or location):
        raise click.UsageError("Give digest ids or --from/--to/--stream/--location, not both.")
    flow = ctx.flow
    if len(digest_ids) == 1:
        path = flow.digest_pdf(digest_ids[0], target, template_dir=template_dir)
        _printed([{"name": f"digest {digest_ids[0]}", "path": str(path)}], as_json)
        return
    with _progress_bar(not as_json and sys.stderr.isatty()) as report:
        progress = (lambda done, total: report("printing", done / total, f"{done}/{total} digests")) \
            if report else None
        paths = flow.digest_pdfs(list(digest_ids), start=start, end=end, stream=stream, location=location,
                                 target=target, progress=progress, template_dir=template_dir, workers=workers)
    _printed([{"name": p.stem, "path": str(p)} for p in paths], as_json)


@click.group()
def company():
    """What printed documents say about the company, and which templates print them."""


@company.command("set")
@click.option("--name", help="Company name.")
@click.option("--address", multiple=True, metavar="LINE",
              help="An address line; repeat for each line (--address '' clears the address).")
@click.option("--registration-no", help="Company registration number (SSM).")
@click.option("--sst-no", help="SST registration number.")
@click.option("--tin", help="Tax identification number (LHDN).")
@click.option("--phone", help="Telephone.")
@click.option("--email", help="E-mail address.")
@click.option("--template-dir", metavar="DIR",
              help="Print with the templates in DIR (files it lacks come from the packaged set); '' goes "
                   "back to the packaged templates.")
@pass_context
def company_set(ctx, name, address, registration_no, sst_no, tin, phone, email, template_dir):
    """Set company details printed on invoices (an empty value clears a field)."""
    profile = ctx.flow.set_company(name=name, address=list(address) if address else None,
                                   registration_no=registration_no, sst_no=sst_no, tin=tin, phone=phone, email=email,
                                   template_dir=template_dir)
    _show_profile(profile, as_json=False)


@company.command("show")
@json_option
@read_only
@pass_context
def company_show(ctx, as_json):
    """Show the company details printed on documents, and the template folder."""
    _show_profile(ctx.flow.company_profile(), as_json)


@company.command("templates")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files already in FOLDER.")
def company_templates(folder, force):
    """Copy the packaged templates, stylesheet and fonts into FOLDER to customise them.

    Then print with them: `flowtui company set --template-dir FOLDER`.
    """
    from flowtui.engine.services.printing import copy_templates

    files = copy_templates(folder, force)
    echo(f"Copied {len(files)} files to {folder}; print with them: "
         f"flowtui company set --template-dir {folder}")


def _show_profile(profile, as_json: bool) -> None:
    if as_json:
        emit_json({"name": profile.name, "currency": profile.currency, "timezone": profile.timezone,
                   "address": list(profile.address), "registration_no": profile.registration_no,
                   "sst_no": profile.sst_no, "tin": profile.tin, "phone": profile.phone, "email": profile.email,
                   "template_dir": profile.template_dir})
        return
    rows = [["Name", profile.name], ["Address", " / ".join(profile.address)],
            ["Registration No.", profile.registration_no], ["SST No.", profile.sst_no], ["TIN", profile.tin],
            ["Phone", profile.phone], ["E-mail", profile.email], ["Currency", profile.currency],
            ["Time zone", profile.timezone], ["Templates", profile.template_dir or "(packaged)"]]
    table(["FIELD", "VALUE"], rows)


def register(cli: click.Group) -> None:
    """Add ``invoice pdf`` and ``digest pdf`` to their groups, and the ``company`` group. Idempotent."""
    for group, command in (("invoice", invoice_pdf), ("digest", digest_pdf)):
        parent = cli.commands[group]
        assert isinstance(parent, click.Group), f"the `{group}` group is registered first"
        parent.add_command(command)
    cli.add_command(company)
