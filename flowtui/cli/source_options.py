"""The flags of `stream add` / `stream set` that sources declare: one click option per declared option.

An option several sources declare (``location``, say) is one flag whose help names each of them. A secret
option becomes two flags: ``--api-key -`` (asked for at a hidden prompt, or read from standard input) and
``--api-key-env VARIABLE``.
"""

from __future__ import annotations

import sys

import click

from flowtui.cli.output import echo
from flowtui.connectors.registry import Option, Provider, providers


def _declared() -> dict[str, list[tuple[Provider, Option]]]:
    """Each option name, with the providers declaring it (in listing order)."""
    found: dict[str, list[tuple[Provider, Option]]] = {}
    for declared in providers().values():
        for option in declared.options:
            found.setdefault(option.name, []).append((declared, option))
    return found


def _help(declaring: list[tuple[Provider, Option]], text=lambda option: option.help) -> str:
    return " ".join(f"{declared.name} streams: {text(option)}" for declared, option in declaring)


def _click_options(declaring: list[tuple[Provider, Option]]) -> list:
    option = declaring[0][1]
    if option.secret:
        return [
            click.option(option.flag, metavar="-", help=_help(declaring)),
            click.option(f"{option.flag}-env", metavar="VARIABLE",
                         help=_help(declaring, lambda o: f"read the {o.label} from this variable.")),
        ]
    choices = sorted({choice for _, o in declaring for choice in o.choices})
    kind = click.Choice(choices) if choices and all(o.choices for _, o in declaring) else (
        click.Path() if option.kind == "path" else None)
    return [click.option(option.flag, type=kind, help=_help(declaring))]


def source_options(func):
    """Add every declared source option to a command (``stream add``, ``stream set``)."""
    options = [made for declaring in _declared().values() for made in _click_options(declaring)]
    for option in reversed(options):
        func = option(func)
    return func


def given_options(kw: dict) -> dict:
    """The declared options given on the command line; a secret given as ``-`` is asked for or read from stdin."""
    options = {}
    for declaring in _declared().values():
        option = declaring[0][1]
        if kw.get(option.name) is not None:
            options[option.name] = _secret(kw[option.name], option) if option.secret else kw[option.name]
        if option.secret and kw.get(option.env_name) is not None:
            options[option.env_name] = kw[option.env_name]
    return options


def _secret(given: str, option: Option) -> str:
    """``--api-key -``: asked for at a terminal (not echoed), else the first line of standard input.

    A secret written on the command line still works, with a warning: every user of the machine can see
    it in the process list while the command runs, and it stays in the shell's history.
    """
    if given != "-":
        echo(f"warning: a key given as {option.flag} KEY shows in the process list and stays in your shell "
             f"history; use {option.flag} - (asked for, or piped in) or {option.flag}-env VARIABLE.", err=True)
        return given
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(option.label, hide_input=True, err=True)
    value = stdin.readline().strip()
    if not value:
        raise click.BadParameter("`-` reads the key from standard input, and it was empty.", param_hint=option.flag)
    return value
