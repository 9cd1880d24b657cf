"""What the API's routers share: the strict request body, and who acts, and when."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from phytowatch.domain.accounts import DEVICE_ACTIONS, Principal
from phytowatch.services.context import Context
from phytowatch.web.auth import principal_of


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def documented(**limits: Any) -> dict[str, Any]:
    """JSON Schema limits (``maxLength``, ``pattern``, ``enum``, ``minimum``…) a field shows in
    the OpenAPI document that the use case checks itself, so that its refusal, a message code,
    stays the answer: ``Field(json_schema_extra=documented(maxLength=200))``."""
    return limits


def context_of(request: Request) -> Context:
    """Who acts and when, for the use cases a request calls: the caller its route's rule found
    (the audit trail says ``user:<login>``, ``admin-token`` or ``device:<facility>``) and now
    by the application's one clock. Built once per request and handed to each use case."""
    return Context.of(principal_of(request), request.app.state.services.clock)


def device_context(request: Request, facility: str) -> Context:
    """Who acts and when for a device's request, whose route checks its token itself (after the
    body is in): the facility's device (``device:<facility>`` in the audit trail), now by the
    application's one clock."""
    device = Principal(
        kind="device", actor=f"device:{facility}", actions=DEVICE_ACTIONS, facility=facility
    )
    return Context.of(device, request.app.state.services.clock)
