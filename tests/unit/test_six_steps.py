"""six_steps() (domain/supervision/six_steps.py): the six steps of workflow.md read from a
consignment's timeline: who, when, the time since the step before, declaration to release."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phytowatch.domain.supervision.consignment import Step, TimelineEntry
from phytowatch.domain.supervision.six_steps import SIX, ChainStep, six_steps

S = 10**6  # µs in a second
DECLARANT = "declarant:ACME"
SYSTEM = "system"


def e(step: Step, at_s: int, actor: str = DECLARANT, version: int = 1) -> TimelineEntry:
    return TimelineEntry(7, step, at_s * S, actor, version, {})


def whole_chain() -> list[TimelineEntry]:
    return [
        e(Step.DRAFTED, 0),
        e(Step.SUBMITTED, 100),
        e(Step.ROUTED, 100, SYSTEM),
        e(Step.ASSESSED, 1900, "inspector:li"),
        e(Step.CERTIFIED, 5500, "certifier:wang"),
        e(Step.TRANSFERRED, 5500, SYSTEM),
        e(Step.RELEASED, 9100, "port:zhao"),
    ]


def test_the_whole_chain_gives_six_steps_with_who_when_and_the_time_since_the_step_before() -> None:
    found = six_steps(whole_chain(), electronic_transfer=True)
    assert [m.step for m in found.steps] == list(SIX)
    assert [m.number for m in found.steps] == [1, 2, 3, 4, 5, 6]
    assert [m.actor for m in found.steps] == [
        DECLARANT,
        SYSTEM,
        "inspector:li",
        "certifier:wang",
        SYSTEM,
        "port:zhao",
    ]
    assert [m.since_previous_us for m in found.steps] == [
        None,
        0,
        1800 * S,
        3600 * S,
        0,
        3600 * S,
    ]
    assert found.declaration_to_release_us == 9000 * S
    assert found.reached == 6
    assert found.next_step is None
    assert found.returns == 0
    assert found.electronic_transfer is True


def test_a_draft_reaches_no_step_and_its_next_is_the_declaration() -> None:
    found = six_steps([e(Step.DRAFTED, 0)])
    assert found.reached == 0
    assert found.next_step is not None and found.next_step.step is ChainStep.DECLARATION
    assert found.declaration_to_release_us is None
    assert all(m.since_previous_us is None and m.actor == "" for m in found.steps)


def test_steps_not_reached_yet_are_empty_and_the_time_to_release_is_unknown() -> None:
    found = six_steps(whole_chain()[:4])  # assessed, not certified
    assert [m.reached for m in found.steps] == [True, True, True, False, False, False]
    assert found.next_step is not None and found.next_step.number == 4
    assert found.declaration_to_release_us is None
    assert found.electronic_transfer is None


def test_a_return_sends_the_chain_back_and_declaration_counts_from_the_first_submission() -> None:
    entries = [
        e(Step.SUBMITTED, 100),
        e(Step.ROUTED, 100, SYSTEM),
        e(Step.RETURNED, 700, "inspector:li"),
        e(Step.RESUBMITTED, 1000),
        e(Step.ROUTED, 1000, SYSTEM),
    ]
    found = six_steps(entries)
    first, routing, assessment = found.steps[:3]
    assert first.at == 100 * S and first.actor == DECLARANT
    # the routing that counts is the one after the correction, and its time includes the round
    assert routing.at == 1000 * S and routing.since_previous_us == 900 * S
    assert not assessment.reached
    assert found.returns == 1
    assert found.resubmitted_at == 1000 * S


def test_a_route_before_a_return_no_longer_counts_until_the_correction_is_routed() -> None:
    entries = [
        e(Step.SUBMITTED, 100),
        e(Step.ROUTED, 100, SYSTEM),
        e(Step.RETURNED, 700, "inspector:li"),
    ]
    found = six_steps(entries)
    assert [m.reached for m in found.steps] == [True, False, False, False, False, False]
    assert found.next_step is not None and found.next_step.step is ChainStep.ROUTING


def test_two_returns_are_counted_and_release_counts_from_the_first_declaration() -> None:
    entries = [
        e(Step.SUBMITTED, 0),
        e(Step.RETURNED, 50, "inspector:li"),
        e(Step.RESUBMITTED, 100),
        e(Step.RETURNED, 150, "inspector:li"),
        e(Step.RESUBMITTED, 200),
        e(Step.ROUTED, 200, SYSTEM),
        *whole_chain()[3:],
    ]
    found = six_steps(entries)
    assert found.returns == 2
    assert found.resubmitted_at == 200 * S
    assert found.declaration_to_release_us == 9100 * S
    assert found.steps[1].since_previous_us == 200 * S  # from the first declaration


def test_a_transfer_on_paper_is_reached_and_said_not_electronic() -> None:
    found = six_steps(whole_chain(), electronic_transfer=False)
    assert found.steps[4].reached
    assert found.electronic_transfer is False


def test_a_step_the_records_skip_does_not_hide_the_time_since_the_step_before() -> None:
    entries = [x for x in whole_chain() if x.step is not Step.TRANSFERRED]
    found = six_steps(entries, electronic_transfer=False)
    transfer, release = found.steps[4:]
    assert not transfer.reached
    assert release.since_previous_us == 3600 * S  # since the certificate


def test_a_withdrawn_consignment_stops_where_it_is() -> None:
    entries = [e(Step.SUBMITTED, 0), e(Step.WITHDRAWN, 60)]
    found = six_steps(entries)
    assert found.stopped is Step.WITHDRAWN
    assert found.stopped_at == 60 * S and found.stopped_by == DECLARANT
    assert found.next_step is None
    assert found.reached == 1


def test_entries_at_one_instant_keep_the_order_they_were_recorded_in() -> None:
    entries = [e(Step.SUBMITTED, 5), e(Step.ROUTED, 5, SYSTEM), e(Step.ASSESSED, 5, SYSTEM)]
    found = six_steps(list(reversed(entries[1:])) + entries[:1])
    assert found.reached == 3
    assert [m.since_previous_us for m in found.steps[:3]] == [None, 0, 0]


@given(st.lists(st.sampled_from(list(Step)), max_size=12), st.integers(0, 10**6))
def test_any_timeline_gives_six_steps_with_elapsed_times_never_negative(
    steps: list[Step], gap: int
) -> None:
    entries = [e(step, i * gap) for i, step in enumerate(steps)]
    found = six_steps(entries)
    assert len(found.steps) == 6
    assert all(m.since_previous_us is None or m.since_previous_us >= 0 for m in found.steps)
    assert all(m.reached == (m.at is not None) for m in found.steps)
    if found.declaration_to_release_us is not None:
        assert found.declaration_to_release_us >= 0
