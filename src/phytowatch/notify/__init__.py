"""Notification adapters (webhook, e-mail) and :func:`make_notifier`, which wires them from the
settings. The routing and the messages are in :mod:`phytowatch.services.notify`."""

from __future__ import annotations

import logging
import time

from phytowatch.config import Settings
from phytowatch.domain.messages import Code, say
from phytowatch.services.notify import (
    NotificationChannel,
    Notifier,
    RoutingNotifier,
    RuleError,
    parse_rules,
)

log = logging.getLogger(__name__)


def make_notifier(settings: Settings) -> Notifier:
    """The notifier the settings describe; refuses rules it could not send on (RuleError).

    Builds objects only: a channel's thread starts with its first notification.
    """
    from phytowatch.notify.smtp import SmtpChannel
    from phytowatch.notify.webhook import WebhookChannel, check_url

    rules = parse_rules(settings.notify_rules)
    channels: dict[str, NotificationChannel] = {}
    webhook_rules = [rule for rule in rules if rule.channel == "webhook"]
    if webhook_rules:
        if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
            raise RuleError(say(Code.NOTIFY_WEBHOOK_SECRET))
        for rule in webhook_rules:
            url = rule.to or settings.webhook_url
            if not url:
                raise RuleError(say(Code.NOTIFY_WEBHOOK_URL))
            try:
                check_url(url)
            except ValueError:
                raise RuleError(say(Code.NOTIFY_WEBHOOK_URL_FORM)) from None
        channels["webhook"] = WebhookChannel(
            settings.webhook_url, settings.webhook_secret.get_secret_value()
        )
    elif settings.webhook_url:
        log.warning("PHYTOWATCH_WEBHOOK_URL is set but no notify rule sends to the webhook")
    if any(rule.channel == "email" for rule in rules):
        if not settings.smtp_host or not settings.mail_from:
            raise RuleError(say(Code.NOTIFY_EMAIL_SETTINGS))
        if settings.smtp_user and not settings.smtp_starttls:
            log.warning("SMTP login without STARTTLS: the password crosses the network in clear")
        channels["email"] = SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            mail_from=settings.mail_from,
            user=settings.smtp_user,
            password=(
                settings.smtp_password.get_secret_value() if settings.smtp_password else None
            ),
            starttls=settings.smtp_starttls,
        )
    return RoutingNotifier(rules, channels, clock=lambda: time.time_ns() // 1000)
