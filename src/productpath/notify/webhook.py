"""Webhooks: a report posted as JSON, either Slack-compatible or generic.

Slack-compatible: ``{"text": <summary>, "blocks": [...]}`` with the Markdown turned into
Slack's ``mrkdwn``; Slack, Mattermost, Rocket.Chat and Teams' Slack-style connectors accept it.
Generic: ``{"report": kind, "title": ..., "markdown": ...}`` plus the period and product.

The format follows the URL: a ``#slack`` or ``#json`` fragment chooses (a fragment is never
sent to the server), otherwise Slack's own hosts get the Slack payload and any other host the
generic one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from productpath.domain.escaping import mrkdwn_text
from productpath.notify.outbound import OutboundPolicy, OutboundRefused, post, shown_host
from productpath.notify.results import (
    DeliveryResult,
    PermanentFailure,
    RetryPolicy,
    TransientFailure,
    with_retry,
)

SLACK_SECTION_LIMIT = 3000  # characters in one section block
SLACK_HEADER_LIMIT = 150
SLACK_BLOCK_LIMIT = 50
USER_AGENT = "productpath-digest"
# A Markdown backslash escape (any ASCII punctuation), and the marker that holds its place.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_HELD = "\ue000"
_HELD_AGAIN = re.compile(_HELD + r"(\d+)" + _HELD)


@dataclass(frozen=True)
class WebhookMessage:
    url: str
    report: str
    title: str
    markdown: str
    period: str = ""
    product: str = ""


def payload_format(url: str) -> str:
    """``slack`` or ``json`` for this URL (see the module's notes)."""
    parts = urlsplit(url)
    if parts.fragment in {"slack", "json"}:
        return parts.fragment
    host = (parts.hostname or "").lower()
    return "slack" if host == "slack.com" or host.endswith(".slack.com") else "json"


def build_payload(message: WebhookMessage) -> dict[str, Any]:
    if payload_format(message.url) == "slack":
        return slack_payload(message.title, message.markdown)
    return {
        "report": message.report,
        "title": message.title,
        "markdown": message.markdown,
        "period": message.period,
        "product": message.product,
    }


def slack_payload(title: str, markdown: str) -> dict[str, Any]:
    """Header, then one section per Markdown section (split to fit Slack's limits)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(title, SLACK_HEADER_LIMIT)}}
    ]
    for chunk in _sections(markdown):
        if len(blocks) == SLACK_BLOCK_LIMIT - 1:
            blocks.append(
                _section("_The full report is longer; see the attachment or the web UI._")
            )
            break
        blocks.append(_section(chunk))
    # The top-level text is shown in notifications and read as mrkdwn: the title stays text.
    return {"text": mrkdwn_text(title), "blocks": blocks}


def to_mrkdwn(markdown: str) -> str:
    """Markdown -> Slack mrkdwn: headings and bold to ``*x*``, links to ``<url|text>``, bullets
    to ``•``; ``&``, ``<`` and ``>`` escaped as Slack asks.

    A backslash-escaped character is a literal (that is how reports write values people typed,
    see :mod:`productpath.domain.escaping`): it is held aside while the Markdown is converted,
    so an escaped ``\\[text\\](url)`` in a title stays text and never becomes a Slack link."""
    return "\n".join(_mrkdwn_line(line) for line in markdown.splitlines())


def _mrkdwn_line(raw: str) -> str:
    raw = raw.replace(_HELD, "")
    literals = _ESCAPED.findall(raw)
    numbers = iter(range(len(literals)))
    line = mrkdwn_text(_ESCAPED.sub(lambda _m: f"{_HELD}{next(numbers)}{_HELD}", raw))
    heading = re.match(r"^#{1,6}\s+(.*)$", line)
    if heading:
        line = f"*{heading.group(1).strip().strip('*')}*"
    else:
        line = re.sub(r"\*\*(.+?)\*\*", r"*\1*", line)
        line = re.sub(r"__(.+?)__", r"*\1*", line)
        line = re.sub(r"^(\s*)[-*+]\s+", r"\1• ", line)
    line = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", line)
    return _HELD_AGAIN.sub(lambda m: mrkdwn_text(literals[int(m.group(1))]), line)


def send_webhook(
    message: WebhookMessage,
    *,
    timeout: float = 15.0,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    outbound: OutboundPolicy | None = None,
) -> DeliveryResult:
    """POST the payload through the outbound gate (``outbound``: what an admin allowed beyond
    the public internet; nothing by default); 2xx is success, 429 and 5xx are retried, a
    refused destination, a redirect and other replies fail at once."""
    body = json.dumps(build_payload(message), ensure_ascii=False).encode("utf-8")
    parts = urlsplit(message.url)
    target = parts._replace(fragment="").geturl()
    shown = shown_host(message.url)
    gate = outbound or OutboundPolicy()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}

    def attempt() -> None:
        try:
            answer = post(target, body, headers, timeout=timeout, policy=gate)
        except OutboundRefused as exc:
            raise PermanentFailure(f"not sent to {shown}: {exc}") from exc
        except OSError as exc:
            raise TransientFailure(f"cannot reach the webhook at {shown}: {exc}") from exc
        if 200 <= answer.status < 300:
            return
        reason = f"the webhook at {shown} answered HTTP {answer.status} {answer.reason}"
        if 300 <= answer.status < 400:
            raise PermanentFailure(f"{reason} (redirects are not followed)")
        if answer.status == 429 or answer.status >= 500:
            raise TransientFailure(reason)
        raise PermanentFailure(reason)

    kwargs = {"sleep": sleep} if sleep is not None else {}
    return with_retry(shown, "webhook", attempt, policy or RetryPolicy(), **kwargs)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(markdown: str) -> list[str]:
    """The mrkdwn text cut at headings, and again wherever a piece would pass the limit."""
    pieces: list[str] = []
    current: list[str] = []
    for line in to_mrkdwn(markdown).splitlines():
        if line.startswith("*") and line.endswith("*") and current and not line.startswith("* "):
            pieces.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        pieces.append("\n".join(current))
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        while len(piece) > SLACK_SECTION_LIMIT:
            cut = piece.rfind("\n", 0, SLACK_SECTION_LIMIT)
            cut = cut if cut > 0 else SLACK_SECTION_LIMIT
            out.append(piece[:cut])
            piece = piece[cut:].lstrip("\n")
        if piece:
            out.append(piece)
    return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
