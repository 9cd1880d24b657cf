"""Step 3, conformity assessment (合格评定): what an inspection found and what was decided.

A consignment routed to inspect is assessed by an inspector: what was inspected, the samples
taken and their lab results, the findings, the pests intercepted, and a decision: conforming, or
not conforming with a disposal. One released on documents is assessed from the e-supervision data
itself (its signed-off runs and bases), with no inspector step. Both are legal records, kept as
written. ``check`` says, field by field, what an inspection's record lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from phytowatch.domain.messages import Code, Message, say


class AssessmentKind(StrEnum):
    DOCUMENTS = "documents"  # from the e-supervision data, no inspector step
    INSPECTION = "inspection"


class Conformity(StrEnum):
    CONFORMING = "conforming"
    NOT_CONFORMING = "not_conforming"


class Disposal(StrEnum):
    """What is done with a consignment that does not conform."""

    RE_TREATMENT = "re_treatment"
    RE_SORTING = "re_sorting"
    RETURN = "return"
    DESTRUCTION = "destruction"


class LifeStage(StrEnum):
    EGG = "egg"
    LARVA = "larva"
    NYMPH = "nymph"
    PUPA = "pupa"
    ADULT = "adult"
    SEED = "seed"  # a weed's
    SPORE = "spore"  # a fungus's
    OTHER = "other"


@dataclass(frozen=True)
class Sample:
    sample_id: str  # the inspector's sample number
    kind: str  # what was taken: fruit, wood core, soil, insects, ...
    lab: str
    result: str  # the lab's result, as reported ("" while pending)


@dataclass(frozen=True)
class Interception:
    pest: str  # scientific name, e.g. "Bactrocera dorsalis"
    life_stage: LifeStage
    count: int
    batches: str  # the batches (or containers, lots) affected


@dataclass(frozen=True)
class Assessment:
    """One assessment of one version of a consignment."""

    consignment_id: int
    version: int
    kind: AssessmentKind
    conformity: Conformity
    disposal: Disposal | None
    inspected: str  # what was inspected (lots, packages opened, method)
    samples: tuple[Sample, ...]
    lab_results: str
    findings: str
    interceptions: tuple[Interception, ...]
    comment: str
    evidence: dict[str, Any]  # documents: the runs and bases it rests on
    by: str  # the actor
    office: str
    at: int  # µs
    reason: Message | None = field(default=None)  # documents: what it rests on, said


MAX_TEXT = 2000
MAX_NAME = 200


def check(
    *,
    conformity: Conformity,
    disposal: Disposal | None,
    interceptions: tuple[Interception, ...],
    comment: str,
) -> list[tuple[str, Message]]:
    """What is wrong with an inspection's decision, by the field it concerns.

    A not-conforming decision needs a disposal; a conforming one has none. A consignment found
    with a pest may still conform (a pest that is not a quarantine pest of the destination, a dead
    one), but only with a comment that says why: the record must explain itself."""
    wrong: list[tuple[str, Message]] = []
    if conformity is Conformity.NOT_CONFORMING and disposal is None:
        wrong.append(("disposal", say(Code.ASSESS_DISPOSAL_NEEDED, field="disposal")))
    if conformity is Conformity.CONFORMING and disposal is not None:
        wrong.append(("disposal", say(Code.ASSESS_DISPOSAL_UNWANTED, field="disposal")))
    if conformity is Conformity.CONFORMING and interceptions and not comment.strip():
        wrong.append(("comment", say(Code.ASSESS_INTERCEPTION_COMMENT, field="comment")))
    return wrong
