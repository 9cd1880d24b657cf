"""The ``phytowatch`` command run in the test's own process: what a real process would print
and exit with, without the second or so each new process spends importing the whole stack.

The app is the entry point's (``phytowatch.cli.app``), under the program name the entry point
gives it; stdin, stdout and stderr are the runner's own streams (stdin is no terminal, as in a
pipe); the environment is the test's, with ``env`` added for the call only (Click restores it).
An exception the command does not turn into an exit code is raised in the test, as a traceback
would be printed by a real process. A few tests keep a real process on purpose: the entry point
itself, a terminal-less stdin, the locale of a child's environment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ran:
    """What a ``subprocess.run`` of the command would give: exit code, stdout, stderr."""

    returncode: int
    stdout: str
    stderr: str


def phytowatch(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Ran:
    """``phytowatch ARGS`` with ``stdin`` on its standard input, in this process."""
    from typer.testing import CliRunner

    from phytowatch.cli.app import app

    result = CliRunner().invoke(
        app,
        list(args),
        input=stdin,
        env={"NO_COLOR": "1", **(env or {})},
        catch_exceptions=False,
        prog_name="phytowatch",
    )
    return Ran(result.exit_code, result.stdout, result.stderr)
