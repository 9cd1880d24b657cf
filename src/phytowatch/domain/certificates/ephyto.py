"""A received ePhyto as a port officer reads it, and what validating one found.

The values the ePhyto adapter (``phytowatch.ephyto.read``) makes of a UN/CEFACT SPSCertificate
(``urn:un:unece:uncefact:data:standard:SPSCertificate:17``), alone or inside the IPPC hub's
envelope. Texts are as the document wrote them (an NPPO abroad writes its own words and codes);
nothing here is translated or normalised. Standard library only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# UN/CEFACT document status codes (UNECE_DocumentStatusCode_D16B) an ePhyto carries
STATUS_ISSUED = "70"
STATUS_CANCELLED = "40"
# ... and the document name codes (UNECE_DocumentNameCode_D16B)
TYPE_PHYTOSANITARY = "851"
TYPE_REEXPORT = "657"


@dataclass(frozen=True)
class Problem:
    """One reason a document is not valid: where (line, element) and libxml2's own words."""

    line: int
    element: str  # the element's local name, '' when the problem is not an element's
    detail: str


@dataclass(frozen=True)
class EnvelopeHeader:
    """The IPPC hub's envelope header (``EnvelopeHeader``): who sends it to whom, and what."""

    sender: str  # From: the exporting NPPO's country (ISO 3166-1 alpha-2)
    receiver: str  # To
    certificate_type: str  # 851 | 657
    certificate_status: str  # 70 | 40
    number: str  # NPPOCertificateNumber
    hub_delivery_number: str = ""


@dataclass(frozen=True)
class ReceivedParty:
    name: str
    address: str  # the address lines, one per line


@dataclass(frozen=True)
class ReceivedTreatment:
    """A treatment applied (``AppliedSPSProcess``), its characteristics by their ePhyto subject
    (TTL1 the kind, TTCH the chemical, TTTM temperature, TTCO concentration, ...)."""

    type_code: str
    start: str  # as written (a date or a date and time)
    end: str
    duration: str  # "3 HUR": the measure and its unit code
    characteristics: tuple[tuple[str, str], ...]  # (subject, value), in document order

    def value(self, subject: str) -> str:
        return next((v for s, v in self.characteristics if s == subject), "")


@dataclass(frozen=True)
class ReceivedLine:
    """One ``IncludedSPSTradeLineItem``."""

    sequence: int
    description: str
    common_name: str
    scientific_name: str
    quantity: str  # "24000 kg", from the other-quantity notes or the net weight
    packages: int  # the sum of the physical packages' item quantities
    package_type: str  # the packages' description (OPTND), or their UN/ECE codes
    hs_code: str
    intended_use: str
    origin: str  # country codes, with their subdivisions: "CN (山东省)"
    notes: tuple[tuple[str, str], ...]  # every additional-information note (subject, content)
    treatments: tuple[ReceivedTreatment, ...]

    def note(self, subject: str) -> str:
        return next((c for s, c in self.notes if s == subject), "")


@dataclass(frozen=True)
class ReceivedEphyto:
    """What a port officer reads of a received phytosanitary certificate."""

    number: str  # SPSExchangedDocument/ID
    type_code: str  # 851 phytosanitary, 657 re-export
    status_code: str  # 70 issued, 40 cancelled, ...
    issued: str  # IssueDateTime as written
    issuer: str  # the issuing NPPO
    place_of_issue: str
    officer: str  # the authorised officer
    consignment: str  # SPSConsignment/ID
    exporter: ReceivedParty
    consignee: ReceivedParty
    export_country: str
    import_country: str
    reexport_countries: tuple[str, ...]
    transit_countries: tuple[str, ...]
    port_of_loading: str
    point_of_entry: str
    examination_place: str
    conveyance: str  # the means of transport, with its mode code
    containers: tuple[str, ...]  # container or equipment numbers, with their seals
    notes: tuple[tuple[str, str], ...]  # the document's notes (subject, content), in order
    lines: tuple[ReceivedLine, ...]
    envelope: EnvelopeHeader | None = None
    signed: bool = False  # an XML signature is present (not verified: see docs/ephyto.md)

    def notes_on(self, subject: str) -> tuple[str, ...]:
        return tuple(c for s, c in self.notes if s == subject)

    @property
    def additional_declarations(self) -> tuple[str, ...]:
        return self.notes_on("ADEDL")

    @property
    def marks(self) -> tuple[str, ...]:
        return self.notes_on("DMCL")


@dataclass(frozen=True)
class StoredEphyto:
    """A received ePhyto as kept (append-only): the raw XML, its hash, who imported it, when."""

    id: int
    sha256: str  # of the raw bytes as received
    imported_at: int  # µs
    imported_by: str
    size: int  # bytes
    received: ReceivedEphyto


@dataclass(frozen=True)
class Checked:
    """What validating a document found: its kind (certificate, envelope, soap), its problems,
    and, when it has none, what it says."""

    kind: str
    problems: tuple[Problem, ...]
    received: ReceivedEphyto | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def received_to_json(value: ReceivedEphyto) -> dict[str, Any]:
    """Plain JSON values (what storage keeps beside the raw XML)."""
    plain = asdict(value)
    assert isinstance(plain, dict)
    return plain


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in items)


def received_from_json(data: dict[str, Any]) -> ReceivedEphyto:
    """The inverse of :func:`received_to_json`."""
    envelope = data.get("envelope")
    return ReceivedEphyto(
        **{
            **data,
            "exporter": ReceivedParty(**data["exporter"]),
            "consignee": ReceivedParty(**data["consignee"]),
            "reexport_countries": tuple(data["reexport_countries"]),
            "transit_countries": tuple(data["transit_countries"]),
            "containers": tuple(data["containers"]),
            "notes": _pairs(data["notes"]),
            "lines": tuple(
                ReceivedLine(
                    **{
                        **line,
                        "notes": _pairs(line["notes"]),
                        "treatments": tuple(
                            ReceivedTreatment(
                                **{**t, "characteristics": _pairs(t["characteristics"])}
                            )
                            for t in line["treatments"]
                        ),
                    }
                )
                for line in data["lines"]
            ),
            "envelope": EnvelopeHeader(**envelope) if envelope else None,
        }
    )
