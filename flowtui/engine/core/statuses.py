"""Every status the books store, as enums whose values are the stored text.

They are :class:`enum.StrEnum`: a member *is* its text (``OrderStatus.VOIDED == "voided"``), so the database,
the JSON the CLI prints and the canonical orders read exactly as before, and code compares against a name
that a typo cannot silently miss.
"""

from __future__ import annotations

from enum import StrEnum


def values(kind: type[StrEnum]) -> tuple[str, ...]:
    """An enum's stored texts as plain strings (for click choices, SQL lists and messages: ``click.Choice``
    would show an enum member by its name, ``NEEDS_ATTENTION``)."""
    return tuple(member.value for member in kind)


class OrderType(StrEnum):
    """A canonical order's ``type``."""

    SALE = "sale"
    RETURN = "return"


class OrderStatus(StrEnum):
    """A canonical order's ``status``."""

    COMPLETED = "completed"
    VOIDED = "voided"


class DigestStatus(StrEnum):
    """Where a digest stands (worked out when it is read; see ``flowtui digests``)."""

    OPEN = "open"  # its day is not over (nor closed at the till)
    READY = "ready"  # can be posted
    NEEDS_ATTENTION = "needs_attention"  # something must be mapped or fixed first
    POSTED = "posted"  # posted as it is
    CHANGED = "changed"  # posted, and the source changed since: the difference posts next


class DocumentStatus(StrEnum):
    POSTED = "posted"
    REVERSED = "reversed"  # taken back by a reversal


class DocumentRole(StrEnum):
    """What a posted document is to its digest."""

    ORIGINAL = "original"  # the day's first posting
    ADJUSTMENT = "adjustment"  # the difference a changed day posted
    REVERSAL = "reversal"  # takes a posting back


class SyncStatus(StrEnum):
    """A sync run's (``sync_runs.status``) and a stream's sync outcome."""

    RUNNING = "running"
    OK = "ok"
    WARNING = "warning"  # synced, with warnings or rejected orders
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped on purpose (the operator, or the console closing): what landed stays
    INTERRUPTED = "interrupted"  # the process stopped mid-run (marked so by the next run)


class RejectionState(StrEnum):
    """A rejection is open until it ends in one of the other states (``order_rejections.resolution``)."""

    OPEN = "open"
    CORRECTED = "corrected"  # a valid version of the order landed
    FIXED = "fixed"  # its file was read again without it
    SUPERSEDED = "superseded"  # a newer version arrived, itself rejected
    DISMISSED = "dismissed"  # dismissed on the record


class PostStatus(StrEnum):
    """What posting a digest did."""

    POSTED = "posted"
    ADJUSTED = "adjusted"  # a change posted
    UNCHANGED = "unchanged"  # a change that nets to zero
    ALREADY_POSTED = "already_posted"
    REFUSED = "refused"
