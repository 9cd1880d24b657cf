"""The API's one error type and the one table from a refusal's kind to its HTTP status.

A use case raises :class:`~phytowatch.domain.messages.Refused` with its kind and message; the
app answers it here: the status from :data:`STATUS`, the body ``{"error": <English>, "code",
"params"}`` (``error`` as it always was, so no client breaks). Nothing reads the sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from phytowatch.domain.messages import Kind, Message, Refused, params_for_api

STATUS: Mapping[Kind, int] = MappingProxyType(
    {
        Kind.INVALID: 422,
        Kind.NOT_FOUND: 404,
        Kind.CONFLICT: 409,
        Kind.FORBIDDEN: 403,
        Kind.UNAUTHENTICATED: 401,
        Kind.THROTTLED: 429,
        Kind.UNAVAILABLE: 503,
    }
)


class ApiError(Exception):
    """An answer other than success: a status, what to say (a message, or the text of a
    framework's refusal), headers."""

    def __init__(
        self, status: int, message: Message | str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.headers = headers or {}

    @classmethod
    def of(cls, refused: Refused) -> ApiError:
        headers = {}
        if refused.retry_after is not None:
            headers["Retry-After"] = str(refused.retry_after)
        return cls(STATUS[refused.kind], refused.message, headers)

    def body(self) -> dict[str, Any]:
        if isinstance(self.message, Message):
            return {
                "error": self.message.english(),
                "code": self.message.code.value,
                "params": params_for_api(self.message.params),
            }
        return {"error": self.message}
