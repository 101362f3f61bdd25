"""Sending one email over SMTP (stdlib smtplib), off the event loop."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage

from backend.config import Settings

log = logging.getLogger("tandem.mail")


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; nothing was sent."""


def can_send(settings: Settings) -> bool:
    """No SMTP host configured means email is switched off (the safe default)."""
    return bool(settings.smtp_host)


def _send_now(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


async def send(settings: Settings, message: EmailMessage) -> None:
    """Send `message`, or raise MailError. smtplib blocks, so it runs in a worker
    thread with a timeout: a slow server must not stall the event loop."""
    if not can_send(settings):
        raise MailError("SMTP_HOST is not set: email is switched off")
    try:
        await asyncio.to_thread(_send_now, settings, message)
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, TLS
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
