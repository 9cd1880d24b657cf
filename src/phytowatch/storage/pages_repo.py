"""What the pages read in bulk, answered by the database in one query each.

- A run's readings summarised for a chart: per probe, the minimum and maximum valid value in each
  time bucket (``GROUP BY``), so a 22-day run of 250,000 readings becomes a few thousand rows
  without leaving the database. Faults are left out, as in ``domain.series.downsample``.
- Each facility's last closed run for the wall (id, verdict, when, and its judgement, calibration
  notes and sign-off, from which its review state is derived), in one query.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from phytowatch.domain.signoff import Decision, SignOff
from phytowatch.services.ports import LastRun
from phytowatch.storage.accounts_tables import run_signoffs
from phytowatch.storage.errors import translating
from phytowatch.storage.tables import facilities, probes, readings, runs


@translating
class SqlPageStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def buckets(
        self, facility_id: int, t_from: int, t_to: int, width: int
    ) -> list[tuple[str, int, float, float, int]]:
        """``(probe, bucket start, min, max, readings)`` of each non-empty bucket of ``width`` µs
        from ``t_from`` up to ``t_to`` (both included), in time order."""
        if width < 1 or t_to < t_from:
            raise ValueError("need a positive bucket width and a time span")
        index = (readings.c.t - t_from) // width  # integer division on SQLite and PostgreSQL
        query = (
            select(
                probes.c.code,
                index.label("bucket"),
                func.min(readings.c.value),
                func.max(readings.c.value),
                func.count(),
            )
            .join(probes, probes.c.id == readings.c.probe_id)
            .where(readings.c.facility_id == facility_id)
            .where(readings.c.t >= t_from)
            .where(readings.c.t <= t_to)
            .where(readings.c.fault.is_(None))
            .group_by(probes.c.code, index)
            .order_by(index)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            (code, t_from + int(bucket) * width, float(low), float(high), int(count))
            for code, bucket, low, high, count in rows
        ]

    def last_closed_runs(self) -> dict[str, LastRun]:
        """Facility code -> its latest closed run, with its judgement, calibration notes and
        sign-off (what its review state is derived from): one query for every facility."""
        latest = (
            select(func.max(runs.c.id))
            .where(runs.c.closed_at.is_not(None))
            .group_by(runs.c.facility_id)
            .scalar_subquery()
        )
        query = (
            select(
                facilities.c.code,
                runs.c.id,
                runs.c.verdict,
                runs.c.closed_at,
                runs.c.judgement,
                runs.c.calibration_notes,
                run_signoffs.c.decision,
                run_signoffs.c.comment,
                run_signoffs.c.login,
                run_signoffs.c.office,
                run_signoffs.c.at,
            )
            .join(facilities, facilities.c.id == runs.c.facility_id)
            .outerjoin(run_signoffs, run_signoffs.c.run_id == runs.c.id)
            .where(runs.c.id.in_(latest))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = {}
        for row in rows:
            signoff = None
            if row.decision is not None:
                signoff = SignOff(
                    row.id, Decision(row.decision), row.comment, row.login, row.office, row.at
                )
            out[row.code] = LastRun(
                id=row.id,
                verdict=row.verdict,
                closed_at=row.closed_at,
                judgement=json.loads(row.judgement) if row.judgement else None,
                calibration_notes=json.loads(row.calibration_notes or "[]"),
                signoff=signoff,
            )
        return out
