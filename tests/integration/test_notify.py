"""Notifications against real receivers on 127.0.0.1: an HTTP server in a thread (webhook) and
aiosmtpd (e-mail). Backoff is shortened through the constructors; every wait is bounded."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from phytowatch.config import Settings
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.messages import Code, Instant, Word, say
from phytowatch.notify import make_notifier
from phytowatch.notify.queue import DeliveryQueue
from phytowatch.notify.smtp import SmtpChannel
from phytowatch.notify.webhook import WebhookChannel
from phytowatch.services.notify import RuleError, build_message, verify

SECRET = "whsec-7c1e0f-do-not-log"
PASSWORD = "smtp-pa55-do-not-log"
FAST = (0.05, 0.1, 0.2)
T0 = 1_772_445_600_000_000


def _change(what: str = "raised") -> Change:
    return Change(
        what,
        Alarm(
            kind=AlarmKind.HOLD_BROKEN,
            facility="JX-0031-K2",
            subject="run 4",
            severity=Severity.MAJOR,
            state=AlarmState.ACTIVE,
            raised_at=T0,
            last_seen_at=T0,
            count=1,
            last_occurrence="a",
            message=say(
                Code.ALARM_HOLD_BROKEN_PROBES,
                at=Instant(T0),
                reason=Word("below_threshold"),
                probes="C2",
            ),
            id=31,
        ),
    )


def _until(done: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Receiver:
    """A webhook receiver that answers with the given statuses in turn, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/phytowatch?k=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver_factory() -> Iterator[Callable[[list[int]], Receiver]]:
    made: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        receiver = Receiver(statuses)
        receiver.thread.start()
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.server.shutdown()
        receiver.server.server_close()


