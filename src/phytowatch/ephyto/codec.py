"""The ePhyto adapter as the services see it (``services.ephyto.EphytoCodec``)."""

from __future__ import annotations

from phytowatch.domain.certificates.ephyto import Checked
from phytowatch.domain.certificates.model import Certificate
from phytowatch.ephyto.parsing import MAX_BYTES


class LxmlEphyto:
    """Validate and read with lxml against the shipped schemas; write our certificates."""

    def __init__(self, *, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def check(self, data: bytes) -> Checked:
        from phytowatch.ephyto.parsing import parse
        from phytowatch.ephyto.read import received
        from phytowatch.ephyto.validation import locate, problems

        found = locate(parse(data, max_bytes=self.max_bytes))
        wrong = problems(found)
        return Checked(
            kind=found.kind.value,
            problems=tuple(wrong),
            received=None if wrong else received(found),
        )

    def export(self, certificate: Certificate, *, envelope: bool = True) -> bytes:
        from phytowatch.ephyto.export import export

        return export(certificate, envelope=envelope)
