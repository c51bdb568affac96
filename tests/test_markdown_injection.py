"""What people type stays text in every format we write: a title shaped like a Markdown link
or carrying raw HTML reaches the `.md` report, the digest webhook (generic `markdown` and
Slack `mrkdwn`) and e-mail subjects as literal characters, never as a live link or a tag."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select

from digest_servers import allow_local_webhooks, http_server
from productpath.domain.escaping import markdown_cell, markdown_text, mrkdwn_text, plain_text
from productpath.notify.results import RetryPolicy
from productpath.notify.webhook import slack_payload, to_mrkdwn
from productpath.services.reporting.digests import send_digests
from productpath.services.reporting.reports import render_report
from productpath.services.stakeholders import StakeholderInput, save_stakeholder
from productpath.services.workspace import open_workspace
from productpath.store.models import Initiative
from web_fixtures import seed

PHISH = "KYC [Reset your password](https://evil.example/phish)"
SCRIPT = "Cards <script>alert(1)</script> & <b>bold</b>"


def html_of(markdown: str) -> str:
    """Markdown as GitHub-style renderers show it (raw HTML allowed, tables on)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.mark.parametrize(
    "value",
    [
        PHISH,
        SCRIPT,
        "![tracker](https://evil.example/p.gif)",
        "<https://evil.example/auto>",
        "[ref]: https://evil.example/def",
        "# Heading?",
        "1. Ordered?",
        "- bullet?",
        "> quote?",
        "**bold** _it_ `code` ~~gone~~",
        "a &lt; b &#60; c \\[d\\]",
        "line one\n===",
    ],
)
def test_markdown_text_renders_as_exactly_the_value(value: str) -> None:
    for escaped in (markdown_text(value), markdown_cell(value)):
        html = html_of(escaped)
        assert "<a " not in html and "<img" not in html and "<script" not in html
        assert not re.search(r"<(h\d|ol|ul|blockquote|strong|em|code|b)>", html), html
    # Its text is the value itself: tags stripped and entities read back give it unchanged.
    shown = re.sub(r"<[^>]+>", "", html_of(markdown_text(value)))
    shown = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert shown.replace("&amp;", "&").strip() == value.replace("\n", "\n").strip()


def test_readable_text_stays_readable() -> None:
    assert markdown_text("R&D shipped 3 fixes!") == "R&D shipped 3 fixes!"
    assert markdown_cell("a|b\nc") == "a\\|b c"


def test_slack_conversion_keeps_escaped_links_as_text() -> None:
    line = to_mrkdwn("- " + markdown_text(PHISH))
    assert line == "• KYC [Reset your password](https://evil.example/phish)"
    assert "<https://" not in line
    assert to_mrkdwn(markdown_text(SCRIPT)) == mrkdwn_text(SCRIPT)
    assert "<script>" not in to_mrkdwn(markdown_text(SCRIPT))
    # The report's own Markdown still converts.
    assert (
        to_mrkdwn("See [the docs](https://docs.example/x)")
        == "See <https://docs.example/x|the docs>"
    )
    payload = slack_payload("<https://evil.example|Urgent> update", "# x")
    assert payload["text"] == "&lt;https://evil.example|Urgent&gt; update"


def test_plain_text_is_one_line() -> None:
    assert plain_text("KYC\r\nBcc: all@corp.example\x00 now") == "KYC Bcc: all@corp.example now"


def _rename(handle: Any, key: str, title: str) -> None:
    with handle.store.write() as s:
        s.scalars(select(Initiative).where(Initiative.key == key)).one().title = title


def test_report_and_digest_webhooks_carry_no_live_link(workspace_dir: Path) -> None:
    allow_local_webhooks(workspace_dir)
    with http_server() as (base, hooks), open_workspace() as h:
        seed(h)
        # Both appear in the engineering report: a risk row (a table) and a dependency (a bullet).
        _rename(h, "onboarding", PHISH)
        _rename(h, "instant-transfers", SCRIPT)
        md = render_report(h, "engineering", "md", record=False).content.decode()
        for kind, fragment in (("slack", "#slack"), ("json", "#json")):
            save_stakeholder(
                h,
                StakeholderInput(
                    name=f"Eng {kind}", key=f"eng-{kind}", channel="webhook",
                    audience="engineering", webhook_url=f"{base}/{kind}{fragment}",
                ),
            )  # fmt: skip
        run = send_digests(
            h, today=dt.date(2030, 3, 6), policy=RetryPolicy(attempts=1), env={}, sleep=None
        )
    assert [line.status for line in run.digests] == ["sent", "sent"]
    assert "Reset your password" in md and "alert(1)" in md  # the titles are in the report
    html = html_of(md)
    assert "evil.example" not in "".join(re.findall(r"<a [^>]*>", html))
    assert "<script" not in html and "<b>" not in html
    posts = dict(hooks.posts)
    generic = html_of(posts["/json"]["markdown"])
    assert "<a " not in generic and "<script" not in generic
    slack_texts = [posts["/slack"]["text"]] + [
        b["text"]["text"] for b in posts["/slack"]["blocks"] if b["type"] == "section"
    ]
    joined = "\n".join(slack_texts)
    assert "Reset your password" in joined
    assert "<https://evil.example" not in joined and "<script>" not in joined
