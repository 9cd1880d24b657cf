"""A certificate: its kind, its states, its content (the ISPM 12 model's fields) and, once issued,
its issue record.

The states (workflow.md, "Certificates"):

    draft -> submitted -> (returned <-> submitted) -> approved -> issued -> printed
    draft/submitted/returned/approved -> rejected;  issued/printed -> cancelled
    issued/printed -> replaced   (when its replacement is issued: a new number names the old)

A draft's content may change (each change a new revision, all kept); once submitted it changes
only by a return and a new revision; once issued it never changes: the issue record (number,
content hash, signature) is append-only in the database, and a correction is a replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CertificateKind(StrEnum):
    PHYTOSANITARY = "phytosanitary"  # 植物检疫证书, ISPM 12 model; ePhyto type 851
    REEXPORT = "reexport"  # 转口植物检疫证书, ISPM 12 re-export model; ePhyto type 657
    TREATMENT = "treatment"  # 熏蒸/消毒证书: a treatment alone (no ePhyto)


# UN/CEFACT document name codes (UNECE_DocumentNameCode_D16B) of the kinds exchanged as ePhyto
EPHYTO_TYPE: dict[CertificateKind, str] = {
    CertificateKind.PHYTOSANITARY: "851",
    CertificateKind.REEXPORT: "657",
}


class CertificateState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # returned to the applicant for correction
    APPROVED = "approved"
    ISSUED = "issued"  # numbered and signed
    PRINTED = "printed"  # the original printed (copies after it are marked COPY)
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REPLACED = "replaced"  # a replacement was issued in its place


S = CertificateState
TRANSITIONS: dict[CertificateState, frozenset[CertificateState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.REJECTED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.APPROVED, S.REJECTED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.REJECTED}),
    S.APPROVED: frozenset({S.ISSUED, S.RETURNED, S.REJECTED}),
    S.ISSUED: frozenset({S.PRINTED, S.CANCELLED, S.REPLACED}),
    S.PRINTED: frozenset({S.CANCELLED, S.REPLACED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REPLACED: frozenset(),
}
ISSUED_STATES = frozenset({S.ISSUED, S.PRINTED})  # in force: valid if the signature verifies
FINAL = frozenset(state for state, nexts in TRANSITIONS.items() if not nexts)


def may_move(current: CertificateState, to: CertificateState) -> bool:
    return to in TRANSITIONS[current]


@dataclass(frozen=True)
class Party:
    name: str
    address: str


@dataclass(frozen=True)
class TreatmentStatement:
    """ISPM 12's treatment box, taken from a signed-off PASS run's own judgement, never typed.

    ``duration_and_temperature`` reads as the schedule holds it: "56 °C core for 30 min",
    "≤ 1.11 °C pulp for 14 d"."""

    run_id: int
    schedule_id: str
    date: str  # ISO date the treatment ended (YYYY-MM-DD), in the office's zone
    method: str  # heat treatment, cold treatment, hot water, vapour heat, fumigation, ...
    duration_and_temperature: str
    chemical: str = ""  # active ingredient, for a fumigation
    concentration: str = ""
    facility: str = ""  # facility code
    treater_number: str = ""  # the facility's registration (IPPC mark), when it has one


@dataclass(frozen=True)
class CertifiedLine:
    """One line of produce as the certificate says it."""

    description: str  # name of produce
    botanical_name: str
    quantity: str  # as printed: "24000 kg"
    packages: int
    package_type: str
    product: str = ""  # product code of the catalogue
    hs_code: str = ""


@dataclass(frozen=True)
class ReexportDetails:
    """The re-export model's box: where it came from, under which certificate, how handled."""

    origin_country: str  # ISO 3166-1 alpha-2
    original_certificate: str  # the origin NPPO's certificate number
    certified_copy: bool = False  # the original certificate, or a certified true copy
    repacked: bool = False
    new_containers: bool = False
    additional_inspection: bool = False


@dataclass(frozen=True)
class CertificateContent:
    """Everything the certificate states, as ISPM 12's model lists it. The same content is
    rendered in the PDF, signed, put in the QR's payload and exported as ePhyto."""

    kind: CertificateKind
    consignment: str  # the consignment number (CD2026-000123)
    exporter: Party
    consignee: Party
    destination: str  # ISO 3166-1 alpha-2: "To: the plant protection organization(s) of"
    lines: tuple[CertifiedLine, ...]
    packages: str  # "Number and description of packages", as printed
    marks: str  # distinguishing marks
    place_of_origin: str
    conveyance: str  # declared means of conveyance
    point_of_entry: str  # declared point of entry
    port_of_exit: str  # UN/LOCODE
    additional_declaration: str = ""
    treatments: tuple[TreatmentStatement, ...] = ()
    reexport: ReexportDetails | None = None
    containers: tuple[str, ...] = ()
    remarks: str = ""


@dataclass(frozen=True)
class Issue:
    """What issuing added, append-only: the number, where, when, by whom, and the signature over
    the canonical content (``domain.certificates.canonical``)."""

    certificate_id: int
    number: str  # per office and year, from the office's pattern, no gaps
    office: str  # office code
    place_of_issue: str
    issued_at: int  # µs
    officer: str  # the certifying officer's name, as printed
    officer_actor: str  # user:<login>
    key_id: str  # the office key that signed
    content_hash: str  # sha256 hex of the canonical bytes
    signature: str  # base64url of the signature over the canonical bytes
    token: str  # unguessable, for the QR's verification address
    check_code: str  # short, printed: number + check code find it on the public page
    payload_signature: str  # base64url signature over the QR payload's body (payload.py)


@dataclass(frozen=True)
class Certificate:
    """A certificate as stored: identity, where it stands, and its newest content."""

    id: int
    kind: CertificateKind
    consignment_id: int | None  # None for a treatment certificate not tied to a consignment
    office: str
    enterprise: str
    city: str
    state: CertificateState
    revision: int  # the newest content revision
    content: CertificateContent
    created_at: int
    created_by: str
    replaces: int | None = None  # the certificate this one replaces
    replacement_reason: str = ""
    replaced_by: int | None = None
    issue: Issue | None = None  # set once issued


@dataclass(frozen=True)
class CertificateEvent:
    """One line of a certificate's history (append-only)."""

    certificate_id: int
    state: CertificateState  # the state it moved to
    at: int
    actor: str
    detail: dict[str, object] = field(default_factory=dict)  # a message: {"code", "params"}


@dataclass(frozen=True)
class Print:
    """One print of an issued certificate: the original once, every later one a COPY."""

    certificate_id: int
    copy: bool
    at: int
    actor: str
    sequence: int  # 1 for the first print
