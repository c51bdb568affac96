"""E-mail by SMTP: one multipart message per recipient (plain text + HTML, attachments).

Takes plain data (who, subject, bodies, attachment bytes) and the SMTP settings; it knows
nothing about stakeholders or reports.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from productpath.notify.config import SmtpSettings
from productpath.notify.results import (
    DeliveryResult,
    PermanentFailure,
    RetryPolicy,
    TransientFailure,
    with_retry,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str = "application/pdf"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())


def build_message(email: Email, sender: str) -> EmailMessage:
    """The MIME message: text/plain, with an HTML alternative and attachments when given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    for item in email.attachments:
        maintype, _, subtype = item.media_type.partition("/")
        message.add_attachment(
            item.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item.filename,
        )
    return message


def send_email(
    settings: SmtpSettings,
    email: Email,
    env: Mapping[str, str],
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DeliveryResult:
    """Send ``email``, retrying what may pass later; the outcome, never an exception."""
    message = build_message(email, settings.sender)
    password = settings.password(env)

    def attempt() -> None:
        _deliver(settings, message, password)

    kwargs = {"sleep": sleep} if sleep is not None else {}
    return with_retry(email.to, "email", attempt, policy or RetryPolicy(), **kwargs)


def _deliver(settings: SmtpSettings, message: EmailMessage, password: str | None) -> None:
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.username is not None and password is not None:
                client.login(settings.username, password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        raise _by_code(code, f"the server refused the address: {code} {_text(reply)}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentFailure(
            f"the SMTP server at {where} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentFailure(f"the SMTP server at {where} does not support STARTTLS") from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_code(
            exc.smtp_code, f"the SMTP server said {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TransientFailure(
            f"cannot reach the SMTP server at {where}: {reason or type(exc).__name__}"
        ) from exc


def _by_code(code: int, message: str) -> Exception:
    return PermanentFailure(message) if 500 <= code < 600 else TransientFailure(message)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
