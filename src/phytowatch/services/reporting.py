"""A judgement as the JSON object of treatments.md §4 (the CLI's ``--json`` and the API)."""

from __future__ import annotations

from typing import Any

from phytowatch.domain.instants import format_instant, seconds
from phytowatch.domain.judgement.verdict import Finding, Interruption, Judgement
from phytowatch.domain.schedule import Schedule


def _when(instant: int | None) -> str | None:
    return None if instant is None else format_instant(instant)


def interruption_dict(item: Interruption) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": format_instant(item.at),
        "step": item.step,
        "reason": item.reason.value,
        "probes": list(item.probes),
        "criterion": item.criterion,
    }
    if item.causes:
        out["causes"] = dict(item.causes)
    return out


def finding_dict(item: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": item.kind.value,
        "probe": item.probe,
        "from": format_instant(item.start),
        "to": format_instant(item.end),
    }
    for key, value in item.detail.items():
        is_instant = key in {"went_back_from", "broken_at"} and isinstance(value, int)
        out[key] = format_instant(value) if is_instant else value
    return out


def judgement_dict(judgement: Judgement, schedule: Schedule) -> dict[str, Any]:
    step = judgement.step
    out: dict[str, Any] = {
        "verdict": judgement.verdict.value if judgement.verdict else None,
        "schedule": {
            "id": schedule.id,
            "version": schedule.version,
            "title": dict(schedule.title),
            "confidence": schedule.confidence.value,
            "params": dict(judgement.params),
        },
        "step": None
        if step is None
        else {
            "index": step.index,
            "threshold": step.threshold,
            "duration_s": seconds(step.duration),
        },
        "hold_start": _when(judgement.hold_start),
        "hold_end": _when(judgement.hold_end),
        "longest_hold_s": seconds(judgement.longest_hold),
        "interruptions": [interruption_dict(i) for i in judgement.interruptions],
        "findings": [finding_dict(f) for f in judgement.findings],
        "review_required": judgement.review_required,
        "reason": (
            judgement.fail_reason.value
            if judgement.fail_reason
            else judgement.indeterminate_cause.value
            if judgement.indeterminate_cause
            else "no_step_satisfied"
            if judgement.verdict is not None and judgement.verdict.value == "FAIL"
            else None
        ),
        "decided_at": _when(judgement.fail_at if judgement.fail_reason else judgement.hold_end),
        "samples": {
            "count": judgement.sample_count,
            "first": _when(judgement.first_sample),
            "last": _when(judgement.last_sample),
        },
    }
    if judgement.criteria:
        out["criteria"] = [
            {
                "key": c.key,
                "kind": c.kind,
                "role": c.role,
                "satisfied": c.satisfied,
                "met_at": _when(c.met_at),
                "hold_start": _when(c.hold_start),
                "hold_end": _when(c.hold_end),
                "longest_hold_s": seconds(c.longest_hold),
                **{k: (_when(v) if isinstance(v, int) else v) for k, v in c.detail.items()},
            }
            for c in judgement.criteria
        ]
    return out
