"""The one place that asks what time it is.

``FLOWTUI_NOW`` (an ISO 8601 instant, e.g. ``2026-10-31T16:30:00Z``) freezes the
clock for tests, demos and snapshot screenshots.
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


def iso_utc(value: datetime) -> str:
    """An instant as ISO 8601 UTC with a ``Z`` suffix, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
