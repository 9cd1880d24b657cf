"""The API's one error type and the one table from a refusal's kind to its HTTP status.

A use case raises :class:`~phytowatch.domain.messages.Refused` with its kind and message; the
app answers it here: the status from :data:`STATUS`, the body ``{"error": <English>, "code",
"params"}`` (``error`` as it always was, so no client breaks). Nothing reads the sentence.

The same body in the OpenAPI document: :class:`ErrorBody`, and :func:`answers`, the errors each
route declares it can answer (its decorator's ``responses=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

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


# -- the error body in the OpenAPI document -----------------------------------------------------


class ErrorBody(BaseModel):
    """What the API answers instead of success (4xx, 5xx): ``error`` (English), and ``code`` and
    ``params``, the message of the catalogue, for every refusal: a body, a parameter, a path or
    a method the API refuses included. Only an unexpected failure (500) has ``error`` alone."""

    model_config = ConfigDict(title="Error")

    error: str = Field(description="what went wrong, in English")
    code: str | SkipJsonSchema[None] = Field(
        None, description="the message code (docs/development.md#messages)"
    )
    params: dict[str, Any] | SkipJsonSchema[None] = Field(
        None,
        description="the message's parameters by name (instants as ISO 8601 UTC, the words of "
        "other vocabularies as their codes)",
    )


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
_WHY: Mapping[int, tuple[str, dict[str, Any]]] = MappingProxyType(
    {
        400: ("the request cannot be made by this caller (e.g. tokens of the admin token)", {}),
        401: (
            "no credential, or one that is not valid (unknown, revoked or expired token; ended "
            "session; wrong login or password)",
            {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
        ),
        403: (
            "the caller's role or token scope does not allow this, the credential is of the wrong "
            "kind (a device's, a person's), or a session's CSRF token is missing",
            {},
        ),
        404: (
            "no such object, or one the caller may not see (the same answer, so nobody learns "
            "what others have)",
            {},
        ),
        409: ("the object's state does not allow it (exists already, closed, decided)", {}),
        405: ("the method is not one this path accepts (``Allow`` lists them)", {}),
        413: ("the body is larger than this route accepts", {}),
        415: ("a Content-Encoding other than identity", {}),
        422: (
            "a parameter or the body is not valid (not strict JSON in UTF-8: a byte order mark, "
            "a key twice, nested too deeply, a number out of range; a field of the wrong type)",
            {},
        ),
        429: ("too many failed attempts: wait Retry-After seconds", _RETRY_AFTER),
        503: ("the database is out of reach or the write queue is full: retry", _RETRY_AFTER),
    }
)


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The errors a route can answer, for its decorator's ``responses=``, each with the error
    body: ``@router.get(..., responses=answers(401, 403, 404, 503))``. A route with parameters
    lists 422, or FastAPI lists its own validation body, which this app never sends."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, headers = _WHY[status]
        out[status] = {"model": ErrorBody, "description": description}
        if headers:
            out[status]["headers"] = headers
    return out


# every route behind a rule that finds the caller: none (401), the wrong one (403), and the
# database that says who it is out of reach (503)
CALLER = (401, 403, 503)
# an unsafe request on a session: its CSRF token may come as a form field, whose body is read
# (413 past MAX_FORM_BYTES, 422 when it is not UTF-8)
UNSAFE = (*CALLER, 413, 422)
