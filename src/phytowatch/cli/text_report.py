"""A judgement as a few clear lines for a person (``phytowatch evaluate`` without ``--json``).

Plain text with ANSI colour on a terminal (``NO_COLOR`` switches it off). Rich is not used here:
importing it costs more than judging a 22-day log (docs/performance.md).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from phytowatch.cli.messages import t
from phytowatch.domain.instants import format_duration, format_instant
from phytowatch.domain.judgement.verdict import Judgement, Verdict
from phytowatch.domain.schedule import Confidence, Regime, Schedule

MAX_LINES = 12  # interruptions or findings listed before "… and N more"

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
    head = _paint(f" {t(verdict.value, lang)} ", verdict.value, colour)
    lines.append(f"{head}  {schedule.id} v{schedule.version} · {title}")
    if schedule.confidence is Confidence.UNVERIFIED:
        lines.append("  " + _paint("⚠ " + t("unverified", lang), "INDETERMINATE", colour))
    elif schedule.confidence is Confidence.SECONDARY:
        lines.append("  " + _paint(t("secondary", lang), "dim", colour))
    lines.append(f"  {t('source', lang)}: {schedule.source}")
    if judgement.params:
        given = ", ".join(f"{k}={v}" for k, v in judgement.params.items())
        lines.append(f"  {t('params', lang)}: {given}")
    if judgement.first_sample is not None and judgement.last_sample is not None:
        span = t(
            "samples",
            lang,
            count=judgement.sample_count,
            first=format_instant(judgement.first_sample),
            last=format_instant(judgement.last_sample),
        )
        lines.append(f"  {t('log', lang)}: {log} · {span}")
    else:
        lines.append(f"  {t('log', lang)}: {log}")

    primary = schedule.primary
    sign = t("cold_sign" if primary.regime is Regime.COLD else "heat_sign", lang)
    if verdict is Verdict.PASS and judgement.step is not None:
        assert judgement.hold_start is not None and judgement.hold_end is not None
        lines.append(
            f"  {t('hold', lang)}: "
            + t(
                "hold_line",
                lang,
                step=judgement.step.index + 1,
                regime=sign,
                threshold=_degrees(schedule, judgement.step.threshold, primary.role),
                duration=format_duration(judgement.step.duration),
                start=format_instant(judgement.hold_start),
                end=format_instant(judgement.hold_end),
            )
        )
    else:
        needed = min(step.duration for step in primary.steps)
        lines.append(
            f"  {t('longest', lang)}: {format_duration(judgement.longest_hold)} "
            + t("of_needed", lang, needed=format_duration(needed))
        )
        reason = (
            judgement.fail_reason.value
            if judgement.fail_reason
            else judgement.indeterminate_cause.value
            if judgement.indeterminate_cause
            else "no_step_satisfied"
        )
        when = (
            " " + t("decided", lang, at=format_instant(judgement.fail_at))
            if judgement.fail_at is not None
            else ""
        )
        lines.append(f"  {t('why_fail', lang)}: {t(reason, lang)}{when}")

    for outcome in judgement.criteria:
        if outcome.satisfied and outcome.met_at is not None:
            mark = t("met_at", lang, at=format_instant(outcome.met_at))
        else:
            mark = t("met", lang) if outcome.satisfied else t("not_met", lang)
        lines.append(f"  {t('criteria', lang)}: {outcome.key} ({t(outcome.role, lang)}) — {mark}")

    lines.append(f"  {t('interruptions', lang)}: {len(judgement.interruptions) or t('none', lang)}")
    for item in judgement.interruptions[:MAX_LINES]:
        probes = ", ".join(item.probes)
        step = t("step_n", lang, n=item.step + 1)
        if schedule.extra:
            step = f"{item.criterion} {step}"
        lines.append(
            f"    {format_instant(item.at)}  {step}  {t(item.reason.value, lang)}"
            + (f"  {probes}" if probes else "")
        )
    if len(judgement.interruptions) > MAX_LINES:
        lines.append("    " + t("more", lang, n=len(judgement.interruptions) - MAX_LINES))

    lines.append(f"  {t('findings', lang)}: {len(judgement.findings) or t('none', lang)}")
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
        lines.append("    " + t("more", lang, n=len(judgement.findings) - MAX_LINES))
    review = t("review_yes", lang) if judgement.review_required else t("review_no", lang)
    lines.append("  " + (_paint(review, "bold", colour) if judgement.review_required else review))
    return "\n".join(lines)
