"""Step 6 on SQLite and PostgreSQL: a certified consignment transferred to Shanghai (PSHA),
taken there, checked and released with its clearance record; the records the database refuses
to change; the clearance numbers under parallel releases; the release of a consignment whose
certificate was replaced refused naming the new number."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from accountsworld import World
from sqlalchemy import text

from acting import ctx_of
from certworld import T0, person
from phytowatch.domain.messages import Code
from phytowatch.domain.supervision.consignment import ConsignmentState, Step
from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.audit import AuditFilter
from portworld import PSHA, YES, transferred
from refusals import refused

pytestmark = pytest.mark.integration


def test_a_transferred_consignment_is_checked_and_released_with_its_clearance(world: World) -> None:
    services = world.services
    transfer = transferred(services)
    queue = services.port.queue(ctx=ctx_of(PSHA, T0 + 10))
    assert [v.transfer.number for v in queue] == [transfer.number]
    draw = queue[0].draw
    assert draw is not None and draw.confidence == "C2" and draw.seed.endswith(transfer.number)
    services.port.check(transfer.number, YES, ctx=ctx_of(PSHA, T0 + 11))
    made = services.port.release(transfer.number, ctx=ctx_of(PSHA, T0 + 12))
    assert made.number == "PSHA-2026-TG000001"
    assert made.certificates == transfer.certificates and made.check_id is not None
    assert services.port.clearance(made.number) == made
    consignment = services.consignments.consignment(transfer.consignment_id)
    assert consignment is not None and consignment.state is ConsignmentState.RELEASED
    last = services.consignments.timeline(transfer.consignment_id)[-1]
    assert last.step is Step.RELEASED
    assert last.detail["params"]["clearance"] == made.number  # type: ignore[index]
    assert services.port.queue(ctx=ctx_of(PSHA, T0 + 13)) == []
    # a port officer reaches the consignment their office took; another office's does not
    assert services.port.reaches(PSHA, transfer.consignment_id)
    assert not services.port.reaches(replace(PSHA, office="PNGB"), transfer.consignment_id)
    trail = services.audit.search(AuditFilter(subject=transfer.number), offset=0, limit=50)
    assert {"port.drawn", "port.checked", "port.released"} <= {e.action for e in trail.items}


def test_the_database_refuses_to_change_or_delete_the_ports_records(world: World) -> None:
    services = world.services
    transfer = transferred(services)
    services.port.hold(transfer.number, "count differs", ctx=ctx_of(PSHA, T0 + 10))
    services.port.check(transfer.number, YES, ctx=ctx_of(PSHA, T0 + 11))
    made = services.port.release(transfer.number, ctx=ctx_of(PSHA, T0 + 12))
    for statement in (
        "UPDATE port_draws SET checked = NOT checked",
        "DELETE FROM port_draws",
        "UPDATE port_checks SET findings = 'nothing'",
        "DELETE FROM port_checks",
        "UPDATE port_holds SET reason = ''",
        "DELETE FROM port_holds",
        "UPDATE clearances SET number = 'FORGED'",
        "DELETE FROM clearances",
    ):
        with pytest.raises(Exception, match="append-only"), services.engine.begin() as conn:
            conn.execute(text(statement))
    assert services.port.clearance(made.number) == made


def test_release_of_a_consignment_whose_certificate_was_replaced_names_the_new_number(
    world: World,
) -> None:
    services = world.services
    transfer = transferred(services)
    certificates = services.certificates
    old = certificates.by_number(transfer.certificates[0])
    assert old is not None
    declarant = ctx_of(person(services, "declarant"), T0 + 20)
    draft = certificates.replace(old.id, "consignee misspelt", {}, ctx=declarant)
    certificates.submit(draft.id, ctx=declarant)
    certifier = ctx_of(person(services, "certifier"), T0 + 21)
    certificates.approve(draft.id, ctx=certifier)
    new = certificates.issue(draft.id, ctx=certifier)
    assert new.issue is not None
    with refused(Code.PORT_CERT_REPLACED) as caught:
        services.port.release(transfer.number, ctx=ctx_of(PSHA, T0 + 30))
    assert caught.value.message.params["replacement"] == new.issue.number
    assert caught.value.message.params["certificate"] == transfer.certificates[0]
    consignment = services.consignments.consignment(transfer.consignment_id)
    assert consignment is not None and consignment.state is ConsignmentState.TRANSFERRED


def test_release_before_the_port_took_the_transfer_or_by_another_office_is_refused(
    world: World,
) -> None:
    services = world.services
    transfer = transferred(services, take=False)
    with refused(Code.PORT_NOT_TAKEN):
        services.port.release(transfer.number, ctx=ctx_of(PSHA, T0 + 10))
    with refused(Code.PORT_UNKNOWN_TRANSFER):
        services.port.release("TR-NOPE", ctx=ctx_of(PSHA, T0 + 10))
    with refused(Code.PORT_NO_OFFICE):
        services.port.release(transfer.number, ctx=ctx_of(person(services, "certifier"), T0))


def test_parallel_releases_take_every_clearance_number_once_without_gaps(world: World) -> None:
    """4 threads release 3 transfers each: the numbers are exactly 1..12."""
    services = world.services
    transfers = [transferred(services, T0 + n * 100) for n in range(12)]
    for t in transfers:  # the draws and owed checks first: the race is the release's
        drawn = services.port.view(t.number, ctx=ctx_of(PSHA, T0 + 5000)).draw
        if drawn is not None and drawn.checked:
            services.port.check(t.number, YES, ctx=ctx_of(PSHA, T0 + 5001))
    failures: list[BaseException] = []
    start = threading.Barrier(4)
    numbers: list[str] = []

    def release_some(mine: list[Transfer]) -> None:
        start.wait()
        for t in mine:
            try:
                numbers.append(services.port.release(t.number, ctx=ctx_of(PSHA, T0 + 6000)).number)
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=release_some, args=(transfers[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == [f"PSHA-2026-TG{n:06d}" for n in range(1, 13)]


# another port office's officer, for the acts on a transfer that is not theirs
PXMN_OFFICER = replace(PSHA, actor="user:port_x", user_id=98, login="port_x", office="PXMN")


def test_another_offices_transfer_is_not_found_by_any_port_act(world: World) -> None:
    """No act of a port officer says whether another office's transfer exists, was taken, or
    where it went: a port officer cannot walk the numbers."""
    services = world.services
    waiting = transferred(services, take=False)
    taken = transferred(services, T0 + 1000)
    for transfer in (waiting, taken):
        ctx = ctx_of(PXMN_OFFICER, T0 + 2000)
        with refused(Code.PORT_UNKNOWN_TRANSFER):
            services.port.view(transfer.number, ctx=ctx)
        with refused(Code.PORT_UNKNOWN_TRANSFER):
            services.port.release(transfer.number, ctx=ctx)
        with refused(Code.PORT_UNKNOWN_TRANSFER):
            services.port.hold(transfer.number, "not ours", ctx=ctx)
        with refused(Code.PORT_UNKNOWN_TRANSFER):
            services.port.check(transfer.number, YES, ctx=ctx)


def test_a_certificate_cancelled_after_the_first_look_refuses_the_release(world: World) -> None:
    """Every condition of the release is read again inside its transaction: a cancellation
    that lands between the port officer's first look and the release is seen, and refuses."""
    services = world.services
    transfer = transferred(services)
    seen = services.port.view(transfer.number, ctx=ctx_of(PSHA, T0 + 10))
    if seen.draw is not None and seen.draw.checked:
        services.port.check(transfer.number, YES, ctx=ctx_of(PSHA, T0 + 11))
    certificate = services.certificates.by_number(transfer.certificates[0])
    assert certificate is not None
    port: Any = services.port  # the service itself: its first look is wrapped below
    first_look = port.draw

    cancelled: list[bool] = []

    def then_cancelled(*args: object, **kwargs: object) -> object:
        drawn = first_look(*args, **kwargs)
        if not cancelled:  # once: right after the first look, before the release's unit
            certifier = ctx_of(person(services, "certifier"), T0 + 12)
            services.certificates.cancel(certificate.id, "wrong goods", ctx=certifier)
            cancelled.append(True)
        return drawn

    port.draw = then_cancelled
    with refused(Code.PORT_CERT_CANCELLED):
        services.port.release(transfer.number, ctx=ctx_of(PSHA, T0 + 13))
    consignment = services.consignments.consignment(transfer.consignment_id)
    assert consignment is not None and consignment.state is ConsignmentState.TRANSFERRED
