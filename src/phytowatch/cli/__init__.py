"""The ``phytowatch`` command.

``main`` dispatches before importing anything heavy: ``evaluate`` runs on the standard library
and the pure core (argparse), every other command goes through the Typer app.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "evaluate":
        from phytowatch.cli.evaluate import run

        sys.exit(run(args[1:]))
    from phytowatch.cli.app import app

    app(args=args, prog_name="phytowatch")
