"""``with refused(Code.X, Kind.Y): ...``: the call is refused with this code (and kind)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from phytowatch.domain.messages import Code, Kind, Refused


@contextmanager
def refused(code: Code, kind: Kind | None = None) -> Iterator[pytest.ExceptionInfo[Refused]]:
    with pytest.raises(Refused) as caught:
        yield caught
    assert caught.value.message.code is code, caught.value.message
    if kind is not None:
        assert caught.value.kind is kind
