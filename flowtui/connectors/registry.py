"""The providers flowtui knows: found through the entry point group ``flowtui.providers``, flowtui's own included.

Each entry point names a :class:`~flowtui.connectors.declaration.Provider` (``package.module:PROVIDER``).
This module only discovers and checks them: a plug-in that cannot be loaded or declares itself wrongly is
skipped and reported (:func:`skipped`), never allowed to break flowtui. Nothing here knows a source by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from flowtui.connectors.declaration import Cursor, Option, Provider, ProviderConfigError, SourceKey

__all__ = ["GROUP", "Cursor", "Option", "Provider", "ProviderConfigError", "SourceKey", "has_till", "provider",
           "providers", "skipped"]

GROUP = "flowtui.providers"


@dataclass(frozen=True)
class _Found:
    providers: dict[str, Provider]
    skipped: list[str]


def _ordered(found: list[EntryPoint]) -> list[EntryPoint]:
    """flowtui's own first (a plug-in cannot take their names), then the others by name."""
    own = [ep for ep in found if ep.dist is not None and ep.dist.name == "flowtui"]
    others = sorted((ep for ep in found if ep not in own), key=lambda ep: (ep.name, ep.value))
    return own + others


@cache
def _discover() -> _Found:
    known: dict[str, Provider] = {}
    skipped: list[str] = []
    for ep in _ordered(list(entry_points(group=GROUP))):
        where = f"{ep.name} ({ep.value})"
        try:
            declared = ep.load()
        except Exception as exc:  # a broken plug-in must not break flowtui: any failure to import it
            skipped.append(f"source plug-in {where} was skipped: it failed to load: {type(exc).__name__}: {exc}")
            continue
        problems = _problems(ep, declared, known)
        if problems:
            skipped.append(f"source plug-in {where} was skipped: {'; '.join(problems)}.")
            continue
        known[declared.name] = declared
    listed = sorted(known.values(), key=lambda declared: (declared.order, declared.name))
    return _Found({declared.name: declared for declared in listed}, skipped)


def _problems(ep: EntryPoint, declared: object, known: dict[str, Provider]) -> list[str]:
    if not isinstance(declared, Provider):
        return [f"it names a {type(declared).__name__}, not a flowtui.connectors.declaration.Provider"]
    problems = declared.problems()
    if declared.name != ep.name:
        problems.append(f"the entry point is called {ep.name!r} but the provider {declared.name!r}")
    if declared.name in known:
        problems.append(f"a provider called {declared.name!r} is already installed")
    shared = {option.name: option for other in known.values() for option in other.options}
    for option in declared.options:
        twin = shared.get(option.name)
        if twin is not None and (twin.secret, twin.kind) != (option.secret, option.kind):
            problems.append(f"option {option.name!r} is declared by another provider as a different kind of value")
    return problems


def providers() -> dict[str, Provider]:
    """Every provider that loaded, in the order they are listed (``Provider.order``, then name)."""
    return _discover().providers


def skipped() -> list[str]:
    """One line per plug-in that was skipped, saying which and why."""
    return _discover().skipped


def rediscover() -> None:
    """Forget what was found (after installing a plug-in in the same process; tests)."""
    _discover.cache_clear()


def provider(name: str) -> Provider:
    try:
        return providers()[name]
    except KeyError:
        known = ", ".join(sorted(providers()))
        raise ProviderConfigError(f"Unknown provider {name!r}; available: {known}.") from None


def has_till(name: str) -> bool:
    """Streams of provider ``name`` have their sales rung up in flowtui's own till (an uninstalled one has none)."""
    declared = providers().get(name)
    return declared is not None and declared.till
