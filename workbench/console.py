"""How every command ends on bad input: one line per problem on stderr, exit code 1, no traceback."""

from __future__ import annotations

from typing import NoReturn

import typer

from workbench.errors import ScenarioInvalid


def fail(lines: list[str] | str) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(line, err=True)
    raise typer.Exit(1)


def fail_with(exc: ScenarioInvalid) -> NoReturn:
    fail([str(problem) for problem in exc.problems])
