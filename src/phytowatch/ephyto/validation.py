"""Which ePhyto document a root is, and whether it is valid: the certificate against the
UN/CEFACT SPSCertificate:17 schema shipped in ``schemas/schema``, an envelope's header against
the IPPC hub's own schemas (``schemas/hub``).

The hub's schemas carry their own loose view of the certificate, in the same namespace, so they
cannot be one schema set with UN/CEFACT's: the envelope is checked without its certificate by the
hub's, and the certificate by UN/CEFACT's. Each problem names its line and element as libxml2
found them (namespaces left out).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phytowatch.domain.certificates.ephyto import Problem
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.ephyto.parsing import safe_parser

if TYPE_CHECKING:
    from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
CERTIFICATE_XSD = SCHEMAS / "schema" / "data" / "standard" / "SPSCertificate_17p0.xsd"
HUB_XSD = SCHEMAS / "hub" / "http_ephyto_ippc_int.xsd"

RSM = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
EPH = "http://ephyto.ippc.int/"
HUB = "http://ephyto.ippc.int/HUB.Entities"
SOAP_NS = (
    "http://schemas.xmlsoap.org/soap/envelope/",  # SOAP 1.1, as the hub speaks
    "http://www.w3.org/2003/05/soap-envelope",  # SOAP 1.2
)
CERTIFICATE = f"{{{RSM}}}SPSCertificate"
EPHYTO_ENVELOPE = f"{{{EPH}}}ePhytoEnvelope"
DELIVER = f"{{{EPH}}}DeliverPhytoEnvelope"


class DocumentKind(StrEnum):
    CERTIFICATE = "certificate"  # an SPSCertificate alone
    ENVELOPE = "envelope"  # the hub's ePhytoEnvelope around one
    SOAP = "soap"  # a SOAP message delivering an envelope (DeliverPhytoEnvelope)


@dataclass(frozen=True)
class Found:
    """A document's parts: its kind, the certificate element and the envelope element (if any)."""

    kind: DocumentKind
    certificate: etree._Element | None
    envelope: etree._Element | None  # the ePhytoEnvelope
    hub_checked: etree._Element | None  # what the hub's schema validates (envelope, delivery)


@cache
def _schema(path: Path) -> etree.XMLSchema:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def certificate_schema() -> etree.XMLSchema:
    return _schema(CERTIFICATE_XSD)


def hub_schema() -> etree.XMLSchema:
    return _schema(HUB_XSD)


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def locate(root: etree._Element) -> Found:
    """The document's kind and parts; ``Refused`` when the root is not one we know."""
    if root.tag == CERTIFICATE:
        return Found(DocumentKind.CERTIFICATE, root, None, None)
    if root.tag == EPHYTO_ENVELOPE:
        return Found(DocumentKind.ENVELOPE, root.find(CERTIFICATE), root, root)
    namespace = str(root.tag)[1:].split("}", 1)[0] if str(root.tag).startswith("{") else ""
    if _local(root.tag) == "Envelope" and namespace in SOAP_NS:
        body = root.find(f"{{{namespace}}}Body")
        first = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        if first is not None and first.tag == DELIVER:
            envelope = first.find(EPHYTO_ENVELOPE)
            if envelope is not None:
                return Found(DocumentKind.SOAP, envelope.find(CERTIFICATE), envelope, first)
        if first is not None and first.tag == EPHYTO_ENVELOPE:
            return Found(DocumentKind.SOAP, first.find(CERTIFICATE), first, first)
    raise refused(Kind.INVALID, Code.EPHYTO_NOT_EPHYTO, element=_local(root.tag))


_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']+')?: (.*)$", re.S)
_NAMESPACE = re.compile(r"\{[^}]*\}")


def _problems(schema: etree.XMLSchema, node: etree._Element) -> list[Problem]:
    if schema.validate(node):
        return []
    out = []
    log: Any = schema.error_log  # iterable; lxml-stubs say otherwise
    for entry in log:
        message = entry.message.strip()
        match = _ELEMENT.match(message)
        element, detail = (match[1], match[2]) if match else ("", message)
        out.append(Problem(entry.line, element, _NAMESPACE.sub("", detail).strip()))
    return out


def problems(found: Found) -> list[Problem]:
    """Everything wrong with the document, by line; empty when it is valid."""
    out: list[Problem] = []
    if found.hub_checked is not None:
        header = copy.deepcopy(found.hub_checked)  # the hub's view, without the certificate
        for certificate in header.iter(CERTIFICATE):
            parent = certificate.getparent()
            if parent is not None:
                parent.remove(certificate)
        out.extend(_problems(hub_schema(), header))
    if found.certificate is None:
        where: Any = found.envelope.sourceline if found.envelope is not None else 0
        line = int(where or 0)
        # in libxml2's own words, as the other problems are
        out.append(
            Problem(
                line or 0,
                "ePhytoEnvelope",
                "Missing child element(s). Expected is ( SPSCertificate ).",
            )
        )
    else:
        out.extend(_problems(certificate_schema(), found.certificate))
    return sorted(set(out), key=lambda p: (p.line, p.element, p.detail))
