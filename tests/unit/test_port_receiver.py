"""The reference receiver (receiver/server.py) in a thread of the test: what it answers to a
good message, a duplicate, a key reused for another body, a bad signature, a body that is not a
JSON object, no key, a body too large; and what it keeps (each key once, duplicates counted)."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from phytowatch.receiver.server import MAX_BODY, parse_listen, serve, signature_of

SECRET = "port-secret"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "received.db"
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=serve, args=(f"127.0.0.1:{port}", f"sqlite:///{path}", SECRET),
        kwargs={"ready": ready, "stop": stop}, daemon=True,
    )  # fmt: skip
    thread.start()
    assert ready.wait(10)
    yield port, path
    stop.set()
    thread.join(10)


def _post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/transfers", body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


def _signed(key: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "Idempotency-Key": key,
        "X-Phytowatch-Topic": "transfer.created",
        "X-Phytowatch-Signature": signature_of(body, secret.encode()),
        "Content-Type": "application/json",
    }


def test_a_message_is_stored_once_and_its_duplicates_recognised(
    receiver: tuple[int, Path],
) -> None:
    port, path = receiver
    body = json.dumps({"number": "ZD1", "goods": "柑橘"}, ensure_ascii=False).encode()
    assert _post(port, body, _signed("ZD1", body)) == (201, {"result": "stored", "key": "ZD1"})
    assert _post(port, body, _signed("ZD1", body)) == (200, {"result": "duplicate", "key": "ZD1"})
    assert _post(port, body, _signed("ZD1", body))[0] == 200
    other = b'{"number": "ZD1", "goods": "apples"}'
    reused = _post(port, other, _signed("ZD1", other))
    assert reused == (409, {"result": "key_reused", "key": "ZD1"})
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT key, topic, body, duplicates FROM received").fetchall()
    assert rows == [("ZD1", "transfer.created", body.decode(), 2)]


@pytest.mark.parametrize(
    ("body", "headers", "status", "result"),
    [
        (b'{"n": 1}', {"Idempotency-Key": "K", "X-Phytowatch-Signature": "sha256=00"}, 401,
         "bad_signature"),
        (b'{"n": 1}', _signed("K", b'{"n": 1}', secret="another"), 401, "bad_signature"),
        (b'{"n": 1}', {"X-Phytowatch-Signature": signature_of(b'{"n": 1}', SECRET.encode())},
         400, "missing_key"),
        (b"[1, 2]", _signed("K", b"[1, 2]"), 400, "bad_body"),
        (b"\xff\xfe", _signed("K", b"\xff\xfe"), 400, "bad_body"),
        (b"x" * (MAX_BODY + 1), _signed("K", b""), 413, "too_large"),
    ],
)  # fmt: skip
def test_what_cannot_be_kept_is_refused_with_a_clear_answer(
    receiver: tuple[int, Path], body: bytes, headers: dict[str, str], status: int, result: str
) -> None:
    port, path = receiver
    answered, said = _post(port, body, headers)
    assert (answered, said["result"]) == (status, result)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM received").fetchone() == (0,)


def test_the_listen_address_is_read() -> None:
    assert parse_listen("127.0.0.1:8900") == ("127.0.0.1", 8900)
    assert parse_listen("[::1]:80") == ("::1", 80)
    for bad in ("8900", "host:", "host:0", "host:70000", ":80"):
        with pytest.raises(ValueError):
            parse_listen(bad)