def _no_secret_in(caplog: pytest.LogCaptureFixture) -> None:
    text = "\n".join(
        record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert SECRET not in text
    assert PASSWORD not in text


def test_the_webhook_retries_a_500_twice_then_delivers_once_signed(
    receiver_factory: Callable[[list[int]], Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = receiver_factory([500, 500])
    channel = WebhookChannel(receiver.url, SECRET, backoff=FAST)
    message = build_message(_change(), now=T0)
    started = time.monotonic()
    channel.send("", message)
    assert time.monotonic() - started < 0.05  # the caller never waits for the network
    _until(lambda: channel.queue.delivered == 1)
    channel.close()
    assert len(receiver.requests) == 3
    assert channel.queue.delivered == 1 and channel.queue.failed == 0
    headers, body = receiver.requests[-1]
    assert verify(body, SECRET.encode(), headers["X-Phytowatch-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "alarm.raised"
    assert payload["alarm"]["id"] == 31 and payload["alarm"]["facility"] == "JX-0031-K2"
    assert abs(int(headers["X-Phytowatch-Timestamp"]) - time.time()) < 60
    assert headers["X-Phytowatch-Event"] == "alarm.raised"
    # one notification: the same delivery id on every attempt, for a receiver to deduplicate
    assert len({h["X-Phytowatch-Delivery"] for h, _ in receiver.requests}) == 1
    assert sum("attempt 1 failed (HTTP 500)" in r.getMessage() for r in caplog.records) == 1
    assert all("/hooks" not in r.getMessage() for r in caplog.records)  # the path may be a token
    _no_secret_in(caplog)


def test_the_webhook_honours_429_and_gives_up_at_once_on_a_4xx(
    receiver_factory: Callable[[list[int]], Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = receiver_factory([429, 404])
    channel = WebhookChannel(receiver.url, SECRET, backoff=FAST)
    channel.send("", build_message(_change(), now=T0))
    _until(lambda: channel.queue.failed == 1)
    channel.close()
    assert len(receiver.requests) == 2  # 429 retried, 404 not
    assert channel.queue.delivered == 0
    assert any("not sent: HTTP 404" in r.getMessage() for r in caplog.records)
    _no_secret_in(caplog)


def test_an_unreachable_webhook_is_given_up_after_the_backoff_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = WebhookChannel(f"http://127.0.0.1:{port}/x", SECRET, backoff=FAST, timeout_s=1.0)
    channel.send("", build_message(_change(), now=T0))
    _until(lambda: channel.queue.failed == 1)
    channel.close()
    gave_up = [r for r in caplog.records if "not sent after 4 attempt(s)" in r.getMessage()]
    assert len(gave_up) == 1 and gave_up[0].levelno == logging.ERROR
    _no_secret_in(caplog)


def test_a_full_queue_drops_the_oldest_loudly_and_counts_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    busy, release = threading.Event(), threading.Event()
    sent: list[str] = []

    def deliver(delivery: Any) -> None:
        busy.set()
        assert release.wait(5)
        sent.append(delivery.to)

    queue = DeliveryQueue("test", deliver, lambda to: to, maxsize=2, backoff=FAST)
    message = build_message(_change(), now=T0)
    queue.put("first", message)
    assert busy.wait(5)  # the worker holds "first"; the queue is empty again
    for to in ("second", "third", "fourth"):
        queue.put(to, message)
    assert queue.dropped == 1
    release.set()
    _until(lambda: queue.delivered == 3)
    queue.close()
    assert sent == ["first", "third", "fourth"]
    full = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert len(full) == 1 and full[0].levelno == logging.ERROR
    assert "second" in full[0].getMessage()


def test_the_settings_build_a_notifier_that_routes_to_the_webhook(
    receiver_factory: Callable[[list[int]], Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    receiver = receiver_factory([])
    settings = Settings(
        webhook_url=receiver.url,
        webhook_secret=SecretStr(SECRET),
        notify_rules=json.dumps(
            [{"channel": "webhook", "min_severity": "major", "facilities": ["JX-0031-K2"]}]
        ),
    )
    notifier = make_notifier(settings)
    try:
        notifier.notify(_change())
        cleared = _change("cleared")
        notifier.notify(cleared)
        other = Change("raised", replace(cleared.alarm, facility="K9"))
        notifier.notify(other)  # another facility: not routed
        _until(lambda: len(receiver.requests) == 2)
    finally:
        notifier.close()
    events = [json.loads(body)["event"] for _, body in receiver.requests]
    assert events == ["alarm.raised", "alarm.cleared"]
    assert SECRET not in repr(settings) and SECRET not in repr(notifier)
    _no_secret_in(caplog)


def test_settings_a_rule_cannot_be_sent_on_are_refused() -> None:
    rules = '[{"channel": "webhook"}]'
    with pytest.raises(RuleError, match="WEBHOOK_SECRET"):
        make_notifier(Settings(webhook_url="http://127.0.0.1:9/", notify_rules=rules))
    with pytest.raises(RuleError, match="WEBHOOK_URL"):
        make_notifier(Settings(webhook_secret=SecretStr(SECRET), notify_rules=rules))
    with pytest.raises(RuleError, match="SMTP_HOST"):
        make_notifier(Settings(notify_rules='[{"channel": "email", "to": "a@example.org"}]'))


# ---------------------------------------------------------------- e-mail


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"phytowatch"
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def test_an_email_arrives_with_the_alarm_in_chinese_and_english(
    smtp_server: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mailbox, port = smtp_server
    channel = SmtpChannel(
        "127.0.0.1",
        port,
        mail_from="phytowatch@bureau.example",
        user="phytowatch",
        password=PASSWORD,
        starttls=False,
        backoff=FAST,
    )
    channel.send("duty@bureau.example, lab@bureau.example", build_message(_change(), now=T0))
    _until(lambda: channel.queue.delivered == 1)
    channel.close()
    ((recipients, mail),) = mailbox.messages
    assert recipients == ["duty@bureau.example", "lab@bureau.example"]
    subject = str(mail["Subject"])
    assert "告警产生" in subject and "alarm raised" in subject
    assert "JX-0031-K2" in subject and "hold_broken" in subject
    body = mail.get_content()
    assert "设施：JX-0031-K2" in body and "保持中断" in body
    assert "Facility: JX-0031-K2" in body and "below the threshold (C2)" in body
    assert mail["From"] == "phytowatch@bureau.example"
    _no_secret_in(caplog)


def test_a_refused_smtp_login_is_given_up_without_logging_the_password(
    smtp_server: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    mailbox, port = smtp_server
    channel = SmtpChannel(
        "127.0.0.1",
        port,
        mail_from="phytowatch@bureau.example",
        user="someone-else",
        password=PASSWORD,
        starttls=False,
        backoff=FAST,
    )
    channel.send("duty@bureau.example", build_message(_change(), now=T0))
    _until(lambda: channel.queue.failed == 1)
    channel.close()
    assert mailbox.messages == []
    assert any("SMTP 535" in r.getMessage() for r in caplog.records)
    _no_secret_in(caplog)
