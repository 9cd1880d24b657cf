"""What the API's routers share: the strict request body, and who acts for the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from phytowatch.web.auth import principal_of


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def documented(**limits: Any) -> dict[str, Any]:
    """JSON Schema limits (``maxLength``, ``pattern``, ``enum``, ``minimum``…) a field shows in
    the OpenAPI document that the use case checks itself, so that its refusal, a message code,
    stays the answer: ``Field(json_schema_extra=documented(maxLength=200))``."""
    return limits


def actor_of(request: Request) -> str:
    """Who the audit trail says made a change over this API: ``user:<login>``, or
    ``admin-token`` for the break-glass token."""
    return principal_of(request).actor
