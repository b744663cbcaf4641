"""Run the real ``flowtui`` entry point in-process, the way the CLI tests do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from flowtui.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def invoke(args, db: Path | None = None) -> Run:
    """Run ``flowtui.cli.main`` (the real entry point, with its error handling) in-process."""
    argv = (["--db", str(db)] if db is not None else []) + [str(a) for a in args]
    runner = CliRunner()
    with runner.isolation() as streams:
        out, err = streams[0], streams[1]
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue().decode(), err.getvalue().decode())


class Cli:
    """``cli("digests")`` runs ``flowtui --db DB digests``; ``ok`` insists it worked; ``json`` parses it."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args) -> Run:
        return invoke(args, self.db)

    def ok(self, *args) -> Run:
        result = invoke(args, self.db)
        assert result.code == 0, f"flowtui {' '.join(map(str, args))} failed ({result.code}): {result.err}{result.out}"
        assert "Traceback" not in result.err
        return result

    def json(self, *args):
        return self.ok(*args, "--json").json()


def assert_clean_error(result: Run, *, code: int | None = None, says: str | None = None) -> None:
    assert result.code != 0, f"expected a failure, got exit 0 with {result.out!r}"
    if code is not None:
        assert result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err and "Traceback" not in result.out
    assert "unexpected problem" not in result.err, result.err
    assert result.err.strip(), "the error message belongs on stderr"
    if says is not None:
        assert says in result.err, result.err
