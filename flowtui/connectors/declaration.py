"""What a source declares about itself, once.

A source package builds one :class:`Provider` and names it in the entry point group ``flowtui.providers``
(docs/connectors.md). Everything else is derived from it: the flags of ``flowtui stream add`` / ``stream
set`` and the fields of the console's Connect screen come from its :class:`Option` list, the secrets it
keeps from the options marked ``secret``, the window a sync asks it for from its :class:`Cursor`.
Nothing here imports click or Textual: the CLI and the console each turn the same declaration into their
own widgets.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flowtui.connectors.base import SourceError

if TYPE_CHECKING:
    from flowtui.connectors.base import Connector

#: what an option's value is, for the CLI's type and the form's widget
KINDS = ("text", "path", "url", "location")
#: names a source's options may not take: the CLI's own flags and the stream settings
RESERVED = frozenset({"name", "provider", "force", "start_date", "auto_sync", "auto_invoice", "grouping",
                      "store_name", "lookback_days", "json", "help"})
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class ProviderConfigError(SourceError):
    """Options given for a provider are missing or wrong; the message says which."""


class Cursor(Enum):
    """How a sync knows what to ask a source for next."""

    #: business dates: from the stream's cursor minus its lookback days (its start date at first) to yesterday
    WINDOW = "window"
    #: orders changed since the last sync (minus the lookback days), whatever their business date
    UPDATED_SINCE = "updated_since"
    #: no cursor: every sync reads all the source holds from the start date on (files)
    NONE = "none"


@dataclass(frozen=True)
class SourceKey:
    """What a stream reads, to tell when two streams would read the same orders (and post them twice).

    ``parts`` go from the widest to the narrowest (provider, service, account; or provider and the path's
    parts): two streams overlap when one's parts begin with the other's (the same account, or a file in a
    folder another stream reads). ``description`` says it for people.
    """

    parts: tuple[str, ...]
    description: str

    def overlaps(self, other: SourceKey) -> bool:
        shorter = min(len(self.parts), len(other.parts))
        return self.parts[:shorter] == other.parts[:shorter]


@dataclass(frozen=True)
class Option:
    """One setting of a source: a CLI flag of ``stream add`` / ``stream set`` and a field of the Connect screen.

    ``name`` is the key in the stream's config (``base_url``: flag ``--base-url``, field ``base-url``).
    ``help`` is the flag's help (the CLI puts ``<provider> streams:`` before it). A ``secret`` option is
    never stored in the database: it is kept in the secrets file (or read from a variable named with
    ``--<name>-env``) and handed to ``connect`` apart; its field is masked. ``default`` fills a value not
    given (and the form's field); ``choices`` limits the values. ``kind`` is ``text``, ``path``, ``url``
    (http:// or https://) or ``location`` (one of the books' locations: a pick list on the form).
    ``missing`` is what the form says when a required field is left empty.
    """

    name: str
    label: str
    help: str
    required: bool = False
    secret: bool = False
    default: str | None = None
    choices: tuple[str, ...] = ()
    kind: str = "text"
    placeholder: str = ""
    missing: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env_name(self) -> str:
        """The option naming the variable a secret is read from (``api_key_env``: ``--api-key-env VARIABLE``)."""
        return f"{self.name}_env"

    @property
    def field_id(self) -> str:
        return self.name.replace("_", "-")

    def problems(self) -> list[str]:
        found = []
        if not NAME.match(self.name) or self.name in RESERVED or self.name.endswith("_env"):
            found.append(f"option name {self.name!r} is not allowed (lower-case letters, digits and _, not ending in "
                         f"_env, none of {', '.join(sorted(RESERVED))})")
        if self.kind not in KINDS:
            found.append(f"option {self.name!r} has kind {self.kind!r}; kinds are {', '.join(KINDS)}")
        if self.secret and (self.choices or self.kind != "text"):
            found.append(f"secret option {self.name!r} can have neither choices nor a kind")
        return found


def _nothing(_config: dict) -> None:
    return None


def _no_warnings(_config: dict) -> list[str]:
    return []


@dataclass(frozen=True)
class Provider:
    """A source, declared once (see docs/connectors.md)."""

    name: str
    label: str
    #: builds a connector from the stored config and the secrets, by option name (resolved; None when unset)
    connect: Callable[[dict, Mapping[str, str | None]], Connector]
    #: the flags and form fields, in the order they are shown
    options: tuple[Option, ...] = ()
    #: turns the options given into the stored config (secrets arrive as references); raises
    #: ProviderConfigError naming the fix. None: :func:`configure_declared` (defaults, required, choices, urls)
    configure: Callable[[dict], dict] | None = None
    cursor: Cursor = Cursor.WINDOW
    #: (store id, location name) to map when the stream is created, for sources with one fixed store
    fixed_store: Callable[[dict], tuple[str, str] | None] = _nothing
    #: post ready digests after each sync unless told otherwise (a till's close is its review)
    auto_invoice: bool = False
    #: what the stored config reads (None: nothing another stream could read too, like a till)
    source: Callable[[dict], SourceKey | None] = _nothing
    #: what is risky about a stored config, said to the operator when the stream is added or changed
    warnings: Callable[[dict], list[str]] = _no_warnings
    #: its sales are rung up in flowtui's own till (the Streams screen's p opens it)
    till: bool = False
    #: the Connect screen tests the details (and lists the source's stores) before creating the stream
    probe: bool = True
    #: the Connect screen asks for the first business date to sync
    asks_start_date: bool = True
    #: a line shown under the source's fields on the Connect screen
    hint: str = ""
    #: what to do after `stream add`; ``{name}`` is the stream's name, quoted
    next_step: str = "`flowtui sync {name}`"
    #: where it is listed (lower first, then by name); the Connect screen offers the first. flowtui's own: 10-30
    order: int = 100

    def stored_config(self, options: dict) -> dict:
        """The config kept with the stream for ``options``: the source's own ``configure``, else the declared checks."""
        if self.configure is not None:
            return self.configure(options)
        return configure_declared(self, options)

    @property
    def secrets(self) -> tuple[Option, ...]:
        return tuple(option for option in self.options if option.secret)

    @property
    def needs_secret(self) -> bool:
        return bool(self.secrets)

    def problems(self) -> list[str]:
        """What is wrong with the declaration itself (empty when it is sound)."""
        found = [] if NAME.match(self.name) else [f"provider name {self.name!r} is not lower-case letters, digits, _"]
        if not self.label.strip():
            found.append("it has no label")
        names = [option.name for option in self.options]
        found += [f"option {name!r} is declared twice" for name in sorted({n for n in names if names.count(n) > 1})]
        for option in self.options:
            found += option.problems()
        if not isinstance(self.cursor, Cursor):
            found.append(f"cursor {self.cursor!r} is not a Cursor")
        return found


def configure_declared(provider: Provider, options: dict) -> dict:
    """The stored config from the declared options alone: defaults filled, required ones and choices checked."""
    config: dict = {}
    for option in provider.options:
        value = options.get(option.name)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            value = option.default
        if value is None:
            if option.required:
                raise ProviderConfigError(_missing(provider, option))
            continue
        if option.choices and value not in option.choices:
            raise ProviderConfigError(f"{option.flag} must be one of {', '.join(option.choices)}, not {value!r}.")
        if option.kind == "url" and not str(value).startswith(("http://", "https://")):
            raise ProviderConfigError(f"{option.flag} must start with http:// or https://, not {value!r}.")
        config[option.name] = value
    return config


def _missing(provider: Provider, option: Option) -> str:
    if option.secret:
        return (f"A {provider.label} stream needs its {option.label}: {option.flag} - (asked for, or read from "
                f"standard input) or {option.flag}-env VARIABLE.")
    return f"A {provider.label} stream needs {option.flag} ({option.help.rstrip('.')})."


def plain_http_warning(base_url: str | None, secret: str | None, what: str) -> list[str]:
    """A ``secret`` (``what``: "the API key") sent over plain http:// to another machine can be read by anyone on
    the way: the warning to show, or none (https, or plain http to this machine)."""
    parts = urlsplit(base_url or "")
    if not secret or parts.scheme.lower() != "http" or _loopback(parts.hostname or ""):
        return []
    return [f"{what} would travel unencrypted over plain http:// to {parts.hostname}: anyone on the way can read "
            "it. Use an https:// address (plain http:// is only safe to this machine: 127.0.0.1, localhost)."]


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
