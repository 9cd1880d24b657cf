"""A known history for the bureau's figures, written straight into the tables (every instant and
value chosen, so that each figure has one right answer): three enterprises in two cities, four
facilities, runs with verdicts, alarms acknowledged at known delays, six consignments through
the steps, certificates, interceptions. ``tests/integration/test_kpi_figures.py`` checks it.

March 2026 in the bureau's zone is the period; ``NOW`` is 21 March, 00:00 (UTC+8).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Engine

from phytowatch.services.kpi import instant_of
from phytowatch.storage.accounts_tables import office_areas, offices
from phytowatch.storage.certificates.tables import certificate_issues, certificates
from phytowatch.storage.supervision.assessment_tables import (
    assessments,
    consignment_routes,
    interceptions,
)
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignment_lines,
    consignments,
    declaration_versions,
)
from phytowatch.storage.supervision.standing_tables import enterprise_standing
from phytowatch.storage.tables import alarms, enterprises, facilities, probes, readings, runs
from phytowatch.storage.transfers.tables import transfers

MIN = 60_000_000
H = 60 * MIN
D = 24 * H
T0 = instant_of(date(2026, 3, 1))
END = instant_of(date(2026, 4, 1))
NOW = T0 + 20 * D
INTERVALS = {"S1": 10 * MIN}  # the schedules' longest gap between readings
DEFAULT_INTERVAL = 5 * MIN  # a facility with no open run


def _add(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    return int(key[0]) if key and key[0] is not None else 0


class History:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {}

    def enterprise(self, code: str, city: str, *standing: tuple[bool, int]) -> None:
        self.ids[code] = _add(
            self.conn, enterprises, code=code, name_zh=code, name_en=code, city=city,
            grade="B", created_at=T0 - 400 * D,
        )  # fmt: skip
        for supervised, since in standing:
            _add(
                self.conn, enterprise_standing, enterprise_id=self.ids[code], scheme="s",
                **{"class": "B"}, e_supervised=supervised, key_list=False, since=since, by="t",
            )  # fmt: skip

    def facility(self, code: str, enterprise: str, *heard: tuple[int, int]) -> None:
        fid = _add(
            self.conn, facilities, code=code, enterprise_id=self.ids[enterprise], kind="kiln",
            created_at=T0 - 300 * D,
        )  # fmt: skip
        self.ids[code] = fid
        probe = _add(self.conn, probes, facility_id=fid, code="P1", role="product", created_at=0)
        for t, received in heard:
            _add(
                self.conn, readings, probe_id=probe, t=t, facility_id=fid, value=60.0,
                received_at=received,
            )  # fmt: skip

    def run(
        self, facility: str, schedule: str, started: int, closed: int | None, verdict: str | None
    ) -> None:
        _add(
            self.conn, runs, facility_id=self.ids[facility], schedule_id=schedule,
            schedule_version="1", load="load", started_at=started, closed_at=closed,
            close_reason=None if closed is None else "pass", verdict=verdict,
        )  # fmt: skip

    def alarm(self, kind: str, facility: str, raised: int, delay: int | None) -> None:
        _add(
            self.conn, alarms, kind=kind, facility=facility, subject="", severity="major",
            state="active" if delay is None else "acknowledged", raised_at=raised,
            last_seen_at=raised, count=1,
            acknowledged_at=None if delay is None else raised + delay,
            acknowledged_by=None if delay is None else "user:i",
        )  # fmt: skip

    def consignment(
        self,
        number: str,
        enterprise: str,
        destination: str,
        submitted: int,
        versions: list[dict[str, Any]],
    ) -> int:
        """``versions``: each with ``lines`` [(product, quantity)], ``value``, ``currency``,
        ``mode``, ``outcome``."""
        cid = _add(
            self.conn, consignments, number=number, enterprise_id=self.ids[enterprise],
            state="routed", version=len(versions), destination=destination, consignee="c",
            created_at=submitted - H, created_by="user:d", submitted_at=submitted,
            updated_at=submitted,
        )  # fmt: skip
        for n, version in enumerate(versions, start=1):
            at = submitted + (n - 1) * MIN
            content = {
                "destination": destination,
                "declared_value": version.get("value"),
                "currency": version.get("currency", ""),
            }
            _add(
                self.conn, declaration_versions, consignment_id=cid, version=n,
                content=json.dumps(content), content_hash="0" * 64, submitted_at=at,
                submitted_by="user:d",
            )  # fmt: skip
            for line_no, (product, quantity) in enumerate(version["lines"], start=1):
                _add(
                    self.conn, consignment_lines, consignment_id=cid, version=n,
                    line_no=line_no, product=product, quantity=quantity, unit="kg", packages=1,
                )  # fmt: skip
            _add(
                self.conn, consignment_routes, consignment_id=cid, version=n,
                outcome=version["outcome"], mode=version["mode"], ratio="0", draw="0",
                rules_version="1", fired="[]", reasons="[]", inputs="{}", products=" ",
                destination=destination, at=at,
            )  # fmt: skip
        self.event(cid, "submitted", submitted)
        self.ids[number] = cid
        return cid

    def event(self, consignment: int, step: str, at: int) -> None:
        _add(
            self.conn, consignment_events, consignment_id=consignment, step=step, at=at,
            actor="user:x", version=1,
        )  # fmt: skip

    def certificate(self, number: str, enterprise: str, city: str, issued: int) -> None:
        cid = self.ids[number]
        cert = _add(
            self.conn, certificates, kind="phytosanitary", consignment_id=cid, office="GZ",
            enterprise=enterprise, city=city, created_at=issued - H, created_by="user:c",
        )  # fmt: skip
        _add(
            self.conn, certificate_issues, certificate_id=cert, number=f"PC-{number}",
            office="GZ", year=2026, sequence=cert, revision=1, content_hash="0" * 64,
            signature="sig", key_id="k", token=f"tok{cert}", check_code="c",
            payload_signature="ps", officer="o", officer_actor="user:c", place="p",
            issued_at=issued,
        )  # fmt: skip
        self.event(cid, "certified", issued)

    def interception(self, number: str, enterprise: str, city: str, pest: str, at: int) -> None:
        cid = self.ids[number]
        key = f"assessment:{number}"
        if key not in self.ids:
            self.ids[key] = _add(
                self.conn, assessments, consignment_id=cid, version=1, kind="inspection",
                conformity="nonconforming", inspected="", lab_results="", findings="",
                comment="", evidence="{}", by="user:i", office="GZ", at=at,
            )  # fmt: skip
        _add(
            self.conn, interceptions, assessment_id=self.ids[key], consignment_id=cid,
            line_no=1, pest=pest, life_stage="larva", count=1, batches="", enterprise=enterprise,
            city=city, products=" ", destination="US", at=at, by="user:i",
        )  # fmt: skip

    def transfer(self, number: str, enterprise: str, city: str, port_office: str, at: int) -> None:
        cid = self.ids[number]
        _add(
            self.conn, transfers, number=f"T-{number}", origin_office="GZ", year=2026,
            sequence=cid, consignment_id=cid, consignment_number=number, enterprise=enterprise,
            city=city, port="CNXMN" if port_office else "CNSZX", port_office=port_office,
            electronic=bool(port_office), receiver="", version=1, declaration="{}",
            certificates="[]", ports_version="1", created_at=at, created_by="user:c",
        )  # fmt: skip
        self.event(cid, "transferred", at)

    def office(self, code: str, city: str) -> None:
        oid = _add(self.conn, offices, code=code, name=code, created_at=0)
        _add(self.conn, office_areas, office_id=oid, kind="city", value=city)


def build(engine: Engine) -> None:
    with engine.begin() as conn:
        w = History(conn)
        w.office("GZ", "赣州")
        w.office("NC", "南昌")
        w.office("PXMN", "厦门")  # the port of exit's office: covers no enterprise of these
        w.enterprise("E1", "赣州", (True, T0 - 100 * D))
        w.enterprise("E2", "赣州", (True, T0 - 100 * D), (False, T0 - 50 * D))  # no longer
        w.enterprise("E3", "南昌", (False, T0 - 100 * D), (True, END + D))  # only after March
        # K1: a run open, heard a minute ago: online; K2: readings in March only; K3: a run
        # in February only; K4: a run open since February, silent for a day
        w.facility("K1", "E1", (NOW - MIN, NOW - MIN))
        w.facility("K2", "E1", (T0 + D, T0 + D), (T0 + 2 * D, T0 + 2 * D))
        w.facility("K3", "E2")
        w.facility("K4", "E3", (NOW - D, NOW - D))
        w.run("K1", "S1", T0 + H, T0 + 3 * H, "PASS")
        w.run("K1", "S1", T0 + 5 * H, T0 + 7 * H, "FAIL")
        w.run("K1", "S2", T0 + 10 * H, T0 + 12 * H, "PASS")
        w.run("K1", "S1", NOW - H, None, None)
        w.run("K3", "S2", T0 - 10 * D, T0 - 9 * D, "PASS")
        w.run("K4", "S2", T0 - D, None, None)
        w.alarm("hold_broken", "K1", T0 + H, 5 * MIN)
        w.alarm("hold_broken", "K1", T0 + 2 * H, 25 * MIN)
        w.alarm("hold_broken", "K1", T0 + 3 * H, 15 * MIN)
        w.alarm("facility_silent", "K1", T0 + 4 * H, None)
        w.alarm("tamper", "K3", T0 + 5 * H, MIN)
        w.alarm("tamper", "K3", T0 - H, MIN)  # February
        credit = {"mode": "credit", "outcome": "documents"}
        c1 = w.consignment(
            "C1", "E1", "US", T0 + D,
            [{"lines": [("citrus", "1000"), ("tea", "200")], "value": "10000.50",
              "currency": "USD", **credit}],
        )  # fmt: skip
        c2 = w.consignment(
            "C2", "E1", "US", T0 + 2 * D,
            [{"lines": [("citrus", "500")], "value": "2000", "currency": "USD", **credit}],
        )  # fmt: skip
        c3 = w.consignment(
            "C3", "E1", "GB", T0 + 3 * D,
            [{"lines": [("citrus", "300")], "value": "3000.25", "currency": "USD",
              "mode": "general", "outcome": "inspect"}],
        )  # fmt: skip
        w.consignment(
            "C4", "E3", "GB", T0 + 4 * D,
            [{"lines": [("tea", "50")], "mode": "strict", "outcome": "inspect"}],
        )  # fmt: skip
        c5 = w.consignment(
            "C5", "E1", "US", T0 - 5 * D,
            [{"lines": [("tea", "1")], "value": "1", "currency": "USD", **credit}],
        )  # fmt: skip
        c6 = w.consignment(
            "C6", "E1", "US", T0 + 5 * D,
            [{"lines": [("citrus", "999")], "value": "9999", "currency": "USD",
              "mode": "general", "outcome": "inspect"},
             {"lines": [("citrus", "700")], "value": "7000", "currency": "USD", **credit}],
        )  # fmt: skip
        for number, enterprise, city, issued in (
            ("C1", "E1", "赣州", T0 + D + 2 * H),
            ("C2", "E1", "赣州", T0 + 2 * D + 30 * MIN),
            ("C3", "E1", "赣州", T0 + 4 * D),
            ("C4", "E3", "南昌", T0 + 5 * D),
            ("C5", "E1", "赣州", T0 - 4 * D),
            ("C6", "E1", "赣州", T0 + 5 * D + 4 * H),
        ):
            w.certificate(number, enterprise, city, issued)
            # to the port office PXMN, but C3 and C5, whose port takes paper
            w.transfer(number, enterprise, city, "" if number in ("C3", "C5") else "PXMN", issued)
        w.event(c1, "released", T0 + D + 3 * H)  # 3 h
        w.event(c2, "released", T0 + 2 * D + H)  # 1 h
        w.event(c3, "released", T0 + 3 * D + 26 * H)  # 26 h, on 5 March
        w.event(c5, "released", T0 + 10 * H)  # 130 h, on 1 March
        w.event(c6, "released", T0 + 5 * D + 5 * H)  # 5 h
        w.interception("C3", "E1", "赣州", "Bactrocera dorsalis", T0 + 3 * D + 2 * H)
        w.interception("C3", "E1", "赣州", "Bactrocera dorsalis", T0 + 3 * D + 3 * H)
        w.interception("C1", "E1", "赣州", "Bactrocera dorsalis", T0 + D + H)
        w.interception("C4", "E3", "南昌", "Ceratitis capitata", T0 + 4 * D + H)
        w.interception("C5", "E1", "赣州", "Ceratitis capitata", T0 - 5 * D + H)  # February
