"""Reading the live event stream in tests: its frames as dicts, and waiting for one event.

Comments (heartbeats) are skipped; a test makes the heartbeat fast, so lines keep coming and a
missing event fails by the deadline instead of hanging.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any


def frames(lines: Iterator[str], deadline_s: float = 10.0) -> Iterator[dict[str, Any]]:
    """The stream's events as dicts (``event``, ``id``, ``data``)."""
    frame: dict[str, Any] = {}
    deadline = time.monotonic() + deadline_s
    for line in lines:
        if time.monotonic() > deadline:
            raise AssertionError("the awaited event did not come")
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            frame[name] = json.loads(value) if name == "data" else value


def until(found: Iterator[dict[str, Any]], event: str, **match: Any) -> dict[str, Any]:
    """The next ``event`` whose data has every ``match`` value."""
    for frame in found:
        data = frame.get("data", {})
        if frame.get("event") == event and all(data.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"the stream ended before a {event} event")
