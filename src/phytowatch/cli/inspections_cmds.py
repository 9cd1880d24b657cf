"""``phytowatch inspections …``: what an auditor checks of routing: ``redraw`` recomputes a
consignment's recorded routes from their recorded inputs and the bureau's sampling key."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from phytowatch.cli.messages import say
from phytowatch.cli.options import DatabaseOption, open_services
from phytowatch.cli.output import refused

inspections_app = typer.Typer(
    help="Routing and conformity assessment: recompute a routing decision. 布控与合格评定。",
    no_args_is_help=True,
)


@inspections_app.command("redraw")
def inspections_redraw(
    number: Annotated[str, typer.Argument(help="the consignment's number")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Recompute each recorded route of consignment NUMBER: the draw from the sampling key,
    the number and the rules version; the outcome from the recorded inputs. Exit 1 when one
    differs from the record. 重算布控抽签。"""
    from phytowatch.cli.messages import default_lang
    from phytowatch.domain.messages import Refused
    from phytowatch.services.supervision.routing import redraw

    with open_services(database_url) as services:
        try:
            checked = redraw(services.assessments, number, now=services.clock.now())
        except Refused as error:
            raise refused(error) from None
    if as_json:
        rows = [
            {
                "version": c.route.version,
                "rules_version": c.route.rules_version,
                "recorded_draw": str(c.route.draw),
                "recorded_outcome": c.route.outcome.value,
                "draw": c.draw,
                "outcome": c.outcome.value,
                "matches": c.matches,
            }
            for c in checked
        ]
        typer.echo(json.dumps({"number": number, "routes": rows}, ensure_ascii=False))
    else:
        lang = default_lang()
        for c in checked:
            mark = "✓" if c.matches else "✕"
            typer.echo(f"{mark} {say(c.message, lang)}")
            for reason in c.route.reasons:
                typer.echo(f"    {say(reason, lang)}")
    if not all(c.matches for c in checked):
        raise typer.Exit(1)
