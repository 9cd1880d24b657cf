"""Step 5, the e-transfer, on SQLite and PostgreSQL: made in the certificate's issuing
transaction (and gone with it when that rolls back), on paper for a port without an office,
amended by a replacement and a cancellation, taken at the port with number and password (wrong
ones lock out), amended by the declarant within the rules; what the database refuses; numbers
without gaps under concurrent issue (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from accountsworld import World
from sqlalchemy import func, select, text

from acting import ctx_of
from certworld import T0, person
from phytowatch.bootstrap import Services
from phytowatch.domain.messages import Kind, Refused
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.domain.transfers import password as passwords
from phytowatch.i18n.catalogue import render
from phytowatch.services.audit import AuditFilter
from phytowatch.services.transfers.service import AmendmentRefused
from phytowatch.storage.outbox.tables import outbox_messages
from phytowatch.storage.transfers.tables import transfers
from transferworld import approved, assessed_to, port_office, port_officer, transferred

pytestmark = pytest.mark.integration
MINUTE = 60_000_000


def _outbox(services: Services) -> list[tuple[str, str, str]]:
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(
                outbox_messages.c.topic, outbox_messages.c.key, outbox_messages.c.destination
            ).order_by(outbox_messages.c.id)
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_issuing_makes_the_transfer_and_its_outbox_message_in_one_transaction(
    world: World,
) -> None:
    services = world.services
    made, issued = transferred(services)
    assert issued.issue is not None
    assert made.number == f"GZZD2026{1:06d}" and made.electronic
    assert (made.port, made.port_office, made.receiver) == ("CNXMN", "PXMN", "xiamen-port")
    assert made.certificates == (issued.issue.number,)
    assert made.ports_version == "2026.1"
    consignment = services.consignments.consignment(made.consignment_id)
    assert consignment is not None and consignment.state is ConsignmentState.TRANSFERRED
    last = services.consignments.timeline(made.consignment_id)[-1]
    assert last.step is Step.TRANSFERRED and last.detail["code"] == "transfer.made"
    assert _outbox(services) == [("transfer.created", f"{made.number}/0", "xiamen-port")]
    document = services.transfers.document(made)
    assert document["format"] == "phytowatch.transfer/1"
    assert document["declaration"]["port_of_exit"] == "CNXMN"
    found = services.audit.search(AuditFilter(action="transfer.created"), offset=0, limit=5)
    assert [e.object_id for e in found.items] == [made.number]


def test_a_port_without_an_office_is_a_paper_transfer_without_an_outbox_message(
    world: World,
) -> None:
    made, _ = transferred(world.services, port="CNCAN")
    assert not made.electronic and made.port_office == "" and made.receiver == ""
    last = world.services.consignments.timeline(made.consignment_id)[-1]
    assert last.step is Step.TRANSFERRED and last.detail["code"] == "transfer.on_paper"
    assert _outbox(world.services) == []


def test_a_rolled_back_issue_leaves_no_transfer_no_message_and_no_number(world: World) -> None:
    services = world.services
    port_office(services)
    consignment = assessed_to(services, "CNXMN")
    draft = approved(services, consignment, at=T0)

    class BoomError(Exception):
        pass

    def fail(*_: object, **__: object) -> None:
        raise BoomError

    services.certificates.hooks.append(type("Failing", (), {"issued": fail, "cancelled": fail})())  # type: ignore[attr-defined]
    with pytest.raises(BoomError):
        services.certificates.issue(draft, ctx=ctx_of(person(services, "certifier"), T0 + 13))
    services.certificates.hooks.pop()  # type: ignore[attr-defined]
    assert services.transfers.of_consignment(consignment.id) is None
    assert _outbox(services) == []
    issued = services.certificates.issue(draft, ctx=ctx_of(person(services, "certifier"), T0 + 14))
    made = services.transfers.of_consignment(consignment.id)
    assert issued.issue is not None and made is not None
    assert made.number.endswith("000001")  # the rolled-back number was given back


def test_transfers_are_append_only_in_the_database(world: World) -> None:
    services = world.services
    made, _ = transferred(services)
    for statement in (
        f"UPDATE transfers SET port = 'CNSHA' WHERE id = {made.id}",
        f"DELETE FROM transfers WHERE id = {made.id}",
        "UPDATE transfer_secrets SET secret = 'x'",
    ):
        with pytest.raises(Exception, match="append-only"), services.engine.begin() as conn:
            conn.execute(text(statement))
    assert services.transfers.by_number(made.number) == made


def test_the_port_officer_takes_it_with_number_and_password_and_wrong_ones_lock(
    world: World,
) -> None:
    services = world.services
    made, _ = transferred(services)
    mine = services.transfers.password(made, person(services, "declarant"))
    assert mine is not None and len(mine) == 11
    assert services.transfers.password(made, port_officer(services)) is None
    officer = port_officer(services)
    # another office's officer: the same "wrong" as an unknown number (no enumeration)
    with pytest.raises(Refused) as other:
        services.transfers.retrieve(
            made.number, mine, address="10.0.0.2", ctx=ctx_of(person(services, "port"), T0 + MINUTE)
        )
    assert other.value.kind is Kind.NOT_FOUND
    assert other.value.message.code.value == "transfer.wrong"
    for n in range(4):
        with pytest.raises(Refused) as wrong:
            services.transfers.retrieve(
                made.number, "WRONG-WRONG", address="10.0.0.1", ctx=ctx_of(officer, T0 + MINUTE + n)
            )
        assert wrong.value.message == other.value.message
    with pytest.raises(Refused) as locked:
        services.transfers.retrieve(
            made.number, mine, address="10.0.0.1", ctx=ctx_of(officer, T0 + MINUTE + 10)
        )
    assert locked.value.kind is Kind.THROTTLED
    assert locked.value.message.code.value == "transfer.locked"
    later = T0 + 20 * MINUTE
    taken = services.transfers.retrieve(
        made.number, mine.lower().replace("-", " "), address="10.0.0.3", ctx=ctx_of(officer, later)
    )
    assert taken.retrieved_at == later and taken.retrieved_by == "user:port_xm"
    assert [r.office for r in services.transfers.retrievals(made.id)] == ["PXMN"]


def test_the_declarant_amends_within_the_rules_and_the_rest_is_refused(world: World) -> None:
    services = world.services
    made, _ = transferred(services)
    declarant = ctx_of(person(services, "declarant"), T0 + MINUTE)
    with pytest.raises(AmendmentRefused) as refused:
        services.transfers.amend(
            made.number, {"declared_value": "11500", "consignee": "Someone else"}, ctx=declarant
        )
    said = {p.field: p.message for p in refused.value.problems}
    assert render(said["declared_value"], "en") == (
        "declared value may change by at most ±10 % (ports.json 2026.1): 10000 to 11500 is +15.0 %"
    )
    assert said["consignee"].code.value == "transfer.no_rule"
    assert services.transfers.amendments(made.id) == []
    amended = services.transfers.amend(
        made.number,
        {"declared_value": "10900", "conveyance": "vessel COSCO Aries V.026E", "quantity": "1000"},
        ctx=declarant,
    )
    values = services.transfers.values(amended)
    assert values["declared_value"] == "10900" and values["quantity"] == ["1000"]
    assert [a.field for a in services.transfers.amendments(made.id)] == [
        "declared_value", "conveyance", "quantity",
    ]  # fmt: skip
    assert _outbox(services)[-1] == ("transfer.amended", f"{made.number}/3", "xiamen-port")
    with pytest.raises(Refused):  # the port officer may not amend
        services.transfers.amend(
            made.number, {"conveyance": "x"}, ctx=ctx_of(port_officer(services), T0 + MINUTE)
        )


def test_a_replacement_swaps_the_number_and_a_cancellation_strikes_it(world: World) -> None:
    services = world.services
    made, issued = transferred(services)
    certifier = ctx_of(person(services, "certifier"), T0 + MINUTE)
    declarant = ctx_of(person(services, "declarant"), T0 + MINUTE)
    new = services.certificates.replace(issued.id, "consignee's address", {}, ctx=declarant)
    services.certificates.submit(new.id, ctx=declarant)
    services.certificates.approve(new.id, ctx=certifier)
    done = services.certificates.issue(new.id, ctx=certifier)
    assert done.issue is not None
    swapped = services.transfers.transfer(made.id)
    assert swapped is not None and swapped.certificates == (done.issue.number,)
    services.certificates.cancel(done.id, "withdrawn by the exporter", ctx=certifier)
    struck = services.transfers.transfer(made.id)
    assert struck is not None and struck.certificates == ()
    assert [a.field for a in services.transfers.amendments(made.id)] == [
        "certificate_replaced", "certificate_cancelled",
    ]  # fmt: skip


def test_the_password_is_derived_from_the_database_secret(world: World) -> None:
    services = world.services
    made, _ = transferred(services)
    with services.engine.connect() as conn:
        secret = bytes.fromhex(
            str(conn.execute(text("SELECT secret FROM transfer_secrets")).scalar())
        )
        stored = conn.execute(select(transfers)).mappings().one()
    shown = services.transfers.password(made, person(services, "declarant"))
    assert shown == passwords.shown(passwords.derive(secret, made.number))
    assert shown.replace("-", "") not in str(dict(stored))


def test_concurrent_issues_number_transfers_without_gaps(services: Services, world: World) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the lock matters on PostgreSQL")
    port_office(services)
    drafts = []
    for n in range(4):
        consignment = assessed_to(services, "CNXMN", at=T0 + n * MINUTE)
        drafts.append(approved(services, consignment, at=T0 + n * MINUTE))
    errors: list[BaseException] = []

    def issue(draft: int) -> None:
        try:
            services.certificates.issue(draft, ctx=ctx_of(person(services, "certifier"), T0 + 99))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with services.engine.connect() as conn:
        numbers = sorted(conn.execute(select(transfers.c.sequence)).scalars())
        count = conn.execute(select(func.count()).select_from(transfers)).scalar()
    assert numbers == [1, 2, 3, 4] and count == 4


def test_the_document_follows_the_shipped_json_schema(world: World) -> None:
    import json
    from importlib.resources import files

    from schemacheck import problems

    services = world.services
    made, _ = transferred(services)
    services.transfers.amend(
        made.number,
        {"declared_value": "10500", "containers": "MSCU1234566 40, TGHU7654321 20"},
        ctx=ctx_of(person(services, "declarant"), T0 + MINUTE),
    )
    fresh = services.transfers.transfer(made.id)
    assert fresh is not None
    document = json.loads(json.dumps(services.transfers.document(fresh)))
    schema = json.loads(
        files("phytowatch.formats").joinpath("schemas/transfer-1.schema.json").read_text()
    )
    assert problems(schema, document) == []
    assert document["transfer"]["revision"] == 2
    broken = {**document, "format": "phytowatch.transfer/2", "extra": 1}
    assert len(problems(schema, broken)) == 2
