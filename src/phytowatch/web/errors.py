"""The API's one error type (a status, a message for a person, headers) and its clock."""

from __future__ import annotations

import time
from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


def now_us() -> int:
    return time.time_ns() // 1000
