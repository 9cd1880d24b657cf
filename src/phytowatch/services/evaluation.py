"""Judge a complete treatment log: the use case behind ``phytowatch evaluate``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import Judgement
from phytowatch.domain.messages import Code, Invalid, say
from phytowatch.domain.schedule import Role, Schedule


class UnknownProbeError(Invalid):
    """An offset names a probe the log does not have."""


def judge_rows(
    schedule: Schedule,
    probes: Sequence[tuple[str, Role]],
    rows: Sequence[tuple[int, list[float | None]]],
    *,
    offsets: Mapping[str, Decimal] | None = None,
    faults: Mapping[tuple[str, int], str] | None = None,
    backwards: Sequence[tuple[str, int, int, int]] = (),
) -> Judgement:
    """Judge wide rows ``(t, values in probes order)``, sorted by time, as a complete log.

    ``schedule`` must be resolved for its params. ``backwards`` lists where the device's
    timestamps went backwards in the file, as (probe, earlier, later, line).
    """
    names = [name for name, _ in probes]
    for name in offsets or {}:
        if name not in names:
            raise UnknownProbeError(say(Code.OFFSET_NO_PROBE, probe=name, probes=", ".join(names)))
    judge = Judge(schedule, probes, offsets=offsets, replayable=False)
    order = [names.index(name) for name in judge.probe_names]
    if order == list(range(len(names))):
        judge.feed_rows(rows)
    else:
        judge.feed_rows((t, [values[k] for k in order]) for t, values in rows)
    for (probe, t), code in (faults or {}).items():
        judge.note_fault(probe, t, code)
    for probe, earlier, later, line in backwards:
        judge.note_backwards(probe, earlier, later, where=f"line {line}")
    return judge.result()
