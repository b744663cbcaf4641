"""What posting a selection will do (told before) and did (told after), in the words an operator counts in.

Before: :class:`PostPreview` sorts a selection by what posting will do with each digest, by the
same rule posting applies (:func:`kind_of`). After: :class:`PostSummary` counts the documents
*created* (posted and adjusted days, never the documents of a day posted before), lists what was
already posted and what was not ready apart, and groups the refusals by their cause
(:func:`cause_of`), so that 190 digests refused for one unmapped store are told once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flowtui.engine.core.statuses import DigestStatus, PostStatus
from flowtui.engine.storage.digest_listing import ELSEWHERE, MAPPINGS, OPEN_DAY, RULES, SOURCE, WAIT

__all__ = ["ALREADY_POSTED", "BLOCKED", "ELSEWHERE", "MAPPINGS", "OPEN", "SOURCE", "TO_POST", "WAIT", "Cause",
           "PostPreview", "PostSummary", "RefusalGroup", "cause_of", "group_refusals", "kind_of"]

#: What posting does with a digest, by its status (every other status is refused, saying why).
TO_POST, ALREADY_POSTED, OPEN, BLOCKED = "to_post", "already_posted", "open", "blocked"
_KINDS = {DigestStatus.READY: TO_POST, DigestStatus.CHANGED: TO_POST, DigestStatus.POSTED: ALREADY_POSTED,
          DigestStatus.OPEN: OPEN}

#: Why a removed stream's days are refused (see :meth:`LedgerService.post`).
REMOVED_STREAM = "stream archived: {stream!r} was removed on {day} and its days are no longer posted"
_REMOVED = re.compile(r"stream archived: (?P<stream>'.*'|\".*\") was removed")
_COMMAND = re.compile(r"\s*\((?:see |with |set one with )?`?flowtui [^)]*\)\.?$|;? ?(?:see|with) `flowtui [^`]*`\.?")


def kind_of(status: str) -> str:
    """What posting does with a digest of this status: posts it, finds it posted already, waits for its day to
    end, or refuses it (it needs attention)."""
    return _KINDS.get(DigestStatus(status), BLOCKED)


@dataclass(frozen=True)
class PostPreview:
    """The digests of a selection by what posting them will do (ids, in the selection's order)."""

    to_post: tuple[int, ...] = ()  # ready, or posted and changed since (the difference posts)
    already_posted: tuple[int, ...] = ()  # nothing to do
    open: tuple[int, ...] = ()  # the business day is not over yet
    blocked: tuple[int, ...] = ()  # needs attention, or its stream was removed: refused, saying why

    @classmethod
    def of(cls, kinds: Iterable[tuple[int, str]]) -> PostPreview:
        """From (digest id, kind) pairs."""
        by_kind: dict[str, list[int]] = {TO_POST: [], ALREADY_POSTED: [], OPEN: [], BLOCKED: []}
        for digest_id, kind in kinds:
            by_kind[kind].append(digest_id)
        return cls(*(tuple(by_kind[k]) for k in (TO_POST, ALREADY_POSTED, OPEN, BLOCKED)))

    @property
    def not_ready(self) -> tuple[int, ...]:
        return self.open + self.blocked


@dataclass(frozen=True)
class Cause:
    """Why a digest was refused, in short (``store S19 has no location``), and where that is fixed (one of
    :data:`flowtui.engine.storage.digest_listing.FIXES`)."""

    what: str
    fix: str


def cause_of(reason: str) -> Cause:
    """The cause a refusal's reason states, read back by the rule that wrote it."""
    for rule in RULES:
        found = re.match(rule.reads, reason)
        if found:
            return Cause(rule.says.format(**found.groupdict()), rule.fix)
    if reason == OPEN_DAY:
        return Cause("the business day is not over yet", WAIT)
    if found := _REMOVED.match(reason):
        return Cause(f"stream {found['stream'][1:-1]} was removed", ELSEWHERE)
    return Cause(_COMMAND.sub("", reason), ELSEWHERE)


@dataclass(frozen=True)
class RefusalGroup:
    """Digests of one stream refused for one cause."""

    stream: str
    cause: Cause
    digests: tuple[str, ...]  # their labels


@dataclass(frozen=True)
class PostSummary:
    """What posting did, counted: documents created, days already posted, days not ready (grouped by cause)."""

    created: list = field(default_factory=list)  # PostOutcome: posted, or a change posted
    already_posted: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)  # changed, but every line nets to zero
    not_ready: list = field(default_factory=list)  # refused
    groups: list[RefusalGroup] = field(default_factory=list)  # the refusals by stream and cause, most first
    selected: int = 0

    @property
    def documents(self) -> int:
        return sum(len(o.documents) for o in self.created)

    @classmethod
    def of(cls, outcomes: list) -> PostSummary:
        by_status: dict[str, list] = {status: [] for status in PostStatus}
        for outcome in outcomes:
            by_status[outcome.status].append(outcome)
        refused = by_status[PostStatus.REFUSED]
        return cls(created=by_status[PostStatus.POSTED] + by_status[PostStatus.ADJUSTED],
                   already_posted=by_status[PostStatus.ALREADY_POSTED], unchanged=by_status[PostStatus.UNCHANGED],
                   not_ready=refused, groups=group_refusals(refused), selected=len(outcomes))


def group_refusals(refused: list) -> list[RefusalGroup]:
    """Refused outcomes by (stream, cause): a digest refused for two causes is in both groups."""
    groups: dict[tuple[str, Cause], list[str]] = {}
    for outcome in refused:
        stream = outcome.stream or outcome.label.split(" / ")[0]
        for cause in dict.fromkeys(cause_of(reason) for reason in outcome.reasons or ["refused"]):
            groups.setdefault((stream, cause), []).append(outcome.label)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))  # (stable: first seen first among equals)
    return [RefusalGroup(stream, cause, tuple(labels)) for (stream, cause), labels in ordered]
