"""The e-mail channel: each notification sent over SMTP, STARTTLS and login when configured.

The subject and body are those of :func:`phytowatch.services.notify.build_message` (Chinese,
then English). Connection errors and SMTP 4xx replies are retried with backoff; 5xx replies
(a refused login, a refused address) are given up. Logs carry the reply code, never the
password.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from phytowatch.notify.queue import (
    BACKOFF_S,
    Delivery,
    DeliveryQueue,
    PermanentError,
    TransientError,
)
from phytowatch.services.notify import Message


def addresses(to: str) -> list[str]:
    return [part.strip() for part in to.split(",") if part.strip()]


class SmtpChannel:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        mail_from: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout_s: float = 10.0,
        backoff: Sequence[float] = BACKOFF_S,
        maxsize: int = 1000,
    ) -> None:
        self._host = host
        self._port = port
        self._mail_from = mail_from
        self._user = user
        self._password = password or ""
        self._starttls = starttls
        self._timeout_s = timeout_s
        self.queue = DeliveryQueue(
            "email", self._deliver, lambda to: to, maxsize=maxsize, backoff=backoff
        )

    def __repr__(self) -> str:  # never the password
        return f"SmtpChannel({self._host}:{self._port})"

    def send(self, to: str, message: Message) -> None:
        self.queue.put(to, message)

    def close(self) -> None:
        self.queue.close()

    def _email(self, delivery: Delivery) -> EmailMessage:
        message = delivery.message
        email = EmailMessage()
        email["From"] = self._mail_from
        email["To"] = ", ".join(addresses(delivery.to))
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(idstring=delivery.id[:12], domain="phytowatch")
        email["X-Phytowatch-Event"] = message.event
        email.set_content(message.body)
        return email

    def _deliver(self, delivery: Delivery) -> None:
        recipients = addresses(delivery.to)
        if not recipients:
            raise PermanentError("no recipient address")
        email = self._email(delivery)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout_s) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._user:
                    smtp.login(self._user, self._password)
                refused = smtp.send_message(email, from_addr=self._mail_from, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            reason = "every recipient refused (" + ", ".join(map(str, codes)) + ")"
            if all(400 <= code < 500 for code in codes):
                raise TransientError(reason) from None
            raise PermanentError(reason) from None
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP {error.smtp_code} {_text(error.smtp_error)}"
            if 400 <= error.smtp_code < 500:
                raise TransientError(reason) from None
            raise PermanentError(reason) from None
        except smtplib.SMTPNotSupportedError as error:
            raise PermanentError(f"{type(error).__name__}: {error}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from None
        if refused:
            raise PermanentError(f"refused for {', '.join(sorted(refused))}")


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:200]
