"""flowtui schedule install / show / check / remove: a thin face over :mod:`flowtui.engine.services.schedule`."""

from __future__ import annotations

from pathlib import Path

import click

from flowtui.cli.context import pass_context
from flowtui.cli.output import echo, emit_json
from flowtui.engine.pipeline import nightly
from flowtui.engine.pipeline import schedule as cron

LOCAL_TIME = "Cron runs it at this machine's local time."


@click.group()
def schedule():
    """Run `flowtui sync` every night for this database (user crontab, or a systemd timer)."""


@schedule.command("install")
@click.option("--at", "at", default=cron.DEFAULT_AT, show_default=True, metavar="HH:MM",
              help="Time of day to sync (the machine's local time).")
@click.option("--env-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="VAR=value lines (chmod 600) the job reads first: API keys kept in variables.")
@click.option("--check", is_flag=True, help="Then run the sync once as cron would, and say how it went.")
@click.option("--systemd", is_flag=True, help="systemd user units (printed, or written with --write) instead.")
@click.option("--write", is_flag=True, help="With --systemd: write the units into ~/.config/systemd/user.")
@pass_context
def schedule_install(ctx, at, env_file, check, systemd, write):
    """Put the nightly sync of the database in your crontab (replacing an earlier one).

    The line names the flowtui program, the database and the config folder
    by absolute path, so it runs in cron's bare environment; it is refused
    when a stream's API key would not be found there.
    """
    if write and not systemd:
        raise click.UsageError("--write goes with --systemd (a crontab line is always written).")
    plan = ctx.schedule
    db, job = plan.db, plan.job(env_file)
    if systemd:
        _install_systemd(plan.install_systemd(at, write, env_file), write)
        command = job.shell()
    else:
        installed = plan.install(at, env_file)
        verb = "Replaced the nightly sync" if installed.previous else "Scheduled a nightly sync"
        echo(f"{verb} of {db} at {installed.schedule.at} every day; output goes to {job.log}.")
        echo(LOCAL_TIME)
        echo(_job_line(job))
        echo(f"crontab: {installed.schedule.line}")
        _notes(installed.readiness)
        command = installed.schedule.shell
    if check:
        _report(plan.check(command, installed=not systemd), plan.log)


@schedule.command("check")
@pass_context
def schedule_check(ctx):
    """Run the installed nightly sync once, as cron would run it (bare environment), and say how it went."""
    plan = ctx.schedule
    _report(plan.check_installed(), plan.log)


@schedule.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def schedule_show(ctx, as_json):
    """Show the nightly sync of the database, if one is scheduled."""
    plan = ctx.schedule
    db, state = plan.db, plan.status()
    found = state.installed
    job = found.job if found else plan.job()
    planned = None if found else plan.planned()
    if as_json:
        emit_json({"scheduled": found is not None, "at": found and found.at, "command": found and found.command,
                   "database": str(db), "line": found and found.line, "crontab": state.crontab,
                   "config_dir": job and str(job.config_dir), "env_file": job and job.env_file and str(job.env_file),
                   "log": str(plan.log), "planned": planned,
                   "systemd_units": [str(p) for p in state.units]})
        return
    if not state.crontab:
        echo(f"There is no {cron.crontab_command()!r} command on this machine, so no crontab runs a "
             f"nightly sync of {db}.")
        echo("`flowtui schedule install` needs one; `flowtui schedule install --systemd` makes a systemd "
             "timer instead. The line it would add:")
        echo(f"crontab: {planned}")
    elif found is None:
        echo(f"No nightly sync is scheduled for {db}.")
    else:
        when = f"at {found.at} every day" if found.at else "on a custom schedule"
        echo(f"The nightly sync of {db} runs {when}. {LOCAL_TIME if found.at else ''}".rstrip())
        if job is not None:
            echo(_job_line(job))
        echo(f"crontab: {found.line}")
    if state.units:
        echo(f"systemd units written for it: {', '.join(str(p) for p in state.units)}")


@schedule.command("remove")
@pass_context
def schedule_remove(ctx):
    """Take the nightly sync of the database out of your crontab."""
    plan = ctx.schedule
    db, state = plan.db, plan.remove()
    if not state.crontab:
        echo(f"There is no {cron.crontab_command()!r} command on this machine, so no crontab runs a "
             f"nightly sync of {db}: nothing to remove. (A systemd timer is made with "
             "`flowtui schedule install --systemd`.)")
    else:
        echo(f"Removed the nightly sync of {db}." if state.installed
             else f"No nightly sync was scheduled for {db}.")
    if state.units:
        timer = next((p.name for p in state.units if p.suffix == ".timer"), None)
        stop = f"systemctl --user disable --now {timer} && " if timer else ""
        echo(f"Its systemd units are left as they are; to remove them: {stop}rm "
             f"{' '.join(str(p) for p in state.units)} && systemctl --user daemon-reload")


def _job_line(job: nightly.NightlyJob) -> str:
    env = f"; first reads {job.env_file}" if job.env_file else ""
    return f"It reads its API keys from {job.config_dir / 'secrets.json'}{env}."


def _notes(readiness: nightly.Readiness) -> None:
    for note in readiness.notes:
        echo(f"note: {note}", err=True)


def _install_systemd(result: cron.Units, write: bool) -> None:
    if write:
        echo(f"Wrote {', '.join(str(p) for p in result.written)}.")
    else:
        for name, text in result.units.items():
            echo(f"# {cron.unit_dir() / name}\n{text}")
    timer = next(name for name in result.units if name.endswith(".timer"))
    echo(f"# then run:\nsystemctl --user daemon-reload\nsystemctl --user enable --now {timer}")
    echo("# (systemd timers run at this machine's local time; for the timer to run while you are "
         "logged out: loginctl enable-linger)")
    _notes(result.readiness)


def _report(run: nightly.CheckRun, log: Path) -> None:
    """Say how the check run went (a failed one was an error, with its last lines, before it got here)."""
    kept = ", ".join(run.environment)
    echo(f"Check: ran the nightly command once as cron would (with only {kept} set): it worked.")
    if run.left_rejections:
        echo("It left entries it could not read or land open; see `flowtui rejections`.")
    synced = ", ".join(f"{name} ({status})" for name, status in run.runs)
    echo(f"Synced: {synced}." if synced else "It synced no stream (none has auto sync on).")
    echo(f"Last lines of {log}:")
    for line in run.output:
        echo(f"  {line}")


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(schedule)
