"""Shared click parameter types and options."""

from __future__ import annotations

from datetime import date

import click


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date) or value is None:
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD (e.g. 2026-10-31).", param, ctx)


DATE = DateParam()

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
