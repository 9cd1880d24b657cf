"""What the API's routers share: the strict request body, who acts and when (a use case's
context), the limits a field shows in the OpenAPI document, and the parameters' types with their
ranges (declared once, so the document states them) and the refusal a parameter out of its type
or range gets.

A number in a path names a row: one that no row can have (past the ids' ``INTEGER`` columns, not
a number at all) is answered as a row that does not exist, ``404``, as the tenant check answers
a run or an alarm the caller may not see (web/auth.py). A query parameter out of its type or
range is a ``422`` that names it, and its range when it has one, as a message code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import BaseModel, ConfigDict

from phytowatch.domain.accounts import DEVICE_ACTIONS, Principal
from phytowatch.domain.instants import EARLIEST_INSTANT, LATEST_INSTANT, US_PER_S
from phytowatch.domain.messages import Code, Message, say
from phytowatch.services.context import Context
from phytowatch.web.auth import MAX_ID, principal_of

# a row's number in a path: what an INTEGER id column can hold
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description=f"a row's number, 1 to {MAX_ID}")]

# an instant as epoch seconds in a query (a chart's zoom): the years an instant may have
EARLIEST_S = EARLIEST_INSTANT // US_PER_S  # 1900-01-01T00:00:00Z
LATEST_S = LATEST_INSTANT // US_PER_S  # 9999-01-01T00:00:00Z
EpochSeconds = Annotated[
    float | None,
    Query(
        ge=EARLIEST_S,
        le=LATEST_S,
        allow_inf_nan=False,
        description="seconds since 1970-01-01T00:00:00Z (1900 to 9998), e.g. 1772361600",
    ),
]


def names_nothing(code: str | None) -> bool:
    """A facility filter no database could hold (a NUL; PostgreSQL refuses it): no facility has
    it, so it filters every row out, on SQLite and PostgreSQL alike."""
    return code is not None and "\x00" in code


class StrictBody(BaseModel):
    # strict: JSON's types as the document states them (true is neither a number nor a text)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


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


_RANGE_ERRORS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}
)
_NUMBER_ERRORS = frozenset({"float_parsing", "float_type", "finite_number"})
_INTEGER_ERRORS = frozenset({"int_parsing", "int_type", "int_from_float", "int_parsing_size"})
_BOOLEAN_ERRORS = frozenset({"bool_parsing", "bool_type"})


def _bounds(request: Request, name: str) -> tuple[Any, Any] | None:
    """The range a query parameter of the request's route declares (``ge``, ``le``)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for field in getattr(dependant, "query_params", ()):
        if field.alias == name:
            low = high = None
            for rule in field.field_info.metadata:
                low = getattr(rule, "ge", low)
                high = getattr(rule, "le", high)
            return None if low is None or high is None else (low, high)
    return None


def _shown(bound: Any) -> int | float:
    return int(bound) if float(bound).is_integer() else float(bound)


def _not_found(request: Request, name: str, text: str) -> Message:
    if name == "run_id":
        return say(Code.NO_RUN, run=text)
    if name == "alarm_id":
        return say(Code.NO_ALARM, alarm=text)
    if name == "snapshot_id":
        return say(Code.NO_SNAPSHOT, snapshot=text, facility=request.path_params.get("code", ""))
    return say(Code.NOT_FOUND)


def parameter_refusal(
    request: Request, errors: Sequence[Mapping[str, Any]]
) -> tuple[int, Message] | None:
    """The status and message for a request the framework refused on a path or query
    parameter; None for another refusal (a body's)."""
    first = errors[0] if errors else {}
    loc = tuple(first.get("loc", ()))
    if len(loc) != 2:
        return None
    where, name, kind = loc[0], str(loc[1]), str(first.get("type", ""))
    if where == "path":  # no row can have it: said as the route says a row it does not find
        return 404, _not_found(request, name, str(first.get("input", "")))
    if where != "query":
        return None
    bounds = _bounds(request, name)
    if bounds is not None and (kind in _RANGE_ERRORS | _NUMBER_ERRORS | _INTEGER_ERRORS):
        return 422, say(Code.FIELD_RANGE, field=name, min=_shown(bounds[0]), max=_shown(bounds[1]))
    if kind in _NUMBER_ERRORS:
        return 422, say(Code.FIELD_NUMBER, field=name)
    if kind in _INTEGER_ERRORS:
        return 422, say(Code.FIELD_INTEGER, field=name)
    if kind in _BOOLEAN_ERRORS:
        return 422, say(Code.FIELD_BOOLEAN, field=name)
    if kind == "missing":
        return 422, say(Code.FIELD_REQUIRED, field=name)
    return None


_TEXT_ERRORS = frozenset({"string_type", "string_unicode"})
_LIST_ERRORS = frozenset({"list_type", "tuple_type", "set_type"})
_CHOICE_ERRORS = frozenset({"enum", "literal_error"})


_UNION_MEMBERS = frozenset({"str", "float", "int", "bool", "list", "dict", "none"})


def _union_member(part: str) -> bool:
    """pydantic names a union's member at the end of an error's place (``offset.str``)."""
    return part in _UNION_MEMBERS or "[" in part or part.startswith("constrained-")


def body_refusal(errors: Sequence[Mapping[str, Any]]) -> Message:
    """The message for a JSON body the framework refused (not JSON, not an object, a field
    missing, unknown, of the wrong type or out of its range), naming the field, as a code."""
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ())]
    kind, ctx = str(first.get("type", "")), first.get("ctx") or {}
    if len(loc) > 2 and _union_member(loc[-1]):  # a value of none of the union's types
        return say(Code.FIELD_INVALID, field=".".join(loc[1:-1]))
    field = ".".join(loc[1:] if loc[:1] == ["body"] else loc)
    if kind == "json_invalid":
        return say(Code.BODY_NOT_JSON)
    if not field:  # the body as a whole: absent, or a list, a number, a text
        return say(Code.BODY_NOT_OBJECT)
    if kind == "missing":
        return say(Code.FIELD_REQUIRED, field=field)
    if kind == "extra_forbidden":
        return say(Code.FIELD_UNKNOWN, field=field)
    if kind == "string_too_long" and "max_length" in ctx:
        return say(Code.FIELD_AT_MOST, field=field, max=ctx["max_length"])
    if kind in _TEXT_ERRORS:
        return say(Code.FIELD_STRING, field=field)
    if kind in _LIST_ERRORS:
        return say(Code.FIELD_LIST, field=field)
    if kind in _CHOICE_ERRORS and "expected" in ctx:
        return say(Code.FIELD_CHOICE, field=field, choices=str(ctx["expected"]))
    low = ctx.get("ge", ctx.get("gt"))
    high = ctx.get("le", ctx.get("lt"))
    if kind in _RANGE_ERRORS and low is not None and high is not None:
        return say(Code.FIELD_RANGE, field=field, min=_shown(low), max=_shown(high))
    if kind in _NUMBER_ERRORS | _RANGE_ERRORS:
        return say(Code.FIELD_NUMBER, field=field)
    if kind in _INTEGER_ERRORS:
        return say(Code.FIELD_INTEGER, field=field)
    if kind in _BOOLEAN_ERRORS:
        return say(Code.FIELD_BOOLEAN, field=field)
    return say(Code.FIELD_INVALID, field=field)
