"""Notifications in memory (services.notify.NotificationChannel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phytowatch.services.notify import Message


@dataclass
class InMemoryNotificationChannel:
    """Remembers what it was given."""

    sent: list[tuple[str, Message]] = field(default_factory=list)
    closed: bool = False

    def send(self, to: str, message: Message) -> None:
        self.sent.append((to, message))

    def close(self) -> None:
        self.closed = True


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.notify import NotificationChannel

    _channel: NotificationChannel = InMemoryNotificationChannel()
