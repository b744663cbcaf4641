"""flowtui schedule install / show / remove: a thin face over :mod:`flowtui.engine.schedule`."""

from __future__ import annotations

import click

from flowtui.cli.output import emit_json
from flowtui.engine import schedule as nightly

LOCAL_TIME = "Cron runs it at this machine's local time."


def register(cli: click.Group) -> None:
    from flowtui.cli import pass_context

    @cli.group()
    def schedule():
        """Run `flowtui sync` every night for this database (user crontab, or a systemd timer)."""

    @schedule.command("install")
    @click.option("--at", "at", default=nightly.DEFAULT_AT, show_default=True, metavar="HH:MM",
                  help="Time of day to sync (the machine's local time).")
    @click.option("--systemd", is_flag=True, help="Print systemd user units (and how to install them) instead.")
    @pass_context
    def schedule_install(ctx, at, systemd):
        """Put the nightly sync of the database in your crontab (replacing an earlier one)."""
        db = nightly.database_path(ctx.db_path)
        if systemd:
            units = nightly.systemd_units(db, at)
            for name, text in units.items():
                click.echo(f"# ~/.config/systemd/user/{name}\n{text}")
            click.echo("# then run:\nsystemctl --user daemon-reload\n"
                       f"systemctl --user enable --now {nightly.TIMER}")
            click.echo("# (systemd timers run at this machine's local time.)")
            return
        new, previous = nightly.install(db, at)
        verb = "Replaced the nightly sync" if previous else "Scheduled a nightly sync"
        click.echo(f"{verb} of {db} at {new.at} every day; output goes to {nightly.log_path(db)}.")
        click.echo(LOCAL_TIME)
        click.echo(f"crontab: {new.line}")
        if not db.exists():
            click.echo(f"note: there is no database at {db} yet; `flowtui init` creates it.", err=True)

    @schedule.command("show")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @pass_context
    def schedule_show(ctx, as_json):
        """Show the nightly sync of the database, if one is scheduled."""
        db = nightly.database_path(ctx.db_path)
        found = nightly.show(db)
        if as_json:
            emit_json({"scheduled": found is not None, "at": found and found.at, "command": found and found.command,
                       "database": str(db), "line": found and found.line})
        elif found is None:
            click.echo(f"No nightly sync is scheduled for {db}.")
        else:
            when = f"at {found.at} every day" if found.at else "on a custom schedule"
            click.echo(f"The nightly sync of {db} runs {when}. {LOCAL_TIME if found.at else ''}".rstrip())
            click.echo(f"crontab: {found.line}")

    @schedule.command("remove")
    @pass_context
    def schedule_remove(ctx):
        """Take the nightly sync of the database out of your crontab."""
        db = nightly.database_path(ctx.db_path)
        removed = nightly.remove(db)
        click.echo(f"Removed the nightly sync of {db}." if removed else f"No nightly sync was scheduled for {db}.")
