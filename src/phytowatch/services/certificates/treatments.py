"""The treatment box of each run that may back a certificate (``TreatmentSource``): a run that
exists, passed and was signed off (``services.signoff.run_backs_certificate``), described from
its own stored judgement and its schedule (``domain.certificates.treatment``)."""

from __future__ import annotations

from collections.abc import Callable

from phytowatch.domain.certificates.model import TreatmentStatement
from phytowatch.domain.certificates.treatment import treatment_statement
from phytowatch.domain.schedule import Schedule
from phytowatch.services.signoff import RunLookup, SignOffStore, run_backs_certificate


class RunTreatments:
    def __init__(
        self,
        runs: RunLookup,
        signoffs: SignOffStore,
        schedule: Callable[[str, str], Schedule],
    ) -> None:
        self.runs = runs
        self.signoffs = signoffs
        self.schedule = schedule

    def treatment(self, run_id: int) -> TreatmentStatement | None:
        if not run_backs_certificate(self.runs, self.signoffs, run_id).ok:
            return None
        record = self.runs.run(run_id)
        if record is None or record.judgement is None:
            return None
        try:
            schedule = self.schedule(record.schedule_id, record.schedule_version)
        except (KeyError, LookupError, ValueError):
            return None
        return treatment_statement(
            run_id, schedule, record.judgement, facility=record.facility_code
        )
