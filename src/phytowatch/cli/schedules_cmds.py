"""``phytowatch schedules``: the official treatment schedules, listed or shown in full."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from phytowatch.cli.messages import say, t
from phytowatch.cli.options import LangOption, language_of
from phytowatch.domain.instants import format_duration
from phytowatch.domain.messages import Code, Message, Word
from phytowatch.domain.messages import say as message
from phytowatch.domain.schedule import (
    Confidence,
    HoldCriterion,
    OnInterruption,
    RampCriterion,
    Regime,
    Schedule,
    ThroughoutCriterion,
)

schedules_app = typer.Typer(
    help="List the official treatment schedules, or show one. 列出或显示官方处理指标。",
    invoke_without_command=True,
)

DirsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--schedules-dir",
        metavar="DIR",
        help="a site's own schedule files (also PHYTOWATCH_SCHEDULES_DIR)",
        show_default=False,
    ),
]


def _dirs(given: list[Path] | None) -> list[Path]:
    if given:
        return given
    env = os.environ.get("PHYTOWATCH_SCHEDULES_DIR", "")
    return [Path(p) for p in env.split(os.pathsep) if p]


def _catalog(dirs: list[Path] | None, language: str) -> Any:
    from phytowatch.schedules import ScheduleFileError, load_catalog

    try:
        return load_catalog(_dirs(dirs))
    except ScheduleFileError as error:
        refused = f"{t('schedule file refused', language)}: {say(error.message, language)}"
        typer.echo(f"phytowatch: {refused}", err=True)  # one line, never wrapped
        raise typer.Exit(2) from None


def _confidence_text(schedule: Schedule, lang: str) -> str:
    if schedule.confidence is Confidence.UNVERIFIED:
        return "[M] " + t("UNVERIFIED", lang)
    if schedule.confidence is Confidence.SECONDARY:
        return "[C2] " + t("partly secondary", lang)
    return "[C] " + t("checked", lang)


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
    language = language_of(lang)
    catalog = _catalog(schedules_dir, language)
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
            f"{t('min probes', language)} {schedule.min_probes}"
        )
        out.append(f"  {_steps_text(schedule, language)} · {judged}")
        if schedule.extra:
            out.append(f"  + {', '.join(c.key for c in schedule.extra)}")
        out.append(f"  {t('Source', language)}: {schedule.source}")
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
    language = language_of(lang)
    catalog = _catalog(schedules_dir, language)
    try:
        schedule = catalog.get(schedule_id, version_)
    except KeyError:
        known = ", ".join(catalog.ids())
        unknown = message(Code.SCHEDULE_UNKNOWN_KNOWN, schedule=schedule_id, known=known)
        Console(stderr=True).print(f"phytowatch: {say(unknown, language)}", markup=False)
        raise typer.Exit(2) from None
    if as_json:
        json.dump(_schedule_dict(schedule), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    typer.echo(f"{schedule.id} v{schedule.version}")
    lines = [
        (t("title", language), f"{schedule.title['en']} / {schedule.title['zh']}"),
        (t("confidence", language), _confidence_text(schedule, language)),
        (t("Source", language), schedule.source),
    ]
    if schedule.confidence_notes:
        lines.append(("", schedule.confidence_notes))
    lines += [
        (
            t("judged", language),
            f"{t(schedule.judged_role, language)} ({t(schedule.regime.value, language)})",
        ),
        (t("min probes", language), str(schedule.min_probes)),
        (t("max sample interval", language), format_duration(schedule.max_sample_interval)),
        (t("steps", language), _steps_text(schedule, language)),
        (
            t("on interruption", language),
            t(
                "restart the hold"
                if schedule.on_interruption is OnInterruption.RESTART
                else "fail the run",
                language,
            ),
        ),
    ]
    tolerance = schedule.primary.tolerance
    if tolerance is not None:
        band = message(
            Code.CLI_TOLERANCE, lower=f"{tolerance.lower:g}", grace=format_duration(tolerance.grace)
        )
        lines.append((t("tolerance", language), say(band, language)))
    for pre in schedule.preconditions:
        first = message(Code.CLI_PRECONDITION, role=Word(pre.role), threshold=f"{pre.threshold:g}")
        lines.append((t("start condition", language), say(first, language)))
    for criterion in schedule.extra:
        lines.append((t("criterion", language), say(_criterion(criterion), language)))
    for param in schedule.params:
        label = say(message(Code.CLI_PARAM_LABEL, name=param.name), language)
        lines.append((label, f"{' | '.join(param.choices)} — {param.description}"))
    if schedule.notes:
        lines.append((t("notes", language), schedule.notes))
    from rich.cells import cell_len

    width = max(cell_len(label) for label, _ in lines)
    for label, value in lines:
        typer.echo(f"  {label}{' ' * (width - cell_len(label))}  {value}")


def _criterion(criterion: HoldCriterion | ThroughoutCriterion | RampCriterion) -> Message:
    """An extra criterion in a few words: said in the reader's language by ``schedules show``,
    in English (its roles as their codes) in the JSON."""
    sign = "≤" if criterion.regime is Regime.COLD else "≥"
    unit = "%RH" if criterion.role == "rh" else "°C"
    role = Word(criterion.role)
    if isinstance(criterion, HoldCriterion):
        steps = "; ".join(
            f"{sign} {s.threshold:g} {unit} {format_duration(s.duration)}" for s in criterion.steps
        )
        return message(
            Code.CLI_CRITERION_HOLD,
            key=criterion.key,
            role=role,
            steps=steps,
            probes=criterion.min_probes,
        )
    if isinstance(criterion, ThroughoutCriterion):
        return message(
            Code.CLI_CRITERION_THROUGHOUT,
            key=criterion.key,
            role=role,
            sign=sign,
            threshold=f"{criterion.threshold:g}",
            unit=unit,
            during=criterion.during,
        )
    return message(
        Code.CLI_CRITERION_RAMP,
        key=criterion.key,
        role=role,
        duration=format_duration(criterion.min_duration),
        target=f"{criterion.target:g}",
        unit=unit,
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
        "criteria": [_criterion(c).english() for c in schedule.extra],
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
