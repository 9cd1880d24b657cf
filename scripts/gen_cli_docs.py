"""Write docs/cli.md from the commands' own --help (a test fails when it is out of date).

python scripts/gen_cli_docs.py           # rewrite docs/cli.md
python scripts/gen_cli_docs.py --check   # exit 1 if docs/cli.md differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
COMMANDS = [
    [],
    ["evaluate"],
    ["schedules"],
    ["schedules", "show"],
    ["demo"],
    ["serve"],
    ["simulate"],
    ["ingest-mqtt"],
    ["enterprises", "add"],
    ["enterprises", "list"],
    ["facilities", "add"],
    ["facilities", "list"],
    ["facilities", "token"],
    ["probes", "calibrate"],
    ["probes", "list"],
    ["cameras", "add"],
    ["db", "upgrade"],
    ["runs", "start"],
    ["runs", "list"],
    ["runs", "show"],
    ["runs", "close"],
    ["runs", "export"],
    ["runs", "signoff"],
    ["alarms", "list"],
    ["alarms", "ack"],
    ["alarms", "clear"],
    ["audit", "verify"],
    ["audit", "list"],
    ["audit", "head"],
    ["users", "add"],
    ["users", "list"],
    ["users", "set-role"],
    ["users", "disable"],
    ["users", "passwd"],
    ["offices", "add"],
    ["offices", "list"],
    ["tokens", "issue"],
    ["tokens", "list"],
    ["tokens", "revoke"],
    ["rules", "check"],
    ["rules", "show"],
    ["rules", "export"],
    ["rules", "import"],
    ["rules", "history"],
    ["classify", "set"],
    ["classify", "show"],
    ["classify", "propose"],
    ["classify", "list"],
    ["classify", "confirm"],
    ["classify", "dismiss"],
    ["bases", "add"],
    ["bases", "list"],
    ["bases", "suspend"],
    ["bases", "reinstate"],
    ["consignments", "declare"],
    ["consignments", "list"],
    ["consignments", "show"],
    ["consignments", "lines-template"],
    ["inspections", "redraw"],
    ["marks", "authorise"],
    ["marks", "revoke"],
    ["marks", "list"],
    ["marks", "show"],
    ["certificates", "keys", "create"],
    ["certificates", "keys", "rotate"],
    ["certificates", "keys", "list"],
    ["certificates", "keys", "export"],
    ["certificates", "numbering", "show"],
    ["certificates", "numbering", "set"],
    ["certificates", "list"],
    ["certificates", "show"],
    ["certificates", "verify-qr"],
    ["ephyto", "validate"],
    ["ephyto", "import"],
    ["ephyto", "export"],
    ["transfers", "list"],
    ["transfers", "show"],
    ["transfers", "retrieve"],
    ["transfers", "amend"],
    ["port", "queue"],
    ["port", "check"],
    ["port", "hold"],
    ["port", "release"],
    ["clearances", "show"],
    ["version"],
]

INTRO = """# Command reference

Generated from the commands' own `--help` by `scripts/gen_cli_docs.py`; a test fails when this page
and the commands disagree. Every command speaks English and Chinese (`--lang en|zh`, default from
the locale).

`phytowatch evaluate` runs on a fast path (argparse and the pure core, no Typer, no Rich): judging
a 22-day log costs little more than reading it, see [performance.md](performance.md). Its exit
code is the verdict: 0 PASS, 1 FAIL, 3 INDETERMINATE, 2 bad input. Its text report gives the
whole log's extent (`Log`) apart from how far judgement went (`Judged`: a verdict may be decided
before the log ends), and a vapour-heat schedule's criteria in the reader's words.

Only `db upgrade` (and `serve` and `demo`, which build their own) create a database. Every other
command that uses one says so when it does not exist (`the database … does not exist`, in the
reader's language) and exits 2, creating nothing; a PostgreSQL database is created by its server
(`createdb`), never by phytowatch.
"""


def help_text(command: list[str]) -> str:
    """``phytowatch COMMAND --help`` as a terminal 100 columns wide in the C locale prints it: the
    entry point run in this process (one import of the CLI for every command, not one each)."""
    from click.testing import CliRunner

    from phytowatch.cli import main

    env = {"COLUMNS": "100", "LANG": "C.UTF-8", "NO_COLOR": "1", "TERM": "dumb", "LC_ALL": None}
    with CliRunner().isolation(env=env) as (stdout, _stderr, _output):
        try:
            main([*command, "--help"])
            code: int | str | None = 0
        except SystemExit as stop:
            code = stop.code
        sys.stdout.flush()  # argparse (evaluate) writes to the text stream, not straight through
        printed = stdout.getvalue().decode("utf-8")
    if code not in (0, None):
        raise RuntimeError(f"phytowatch {' '.join(command)} --help: exit code {code}")
    return printed.rstrip()


def render() -> str:
    parts = [INTRO]
    for command in COMMANDS:
        title = " ".join(["phytowatch", *command])
        parts.append(f"## `{title}`\n\n```\n{help_text(command)}\n```\n")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
