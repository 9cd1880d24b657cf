"""``phytowatch runs …``: start a run, follow it, close it, export its readings."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from phytowatch.cli.messages import default_lang, say, verdict_word
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

runs_app = typer.Typer(help="Treatment runs. 处理批次。", no_args_is_help=True)


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise fail(message(Code.CLI_PAIR_FORM, option="--param", item=item))
        out[name.strip()] = value.strip()
    return out


@runs_app.command("start")
def runs_start(
    facility: Annotated[str, typer.Argument(metavar="FACILITY", help="facility code")],
    schedule: Annotated[str, typer.Option(metavar="ID", help="schedule id, e.g. ispm15-ht")],
    load: Annotated[
        str, typer.Option(metavar="TEXT", help="commodity, lot, quantity: '1,200 pallets, pine'")
    ],
    param: Annotated[
        list[str] | None, typer.Option(metavar="NAME=VALUE", help="schedule param (repeat)")
    ] = None,
    note: Annotated[str, typer.Option(metavar="TEXT", help="a note for the inspector")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Start a run now: binds the schedule version and the calibration offsets. 开始处理批次。"""
    from phytowatch.services.runs import start_run

    params = _pairs(param or [])
    with open_services(database_url) as services:
        try:
            record = start_run(
                services.runs,
                facility,
                schedule,
                params=params,
                load=load,
                note=note,
                ctx=cli_context(services),
                audit=services.audit,
            )
        except Refused as error:
            raise refused(error) from None
    lang = default_lang()
    started = message(
        Code.CLI_RUN_STARTED,
        run=record.id,
        facility=record.facility_code,
        schedule=record.schedule_id,
        version=record.schedule_version,
        load=record.load,
    )
    typer.echo(say(started, lang))
    for calibration_note in record.calibration_notes:
        said = message(Code.CLI_RUN_NOTE, note=say(calibration_note, lang))
        typer.echo(f"  {say(said, lang)}", err=True)


@runs_app.command("list")
def runs_list(
    facility: Annotated[
        str | None, typer.Option(metavar="CODE", help="only this facility's runs")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """The latest runs, newest first. 列出处理批次。"""
    from phytowatch.domain.instants import format_instant

    with open_services(database_url) as services:
        for record in services.runs.runs_of(facility):
            state = record.verdict or "open"
            typer.echo(
                f"{record.id}\t{record.facility_code}\t{record.schedule_id}\t"
                f"{format_instant(record.started_at)}\t{state}\t{record.load}"
            )


@runs_app.command("show")
def runs_show(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="run id")],
    database_url: DatabaseOption = None,
) -> None:
    """One run: its binding, and its judgement once closed (JSON). 显示处理批次。"""
    import json

    from phytowatch.services.runs import evaluate_command

    with open_services(database_url) as services:
        record = services.runs.run(run_id)
        if record is None:
            raise fail(message(Code.NO_RUN, run=run_id))
        if record.closed_at is None:
            services.monitor.tick(services.clock.now())
            state = services.monitor.state(run_id, services.clock.now())
        else:
            state = None
    body = {
        "id": record.id,
        "facility": record.facility_code,
        "schedule": f"{record.schedule_id} v{record.schedule_version}",
        "params": record.params,
        "offsets": record.offsets,
        "calibration_notes": [n.english() for n in record.calibration_notes],
        "load": record.load,
        "verdict": record.verdict,
        "phase": state.phase.value if state is not None else None,
        "judgement": record.judgement,
        "evaluate": evaluate_command(record),
    }
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


@runs_app.command("close")
def runs_close(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="run id")],
    database_url: DatabaseOption = None,
) -> None:
    """Close a run by hand; what it has is judged as the complete log. 结束处理批次。"""
    with open_services(database_url) as services:
        try:
            services.monitor.close(run_id, ctx=cli_context(services))
        except Refused as error:
            raise refused(error) from None
        record = services.runs.run(run_id)
    assert record is not None
    lang = default_lang()
    verdict = verdict_word(str(record.verdict), lang)
    typer.echo(say(message(Code.CLI_RUN_CLOSED, run=run_id, verdict=verdict), lang))


@runs_app.command("export")
def runs_export(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="run id")],
    database_url: DatabaseOption = None,
) -> None:
    """The run's readings as a CSV log on stdout (judge it with the printed command). 导出读数。"""
    from phytowatch.formats.csvlog import write_log
    from phytowatch.services.runs import evaluate_command, run_log_rows

    with open_services(database_url) as services:
        record = services.runs.run(run_id)
        if record is None:
            raise fail(message(Code.NO_RUN, run=run_id))
        facility = services.registry.facility_by_code(record.facility_code)
        assert facility is not None
        rows = services.runs.run_readings(
            record.facility_id, record.started_at, record.closed_at, None
        )
    probes, log_rows = run_log_rows(facility, rows)
    sys.stdout.write(write_log(probes, log_rows))  # type: ignore[arg-type]
    command = evaluate_command(record, f"run-{run_id}.csv")
    typer.echo(say(message(Code.CLI_JUDGE_WITH, command=command)), err=True)
