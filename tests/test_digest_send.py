"""`digest send` end to end: real reports, a real SMTP server (aiosmtpd) and a real HTTP server
for webhooks; retries, per-recipient failures, nothing sent twice per period, nothing
recorded as sent when it failed (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from digest_servers import allow_local_webhooks, http_server, smtp_server
from helpers import invoke
from productpath.notify.results import RetryPolicy
from productpath.services.reporting.digests import send_digests
from productpath.services.stakeholders import StakeholderInput, save_stakeholder
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import DigestDelivery, Notification, Product, Stakeholder
from web_fixtures import seed

TODAY = dt.date(2030, 3, 6)  # a Wednesday in ISO week 10
FAST = RetryPolicy(attempts=3, backoff=0.0)


def configure_smtp(root: Path, port: int) -> None:
    with (root / "productpath.toml").open("a", encoding="utf-8") as f:
        f.write(
            f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "pm@pocket.example"\n'
            "starttls = false\ntimeout = 5\n"
        )


def add(handle: OpenWorkspace, name: str, **values: Any) -> None:
    save_stakeholder(handle, StakeholderInput(name=name, **values))


def deliveries(handle: OpenWorkspace) -> dict[tuple[str, str], tuple[str, int]]:
    """(stakeholder key, period) -> (status, attempts)."""
    with handle.store.read() as s:
        rows = s.execute(
            select(Stakeholder.key, DigestDelivery).join(
                DigestDelivery, DigestDelivery.stakeholder_id == Stakeholder.id
            )
        )
        return {(key, d.period): (d.status, d.attempts) for key, d in rows}


def run(handle: OpenWorkspace, today: dt.date, **kwargs: Any) -> dict[str, Any]:
    result = send_digests(handle, today=today, policy=FAST, sleep=lambda _s: None, **kwargs)
    return {line.stakeholder: line for line in result.digests}


def test_each_channel_once_per_period_failures_retried(workspace_dir: Path) -> None:
    with smtp_server() as (port, box), http_server() as (base, hooks), open_workspace() as h:
        configure_smtp(workspace_dir, port)
        allow_local_webhooks(workspace_dir)
        seed(h, now=dt.datetime(2030, 3, 1, tzinfo=dt.UTC))
        add(h, "Ada CFO", key="ada", email="ada@pocket.example", audience="executive")
        add(h, "Gone", key="gone", email="gone@pocket.example", audience="engineering")
        add(h, "Eng", key="eng", channel="webhook", webhook_url=f"{base}/eng#slack")
        add(
            h, "Sales", key="sales", channel="webhook", webhook_url=f"{base}/sales",
            audience="sales_support", cadence="monthly",
        )  # fmt: skip
        add(h, "Quiet", key="quiet", email="q@pocket.example", cadence="none")
        add(h, "Nowhere", key="nowhere", channel="none")
        with h.store.write() as s:  # a bad address that got in some other way (old data)
            s.scalars(select(Stakeholder).where(Stakeholder.key == "gone")).one()
            bad = Stakeholder(
                product_id=s.scalars(select(Product.id)).one(), key="bad", name="Bad",
                email="bad@@pocket", audience="customer",
            )  # fmt: skip
            s.add(bad)
        box.refuse.add("gone@pocket.example")
        hooks.status["/sales"] = 500

        # The PDF attachment is checked once (on SQLite): WeasyPrint is the slow part.
        first = run(h, TODAY, attach_pdf=h.workspace.uses_sqlite)
        assert {k: (v.status, v.report, v.period) for k, v in first.items()} == {
            "ada": ("sent", "exec", "2030-W10"),
            "gone": ("failed", "engineering", "2030-W10"),
            "eng": ("sent", "engineering", "2030-W10"),
            "sales": ("failed", "release-notes", "2030-03"),
            "bad": ("failed", "customer", "2030-W10"),
        }
        assert "refused the address: 550" in first["gone"].error
        assert first["sales"].attempts == 3 and "HTTP 500" in first["sales"].error
        assert first["bad"].error.startswith("'bad@@pocket' is not an e-mail address")
        assert first["bad"].attempts == 0
        assert first["eng"].recipient == base + "/…"  # never the webhook's full URL

        (mail,) = box.to("ada@pocket.example")
        assert mail["Subject"].endswith("(2030-W10)")
        text = mail.get_body(preferencelist=("plain",))
        assert text is not None and text.get_content().startswith("# ")
        assert mail.get_body(preferencelist=("html",)) is not None
        if h.workspace.uses_sqlite:
            (pdf,) = list(mail.iter_attachments())
            assert pdf.get_content_type() == "application/pdf"
            assert pdf.get_content().startswith(b"%PDF")
        (eng_post,) = [p for path, p in hooks.posts if path == "/eng"]
        assert eng_post["blocks"][0]["type"] == "header" and eng_post["text"]

        assert deliveries(h) == {
            ("ada", "2030-W10"): ("sent", 1),
            ("gone", "2030-W10"): ("failed", 1),
            ("eng", "2030-W10"): ("sent", 1),
            ("sales", "2030-03"): ("failed", 3),
            ("bad", "2030-W10"): ("failed", 0),
        }

        # Same week: nothing sent twice; the failures are tried again.
        del hooks.status["/sales"]
        second = run(h, TODAY + dt.timedelta(days=2), attach_pdf=False)
        assert {k: v.status for k, v in second.items()} == {
            "ada": "already_sent",
            "gone": "failed",
            "eng": "already_sent",
            "sales": "sent",
            "bad": "failed",
        }
        assert len(box.to("ada@pocket.example")) == 1
        assert len([p for p, _ in hooks.posts if p == "/eng"]) == 1
        assert deliveries(h)[("sales", "2030-03")] == ("sent", 4)

        # Next week: the weekly ones are due again, the monthly one is not.
        third = run(h, TODAY + dt.timedelta(days=7), attach_pdf=False)
        assert third["ada"].status == "sent" and third["ada"].period == "2030-W11"
        # It covers what happened since their last digest went out (on the real clock).
        assert third["ada"].since == dt.datetime.now().astimezone().date()
        assert first["ada"].since == TODAY - dt.timedelta(days=7)  # a first one: one period
        assert third["sales"].status == "already_sent"
        assert len(box.to("ada@pocket.example")) == 2


def test_missing_smtp_skips_the_emails_and_still_sends_the_webhooks(workspace_dir: Path) -> None:
    allow_local_webhooks(workspace_dir)
    missing = (
        "SMTP is not configured: set [smtp] host and from in productpath.toml "
        "(or PRODUCTPATH_SMTP_HOST and PRODUCTPATH_SMTP_FROM)"
    )
    with http_server() as (base, hooks), open_workspace() as h:
        seed(h)
        add(h, "Eng", key="eng", channel="webhook", webhook_url=f"{base}/eng")
        add(h, "Ada", key="ada", email="ada@pocket.example", audience="executive")
        result = invoke("digest", "send", "--today", "2030-03-06")
        assert result.exit_code == 1  # something was not delivered: the next run tries again
        lines = result.stdout.splitlines()
        assert lines[0].startswith("skipped      ada (email ada@pocket.example) exec 2030-W10: ")
        assert lines[0].endswith(missing)
        assert lines[1].startswith("sent         eng (webhook http://127.0.0.1:")
        assert lines[-1] == "1 sent, 0 failed, 1 skipped (see the warning)."
        assert result.stderr == f"warning: {missing}\n"
        assert [path for path, _ in hooks.posts] == ["/eng"]
        # The skipped e-mail is not recorded, so it goes out once SMTP is set.
        assert deliveries(h) == {("eng", "2030-W10"): ("sent", 1)}

    # A dry run shows who would get what, warns, and records nothing.
    dry = invoke("digest", "send", "--dry-run", "--json", "--today", "2030-03-06")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True
    assert {(d["stakeholder"], d["status"], d["report"]) for d in plan["digests"]} == {
        ("eng", "already_sent", "engineering"),
        ("ada", "would_send", "exec"),
    }
    assert plan["warnings"] == [missing]
    with open_workspace() as h:
        assert deliveries(h) == {("eng", "2030-W10"): ("sent", 1)}


def test_cli_send_log_and_notifications(workspace_dir: Path, monkeypatch: Any) -> None:
    with smtp_server() as (port, box):
        with open_workspace() as h:
            seed(h)
            add(h, "Ada", key="ada", email="ada@pocket.example", audience="executive")
            with h.store.write() as s:
                pid = s.scalars(select(Product.id)).one()
                s.add_all(
                    [
                        Notification(
                            product_id=pid, email="voter@pocket.example",
                            subject="Dark mode is now planned", body="Thanks for voting.",
                        ),
                        Notification(
                            product_id=pid, email="not an address", subject="x", body="y"
                        ),
                    ]
                )  # fmt: skip
        monkeypatch.setenv("PRODUCTPATH_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PRODUCTPATH_SMTP_PORT", str(port))
        monkeypatch.setenv("PRODUCTPATH_SMTP_FROM", "pm@pocket.example")
        monkeypatch.setenv("PRODUCTPATH_SMTP_STARTTLS", "false")
        sent = invoke("digest", "send", "--no-pdf", "--today", "2030-03-06")
        assert sent.exit_code == 1  # one notification had a bad address
        lines = sent.stdout.splitlines()
        assert lines[0].startswith("sent         ada (email ada@pocket.example) exec 2030-W10")
        assert "sent         notification to voter@pocket.example" in sent.stdout
        assert "FAILED       notification to not an address" in sent.stdout
        assert lines[-1] == "2 sent, 1 failed."
        (note,) = box.to("voter@pocket.example")
        assert note["Subject"] == "Dark mode is now planned"
        again = invoke("digest", "send", "--no-pdf", "--today", "2030-03-06")
        assert again.exit_code == 0
        assert again.stdout.startswith("already sent ada")
        assert "notification" not in again.stdout  # sent or given up: not tried again
    log = json.loads(invoke("digest", "log", "--json").stdout)
    assert [(r["stakeholder"], r["period"], r["status"]) for r in log] == [
        ("ada", "2030-W10", "sent")
    ]
    assert "ada" in invoke("digest", "log").stdout
    bad_date = invoke("digest", "send", "--today", "someday")
    assert bad_date.exit_code == 2


def test_a_claim_keeps_two_runs_from_sending_one_digest(workspace_dir: Path) -> None:
    from productpath.store import digest_repo

    with open_workspace() as h:
        add(h, "Ada", key="ada", email="ada@pocket.example")
        now = dt.datetime(2030, 3, 6, 9, tzinfo=dt.UTC)
        with h.store.read() as s:
            pid = s.scalars(select(Product.id)).one()
            sid = s.scalars(select(Stakeholder.id)).one()
        claim = {
            "product_id": pid, "stakeholder_id": sid, "period": "2030-W10", "channel": "email",
            "report_kind": "engineering",
        }  # fmt: skip
        with h.store.write() as s:
            first = digest_repo.claim(s, now=now, **claim)
        assert first is not None
        with h.store.write() as s:  # a second run while the first is sending
            assert digest_repo.claim(s, now=now + dt.timedelta(minutes=5), **claim) is None
        with h.store.write() as s:  # the first run died: after 30 minutes it may be taken over
            assert digest_repo.claim(s, now=now + dt.timedelta(minutes=31), **claim) == first
        with h.store.write() as s:
            digest_repo.finish(s, first, sent=False, attempts=3, error="down", now=now)
        with h.store.write() as s:  # failed: the next run claims it again
            assert digest_repo.claim(s, now=now, **claim) == first
        with h.store.write() as s:
            digest_repo.finish(s, first, sent=True, attempts=1, error="", now=now)
        with h.store.write() as s:  # sent: never again for this period
            assert digest_repo.claim(s, now=now + dt.timedelta(days=1), **claim) is None
        assert deliveries(h) == {("ada", "2030-W10"): ("sent", 4)}
