"""rejections, rejections dismiss: input a sync could not land, until corrected or dismissed."""

from __future__ import annotations

import click

from flowtui.cli.context import pass_context
from flowtui.cli.output import day, echo, emit_json, instant, table
from flowtui.cli.params import json_option


def _json(r) -> dict:
    return {
        "id": r.id, "stream": r.stream, "ref": r.ref, "file": r.file, "lines": r.lines, "order_id": r.order_id,
        "pos_store_id": r.pos_store_id, "business_date": day(r.business_date), "scope_from": day(r.scope_from),
        "scope_to": day(r.scope_to), "days": r.days, "errors": list(r.errors),
        "first_seen_at": instant(r.first_seen_at), "status": r.state, "resolved_at": instant(r.resolved_at),
        "dismissed_by": r.dismissed_by, "dismiss_reason": r.dismiss_reason, "fix": None if not r.open else r.fix(),
    }


def _state(r) -> str:
    if r.dismissed_by:
        return f"dismissed by {r.dismissed_by} {instant(r.resolved_at)}: {r.dismiss_reason}"
    return r.state if r.open else f"{r.state} {instant(r.resolved_at)}"


@click.group(invoke_without_command=True)
@click.option("--stream", help="Only this stream.")
@click.option("--all", "everything", is_flag=True, help="Also those corrected, fixed or dismissed.")
@json_option
@click.pass_context
def rejections(click_ctx, stream, everything, as_json):
    """List what syncs could not land: rejected orders, lines and files that could not be read.

    An open rejection holds the days it may belong to (they need attention,
    even when posted) and fails `flowtui reconcile` until it is corrected at
    the source and synced, or dismissed with `rejections dismiss ID --reason TEXT`.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    rows = click_ctx.obj.flow.rejections(stream, everything)
    if as_json:
        emit_json([_json(r) for r in rows])
        return
    headers = ["ID", "STREAM", "WHERE", "ORDER", "STORE", "DAY(S)", "WHAT IS WRONG", "FIRST SEEN"]
    table(headers + (["STATE"] if everything else []),
          [[r.id, r.stream, r.ref, r.order_id or "", r.pos_store_id or "", r.days, "; ".join(r.errors),
            instant(r.first_seen_at)] + ([_state(r)] if everything else []) for r in rows], right={0})
    still_open = [r for r in rows if r.open]
    if still_open:
        echo(f"{len(still_open)} open: fix them at the source and sync again, or dismiss one on the record "
             "with `flowtui rejections dismiss ID --reason TEXT`.")


@rejections.command("dismiss")
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...")
@click.option("--reason", required=True, help="Why it can be left out of the books (kept with it for good).")
@json_option
@pass_context
def rejections_dismiss(ctx, ids, reason, as_json):
    """Dismiss open rejections on the record: their days are no longer held for them.

    Who, when and why are kept with each rejection; it is never deleted.
    """
    dismissed = ctx.flow.dismiss_rejections(list(ids), reason)
    if as_json:
        emit_json([_json(r) for r in dismissed])
        return
    for r in dismissed:
        echo(f"Dismissed rejection {r.id} ({r.ref}" + (f", order {r.order_id}" if r.order_id else "")
             + f") by {r.dismissed_by}: {r.dismiss_reason}")


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(rejections)
