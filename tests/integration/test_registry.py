"""The registry on SQLite and PostgreSQL: enterprises, facilities, probes and device tokens."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from fastapi.testclient import TestClient
from pwsupport import Provisioned
from sqlalchemy import func, select, text

from acting import ctx_at
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import Settings
from phytowatch.domain.messages import Code, Kind, Refused
from phytowatch.services.ports import EnterpriseRecord, ProbeRef
from phytowatch.services.provisioning import (
    add_enterprise,
    add_facility,
    hash_token,
    revoke_tokens,
    rotate_token,
)
from phytowatch.storage.tables import device_tokens, enterprises, facilities, probes
from phytowatch.web.app import create_app
from refusals import refused

pytestmark = pytest.mark.integration

CODE = "JX-0031-K2"


def _post(client: TestClient, token: str, t: int = 1_772_361_600) -> int:
    body = {"facility": CODE, "readings": [{"probe": "C1", "t": t, "v": 55.0}]}
    answer = client.post(
        "/api/v1/ingest",
        content=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code


def test_enterprises_facilities_and_probes_round_trip(services: Services) -> None:
    registry = services.registry
    made = add_enterprise(
        registry, "0031", " 赣州木业 ", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(5)
    )
    assert made == EnterpriseRecord(made.id, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II")
    assert registry.enterprise_by_code("0031") == made
    assert registry.enterprise_by_code("0032") is None

    issued = add_facility(
        registry,
        CODE,
        "0031",
        "kiln",
        ["C1:product:centre of the stack", "C2", "A1:AIR", "W1:water"],
        name="Kiln 2",
        treater_number="CN-36-0031",
        ctx=ctx_at(7),
    )
    found = registry.facility_by_code(CODE)
    assert found == issued.facility
    assert found is not None
    assert (found.code, found.enterprise_id, found.kind) == (CODE, made.id, "kiln")
    assert {code: (p.code, p.role) for code, p in found.probes.items()} == {
        "C1": ("C1", "product"),
        "C2": ("C2", "product"),
        "A1": ("A1", "air"),
        "W1": ("W1", "water"),
    }
    assert all(isinstance(p, ProbeRef) and p.id > 0 for p in found.probes.values())
    assert registry.facility_by_code("JX-0031-K9") is None
    assert registry.facility_by_token_hash(hash_token(issued.token)) == found

    with services.engine.connect() as conn:
        facility_row = conn.execute(select(facilities).where(facilities.c.code == CODE)).one()
        probe_rows = conn.execute(select(probes).order_by(probes.c.code)).all()
        created = conn.execute(select(enterprises.c.created_at)).scalar_one()
    assert (facility_row.name, facility_row.treater_number, facility_row.created_at) == (
        "Kiln 2",
        "CN-36-0031",
        7,
    )
    assert created == 5
    assert [(p.code, p.placement) for p in probe_rows] == [
        ("A1", ""),
        ("C1", "centre of the stack"),
        ("C2", ""),
        ("W1", ""),
    ]
    assert registry.list_facilities() == [
        {"code": CODE, "kind": "kiln", "enterprise": "0031", "probes": 4}
    ]
    assert [e.code for e in registry.list_enterprises()] == ["0031"]


def test_duplicate_codes_are_refused_with_a_provisioning_error_and_change_nothing(
    services: Services, kiln: Provisioned
) -> None:
    registry = services.registry
    with refused(Code.ENTERPRISE_EXISTS, Kind.CONFLICT):
        add_enterprise(registry, "0031", "另一个", "Another", "南昌", "I", ctx=ctx_at(2))
    with refused(Code.FACILITY_EXISTS, Kind.CONFLICT):
        add_facility(registry, CODE, "0031", "kiln", ["C9"], ctx=ctx_at(2))
    with refused(Code.PROBE_TWICE, Kind.INVALID):
        add_facility(registry, "JX-0031-K3", "0031", "kiln", ["C1", "C2", "C1:air"], ctx=ctx_at(2))
    with refused(Code.NO_ENTERPRISE, Kind.NOT_FOUND):
        add_facility(registry, "JX-0099-K1", "0099", "kiln", ["C1"], ctx=ctx_at(2))
    with refused(Code.FACILITY_KIND, Kind.INVALID):
        add_facility(registry, "JX-0031-K3", "0031", "oven", ["C1"], ctx=ctx_at(2))
    with refused(Code.PROBE_ROLE, Kind.INVALID):
        add_facility(registry, "JX-0031-K3", "0031", "kiln", ["C1:surface"], ctx=ctx_at(2))
    with refused(Code.PROBES_NONE, Kind.INVALID):
        add_facility(registry, "JX-0031-K3", "0031", "kiln", [], ctx=ctx_at(2))
    with refused(Code.ENTERPRISE_GRADE, Kind.INVALID):
        add_enterprise(registry, "0032", "名", "Name", "城", "Z", ctx=ctx_at(2))

    assert [e.code for e in registry.list_enterprises()] == ["0031"]
    assert [f["code"] for f in registry.list_facilities()] == [CODE]
    unchanged = registry.facility_by_code(CODE)
    assert unchanged is not None
    assert sorted(unchanged.probes) == ["A1", "C1", "C2", "C3"]


def test_creating_the_same_facility_at_the_same_time_answers_exists_already(
    services: Services, kiln: Provisioned
) -> None:
    errors: list[Code] = []

    def create() -> None:
        try:
            add_facility(
                services.registry, "K-RACE", "0031", "kiln", ["C1:product"], ctx=ctx_at(10)
            )
        except Refused as error:
            errors.append(error.message.code)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 5
    assert set(errors) == {Code.FACILITY_EXISTS}


def test_a_device_token_is_stored_only_as_its_sha256(services: Services, kiln: Provisioned) -> None:
    rotated = rotate_token(services.registry, CODE, ctx=ctx_at(3))
    with services.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(device_tokens)).all()]
    assert len(rows) == 2
    assert {r["token_hash"] for r in rows} == {
        hashlib.sha256(kiln.token.encode()).hexdigest(),
        hashlib.sha256(rotated.token.encode()).hexdigest(),
    }
    for token in (kiln.token, rotated.token):
        assert token.startswith("pwd_") and len(token) >= 40
        for row in rows:
            assert all(token not in str(value) for value in row.values()), row
            assert row["hint"] != token and len(row["hint"]) <= 12
    assert kiln.token != rotated.token
    # nowhere else in the database either
    with services.engine.connect() as conn:
        for table in ("enterprises", "facilities", "probes", "device_tokens"):
            dump = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}")).all()]
            assert kiln.token not in repr(dump) and rotated.token not in repr(dump)


def test_rotating_a_token_revokes_the_old_one_and_revoking_leaves_none(
    settings: Settings, services: Services, kiln: Provisioned
) -> None:
    with TestClient(create_app(settings, services)) as client:
        assert _post(client, kiln.token) == 200

        rotated = rotate_token(services.registry, CODE, ctx=ctx_at(10))
        assert _post(client, kiln.token, t=1_772_361_660) == 401
        assert _post(client, rotated.token, t=1_772_361_660) == 200
        assert services.registry.facility_by_token_hash(hash_token(kiln.token)) is None

        assert revoke_tokens(services.registry, CODE, ctx=ctx_at(11)) == 1
        assert _post(client, rotated.token, t=1_772_361_720) == 401
        assert revoke_tokens(services.registry, CODE, ctx=ctx_at(12)) == 0  # nothing left to revoke
    with services.engine.connect() as conn:
        revoked = conn.execute(
            select(device_tokens.c.revoked_at).order_by(device_tokens.c.id)
        ).scalars()
        assert list(revoked) == [10, 11]
    assert services.registry.reading_count(kiln.facility.id) == 2
    with refused(Code.NO_FACILITY, Kind.NOT_FOUND) as caught:
        rotate_token(services.registry, "JX-0031-K9", ctx=ctx_at(13))
    assert caught.value.message.params == {"facility": "JX-0031-K9"}


def test_rotations_at_the_same_time_leave_exactly_one_working_token(
    services: Services, kiln: Provisioned
) -> None:
    tokens: list[str] = []

    def rotate() -> None:
        tokens.append(rotate_token(services.registry, "JX-0031-K2", ctx=ctx_at(10)).token)

    threads = [threading.Thread(target=rotate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    working = [t for t in tokens if services.registry.facility_by_token_hash(hash_token(t))]
    assert len(tokens) == 8 and len(working) == 1


def test_migrating_the_same_database_twice_changes_nothing(
    settings: Settings, services: Services, kiln: Provisioned
) -> None:
    before = services.schema_revision()
    assert before is not None
    again = bootstrap(settings)  # migrates again, on the same database
    try:
        assert again.schema_revision() == before
        assert again.registry.facility_by_code(CODE) == kiln.facility
        with again.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            assert [v[0] for v in versions] == [before]
            assert conn.execute(select(func.count()).select_from(device_tokens)).scalar() == 1
    finally:
        again.close()
    third = bootstrap(settings)
    try:
        assert third.schema_revision() == before
    finally:
        third.close()


def test_a_text_longer_than_the_registry_keeps_is_refused_with_a_provisioning_error(
    services: Services, kiln: Provisioned
) -> None:
    registry = services.registry
    attempts = [
        lambda: add_enterprise(registry, "E" * 40, "名", "Name", "城", "II", ctx=ctx_at(2)),
        lambda: add_enterprise(registry, "0040", "名", "Name", "城" * 150, "II", ctx=ctx_at(2)),
        lambda: add_facility(
            registry, "K-A", "0031", "kiln", ["C1:product:" + "p" * 300], ctx=ctx_at(2)
        ),
        lambda: add_facility(
            registry, "K-B", "0031", "kiln", ["C1"], name="n" * 300, ctx=ctx_at(2)
        ),
        lambda: add_facility(
            registry, "K-C", "0031", "kiln", ["C1"], treater_number="9" * 40, ctx=ctx_at(2)
        ),
    ]
    outcomes = []
    for attempt in attempts:
        try:
            attempt()
            outcomes.append("stored")
        except Refused:
            outcomes.append("refused")
        except Exception as error:  # the bug: a database error leaks out
            outcomes.append(type(error).__name__)
    assert outcomes == ["refused"] * len(attempts)
