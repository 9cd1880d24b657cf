"""Device protocol v1 on the wire (formats.protocol_v1): bytes in, a batch's JSON object out."""

from __future__ import annotations

import pytest

from phytowatch.formats import protocol_v1


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b'{"facility": "K2", "readings": [NaN]}', b"\xff\xfe"]
)
def test_a_body_that_is_not_a_protocol_batch_is_a_payload_error(body: bytes) -> None:
    with pytest.raises(protocol_v1.PayloadError):
        protocol_v1.parse_body(body)
