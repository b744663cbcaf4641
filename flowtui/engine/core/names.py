"""Names people type: streams, locations, contacts.

A typed name matches its stored name whatever the case (``kl sentral`` finds
``KL Sentral``), and one that matches nothing is an error that suggests the
nearest names. Two names that differ only by case cannot both be created, so a
typed name means one thing.
"""

from __future__ import annotations

import difflib
import re

from flowtui.engine.core.errors import InvalidInput, NotFound

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str | None) -> tuple:
    """How names sort for people: ``Outlet 2`` before ``Outlet 10``, without regard to case; None last.

    Runs of digits compare as numbers, the rest as text without case (``natural_key("Outlet 10")`` is
    ``(0, ("outlet ", 10, ""), "Outlet 10")``), so ``sorted(names, key=natural_key)`` is the order every listing of
    stores and locations uses.
    """
    if name is None:
        return (1, ())
    parts = _DIGITS.split(name.casefold())
    return (0, tuple(int(part) if i % 2 else part for i, part in enumerate(parts)), name)


def nearest(typed: str, names: list[str], n: int = 3) -> list[str]:
    """The stored names closest to ``typed`` (compared without case), best first."""
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(name.casefold(), name)
    return [by_folded[m] for m in difflib.get_close_matches(typed.strip().casefold(), list(by_folded), n=n, cutoff=0.6)]


def did_you_mean(typed: str, names: list[str]) -> str:
    """`` Did you mean 'KL Sentral'?`` (with a leading space), or nothing when no name is near."""
    close = nearest(typed, names)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def resolve(typed: str, names: list[str], what: str, hint: str) -> str:
    """The stored name ``typed`` means: itself, else the one name equal to it without case.

    ``what`` names the kind of thing ("stream"), ``hint`` the command that lists them.
    """
    typed = typed.strip()
    if typed in names:
        return typed
    same = [n for n in names if n.casefold() == typed.casefold()]
    if len(same) == 1:
        return same[0]
    if same:
        raise InvalidInput(f"{typed!r} could be the {what} " + " or ".join(repr(n) for n in same)
                           + "; type the name exactly.")
    raise NotFound(f"No {what} named {typed!r}.{did_you_mean(typed, names)} See {hint}.")


def taken(typed: str, names: list[str]) -> str | None:
    """The stored name a new one would clash with: the same name, also in another case."""
    return next((n for n in names if n.casefold() == typed.strip().casefold()), None)


def also_as(typed: str, stored: str) -> str:
    """`` (as 'KL Sentral')`` when a clash differs only by case, so the message shows which."""
    return "" if typed.strip() == stored else f" (as {stored!r}; names that differ only by case are the same name)"
