"""Sending staff e-mail over SMTP (aiosmtplib). Without an SMTP host the mail is logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from hoptac.notifications.domain.staff_mail import Email

log = logging.getLogger("hoptac.notifications.mail")


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.body, charset="utf-8")
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.starttls,
            timeout=self.timeout,
        )


class LogMailer:
    """Used when no SMTP server is configured (the embedded default): nothing is lost silently,
    the operator sees in the log what would have been sent."""

    async def send(self, email: Email) -> None:
        rule = "-" * 72
        log.info(
            "no SMTP host configured; this e-mail was not sent, here it is:\n%s\nTo: %s\n"
            "Subject: %s\n\n%s\n%s",
            rule,
            email.to,
            email.subject,
            email.body.rstrip(),
            rule,
        )
