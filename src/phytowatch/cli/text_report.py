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
from phytowatch.domain.schedule import (
    Confidence,
    Criterion,
    HoldCriterion,
    Regime,
    Schedule,
    ThroughoutCriterion,
)

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


def render(
    judgement: Judgement,
    schedule: Schedule,
    *,
    lang: str,
    colour: bool,
    log: str,
    extent: tuple[int, int, int] | None = None,
) -> str:
    """The report. ``extent``: the whole log's (sample times, first, last), said apart from how
    far judgement went (a verdict can be decided before the log ends); without it, the judged
    span stands for the log, as a live run's has no other."""
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
    lines.extend(_extent_lines(judgement, lang=lang, log=log, extent=extent))

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

    described = {c.key: _criterion(c, schedule, lang) for c in schedule.criteria}
    for outcome in judgement.criteria:
        if outcome.satisfied and outcome.met_at is not None:
            mark = say(message(Code.CLI_MET_AT, at=Instant(outcome.met_at)), lang)
        else:
            mark = t("met", lang) if outcome.satisfied else t("not met", lang)
        what = described.get(outcome.key) or f"{outcome.key} ({t(outcome.role, lang)})"
        lines.append(f"  {t('Criteria', lang)}: {what} — {mark}")

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


def _extent_lines(
    judgement: Judgement, *, lang: str, log: str, extent: tuple[int, int, int] | None
) -> list[str]:
    """The log's extent, then how far judgement went, each on its line."""
    first, last = judgement.first_sample, judgement.last_sample
    if extent is None:  # no log of its own: the judged span is all there is
        if first is None or last is None:
            return [f"  {t('Log', lang)}: {log}"]
        extent = (judgement.sample_count, first, last)
    count, log_first, log_last = extent
    span = message(Code.CLI_SAMPLES, count=count, first=Instant(log_first), last=Instant(log_last))
    lines = [f"  {t('Log', lang)}: {log} · {say(span, lang)}"]
    if first is None or last is None:
        judged = message(Code.CLI_JUDGED_NONE)
    elif last < log_last:
        judged = message(
            Code.CLI_JUDGED_DECIDED,
            count=judgement.sample_count,
            first=Instant(first),
            last=Instant(last),
            end=Instant(log_last),
        )
    else:
        judged = message(
            Code.CLI_JUDGED_WHOLE,
            count=judgement.sample_count,
            first=Instant(first),
            last=Instant(last),
        )
    lines.append(f"  {t('Judged', lang)}: {say(judged, lang)}")
    return lines


def _criterion(criterion: Criterion, schedule: Schedule, lang: str) -> str:
    """A criterion in the reader's words: what it asks of which probes (its key is the
    schedule file's name for it, not a word)."""
    role = t(criterion.role, lang)
    if isinstance(criterion, HoldCriterion):
        sign = "≤" if criterion.regime is Regime.COLD else "≥"
        return " | ".join(
            say(
                message(
                    Code.CLI_EVAL_HOLD,
                    role=role,
                    sign=sign,
                    threshold=_degrees(schedule, step.threshold, criterion.role),
                    duration=format_duration(step.duration),
                ),
                lang,
            )
            for step in criterion.steps
        )
    if isinstance(criterion, ThroughoutCriterion):
        during = next((c for c in schedule.criteria if c.key == criterion.during), None)
        sign = "≤" if criterion.regime is Regime.COLD else "≥"
        throughout = message(
            Code.CLI_EVAL_THROUGHOUT,
            role=role,
            sign=sign,
            threshold=_degrees(schedule, criterion.threshold, criterion.role),
            during=t(during.role, lang) if during is not None else criterion.during,
        )
        return say(throughout, lang)
    ramp = message(
        Code.CLI_EVAL_RAMP,
        role=role,
        duration=format_duration(criterion.min_duration),
        target=_degrees(schedule, criterion.target, criterion.role),
    )
    return say(ramp, lang)


def _more(listed: int, lang: str) -> str:
    return say(message(Code.CLI_MORE, n=listed - MAX_LINES), lang)
