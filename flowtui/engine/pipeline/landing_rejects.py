"""Landing's rejections: the orders of a batch that did not land, recorded with every reason in the
user's words, and the earlier rejections an order that now lands cleanly resolves."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flowtui.engine.core.formats import plain
from flowtui.engine.pipeline.landing_sql import (
    EXPLAIN_SQL,
    EXPLAIN_TYPED_SQL,
    OPEN_REJECTIONS_SQL,
    REJECTED_SQL,
    REJECTED_TYPED_SQL,
    RESOLVE_CORRECTED_SQL,
    RESOLVED_DIRTY_DAYS_SQL,
    RESOLVED_SQL,
)
from flowtui.engine.pipeline.rejections import record, source_file
from flowtui.engine.storage.rows import rows, the


@dataclass(frozen=True)
class Rejection:
    """An order that did not land, with every reason."""

    ref: str
    order_id: str | None
    errors: tuple[str, ...]

    def describe(self) -> str:
        if self.order_id:
            return f"{self.ref}: order {self.order_id} rejected: " + "; ".join(self.errors)
        if source_file(self.ref) == self.ref:
            return f"{self.ref}: file could not be read: " + "; ".join(self.errors)
        return f"{self.ref}: entry rejected: " + "; ".join(self.errors)


def record_rejections(con, stream_id, window, default_tz, sync_run_id, now, prepared) -> list[Rejection]:
    rejected = rows(
        con, REJECTED_TYPED_SQL if prepared.typed else REJECTED_SQL,
        {"stream": stream_id, "default_tz": default_tz, "source": prepared.source or "input",
         "first_line": prepared.first_line},
    )
    if not rejected:
        return []
    explained: dict[int, list[str]] = {}
    for e in rows(con, EXPLAIN_TYPED_SQL if prepared.typed else EXPLAIN_SQL):
        value = _plain(e["value"]) if e["read"] else e["value"]
        explained.setdefault(e["seq"], []).append(_explain(e["path"], e["msg"], e["found"], value))
    rejections: list[Rejection] = []
    records = []
    for r in rejected:
        ref, order_id, bd, pre_error, json_kind = r["ref"], r["id"], r["bd"], r["pre_error"], r["json_kind"]
        if bd is not None and not window.contains(bd):
            continue
        if pre_error:
            errors = [pre_error]
        elif not r["valid_json"]:
            errors = ["not valid JSON"]
        elif json_kind != "OBJECT":
            errors = [f"not a JSON object (got {str(json_kind).lower()})"]
        else:
            errors = explained.get(r["seq"], ["rejected"])
        order_id = order_id if order_id and order_id.strip() else None
        rejection = Rejection(ref=ref, order_id=order_id, errors=tuple(errors))
        rejections.append(rejection)
        key = order_id or f"entry:{ref}"  # an entry with no id is known by where it is
        records.append((stream_id, sync_run_id, key, order_id, r["store_id"], bd, ref, errors, r["h"], r["body"], now))
    if records:
        record(con, records)
    return rejections


def resolve_rejections(con, stream_id, now) -> None:
    """An order that now lands cleanly resolves its earlier rejection."""
    open_count = the(con, OPEN_REJECTIONS_SQL, [stream_id])["n"]
    if not open_count:
        return
    con.execute(RESOLVED_SQL, {"stream": stream_id})
    con.execute(RESOLVED_DIRTY_DAYS_SQL, {"stream": stream_id})
    con.execute(RESOLVE_CORRECTED_SQL, {"now": now})


def _explain(path: str | None, message: str, exists: bool | None, value: str | None) -> str:
    if path is None:
        return message
    label = _label(path)
    if not exists or value is None:
        return f"{label}: missing"
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"{label}: {json.dumps(shown, ensure_ascii=False)} {message}"


def _plain(value: str | None) -> str | None:
    """A number the source read, as a person writes it: ``-2.000000`` -> ``-2``, ``12.500000`` -> ``12.5``."""
    return plain(value) if value is not None and _DECIMAL.fullmatch(value) else value


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _label(path: str) -> str:
    """``$.lines[1].quantity`` -> ``line 2 quantity``; ``$.total`` -> ``total``."""
    body = path.removeprefix("$.")
    for collection, noun in (("lines", "line"), ("payments", "payment")):
        prefix = f"{collection}["
        if body.startswith(prefix):
            index, _, rest = body[len(prefix):].partition("].")
            return f"{noun} {int(index) + 1} {rest}"
    return body
