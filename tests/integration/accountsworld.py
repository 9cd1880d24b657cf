"""Two enterprises in two cities, two offices, one person per role, and one of each object.

Enterprise E1 (赣州) owns kiln K1, enterprise E2 (南昌) owns kiln K2. Office GZ covers 赣州, office
NC covers 南昌. The people of E1 and GZ are named after their role; ``op_b`` is E2's operator and
``insp_nc`` the inspector of NC. Each kiln has an open run, a closed PASS run, an alarm and a
camera still. Every password is ``PASSWORD``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from pydantic import SecretStr

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.messages import Code, Instant, Word, say
from phytowatch.services.accounts import add_office, add_user
from phytowatch.services.provisioning import (
    add_calibration,
    add_enterprise,
    add_facility,
    rotate_token,
)
from phytowatch.services.runs import start_run
from phytowatch.web.app import create_app

ADMIN_TOKEN = "admin-secret-for-tests-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PASSWORD = "correct horse battery staple"
JPEG = b"\xff\xd8\xff\xe0" + b"still" * 20 + b"\xff\xd9"
T0 = 1_772_361_600_000_000
DAY = 86_400_000_000
ROLES: dict[str, tuple[str, str | None, str | None]] = {
    "operator": ("enterprise_operator", "E1", None),
    "declarant": ("enterprise_declarant", "E1", None),
    "inspector": ("inspector", None, "GZ"),
    "certifier": ("certifying_officer", None, "GZ"),
    "port": ("port_officer", None, "GZ"),
    "admin": ("administrator", None, None),
    "op_b": ("enterprise_operator", "E2", None),
    "insp_nc": ("inspector", None, "NC"),
}
PASS_JUDGEMENT = {"verdict": "PASS", "findings": [], "review_required": False}


@dataclass
class Objects:
    open_run: int
    pass_run: int
    alarm: int
    snapshot: int


@dataclass
class World:
    services: Services
    objects: dict[str, Objects] = field(default_factory=dict)  # by facility code

    def device_token(self, facility: str) -> str:
        return rotate_token(self.services.registry, facility, ctx=ctx_at(T0)).token


def build(services: Services) -> World:
    services.settings = services.settings.model_copy(
        update={"admin_token": SecretStr(ADMIN_TOKEN), "cookie_secure": False}
    )
    registry, audit = services.registry, services.audit
    world = World(services)
    for enterprise, city, facility in (("E1", "赣州", "K1"), ("E2", "南昌", "K2")):
        add_enterprise(registry, enterprise, "企业", "Enterprise", city, "II", ctx=ctx_at(T0))
        issued = add_facility(
            registry, facility, enterprise, "kiln", ["C1", "C2", "C3"], ctx=ctx_at(T0)
        )
        for probe in ("C1", "C2", "C3"):  # calibrated: the runs carry no calibration notes
            add_calibration(
                registry,
                facility,
                probe,
                "0.0",
                calibrated_at=T0 - DAY,
                due_at=T0 + 365 * DAY,
                certificate="JJF-1",
                ctx=ctx_at(T0),
            )
        pass_run = start_run(
            services.runs, facility, "ispm15-ht", load="crates", ctx=ctx_at(T0 - 10)
        ).id
        services.runs.close_run(pass_run, T0 - 5, "pass", "PASS", json.dumps(PASS_JUDGEMENT))
        open_run = start_run(
            services.runs, facility, "ispm15-ht", load="pallets", ctx=ctx_at(T0)
        ).id
        raised = services.alarm_store.apply(
            [
                Change(
                    "raised",
                    Alarm(
                        AlarmKind.HOLD_BROKEN,
                        facility,
                        "run",
                        Severity.MAJOR,
                        AlarmState.ACTIVE,
                        T0,
                        T0,
                        1,
                        "1",
                        say(Code.ALARM_HOLD_BROKEN, at=Instant(T0), reason=Word("gap")),
                    ),
                )
            ]
        )
        snapshot = registry.add_snapshot(
            issued.facility.id, JPEG, "0" * 64, "image/jpeg", camera="", taken_at=None, now=T0
        )
        alarm_id = raised[0].alarm.id
        assert alarm_id is not None
        world.objects[facility] = Objects(open_run, pass_run, alarm_id, snapshot)
    add_office(
        services.accounts, audit, code="GZ", name="赣州", cities=["赣州"], ctx=ctx_at(T0, "test")
    )
    add_office(
        services.accounts, audit, code="NC", name="南昌", cities=["南昌"], ctx=ctx_at(T0, "test")
    )
    for login, (role, employer, office) in ROLES.items():
        add_user(
            services.accounts,
            audit,
            login=login,
            name=login.title(),
            role=role,
            password=PASSWORD,
            enterprise=employer,
            office=office,
            cost=10,
            ctx=ctx_at(T0, "test"),
        )
    return world


@contextmanager
def client_for(world: World, *, raise_server_exceptions: bool = True) -> Iterator[TestClient]:
    app = create_app(world.services.settings, world.services)
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
        yield client


def login(client: TestClient, who: str, password: str = PASSWORD) -> dict[str, str]:
    """Headers of a fresh session of ``who``: its cookie and its CSRF token."""
    answer = client.post("/api/v1/auth/login", json={"login": who, "password": password})
    assert answer.status_code == 200, answer.text
    cookie = answer.cookies["phytowatch_session"]
    client.cookies.clear()  # each request names its session explicitly
    return {
        "Cookie": f"phytowatch_session={cookie}",
        "X-CSRF-Token": answer.json()["csrf_token"],
    }
