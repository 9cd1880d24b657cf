"""Reading XML that anyone may have written, safely.

An ePhyto never needs a document type declaration, an entity or anything outside itself, so:
the size is checked before a byte is parsed; a DOCTYPE or ENTITY declaration is refused before
parsing (and again after, on what the parser found, for encodings the byte scan cannot see);
the parser resolves no entity, loads no DTD, reads nothing from the network and keeps libxml2's
limits on depth and text size (``huge_tree`` off). An entity bomb, an external entity
(``file:///etc/passwd``), a network DTD and a huge file are refused with a message, quickly,
without reading any file or address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.certificates.ephyto import MAX_BYTES  # 5 MiB; a rich one: < 100 KiB

if TYPE_CHECKING:
    from lxml import etree

_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


def safe_parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The document's root element, or ``Refused`` (INVALID) saying why not."""
    from lxml import etree

    if len(data) > max_bytes:
        raise refused(Kind.INVALID, Code.EPHYTO_TOO_LARGE, size=len(data), max=max_bytes)
    if not data.strip():
        raise refused(Kind.INVALID, Code.EPHYTO_EMPTY)
    if any(marker in data for marker in _DECLARATIONS):
        raise refused(Kind.INVALID, Code.EPHYTO_DOCTYPE)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        raise refused(
            Kind.INVALID, Code.EPHYTO_NOT_XML, line=line, detail=str(error.msg or error)
        ) from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack doctype
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise refused(Kind.INVALID, Code.EPHYTO_DOCTYPE)
    for node in root.iter():
        if not isinstance(node.tag, str) and node.tag is etree.Entity:
            raise refused(Kind.INVALID, Code.EPHYTO_DOCTYPE)
    return root
