"""The reference receiver: ``POST`` a message, stored by its ``Idempotency-Key`` exactly once.

What it checks, in order, and what it answers (JSON ``{"result": ..., "key": ...}``):

- ``Idempotency-Key`` missing or longer than 200 characters: 400 ``missing_key``;
- a body over ``MAX_BODY`` bytes: 413 ``too_large``;
- ``X-Phytowatch-Signature`` not ``sha256=`` + the hex HMAC-SHA256 of the body with the shared
  secret (compared in constant time): 401 ``bad_signature``;
- a body that is not a JSON object in UTF-8: 400 ``bad_body``;
- a key stored already with the same body: 200 ``duplicate`` (counted, not stored again);
- a key stored already with another body: 409 ``key_reused`` (the sender holds it for a person);
- else stored: 201 ``stored``. It is answered after the commit: a 2xx means it is kept.

Messages are kept in the receiver's own SQLite file (WAL, committed before the answer; the
``synchronous=NORMAL`` of WAL mode keeps what was committed across a crash of the process).
``GET /health`` answers 200. Everything else: 404 / 405.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 4 * 1024 * 1024
MAX_KEY = 200
SIGNATURE_HEADER = "X-Phytowatch-Signature"
KEY_HEADER = "Idempotency-Key"
TOPIC_HEADER = "X-Phytowatch-Topic"

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    key TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0
)
"""


def signature_of(body: bytes, secret: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class Store:
    """The received messages, by key, in one SQLite file (one connection, one lock)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.execute(SCHEMA)
        self.lock = threading.Lock()

    def keep(self, key: str, topic: str, body: str) -> str:
        """``stored``, ``duplicate`` or ``key_reused``."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                found = self.conn.execute("SELECT body FROM received WHERE key = ?", (key,))
                row = found.fetchone()
                if row is None:
                    self.conn.execute(
                        "INSERT INTO received (key, topic, body, received_at) VALUES (?, ?, ?, ?)",
                        (key, topic, body, time.time_ns() // 1000),
                    )
                    result = "stored"
                elif row[0] == body:
                    self.conn.execute(
                        "UPDATE received SET duplicates = duplicates + 1 WHERE key = ?", (key,)
                    )
                    result = "duplicate"
                else:
                    result = "key_reused"
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return result

    def close(self) -> None:
        with self.lock:
            self.conn.close()


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: Store, secret: bytes) -> None:
        super().__init__(address, Handler)
        self.store = store
        self.secret = secret


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the sender reuses its connection
    # the answer's head and body are two writes: without TCP_NODELAY the second waits for the
    # sender's delayed ACK (40 ms a message on Linux)
    disable_nagle_algorithm = True
    server: ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per message would drown a port's log; the answers say it all

    def _answer(self, status: int, result: str, key: str = "") -> None:
        body = json.dumps({"result": result, "key": key}).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._answer(200, "ok")
        else:
            self._answer(404, "no_such_path")

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self._answer(411, "length_required")
            return
        if length < 0 or length > MAX_BODY:
            # read (and drop) a body up to 16 times the limit, so that the sender reads the
            # answer instead of a broken pipe; beyond that, the connection is closed on it
            left = length if 0 < length <= 16 * MAX_BODY else 0
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
            self.close_connection = True
            self._answer(413, "too_large")
            return
        body = self.rfile.read(length)
        key = self.headers.get(KEY_HEADER, "").strip()
        if not key or len(key) > MAX_KEY:
            self._answer(400, "missing_key")
            return
        given = self.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(
            given.encode("ascii", "replace"), signature_of(body, self.server.secret).encode("ascii")
        ):
            self._answer(401, "bad_signature", key)
            return
        try:
            text = body.decode("utf-8")
            document = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            document = None
        if not isinstance(document, dict):
            self._answer(400, "bad_body", key)
            return
        result = self.server.store.keep(key, self.headers.get(TOPIC_HEADER, "")[:64], text)
        self._answer({"stored": 201, "duplicate": 200}.get(result, 409), result, key)

    def do_PUT(self) -> None:
        self._answer(405, "method_not_allowed")


def database_path(url: str) -> str:
    """A file path from ``sqlite:///PATH`` or a plain path; ValueError for another URL."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if "://" in url or not url:
        raise ValueError(url)
    return url


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6); ValueError otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(value)
    return host.strip("[]"), int(port)


def serve(
    listen: str,
    database: str,
    secret: str,
    *,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Receive until ``stop`` is set (or the process ends)."""
    store = Store(database_path(database))
    server = ReceiverServer(parse_listen(listen), store, secret.encode("utf-8"))
    if stop is not None:

        def stopping() -> None:
            stop.wait()
            server.shutdown()

        threading.Thread(target=stopping, daemon=True).start()
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        store.close()
