"""The delivery layer on its own: e-mail through a real SMTP server, webhooks to a real HTTP
server, retries with back-off, and the settings from productpath.toml and the environment."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from digest_servers import free_port, http_server, smtp_server
from productpath.errors import WorkspaceError
from productpath.notify.config import SmtpSettings, llm_settings, smtp_settings
from productpath.notify.email import Attachment, Email, send_email
from productpath.notify.outbound import OutboundPolicy
from productpath.notify.results import RetryPolicy
from productpath.notify.webhook import (
    WebhookMessage,
    payload_format,
    send_webhook,
    slack_payload,
    to_mrkdwn,
)

# The servers here listen on 127.0.0.1, which the outbound gate refuses unless allowed.
LOCAL = OutboundPolicy(networks=(ip_network("127.0.0.0/8"),))
FAST = RetryPolicy(attempts=3, backoff=0.01)


def settings(port: int) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1", port=port, sender="pm@example.com", starttls=False, timeout=5
    )


def test_email_is_multipart_text_html_with_pdf_attachment() -> None:
    with smtp_server() as (port, box):
        result = send_email(
            settings(port),
            Email(
                to="cfo@example.com",
                subject="Pocket: where things stand (2026-W48)",
                text="# Status\n\nAll good: 85% likely by 14 March.\n",
                html="<h1>Status</h1><p>All good.</p>",
                attachments=(Attachment("exec.pdf", b"%PDF-1.7 fake but bytes"),),
            ),
            {},
            policy=FAST,
        )
    assert result.ok and result.attempts == 1 and result.error == ""
    (message,) = box.to("cfo@example.com")
    assert message["Subject"] == "Pocket: where things stand (2026-W48)"
    assert message["From"] == "pm@example.com"
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "85% likely by 14 March" in body.get_content()
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<h1>Status</h1>" in html.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "exec.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.7 fake but bytes"


def test_refused_address_fails_at_once_without_retrying() -> None:
    waits: list[float] = []
    with smtp_server() as (port, box):
        box.refuse.add("gone@example.com")
        result = send_email(
            settings(port),
            Email(to="gone@example.com", subject="s", text="t"),
            {},
            policy=FAST,
            sleep=waits.append,
        )
        ok = send_email(settings(port), Email(to="here@example.com", subject="s", text="t"), {})
    assert not result.ok and result.permanent and result.attempts == 1 and waits == []
    assert "refused the address: 550" in result.error
    assert ok.ok and box.to("here@example.com") and not box.to("gone@example.com")


def test_unreachable_server_is_retried_with_backoff_then_fails() -> None:
    waits: list[float] = []
    port = free_port()  # nothing listens here
    result = send_email(
        settings(port),
        Email(to="a@example.com", subject="s", text="t"),
        {},
        policy=RetryPolicy(attempts=3, backoff=0.5),
        sleep=waits.append,
    )
    assert not result.ok and not result.permanent and result.attempts == 3
    assert waits == [0.5, 1.0]
    assert result.error.startswith(f"cannot reach the SMTP server at 127.0.0.1:{port}")


def test_webhook_generic_and_slack_payloads() -> None:
    markdown = "# Engineering\n\n## Blockers\n\n- **API** waits on [auth](https://x.test/a) <b>\n"
    with http_server() as (base, hooks):
        generic = send_webhook(
            WebhookMessage(
                url=f"{base}/generic", report="engineering", title="Eng", markdown=markdown,
                period="2026-W48", product="Pocket",
            ),
            policy=FAST,
            outbound=LOCAL,
        )  # fmt: skip
        slack = send_webhook(
            WebhookMessage(
                url=f"{base}/slack#slack", report="exec", title="Exec", markdown=markdown
            ),
            policy=FAST,
            outbound=LOCAL,
        )
    assert generic.ok and slack.ok
    posts = dict(hooks.posts)
    assert posts["/generic"] == {
        "report": "engineering",
        "title": "Eng",
        "markdown": markdown,
        "period": "2026-W48",
        "product": "Pocket",
    }
    payload = posts["/slack"]  # the #slack fragment chose the format and was not sent
    assert payload["text"] == "Exec"
    assert payload["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Exec"},
    }
    texts = [b["text"]["text"] for b in payload["blocks"][1:]]
    assert texts == [
        "*Engineering*",
        "*Blockers*\n\n• *API* waits on <https://x.test/a|auth> &lt;b&gt;",
    ]


def test_webhook_500_is_retried_and_reported() -> None:
    waits: list[float] = []
    with http_server() as (base, hooks):
        hooks.status["/down"] = 500
        result = send_webhook(
            WebhookMessage(url=f"{base}/down", report="exec", title="t", markdown="m"),
            policy=RetryPolicy(attempts=3, backoff=0.01),
            outbound=LOCAL,
            sleep=waits.append,
        )
    assert not result.ok and result.attempts == 3 and hooks.hits["/down"] == 3
    assert len(waits) == 2
    assert result.recipient == base  # host only: the path of a webhook URL is its secret
    assert result.error == f"the webhook at {base} answered HTTP 500 Internal Server Error"


def test_webhook_404_fails_at_once_and_closed_port_is_retried() -> None:
    with http_server() as (base, hooks):
        hooks.status["/gone"] = 404
        gone = send_webhook(
            WebhookMessage(url=f"{base}/gone", report="exec", title="t", markdown="m"),
            policy=FAST,
            outbound=LOCAL,
            sleep=lambda _s: None,
        )
    assert not gone.ok and gone.permanent and gone.attempts == 1 and hooks.hits["/gone"] == 1
    closed = f"http://127.0.0.1:{free_port()}"
    result = send_webhook(
        WebhookMessage(url=f"{closed}/x", report="exec", title="t", markdown="m"),
        policy=RetryPolicy(attempts=2, backoff=0.0),
        outbound=LOCAL,
        sleep=lambda _s: None,
    )
    assert not result.ok and result.attempts == 2
    assert result.error.startswith(f"cannot reach the webhook at {closed}")


def test_payload_format_follows_the_url() -> None:
    assert payload_format("https://hooks.slack.com/services/T/B/X") == "slack"
    assert payload_format("https://example.com/hook") == "json"
    assert payload_format("https://example.com/hook#slack") == "slack"
    assert payload_format("https://hooks.slack.com/x#json") == "json"


def test_slack_payload_respects_slack_limits() -> None:
    long = "\n".join(f"## Part {i}\n\n" + "word " * 900 for i in range(80))
    payload = slack_payload("T" * 400, long)
    assert len(payload["blocks"]) <= 50
    assert len(payload["blocks"][0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"][1:])
    assert to_mrkdwn("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"


def test_smtp_settings_from_file_and_environment() -> None:
    config = {
        "smtp": {
            "host": "mail.example.com",
            "username": "pm",
            "password_env": "MAIL_PW",
            "from": "pm@example.com",
        }
    }
    smtp = smtp_settings(config, {})
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.starttls, smtp.username) == (
        "mail.example.com",
        587,
        True,
        "pm",
    )
    with pytest.raises(WorkspaceError, match=r"MAIL_PW .* is not set"):
        smtp.password({})
    assert smtp.password({"MAIL_PW": "s3cret"}) == "s3cret"
    assert "s3cret" not in repr(smtp)
    env = {"PRODUCTPATH_SMTP_HOST": "relay.local", "PRODUCTPATH_SMTP_PORT": "2525",
           "PRODUCTPATH_SMTP_STARTTLS": "false"}  # fmt: skip
    overridden = smtp_settings(config, env)
    assert overridden is not None
    assert (overridden.host, overridden.port, overridden.starttls) == ("relay.local", 2525, False)
    assert smtp_settings({}, {}) is None
    with pytest.raises(WorkspaceError, match=r"smtp\.from is not set"):
        smtp_settings({"smtp": {"host": "x"}}, {})
    with pytest.raises(WorkspaceError, match=r"unknown key 'smtp\.password'"):
        smtp_settings({"smtp": {"host": "x", "password": "plain"}}, {})
    with pytest.raises(WorkspaceError, match=r"smtp\.port must be a positive number"):
        smtp_settings({"smtp": {"host": "x", "from": "a@b.org", "port": "abc"}}, {})


def test_llm_settings_are_off_unless_configured() -> None:
    assert llm_settings({}, {}) is None
    llm = llm_settings({"llm": {"endpoint": "http://127.0.0.1:1", "model": "m"}}, {})
    assert llm is not None and llm.tone
    with pytest.raises(WorkspaceError, match=r"llm\.model is not set"):
        llm_settings({"llm": {"endpoint": "http://x"}}, {})
    with pytest.raises(WorkspaceError, match="must be an http"):
        llm_settings({"llm": {"endpoint": "x", "model": "m"}}, {})
