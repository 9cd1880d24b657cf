"""``phytowatch alarms …``: the open alarms, acknowledge, clear."""

from __future__ import annotations

from typing import Annotated

import typer

from phytowatch.cli.messages import say
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

alarms_app = typer.Typer(help="Alarms. 告警。", no_args_is_help=True)


@alarms_app.command("list")
def alarms_list(
    facility: Annotated[str | None, typer.Option(metavar="CODE", help="one facility")] = None,
    all_: Annotated[bool, typer.Option("--all", help="cleared alarms too")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Open alarms, newest first. 列出告警。"""
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        found = services.alarm_store.list_alarms(open_only=not all_, facility=facility)
    for alarm in found:
        repeats = f" ×{alarm.count}" if alarm.count > 1 else ""
        typer.echo(
            f"{alarm.id}\t{alarm.severity.value}\t{alarm.state.value}\t{alarm.facility}\t"
            f"{alarm.kind.value}{repeats}\t{format_instant(alarm.raised_at)}\t{say(alarm.message)}"
        )


@alarms_app.command("ack")
def alarms_ack(
    alarm_id: Annotated[int, typer.Argument(metavar="ALARM", help="alarm id")],
    by: Annotated[str, typer.Option(metavar="NAME", help="who acknowledges")],
    comment: Annotated[
        str,
        typer.Option(
            metavar="TEXT",
            help="what was done (required for tamper, hold_broken, too_few_probes: 10+ characters)",
        ),
    ] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Acknowledge an alarm: who, and what was done. 确认告警。"""
    with open_services(database_url) as services:
        try:
            services.alarms.acknowledge(alarm_id, ctx=cli_context(services), comment=comment, by=by)
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.CLI_ALARM_ACKNOWLEDGED, alarm=alarm_id, by=by)))


@alarms_app.command("clear")
def alarms_clear(
    alarm_id: Annotated[int, typer.Argument(metavar="ALARM", help="alarm id")],
    by: Annotated[str, typer.Option(metavar="NAME", help="who clears it")],
    comment: Annotated[
        str, typer.Option(metavar="TEXT", help="why it is cleared (required: 10+ characters)")
    ] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Clear an acknowledged alarm, saying why. 消除告警（须说明理由）。"""
    with open_services(database_url) as services:
        try:
            services.alarms.clear(alarm_id, ctx=cli_context(services), comment=comment, by=by)
        except Refused as error:
            raise refused(error) from None
    typer.echo(say(message(Code.CLI_ALARM_CLEARED, alarm=alarm_id, by=by)))
