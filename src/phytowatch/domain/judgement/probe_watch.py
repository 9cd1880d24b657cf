"""Findings watched probe by probe (treatments.md §3.5): flatline, implausible rate, and the
pairs of probes that track the air or duplicate each other during a hold.

A mixin of :class:`~phytowatch.domain.judgement.evaluator.Evaluator`: it reads the evaluator's
latest readings and writes its finding log.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import combinations
from operator import eq, sub

from phytowatch.domain.judgement.findings import (
    COLD_RATE_LIMIT,
    FLATLINE_READINGS,
    HEAT_RATE_LIMIT,
    TRACKS_AIR_WITHIN,
    FindingLog,
    rate_exceeds,
)
from phytowatch.domain.judgement.tracks import Group, HoldTrack, Layout
from phytowatch.domain.judgement.verdict import FindingKind

_FINDING_SLACK = 1e-9  # float representation slack for finding tolerances (not for compliance)


class ProbeWatch:
    """Per-probe finding watchers; the evaluator provides the state they read and write."""

    layout: Layout
    interval: int
    latest_t: list[int | None]
    latest_v: list[float | None]
    findings: FindingLog
    rate_window: list[deque[tuple[int, float]]]

    def _reset_pairs(self, track: HoldTrack, indices: range | tuple[int, ...]) -> None:
        slots = range(track.lo, track.hi)
        air_lo, air_hi = self.layout.slots("air")
        for index in indices:
            track.dup_pairs[index] = set(combinations(slots, 2))
            if track.crit.role == "product" and air_hi > air_lo:
                track.air_pairs[index] = {(p, a) for p in slots for a in range(air_lo, air_hi)}

    def _valid_value(self, slot: int, t: int) -> float | None:
        at, value = self.latest_t[slot], self.latest_v[slot]
        if at is None or value is None or value != value or t - at > self.interval:
            return None
        return value

    def _watch_pairs(self, track: HoldTrack, t: int) -> None:
        if not any(track.dup_pairs) and not any(track.air_pairs):
            return
        for index, start in enumerate(track.holds):
            if start is None:
                continue
            dup = track.dup_pairs[index]
            if dup:
                for pair in list(dup):
                    a, b = self._valid_value(pair[0], t), self._valid_value(pair[1], t)
                    if a is None or a != b:
                        dup.discard(pair)
            air = track.air_pairs[index]
            if air:
                for pair in list(air):
                    p, a = self._valid_value(pair[0], t), self._valid_value(pair[1], t)
                    if p is None or a is None or abs(p - a) > TRACKS_AIR_WITHIN + _FINDING_SLACK:
                        air.discard(pair)

    def _watch_probes(self, track: HoldTrack, t: int, group: Group) -> None:
        """Flatline and implausible-rate findings for the judged probes read at ``t``.

        While every probe of the criterion reports at the same instants (the usual case), the
        probes share one rate window and both checks run on the whole row at once; the exact
        per-probe arithmetic runs only for a probe that may be past a limit.
        """
        lo, hi = track.lo, track.hi
        fresh = group[lo:hi]
        clean = None not in fresh and (total := sum(fresh)) == total  # type: ignore[arg-type]
        if track.aligned and not clean:
            self._unalign(track)
        rates = track.crit.role != "rh" and (not track.cold or track.first_hold_start is not None)
        if rates:
            if track.aligned:
                self._rate_row(track, t, fresh)  # type: ignore[arg-type]
            else:
                self._rate_probes(track, t, fresh)
        if not track.holding():
            if track.streaking:
                track.s_cnt = [0] * (hi - lo)
                track.streaking = False
            return
        track.streaking = True
        if clean and not any(map(eq, fresh, track.s_val)):
            # no probe repeats its last value: every streak starts again here
            width = hi - lo
            track.s_cnt = [1] * width
            track.s_start = [t] * width
            track.s_last = [t] * width
            track.s_val = fresh  # type: ignore[assignment]
            return
        self._flatline_probes(track, t, fresh)

    def _rate_row(self, track: HoldTrack, t: int, fresh: list[float]) -> None:
        limit = COLD_RATE_LIMIT if track.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        cutoff = t - unit
        times, rows = track.win_t, track.win_v
        while len(times) > 1 and times[1] <= cutoff:
            times.popleft()
            rows.popleft()
        since = track.first_hold_start if track.cold else None
        if times and times[0] <= cutoff and (since is None or times[0] >= since):
            anchor_t, anchor = times[0], rows[0]
            span = t - anchor_t
            worst = max(map(abs, map(sub, fresh, anchor)))
            if worst * unit >= float(limit[0]) * span * (1 - 1e-9):
                names = self.layout.names
                for k, value in enumerate(fresh):
                    if rate_exceeds(value, anchor[k], span, limit):
                        self.findings.extend_or_open(
                            FindingKind.IMPLAUSIBLE_RATE,
                            names[track.lo + k],
                            anchor_t,
                            t,
                            continues_from=times[-1],
                            detail={"from_value": anchor[k], "to_value": value},
                        )
        times.append(t)
        rows.append(fresh)

    def _unalign(self, track: HoldTrack) -> None:
        """Probes stopped reporting together: give each its own rate window from now on."""
        track.aligned = False
        for k in range(track.hi - track.lo):
            self.rate_window[track.lo + k] = deque(
                zip(track.win_t, (row[k] for row in track.win_v), strict=True)
            )
        track.win_t.clear()
        track.win_v.clear()

    def _rate_probes(self, track: HoldTrack, t: int, fresh: Sequence[float | None]) -> None:
        limit = COLD_RATE_LIMIT if track.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        since = track.first_hold_start if track.cold else None
        names = self.layout.names
        for k, value in enumerate(fresh):
            if value is None or value != value:
                continue
            window = self.rate_window[track.lo + k]
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
                        names[track.lo + k],
                        anchor_t,
                        t,
                        continues_from=window[-1][0],
                        detail={"from_value": anchor_v, "to_value": value},
                    )
            window.append((t, value))

    def _flatline_probes(self, track: HoldTrack, t: int, fresh: Sequence[float | None]) -> None:
        names = self.layout.names
        counts, starts, lasts = track.s_cnt, track.s_start, track.s_last
        # a private copy: the fast path may have left a row here that the rate window shares
        values = track.s_val = list(track.s_val)
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
                        names[track.lo + k],
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
