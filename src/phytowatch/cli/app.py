"""The Typer app: every command except the fast path of ``evaluate`` (see ``cli/__init__``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from phytowatch import __version__
from phytowatch.cli.accounts_cmds import offices_app, runs_signoff, tokens_app, users_app
from phytowatch.cli.alarms_cmds import alarms_app
from phytowatch.cli.audit_cmds import audit_app
from phytowatch.cli.messages import LANGS, default_lang, t
from phytowatch.cli.mqtt_cmd import ingest_mqtt
from phytowatch.cli.registry_cmds import (
    cameras_app,
    db_app,
    enterprises_app,
    facilities_app,
    probes_app,
)
from phytowatch.cli.runs_cmds import runs_app
from phytowatch.cli.serve_cmd import serve
from phytowatch.cli.simulate_cmd import simulate
from phytowatch.domain.instants import format_duration
from phytowatch.domain.schedule import (
    Confidence,
    HoldCriterion,
    OnInterruption,
    RampCriterion,
    Regime,
    Schedule,
    ThroughoutCriterion,
)

app = typer.Typer(
    name="phytowatch",
    help="phytowatch: remote monitoring of phytosanitary treatments. 植物检疫除害处理远程监控。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
schedules_app = typer.Typer(
    help="List the official treatment schedules, or show one. 列出或显示官方处理指标。",
    invoke_without_command=True,
)
app.add_typer(schedules_app, name="schedules")
app.add_typer(enterprises_app, name="enterprises")
app.add_typer(facilities_app, name="facilities")
app.add_typer(db_app, name="db")
app.add_typer(probes_app, name="probes")
app.add_typer(cameras_app, name="cameras")
app.add_typer(runs_app, name="runs")
app.add_typer(alarms_app, name="alarms")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(offices_app, name="offices")
app.add_typer(tokens_app, name="tokens")
runs_app.command("signoff")(runs_signoff)
app.command("serve")(serve)
app.command("simulate")(simulate)
app.command("ingest-mqtt")(ingest_mqtt)

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang", metavar="LANG", help="en or zh (default: from the locale)", show_default=False
    ),
]
DirsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--schedules-dir",
        metavar="DIR",
        help="a site's own schedule files (also PHYTOWATCH_SCHEDULES_DIR)",
        show_default=False,
    ),
]


def _lang(lang: str | None) -> str:
    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGS)}")
    return lang or default_lang()


def _dirs(given: list[Path] | None) -> list[Path]:
    if given:
        return given
    env = os.environ.get("PHYTOWATCH_SCHEDULES_DIR", "")
    return [Path(p) for p in env.split(os.pathsep) if p]


def _catalog(dirs: list[Path] | None) -> Any:
    from phytowatch.schedules import ScheduleFileError, load_catalog

    try:
        return load_catalog(_dirs(dirs))
    except ScheduleFileError as error:
        Console(stderr=True).print(f"phytowatch: schedule file refused: {error}", markup=False)
        raise typer.Exit(2) from None


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def evaluate(ctx: typer.Context) -> None:
    """Judge a treatment log (CSV) against its schedule. 离线判定处理记录。

    phytowatch evaluate LOG.csv --schedule ID [--param NAME=VALUE ...] [--offset PROBE=DELTA ...]
    [--json] [--lang en|zh]. Exit code 0 PASS, 1 FAIL, 3 INDETERMINATE, 2 bad input.
    """
    from phytowatch.cli.evaluate import run

    raise typer.Exit(run(ctx.args))


@app.command()
def version() -> None:
    """Print the version. 显示版本。"""
    typer.echo(f"phytowatch {__version__}")


def _confidence_text(schedule: Schedule, lang: str) -> str:
    if schedule.confidence is Confidence.UNVERIFIED:
        return "[M] " + ("未核实" if lang == "zh" else "UNVERIFIED")
    if schedule.confidence is Confidence.SECONDARY:
        return "[C2] " + ("部分二手资料" if lang == "zh" else "partly secondary")
    return "[C] " + ("已核对" if lang == "zh" else "checked")


def _steps_text(schedule: Schedule, lang: str) -> str:
    sign = "≤" if schedule.regime is Regime.COLD else "≥"
    unit = "%RH" if schedule.judged_role == "rh" else "°C"
    if schedule.params and not schedule.resolved_params:
        choices = schedule.params[0]
        by_value = []
        for value, choice in choices.choices.items():
            if choice.durations:
                by_value.append(f"{value}: {format_duration(choice.durations[0])}")
        thresholds = "; ".join(f"{sign} {s.threshold:g} {unit}" for s in schedule.steps)
        return f"{thresholds} ({choices.name} {', '.join(by_value)})"
    return "; ".join(
        f"{sign} {s.threshold:g} {unit} {format_duration(s.duration)}" for s in schedule.steps
    )


@schedules_app.callback()
def schedules_list(
    ctx: typer.Context,
    lang: LangOption = None,
    schedules_dir: DirsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
) -> None:
    """List the schedules (id, title, confidence, source). 列出处理指标。"""
    if ctx.invoked_subcommand is not None:
        return
    language = _lang(lang)
    catalog = _catalog(schedules_dir)
    if as_json:
        rows = [_schedule_dict(s) for s in catalog.latest()]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    out: list[str] = []
    for schedule in catalog.latest():
        out.append(f"{schedule.id}  v{schedule.version}  {_confidence_text(schedule, language)}")
        out.append(f"  {schedule.title.get(language, schedule.title['en'])}")
        judged = (
            f"{t(schedule.judged_role, language)}, "
            f"{t('min_probes', language)} {schedule.min_probes}"
        )
        out.append(f"  {_steps_text(schedule, language)} · {judged}")
        if schedule.extra:
            out.append(f"  + {', '.join(c.key for c in schedule.extra)}")
        out.append(f"  {t('source', language)}: {schedule.source}")
        out.append("")
    typer.echo("\n".join(out).rstrip())


@schedules_app.command("show")
def schedules_show(
    schedule_id: Annotated[str, typer.Argument(metavar="ID", help="schedule id, e.g. ispm15-ht")],
    version_: Annotated[
        str | None,
        typer.Option("--version", metavar="VERSION", help="a given version (default: newest)"),
    ] = None,
    lang: LangOption = None,
    schedules_dir: DirsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False,
) -> None:
    """Print one schedule in full. 显示一个处理指标的全部内容。"""
    language = _lang(lang)
    catalog = _catalog(schedules_dir)
    try:
        schedule = catalog.get(schedule_id, version_)
    except KeyError:
        Console(stderr=True).print(
            "phytowatch: "
            + t("unknown_schedule", language, id=schedule_id, known=", ".join(catalog.ids())),
            markup=False,
        )
        raise typer.Exit(2) from None
    if as_json:
        json.dump(_schedule_dict(schedule), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    typer.echo(f"{schedule.id} v{schedule.version}")
    lines = [
        (t("title", language), f"{schedule.title['en']} / {schedule.title['zh']}"),
        (t("confidence", language), _confidence_text(schedule, language)),
        (t("source", language), schedule.source),
    ]
    if schedule.confidence_notes:
        lines.append(("", schedule.confidence_notes))
    lines += [
        (
            t("judged", language),
            f"{t(schedule.judged_role, language)} ({t(schedule.regime.value, language)})",
        ),
        (t("min_probes", language), str(schedule.min_probes)),
        (t("interval", language), format_duration(schedule.max_sample_interval)),
        (t("steps", language), _steps_text(schedule, language)),
        (
            t("on_interruption", language),
            t(
                "restart" if schedule.on_interruption is OnInterruption.RESTART else "fail_run",
                language,
            ),
        ),
    ]
    tolerance = schedule.primary.tolerance
    if tolerance is not None:
        lines.append(
            (
                "tolerance",
                f"≥ {tolerance.lower:g} °C; first {format_duration(tolerance.grace)} free; "
                "band budget by param",
            )
        )
    for pre in schedule.preconditions:
        lines.append(("precondition", f"{pre.role} ≥ {pre.threshold:g} °C at the first sample"))
    for criterion in schedule.extra:
        lines.append(("criterion", _criterion_text(criterion)))
    for param in schedule.params:
        lines.append((f"param {param.name}", f"{' | '.join(param.choices)} — {param.description}"))
    if schedule.notes:
        lines.append((t("notes", language), schedule.notes))
    from rich.cells import cell_len

    width = max(cell_len(label) for label, _ in lines)
    for label, value in lines:
        typer.echo(f"  {label}{' ' * (width - cell_len(label))}  {value}")


def _criterion_text(criterion: HoldCriterion | ThroughoutCriterion | RampCriterion) -> str:
    sign = "≤" if criterion.regime is Regime.COLD else "≥"
    unit = "%RH" if criterion.role == "rh" else "°C"
    if isinstance(criterion, HoldCriterion):
        steps = "; ".join(
            f"{sign} {s.threshold:g} {unit} {format_duration(s.duration)}" for s in criterion.steps
        )
        return f"{criterion.key}: {criterion.role} {steps} (min {criterion.min_probes} probes)"
    if isinstance(criterion, ThroughoutCriterion):
        return (
            f"{criterion.key}: {criterion.role} {sign} {criterion.threshold:g} {unit} "
            f"throughout the {criterion.during} hold"
        )
    return (
        f"{criterion.key}: {criterion.role} takes ≥ {format_duration(criterion.min_duration)} "
        f"from its first reading to reach {criterion.target:g} {unit}"
    )


def _schedule_dict(schedule: Schedule) -> dict[str, Any]:
    from phytowatch.domain.instants import seconds

    def steps(items: Any) -> list[dict[str, Any]]:
        return [{"threshold": s.threshold, "duration_s": seconds(s.duration)} for s in items]

    return {
        "id": schedule.id,
        "version": schedule.version,
        "title": dict(schedule.title),
        "source": schedule.source,
        "confidence": schedule.confidence.value,
        "confidence_notes": schedule.confidence_notes,
        "regime": schedule.regime.value,
        "judged_role": schedule.judged_role,
        "min_probes": schedule.min_probes,
        "max_sample_interval_s": seconds(schedule.max_sample_interval),
        "steps": steps(schedule.steps),
        "on_interruption": schedule.on_interruption.value,
        "criteria": [_criterion_text(c) for c in schedule.extra],
        "params": {
            p.name: {
                "choices": {
                    value: {
                        "durations_s": [seconds(d) for d in c.durations] if c.durations else None,
                        "tolerance_budget_s": seconds(c.tolerance_budget)
                        if c.tolerance_budget
                        else None,
                    }
                    for value, c in p.choices.items()
                },
                "description": p.description,
            }
            for p in schedule.params
        },
    }


@app.command()
def demo(
    tour: Annotated[
        bool, typer.Option("--tour", help="instead: a guided tour of evaluate on example logs")
    ] = False,
    data: Annotated[
        Path, typer.Option(metavar="DIR", help="where the demo database goes (wiped first)")
    ] = Path("demo-data"),
    port: Annotated[int, typer.Option(metavar="PORT", help="port of the demo service")] = 8000,
    speed: Annotated[
        float, typer.Option(metavar="X", help="simulated time runs X times faster")
    ] = 60.0,
    minutes: Annotated[
        float | None, typer.Option(metavar="N", help="stop after N minutes (default: Ctrl-C)")
    ] = None,
    lang: LangOption = None,
    pause: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="--tour: seconds between examples (0 for none)"),
    ] = 0.0,
) -> None:
    """The demo province, live: 77 enterprises, simulated facilities, runs and alarms. 演示省。

    Seeds a fresh database, starts the service and feeds it with simulated kilns, cold rooms and
    hot-water lines at an accelerated clock; prints where to look and a summary every 5 s.
    """
    if not tour:
        from phytowatch.demo.run import run_demo

        if speed <= 0 or port <= 0:
            typer.echo("phytowatch demo: --speed and --port must be positive", err=True)
            raise typer.Exit(2)
        try:
            run_demo(data, port, speed, minutes, emit=typer.echo)
        except (RuntimeError, OSError) as error:
            typer.echo(f"phytowatch demo: {error} (is the port in use? try --port 8001)", err=True)
            raise typer.Exit(2) from None
        return
    import time

    from phytowatch.cli.evaluate import run
    from phytowatch.examples import EXAMPLES

    language = _lang(lang)
    console = Console()
    intro = {
        "en": "phytowatch judges every treatment run against its official schedule, exactly and "
        "line by line. Here are {n} example logs shipped with the package; each is judged by the "
        "same command you can run on your own logs.",
        "zh": "phytowatch 严格逐条地依据官方处理指标判定每一次处理。"
        "以下是随软件附带的 {n} 份示例记录，均用同一条命令判定，您也可以用它判定自己的记录。",
    }
    console.rule("phytowatch demo")
    console.print(intro[language].format(n=len(EXAMPLES)), markup=False, highlight=False)
    for number, example in enumerate(EXAMPLES, start=1):
        console.print()
        console.rule(f"{number}/{len(EXAMPLES)}  {example.file}")
        console.print(example.story[language], markup=False, highlight=False)
        shown = ["phytowatch", "evaluate", f"examples/{example.file}", *example.argv()[1:]]
        console.print("$ " + " ".join(shown), style="bold", markup=False, highlight=False)
        sys.stdout.flush()
        code = run([*example.argv(), "--lang", language])
        console.print(f"(exit code {code})", style="dim", markup=False, highlight=False)
        if pause:
            time.sleep(pause)
    console.print()
    console.rule()
    outro = {
        "en": "Next: `phytowatch schedules` lists every schedule, `phytowatch schedules show "
        "ispm15-ht` prints one in full, `phytowatch evaluate --help` explains the log format. "
        "The example logs are in {dir}.",
        "zh": "下一步：`phytowatch schedules` 列出全部处理指标，"
        "`phytowatch schedules show ispm15-ht` 显示其全部内容，"
        "`phytowatch evaluate --help` 说明记录格式。示例记录位于 {dir}。",
    }
    folder = EXAMPLES[0].path().parent
    console.print(outro[language].format(dir=folder), markup=False, highlight=False)
