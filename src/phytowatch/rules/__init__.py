"""Official policy of the e-supervision chain as versioned data files (``data/*.json``), read
into ``domain.supervision.policy`` values: products, destination requirements, the routing
matrix and its ratios, the classification schemes and their rules. Like ``phytowatch.schedules``:
official policy is data, not code; format.py validates a document as the schedules' loader does
(file and field named in every refusal)."""

from phytowatch.rules.format import (
    SHIPPED,
    PolicyFileError,
    canonical,
    file_name,
    head_of,
    kind_of,
    load_shipped,
    parse_json,
    policy_of,
    read_json,
    sha256_of,
    shipped_documents,
)

__all__ = [
    "SHIPPED",
    "PolicyFileError",
    "canonical",
    "file_name",
    "head_of",
    "kind_of",
    "load_shipped",
    "parse_json",
    "policy_of",
    "read_json",
    "sha256_of",
    "shipped_documents",
]
