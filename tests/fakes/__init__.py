"""One in-memory fake per port (the Protocols under ``phytowatch.services``), named
``InMemory<Port>``, for the unit tests of the use cases and the port contract tests.

Each module checks its fakes against their ports for mypy (``make types``), so a fake that drifts
from its port fails there; what a fake does is held to the SQL store's by ``tests/contracts/``.
"""

from fakes.accounts import InMemoryAccountStore
from fakes.alarms import InMemoryAlarmStore
from fakes.assessment_store import InMemoryAssessmentStore
from fakes.audit import InMemoryAuditRecorder, InMemoryAuditStore
from fakes.certificates import (
    InMemoryCertificateStore,
    InMemoryOfficeDirectory,
    InMemoryTreatmentSource,
    KeyedHashSigner,
)
from fakes.consignment_lookup import InMemoryConsignmentLookup
from fakes.notify import InMemoryNotificationChannel
from fakes.received_ephyto import InMemoryReceivedEphytoStore
from fakes.registry import InMemoryReadingWriter, InMemoryRegistry
from fakes.runs import InMemoryRunStore
from fakes.signoff import InMemoryRunLookup, InMemorySignOffStore
from fakes.standing_lookup import InMemoryStandingLookup

__all__ = [
    "InMemoryAccountStore",
    "InMemoryAlarmStore",
    "InMemoryAssessmentStore",
    "InMemoryAuditRecorder",
    "InMemoryAuditStore",
    "InMemoryCertificateStore",
    "InMemoryConsignmentLookup",
    "InMemoryNotificationChannel",
    "InMemoryOfficeDirectory",
    "InMemoryReadingWriter",
    "InMemoryReceivedEphytoStore",
    "InMemoryRegistry",
    "InMemoryRunLookup",
    "InMemoryRunStore",
    "InMemorySignOffStore",
    "InMemoryStandingLookup",
    "InMemoryTreatmentSource",
    "KeyedHashSigner",
]
