"""A judgement as a few clear lines for a person (``phytowatch evaluate`` without ``--json``).

Plain text with ANSI colour on a terminal (``NO_COLOR`` switches it off). Rich is not used here:
importing it costs more than judging a 22-day log (docs/performance.md).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from phytowatch.cli.messages import say, t, verdict_word
from phytowatch.domain.instants import format_duration, format_instant
from phytowatch.domain.judgement.verdict import Judgement, Verdict
from phytowatch.domain.messages import Code, Instant
from phytowatch.domain.messages import say as message
from phytowatch.domain.schedule import Confidence, Regime, Schedule

MAX_LINES = 12  # interruptions or findings listed before "… and N more"
_UNVERIFIED = "UNVERIFIED schedule [M]: numbers not checked against an official text"

_COLOURS = {"PASS": "32", "FAIL": "31", "INDETERMINATE": "33", "dim": "2", "bold": "1"}


def use_colour(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{_COLOURS[style]}m{text}\033[0m" if colour else text


def _degrees(schedule: Schedule, value: float, role: str) -> str:
    del schedule
    unit = "%RH" if role == "rh" else "°C"
    return f"{value:g} {unit}"


def render(judgement: Judgement, schedule: Schedule, *, lang: str, colour: bool, log: str) -> str:
    lines: list[str] = []
    verdict = judgement.verdict or Verdict.FAIL
    title = schedule.title.get(lang) or schedule.title["en"]
    head = _paint(f" {verdict_word(verdict.value, lang)} ", verdict.value, colour)
    lines.append(f"{head}  {schedule.id} v{schedule.version} · {title}")
    if schedule.confidence is Confidence.UNVERIFIED:
        lines.append(
            "  "
            + _paint(
                "⚠ " + t(_UNVERIFIED, lang),
                "INDETERMINATE",
                colour,
            )
        )
    elif schedule.confidence is Confidence.SECONDARY:
        lines.append("  " + _paint(t("parts from a secondary source [C2]", lang), "dim", colour))
    lines.append(f"  {t('Source', lang)}: {schedule.source}")
    if judgement.params:
        given = ", ".join(f"{k}={v}" for k, v in judgement.params.items())
        lines.append(f"  {t('Params', lang)}: {given}")
    if judgement.first_sample is not None and judgement.last_sample is not None:
        span = say(
            message(
                Code.CLI_SAMPLES,
                count=judgement.sample_count,
                first=Instant(judgement.first_sample),
                last=Instant(judgement.last_sample),
            ),
            lang,
        )
        lines.append(f"  {t('Log', lang)}: {log} · {span}")
    else:
        lines.append(f"  {t('Log', lang)}: {log}")

    primary = schedule.primary
    sign = "≤" if primary.regime is Regime.COLD else "≥"
    if verdict is Verdict.PASS and judgement.step is not None:
        assert judgement.hold_start is not None and judgement.hold_end is not None
        lines.append(
            f"  {t('Hold', lang)}: "
            + say(
                message(
                    Code.CLI_HOLD,
                    step=judgement.step.index + 1,
                    sign=sign,
                    threshold=_degrees(schedule, judgement.step.threshold, primary.role),
                    duration=format_duration(judgement.step.duration),
                    start=Instant(judgement.hold_start),
                    end=Instant(judgement.hold_end),
                ),
                lang,
            )
        )
    else:
        needed = min(step.duration for step in primary.steps)
        lines.append(
            f"  {t('Longest hold', lang)}: {format_duration(judgement.longest_hold)} "
            + say(message(Code.CLI_OF_NEEDED, needed=format_duration(needed)), lang)
        )
        reason = (
            judgement.fail_reason.value
            if judgement.fail_reason
            else judgement.indeterminate_cause.value
            if judgement.indeterminate_cause
            else "no_step_satisfied"
        )
        when = (
            " " + say(message(Code.CLI_DECIDED_AT, at=Instant(judgement.fail_at)), lang)
            if judgement.fail_at is not None
            else ""
        )
        lines.append(f"  {t('Why', lang)}: {t(reason, lang)}{when}")

    for outcome in judgement.criteria:
        if outcome.satisfied and outcome.met_at is not None:
            mark = say(message(Code.CLI_MET_AT, at=Instant(outcome.met_at)), lang)
        else:
            mark = t("met", lang) if outcome.satisfied else t("not met", lang)
        lines.append(f"  {t('Criteria', lang)}: {outcome.key} ({t(outcome.role, lang)}) — {mark}")

    lines.append(f"  {t('Interruptions', lang)}: {len(judgement.interruptions) or t('none', lang)}")
    for item in judgement.interruptions[:MAX_LINES]:
        probes = ", ".join(item.probes)
        step = say(message(Code.CLI_STEP, n=item.step + 1), lang)
        if schedule.extra:
            step = f"{item.criterion} {step}"
        lines.append(
            f"    {format_instant(item.at)}  {step}  {t(item.reason.value, lang)}"
            + (f"  {probes}" if probes else "")
        )
    if len(judgement.interruptions) > MAX_LINES:
        lines.append("    " + _more(len(judgement.interruptions), lang))

    lines.append(f"  {t('Findings', lang)}: {len(judgement.findings) or t('none', lang)}")
    for finding in judgement.findings[:MAX_LINES]:
        extra = ", ".join(f"{k}={v}" for k, v in finding.detail.items() if k != "went_back_from")
        window = format_instant(finding.start)
        if finding.end != finding.start:
            window += f" … {format_instant(finding.end)}"
        lines.append(
            f"    {t(finding.kind.value, lang)}  {finding.probe or ''}  {window}"
            + (f"  ({extra})" if extra else "")
        )
    if len(judgement.findings) > MAX_LINES:
        lines.append("    " + _more(len(judgement.findings), lang))
    review = (
        t("Review required: yes — an inspector must look at the findings before sign-off", lang)
        if judgement.review_required
        else t("Review required: no", lang)
    )
    lines.append("  " + (_paint(review, "bold", colour) if judgement.review_required else review))
    return "\n".join(lines)


def _more(listed: int, lang: str) -> str:
    return say(message(Code.CLI_MORE, n=listed - MAX_LINES), lang)
