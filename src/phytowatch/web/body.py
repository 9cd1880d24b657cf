"""The API's one strict JSON body reader, with the device protocol's rules (web/api/ingest.py,
formats/protocol_v1.py) for the small JSON requests of the API and the login.

A body is refused before anything reads it as JSON, and before the route's rule looks for the
caller: a ``Content-Encoding`` other than identity (415), a declared length past the limit, or
a body that grows past it while it is read (413; the limit is ``PHYTOWATCH_MAX_JSON_BODY_BYTES``,
64 KiB). Then, as JSON: a byte order mark, UTF-16, UTF-32 or other bytes that are not UTF-8
(``body.not_json``), a key given twice in one object, ``NaN``/``Infinity``, a number too long
or out of a float's range, and nesting deeper than :data:`MAX_DEPTH`, each a 422 with its
message code. The models themselves are strict (web/deps.py ``StrictBody``): ``true`` is
neither a number nor a text.

Every route of the API's routers is a :class:`StrictJsonRoute` (``APIRouter(route_class=...)``);
``create_app`` refuses to start when a route with a JSON body is not.
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi import params as fastapi_params
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field

from phytowatch.domain.messages import Code, Message, say
from phytowatch.web.errors import ApiError, answers

MAX_DEPTH = 32  # arrays and objects inside each other; no request of the API nests past 4
SHOWN_CHARS = 200  # a text a client sent, quoted back in a refusal, at most this long


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """A text a client sent, as a refusal quotes it: at most ``limit`` characters, an ellipsis
    after a cut, so that a refusal never echoes an arbitrarily long input back."""
    return text if len(text) <= limit else text[:limit] + "…"


def refuse_encoded(request: Request) -> None:
    """415 for a compressed body (it would be read as plain bytes)."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        raise ApiError(415, say(Code.PAYLOAD_ENCODED, encoding=shown(encoding)))


async def read_bounded(request: Request, limit: int, too_large: Message) -> bytes:
    """The body, at most ``limit`` bytes: the declared length checked first, then counted while
    it is read, so a larger body is never held whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ApiError(413, too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ApiError(422, say(Code.PAYLOAD_DUPLICATE_KEY, key=shown(key)))
            seen.add(key)
    return data


def _refuse_constant(name: str) -> float:
    raise ApiError(422, say(Code.PAYLOAD_CONSTANT, constant=name))


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python converts (sys.get_int_max_str_digits)
        raise ApiError(422, say(Code.PAYLOAD_NUMBER, number=shown(text, 40))) from None


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: past a float's range
        raise ApiError(422, say(Code.PAYLOAD_NUMBER, number=shown(text, 40)))
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(body: bytes) -> Any:
    """The JSON value of a body, read strictly; ApiError (422) with a message code otherwise."""
    if body.startswith(codecs.BOM_UTF8):
        raise ApiError(422, say(Code.PAYLOAD_BOM))
    # a NUL is never in JSON text: UTF-16 or UTF-32, which json.loads would guess and read
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise ApiError(422, say(Code.BODY_NOT_JSON))
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_float,
            parse_int=_integer,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError:
        raise ApiError(422, say(Code.BODY_NOT_JSON)) from None
    except RecursionError:
        raise ApiError(422, say(Code.BODY_TOO_DEEP, max=MAX_DEPTH)) from None
    if _depth(value) > MAX_DEPTH:
        raise ApiError(422, say(Code.BODY_TOO_DEEP, max=MAX_DEPTH))
    return value


async def read_json(request: Request, limit: int, too_large: Message) -> Any:
    """A request's JSON body by the rules above; ``None`` for an empty body."""
    refuse_encoded(request)
    raw = await read_bounded(request, limit, too_large)
    return parse_json(raw) if raw else None


def json_body_limit(request: Request) -> int:
    limit: int = request.app.state.services.settings.max_json_body_bytes
    return limit


class StrictJsonRoute(APIRoute):
    """A route whose JSON body is read by :func:`read_json` before FastAPI's own handler (and
    its dependencies, the route's rule among them) sees the request; the handler then finds the
    body and its value already read (Starlette keeps them on the request)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.takes_json():  # what the reader may answer, declared in the document
            for status, answer in answers(413, 415, 422).items():
                if status not in self.responses:
                    self.responses[status] = answer
                    self.response_fields[status] = create_model_field(
                        name=f"Response_{status}_{self.unique_id}",
                        type_=answer["model"],
                        mode="serialization",
                    )

    def takes_json(self) -> bool:
        field = self.body_field
        return field is not None and not isinstance(field.field_info, fastapi_params.Form)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.takes_json():
            return handler

        async def strict(request: Request) -> Response:
            limit = json_body_limit(request)
            refuse_encoded(request)
            raw = await read_bounded(request, limit, say(Code.BODY_TOO_LARGE, max=limit))
            value = parse_json(raw) if raw else None
            request._body = raw  # what FastAPI's handler reads next: checked, and parsed once
            request._json = value
            return await handler(request)

        return strict


def loose_json_routes(app: FastAPI) -> list[str]:
    """The routes with a JSON body that the strict reader does not read (create_app refuses
    to start with any)."""
    out = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or isinstance(route, StrictJsonRoute):
            continue
        field = route.body_field
        if field is not None and not isinstance(field.field_info, fastapi_params.Form):
            out.append(f"{sorted(route.methods or ())} {route.path}")
    return out
