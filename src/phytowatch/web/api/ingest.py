"""Device protocol v1 over HTTP: ``POST /api/v1/ingest`` and camera stills.

Answers: ``200`` only once the batch is committed; ``401`` bad or missing token; ``403`` a token
of another facility; ``413`` body too large; ``422`` not a protocol batch; ``503`` with
``Retry-After`` when the write queue is full or the database is unreachable (nothing was written).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.formats import protocol_v1
from phytowatch.services import ingest, snapshots
from phytowatch.services.app import App
from phytowatch.services.ports import (
    FacilityRef,
    StorageUnavailableError,
    StoreOutcome,
    WriterBusyError,
)
from phytowatch.services.provisioning import hash_token
from phytowatch.web.auth import allow
from phytowatch.web.body import shown
from phytowatch.web.clock import now_of
from phytowatch.web.deps import device_context
from phytowatch.web.errors import ApiError, answers

router = APIRouter()
JPEG_MAGIC = b"\xff\xd8\xff"  # start of image, then a marker
JPEG_END = b"\xff\xd9"  # end of image: a still cut short in transit is refused
MAX_CAMERA_CHARS = 32


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    """The device's answer as MQTT's results topic says it: JSON in ASCII (``ensure_ascii``), so
    a text quoted back as sent (an unknown probe's id with a lone surrogate) is escaped, never
    unencodable: a batch committed is always answered ``200``, or the device resends forever."""
    text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return Response(text, status_code=status, media_type="application/json")


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


async def _authenticate(request: Request) -> FacilityRef:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, say(Code.DEVICE_NO_TOKEN), {"WWW-Authenticate": "Bearer"})
    registry = _services(request).registry
    try:
        facility = await run_in_threadpool(
            registry.facility_by_token_hash, hash_token(token.strip())
        )
    except StorageUnavailableError:
        raise ApiError(503, say(Code.STORAGE_UNAVAILABLE), {"Retry-After": "5"}) from None
    if facility is None:
        raise ApiError(401, say(Code.DEVICE_BAD_TOKEN), {"WWW-Authenticate": "Bearer"})
    return facility


def _query_in_utf8(request: Request) -> None:
    """The query (a still's camera and time) is UTF-8, raw or percent-encoded: bytes that are
    not are refused, as a form's are, never read as U+FFFD and echoed back."""
    try:
        parse_qsl(request.scope.get("query_string", b"").decode("utf-8"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ApiError(422, say(Code.SNAPSHOT_QUERY_NOT_UTF8)) from None


def _not_encoded(request: Request) -> None:
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        raise ApiError(415, say(Code.PAYLOAD_ENCODED, encoding=encoding))


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, say(Code.PAYLOAD_TOO_LARGE, max=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, say(Code.PAYLOAD_TOO_LARGE, max=limit))
        chunks.append(chunk)
    return b"".join(chunks)


async def _store(services: App, batch: Any) -> StoreOutcome:
    try:
        future = services.writer.submit(batch)
    except WriterBusyError:
        raise ApiError(503, say(Code.INGEST_BUSY), {"Retry-After": "1"}) from None
    except StorageUnavailableError:
        raise ApiError(503, say(Code.STORAGE_UNAVAILABLE), {"Retry-After": "5"}) from None
    try:
        return await asyncio.wrap_future(future)
    except StorageUnavailableError:
        raise ApiError(503, say(Code.STORAGE_UNAVAILABLE), {"Retry-After": "5"}) from None


# What a device sends, for the OpenAPI document (the route reads its body itself, by the
# protocol's own rules: docs/device-protocol.md). A reading that is not one of these is rejected
# on its own, in the answer's ``rejected`` (200); a body that is not one of the two forms is
# refused whole (422).
_TIME = {
    "description": "the device's clock: ISO 8601 with an offset, or Unix seconds (UTC)",
    "oneOf": [
        {"type": "string", "maxLength": 64, "examples": ["2026-03-01T10:42:00Z", "1772361720"]},
        {"type": "number"},
    ],
}
_VALUE = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_FAULT = {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 64}, {"type": "null"}]}
_READING = {
    "type": "object",
    "required": ["probe", "t"],
    "properties": {
        "probe": {"type": "string", "minLength": 1, "description": "the probe id, as registered"},
        "t": _TIME,
        "v": _VALUE,
        "fault": _FAULT,
    },
}
_BATCH = {
    "type": "object",
    "required": ["facility"],
    "properties": {
        "facility": {"type": "string", "description": "the token's facility code"},
        "readings": {"type": "array", "items": _READING, "description": "the list form"},
        "columns": {
            "type": "object",
            "description": "the columnar form: t, one list per probe id, optional faults",
            "required": ["t"],
            "properties": {
                "t": {"type": "array", "items": _TIME},
                "faults": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": _FAULT},
                },
            },
            "additionalProperties": {"type": "array", "items": _VALUE},
        },
    },
    "oneOf": [{"required": ["readings"]}, {"required": ["columns"]}],
}
INGEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "a batch, in the list form or the columnar form (never both), UTF-8",
        "content": {"application/json": {"schema": _BATCH}},
    }
}
STILL_BODY = {
    "requestBody": {
        "required": True,
        "description": "one JPEG image",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/api/v1/ingest",
    dependencies=[allow(Action.INGEST_WRITE)],
    responses=answers(401, 403, 413, 415, 422, 503),
    openapi_extra=INGEST_BODY,
)
async def post_ingest(request: Request) -> Response:
    """Store a batch of readings; the answer counts accepted, duplicates and rejected."""
    services = _services(request)
    settings = services.settings
    _not_encoded(request)
    await _authenticate(request)  # fail fast, before reading a body
    body = await _body(request, settings.max_body_bytes)
    # again now that the body is in: a token revoked while a slow body came is refused
    facility = await _authenticate(request)
    try:
        data = protocol_v1.parse_body(body)
    except protocol_v1.PayloadError as error:
        raise ApiError(422, error.message) from None
    if data["facility"] != facility.code:
        raise ApiError(403, say(Code.DEVICE_OTHER_FACILITY, facility=data["facility"]))
    if protocol_v1.count_items(data) > settings.max_readings_per_batch:
        raise ApiError(413, say(Code.PAYLOAD_TOO_MANY, max=settings.max_readings_per_batch))
    now = now_of(request)
    try:
        plan = await run_in_threadpool(
            lambda: ingest.plan(
                data, facility, now=now, future_tolerance=settings.future_tolerance_s * 1_000_000
            )
        )
    except protocol_v1.PayloadError as error:
        raise ApiError(422, error.message) from None
    outcome = StoreOutcome(0, (), ())
    if plan.batch_items:
        outcome = await _store(services, ingest.batch_of(plan, facility, channel="http", now=now))
    return _answer(ingest.answer(plan, outcome))


@router.post(
    "/api/v1/facilities/{code}/snapshots",
    status_code=201,
    dependencies=[allow(Action.SNAPSHOT_WRITE)],
    openapi_extra=STILL_BODY,
    responses={
        200: {"description": "a resend: the still is stored already (``duplicate``: true)"},
        **answers(401, 403, 409, 413, 415, 422, 503),
    },
)
async def post_snapshot(
    request: Request, code: str, camera: str = "", taken_at: str | None = None
) -> Response:
    """A camera still (JPEG body) of the facility: stored with its SHA-256 and time."""
    services = _services(request)
    _not_encoded(request)
    await _authenticate(request)
    _query_in_utf8(request)
    if len(camera) > MAX_CAMERA_CHARS or not protocol_v1.printable(camera):
        raise ApiError(422, say(Code.SNAPSHOT_CAMERA, max=MAX_CAMERA_CHARS))
    body = await _body(request, services.settings.max_snapshot_bytes)
    facility = await _authenticate(request)  # again: a token revoked meanwhile is refused
    if facility.code != code:
        raise ApiError(403, say(Code.DEVICE_OTHER_FACILITY, facility=code))
    whole = len(body) >= len(JPEG_MAGIC) + 1 + len(JPEG_END) and body[3] != JPEG_END[1]
    if not (whole and body.startswith(JPEG_MAGIC) and body.endswith(JPEG_END)):
        raise ApiError(422, say(Code.SNAPSHOT_NOT_JPEG))
    taken: int | None = None
    if taken_at is not None:
        try:
            taken = protocol_v1.instant(taken_at)
        except protocol_v1.TimeError as error:
            code_ = (
                Code.SNAPSHOT_TAKEN_AT_NO_OFFSET
                if error.problem is protocol_v1.TimeProblem.NO_OFFSET
                else Code.SNAPSHOT_TAKEN_AT
            )
            raise ApiError(422, say(code_, t=shown(repr(taken_at)))) from None
    ctx = device_context(request, facility.code)
    tolerance = services.settings.future_tolerance_s * 1_000_000  # the readings' setting
    problem = snapshots.taken_at_problem(taken, now=ctx.now, future_tolerance=tolerance)
    if problem is not None:
        raise ApiError(422, problem)
    try:
        stored = await run_in_threadpool(
            lambda: snapshots.add_snapshot(
                services.registry,
                services.audit,
                facility,
                body,
                "image/jpeg",
                camera=camera,
                taken_at=taken,
                ctx=ctx,
            )
        )
    except Refused as error:  # a camera not registered to the facility
        raise ApiError.of(error) from None
    except StorageUnavailableError:
        raise ApiError(503, say(Code.STORAGE_UNAVAILABLE), {"Retry-After": "5"}) from None
    answer: dict[str, object] = {"id": stored.id, "sha256": stored.sha256, "size": stored.size}
    if stored.duplicate:  # a resend: the still is stored already
        return _answer({**answer, "duplicate": True}, 200)
    return _answer(answer, 201)
