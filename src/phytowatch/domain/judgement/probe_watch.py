"""Findings watched probe by probe (treatments.md §3.5): flatline, implausible rate, and the
pairs of probes that track the air or duplicate each other during a hold.

One :class:`ProbeWatch` watches the probes of one hold criterion. It is fed each sample time with
the readings of that instant, the criterion's running holds and every probe's latest reading, and
writes what it finds into the :class:`~phytowatch.domain.judgement.findings.FindingLog` it was
given. Findings never change a verdict.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import combinations
from operator import eq, sub
from types import MappingProxyType

from phytowatch.domain.judgement.findings import (
    COLD_RATE_LIMIT,
    FLATLINE_READINGS,
    HEAT_RATE_LIMIT,
    TRACKS_AIR_WITHIN,
    FindingLog,
    rate_exceeds,
)
from phytowatch.domain.judgement.layout import Group, Layout
from phytowatch.domain.judgement.verdict import Finding, FindingKind
from phytowatch.domain.schedule import HoldCriterion, Regime

_FINDING_SLACK = 1e-9  # float representation slack for finding tolerances (not for compliance)

Pairs = set[tuple[int, int]]


class ProbeWatch:
    """Watches the judged probes of one hold criterion; see the module docstring."""

    def __init__(
        self, crit: HoldCriterion, layout: Layout, interval: int, findings: FindingLog
    ) -> None:
        self.lo, self.hi = lo, hi = layout.slots(crit.role)
        self.air = layout.slots("air") if crit.role == "product" else (0, 0)
        self.cold = crit.regime is Regime.COLD
        self.rates = crit.role != "rh"  # a rate limit in °C: not for humidity
        self.names = layout.names
        self.interval = interval
        self.findings = findings
        steps = len(crit.steps)
        width = hi - lo
        self.starts: list[int | None] = [None] * steps  # the hold starts seen at the last sample
        # per step, pairs of slots still candidates for duplicate_series / tracks_air
        self.dup_pairs: list[Pairs | None] = [None] * steps
        self.air_pairs: list[Pairs | None] = [None] * steps
        # implausible rate while the probes report together: one window of rows for all of them
        self.aligned = True
        self.win_t: deque[int] = deque()
        self.win_v: deque[list[float]] = deque()
        # ... and per probe once they do not: the readings of the last rate unit and one older
        self.windows: list[deque[tuple[int, float]]] = [deque() for _ in range(width)]
        # flatline: per probe, the current run of identical values
        self.streaking = False
        self.s_cnt = [0] * width
        self.s_start = [0] * width
        self.s_val: list[float | None] = [None] * width
        self.s_last = [0] * width

    def watch(
        self,
        t: int,
        group: Group,
        holds: Sequence[int | None],
        began: int | None,
        latest_t: Sequence[int | None],
        latest_v: Sequence[float | None],
    ) -> None:
        """The sample time ``t``: ``group`` the readings at ``t``, ``holds`` the start of each
        step's running hold, ``began`` when the criterion's first hold began, ``latest_t`` and
        ``latest_v`` every probe's latest reading (§3.1)."""
        if holds != self.starts:
            self._follow(holds)
        if any(self.dup_pairs) or any(self.air_pairs):
            self._watch_pairs(t, latest_t, latest_v)
        lo, hi = self.lo, self.hi
        fresh = group[lo:hi]
        clean = None not in fresh and (total := sum(fresh)) == total  # type: ignore[arg-type]
        if self.aligned and not clean:
            self._unalign()
        if self.rates and (not self.cold or began is not None):
            since = began if self.cold else None
            if self.aligned:
                self._rate_row(t, fresh, since)  # type: ignore[arg-type]
            else:
                self._rate_probes(t, fresh, since)
        if holds.count(None) == len(holds):
            if self.streaking:
                self.s_cnt = [0] * (hi - lo)
                self.streaking = False
            return
        self.streaking = True
        if clean and not any(map(eq, fresh, self.s_val)):
            # no probe repeats its last value: every streak starts again here
            width = hi - lo
            self.s_cnt = [1] * width
            self.s_start = [t] * width
            self.s_last = [t] * width
            self.s_val = fresh  # type: ignore[assignment]
            return
        self._flatline_probes(t, fresh)

    def hold_findings(self, index: int, start: int, end: int) -> None:
        """The hold of step ``index`` backs the verdict: the pairs that tracked the air or
        duplicated each other at every sample of it are findings."""
        names = self.names
        for a, b in sorted(self.dup_pairs[index] or ()):
            self.findings.add(
                Finding(
                    FindingKind.DUPLICATE_SERIES,
                    names[a],
                    start,
                    end,
                    MappingProxyType({"other": names[b]}),
                )
            )
        for p, a in sorted(self.air_pairs[index] or ()):
            self.findings.add(
                Finding(
                    FindingKind.TRACKS_AIR,
                    names[p],
                    start,
                    end,
                    MappingProxyType({"air": names[a]}),
                )
            )

    # -- pairs during a hold ----------------------------------------------------------------

    def _follow(self, holds: Sequence[int | None]) -> None:
        """A hold began or ended since the last sample: its candidate pairs start again or go."""
        slots = range(self.lo, self.hi)
        air_lo, air_hi = self.air
        for index, start in enumerate(holds):
            if start == self.starts[index]:
                continue
            if start is None:
                self.dup_pairs[index] = None
                self.air_pairs[index] = None
            else:
                self.dup_pairs[index] = set(combinations(slots, 2))
                if air_hi > air_lo:
                    self.air_pairs[index] = {(p, a) for p in slots for a in range(air_lo, air_hi)}
        self.starts = list(holds)

    def _valid(
        self, slot: int, t: int, latest_t: Sequence[int | None], latest_v: Sequence[float | None]
    ) -> float | None:
        at, value = latest_t[slot], latest_v[slot]
        if at is None or value is None or value != value or t - at > self.interval:
            return None
        return value

    def _watch_pairs(
        self, t: int, latest_t: Sequence[int | None], latest_v: Sequence[float | None]
    ) -> None:
        valid = self._valid
        for dup in self.dup_pairs:
            if dup:
                for pair in list(dup):
                    a = valid(pair[0], t, latest_t, latest_v)
                    b = valid(pair[1], t, latest_t, latest_v)
                    if a is None or a != b:
                        dup.discard(pair)
        for air in self.air_pairs:
            if air:
                for pair in list(air):
                    p = valid(pair[0], t, latest_t, latest_v)
                    a = valid(pair[1], t, latest_t, latest_v)
                    if p is None or a is None or abs(p - a) > TRACKS_AIR_WITHIN + _FINDING_SLACK:
                        air.discard(pair)

    # -- implausible rate -------------------------------------------------------------------

    def _rate_row(self, t: int, fresh: list[float], since: int | None) -> None:
        limit = COLD_RATE_LIMIT if self.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        cutoff = t - unit
        times, rows = self.win_t, self.win_v
        while len(times) > 1 and times[1] <= cutoff:
            times.popleft()
            rows.popleft()
        if times and times[0] <= cutoff and (since is None or times[0] >= since):
            anchor_t, anchor = times[0], rows[0]
            span = t - anchor_t
            worst = max(map(abs, map(sub, fresh, anchor)))
            if worst * unit >= float(limit[0]) * span * (1 - 1e-9):
                names = self.names
                for k, value in enumerate(fresh):
                    if rate_exceeds(value, anchor[k], span, limit):
                        self.findings.extend_or_open(
                            FindingKind.IMPLAUSIBLE_RATE,
                            names[self.lo + k],
                            anchor_t,
                            t,
                            continues_from=times[-1],
                            detail={"from_value": anchor[k], "to_value": value},
                        )
        times.append(t)
        rows.append(fresh)

    def _unalign(self) -> None:
        """Probes stopped reporting together: give each its own rate window from now on."""
        self.aligned = False
        for k in range(self.hi - self.lo):
            self.windows[k] = deque(zip(self.win_t, (row[k] for row in self.win_v), strict=True))
        self.win_t.clear()
        self.win_v.clear()

    def _rate_probes(self, t: int, fresh: Sequence[float | None], since: int | None) -> None:
        limit = COLD_RATE_LIMIT if self.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        names = self.names
        for k, value in enumerate(fresh):
            if value is None or value != value:
                continue
            window = self.windows[k]
            # the anchor is the latest reading at least one unit (1 min heat, 1 h cold) back
            while len(window) > 1 and window[1][0] <= t - unit:
                window.popleft()
            if window and window[0][0] <= t - unit:
                anchor_t, anchor_v = window[0]
                if (since is None or anchor_t >= since) and rate_exceeds(
                    value, anchor_v, t - anchor_t, limit
                ):
                    self.findings.extend_or_open(
                        FindingKind.IMPLAUSIBLE_RATE,
                        names[self.lo + k],
                        anchor_t,
                        t,
                        continues_from=window[-1][0],
                        detail={"from_value": anchor_v, "to_value": value},
                    )
            window.append((t, value))

    # -- flatline ---------------------------------------------------------------------------

    def _flatline_probes(self, t: int, fresh: Sequence[float | None]) -> None:
        names = self.names
        counts, starts, lasts = self.s_cnt, self.s_start, self.s_last
        # a private copy: the fast path may have left a row here that the rate window shares
        values = self.s_val = list(self.s_val)
        for k, value in enumerate(fresh):
            if value is None:
                continue
            if value != value:
                counts[k] = 0
                continue
            if counts[k] and values[k] == value:
                counts[k] += 1
                if counts[k] >= FLATLINE_READINGS:
                    self.findings.extend_or_open(
                        FindingKind.FLATLINE,
                        names[self.lo + k],
                        starts[k],
                        t,
                        continues_from=lasts[k],
                        key=(starts[k],),
                        detail={"value": value},
                    )
            else:
                counts[k] = 1
                starts[k] = t
                values[k] = value
            lasts[k] = t
