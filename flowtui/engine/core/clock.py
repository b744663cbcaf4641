"""The one place that asks what time it is, and the one way an instant is written for people.

``FLOWTUI_NOW`` (an ISO 8601 instant, e.g. ``2026-10-31T16:30:00Z``) freezes the
clock for tests, demos and snapshot screenshots.

Machines get ISO 8601 UTC (:func:`iso_utc`: JSON, exports). People get the local time of the place it happened,
labelled with its zone (:func:`local_stamp`: ``2026-10-01 10:03 UTC+8``) — in the console and the command line's
tables alike: an order's or an invoice's time in its location's zone, a stream's last sync in the books' zone.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    frozen = os.environ.get("FLOWTUI_NOW")
    if frozen:
        value = datetime.fromisoformat(frozen.replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return datetime.now(UTC)


def today_in(tz: str) -> date:
    """The calendar date right now in the IANA time zone ``tz``."""
    return now().astimezone(ZoneInfo(tz)).date()


def zone_label(tz: str, at: datetime) -> str:
    """What zone ``tz`` is called at instant ``at``: its abbreviation where it has a word for one (``CET``,
    ``WIB``), else its offset from UTC (``UTC+8``, ``UTC+5:30``, ``UTC``) — tzdata writes Malaysia's as ``+08``."""
    local = at.astimezone(ZoneInfo(tz))
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def local_stamp(value: datetime | None, tz: str, *, day: bool = True) -> str:
    """An instant as people read it where ``tz`` is, labelled: ``2026-10-01 10:03 UTC+8`` (``day=False``:
    ``10:03 UTC+8``, for times within one known day); ``None`` -> ``""``."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d %H:%M} {zone_label(tz, local)}" if day else f"{local:%H:%M} {zone_label(tz, local)}"


def local_column(values: list[datetime | None], tz: str, *, day: bool = True) -> tuple[str, list[str]]:
    """A table column of instants where ``tz`` is: the zone's label for its header (``UTC+8``) and each cell
    without it (``2026-10-01 10:03``; ``day=False``: ``10:03``), but for a cell in another part of the year's
    zone than the first (across a daylight-saving change: ``02:30 CET`` under ``CEST``). ``None`` -> ``""``."""
    first = next((v for v in values if v is not None), None)
    label = zone_label(tz, first if first is not None else now())
    cells = []
    for value in values:
        stamp = local_stamp(value, tz, day=day)
        cells.append(stamp.removesuffix(f" {label}"))
    return label, cells


def iso_utc(value: datetime) -> str:
    """An instant as ISO 8601 UTC with a ``Z`` suffix, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
