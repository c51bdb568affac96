"""Digests: each stakeholder gets the report for their audience, on their cadence, by their
channel; and pending notifications go out by e-mail or webhook (the portal voters' e-mails,
and the copies of watchers' notifications for the channels each person chose).

One run works in three steps: (1) plan: who is due this period and what they get; settings
are checked; (2) render every report needed; (3) send, one recipient at a time: claim the
delivery row, send with retries, record ``sent`` or ``failed``. A failure never stops the
others and is retried by the next run; a ``sent`` row is never sent again for that period (the
row's unique key on stakeholder, period and channel makes that a database rule).

Channels are independent: without SMTP settings (or their password secret) the e-mails are
skipped, each line saying why, and the webhooks still go out. A skipped e-mail is not recorded,
so the next run, once SMTP is set, sends it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from productpath.domain import stakeholders as rules
from productpath.domain.escaping import markdown_text, plain_text
from productpath.errors import WorkspaceError
from productpath.notify import config as notify_config
from productpath.notify.email import Attachment, Email, send_email
from productpath.notify.outbound import OutboundPolicy, url_problem
from productpath.notify.results import DeliveryResult, RetryPolicy
from productpath.notify.webhook import WebhookMessage, send_webhook
from productpath.services.notifications import check_delivery
from productpath.services.reporting.digest_models import (
    ALREADY_SENT,
    FAILED,
    IN_PROGRESS,
    SENT,
    SKIPPED,
    WOULD_FAIL,
    WOULD_SEND,
    DeliveryLogRow,
    DigestLine,
    DigestRun,
    NotificationLine,
)
from productpath.services.reporting.report_polish import llm_for
from productpath.services.stakeholders import webhook_host, webhook_policy
from productpath.services.workspace import OpenWorkspace
from productpath.store import digest_repo, product_repo, stakeholder_repo
from productpath.store.models import Notification, utcnow


class Rendered(Protocol):
    """What :func:`.reports.render_report` returns (the fields used here)."""

    @property
    def title(self) -> str: ...
    @property
    def content(self) -> bytes: ...
    @property
    def filename(self) -> str: ...
    @property
    def media_type(self) -> str: ...


Renderer = Callable[..., Rendered]


@dataclass
class _Due:
    """One planned delivery."""

    stakeholder_id: int
    key: str
    name: str
    channel: str
    address: str  # as shown: the e-mail address, or only the webhook's host
    target: str  # where it goes: the e-mail address or the full webhook URL
    report: str
    period: str
    since: dt.date
    problem: str | None  # why it cannot be sent (bad address), known before trying


@dataclass
class _Bodies:
    title: str
    markdown: str
    html: str | None
    pdf: Attachment | None


SMTP_MISSING = (
    "SMTP is not configured: set [smtp] host and from in productpath.toml "
    "(or PRODUCTPATH_SMTP_HOST and PRODUCTPATH_SMTP_FROM)"
)


def send_digests(
    handle: OpenWorkspace,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    polish: bool = False,
    attach_pdf: bool = True,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    env: Mapping[str, str] | None = None,
    renderer: Renderer | None = None,
) -> DigestRun:
    """Send every digest due ``today`` (default: the local date) and pending notifications.

    ``dry_run`` plans and renders nothing, sends nothing and records nothing. ``policy`` and
    ``sleep`` set the retries (tests make them fast); ``env`` replaces ``os.environ`` for
    settings and secrets.
    """
    env = os.environ if env is None else env
    today = today or dt.date.today()
    smtp = _smtp_settings(handle, env)
    llm = llm_for(handle, env) if polish else None
    outbound = webhook_policy(handle, env)
    if not dry_run:  # watched initiatives that became at risk since the last run
        check_delivery(handle, today=today)
    lines, due = _plan(handle, today, outbound)
    pending = _pending_notifications(handle)
    warnings: list[str] = []
    # Why e-mail cannot go out in this run, found before anything is sent.
    blocked = _email_blocked(smtp, env, check_secret=not dry_run)
    if blocked is not None and _needs_smtp(due, pending):
        warnings.append(blocked)

    if dry_run:
        for item in due:
            lines.append(_line(item, WOULD_FAIL if item.problem else WOULD_SEND, 0, item.problem))
        planned = [_note_line(n, WOULD_SEND, 0, "") for n in pending]
        return DigestRun(
            today=today, dry_run=True, digests=lines, notifications=planned, warnings=warnings
        )

    notes: list[NotificationLine] = []
    if blocked is not None:
        skipped = [d for d in due if d.channel == "email" and d.problem is None]
        due = [d for d in due if d not in skipped]
        lines += [_line(item, SKIPPED, 0, blocked) for item in skipped]
        notes = [_note_line(n, SKIPPED, 0, blocked) for n in pending if n.channel == "email"]
        pending = [n for n in pending if n.channel != "email"]
    render = renderer or _default_renderer()
    bodies = _render_all(handle, due, today, render, attach_pdf, llm, env, warnings)
    policy = policy or RetryPolicy()
    product = handle.workspace.name
    for item in due:
        lines.append(_deliver(handle, item, bodies, smtp, env, policy, sleep, product, outbound))
    notes += [
        _notify(handle, n, smtp, env, policy, sleep, outbound, product)
        for n in pending
        if n.channel != "email" or (blocked is None and smtp is not None)
    ]
    return DigestRun(
        today=today, dry_run=False, digests=lines, notifications=notes, warnings=warnings
    )


def _email_blocked(
    smtp: notify_config.SmtpSettings | None, env: Mapping[str, str], *, check_secret: bool
) -> str | None:
    """Why no e-mail can be sent: no SMTP settings, or (``check_secret``) a missing password."""
    if smtp is None:
        return SMTP_MISSING
    if check_secret:
        try:
            smtp.password(env)
        except WorkspaceError as exc:
            return str(exc)
    return None


def _smtp_settings(
    handle: OpenWorkspace, env: Mapping[str, str]
) -> notify_config.SmtpSettings | None:
    path = handle.workspace.config_path
    return notify_config.smtp_settings(notify_config.read_config(path), env, str(path))


def _needs_smtp(due: Sequence[_Due], pending: Sequence[Notification]) -> bool:
    return any(d.channel == "email" and d.problem is None for d in due) or any(
        n.channel == "email" for n in pending
    )


def digest_log(handle: OpenWorkspace, limit: int = 200) -> list[DeliveryLogRow]:
    """What was sent (and what failed), newest first."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return []
        return [
            DeliveryLogRow(
                stakeholder=key,
                name=name,
                period=row.period,
                channel=row.channel,
                report=row.report_kind,
                status=row.status,
                attempts=row.attempts,
                error=row.error,
                sent_at=row.sent_at,
                created_at=row.created_at,
            )
            for row, key, name in digest_repo.log(session, product_id, limit)
        ]


def _plan(
    handle: OpenWorkspace, today: dt.date, outbound: OutboundPolicy
) -> tuple[list[DigestLine], list[_Due]]:
    """Lines for deliveries already done or under way, and the deliveries due now."""
    done: list[DigestLine] = []
    due: list[_Due] = []
    now = utcnow()
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:
            return done, due
        for person in stakeholder_repo.list_all(session, product_id):
            if person.channel == "none" or person.cadence == "none":
                continue
            period = rules.period_key(person.cadence, today)
            last = digest_repo.last_sent(session, person.id)
            since = (
                last.astimezone().date()
                if last is not None
                else today - rules.period_length(person.cadence, today)
            )
            address, problem = _address(person.channel, person.email, person.webhook_url, outbound)
            target = (person.email if person.channel == "email" else person.webhook_url) or ""
            item = _Due(
                stakeholder_id=person.id,
                key=person.key,
                name=person.name,
                channel=person.channel,
                address=address,
                target=target,
                report=rules.AUDIENCE_REPORT[person.audience],
                period=period,
                since=min(since, today),
                problem=problem,
            )
            row = digest_repo.find(session, person.id, period, person.channel)
            if row is not None and row.status == SENT:
                done.append(_line(item, ALREADY_SENT, row.attempts, None))
            elif (
                row is not None
                and row.status == "sending"
                and row.created_at >= now - digest_repo.STALE_CLAIM
            ):
                done.append(_line(item, IN_PROGRESS, row.attempts, None))
            else:
                due.append(item)
    return done, due


def _address(
    channel: str, email: str | None, webhook_url: str | None, outbound: OutboundPolicy
) -> tuple[str, str | None]:
    if channel == "email":
        if not email:
            return "", "no e-mail address"
        return email, rules.email_problem(email)
    if not webhook_url:
        return "", "no webhook URL"
    # A URL stored before the gate existed (or before an admin narrowed the allow list) is
    # refused here too; the send itself checks again after resolving the name.
    problem = rules.webhook_problem(webhook_url) or url_problem(webhook_url, outbound)
    return webhook_host(webhook_url) or "", problem


def _render_all(
    handle: OpenWorkspace,
    due: list[_Due],
    today: dt.date,
    render: Renderer,
    attach_pdf: bool,
    llm: notify_config.LlmSettings | None,
    env: Mapping[str, str],
    warnings: list[str],
) -> dict[tuple[str, dt.date, str], _Bodies]:
    """Every report the due deliveries need, rendered once per (kind, since, channel)."""
    bodies: dict[tuple[str, dt.date, str], _Bodies] = {}
    recorded: set[str] = set()
    for item in due:
        slot = (item.report, item.since, item.channel)
        if item.problem is not None or slot in bodies:
            continue
        # The first rendering of each kind is recorded, so the next report of that kind can
        # say what changed since this digest.
        first = item.report not in recorded
        recorded.add(item.report)
        md = render(handle, item.report, "md", since=item.since, record=first, today=today)
        markdown = md.content.decode("utf-8")
        html = pdf = None
        if item.channel == "email":
            html = render(
                handle, item.report, "html", since=item.since, record=False, today=today
            ).content.decode("utf-8")
            if attach_pdf:
                rendered = render(
                    handle, item.report, "pdf", since=item.since, record=False, today=today
                )
                pdf = Attachment(rendered.filename, rendered.content, rendered.media_type)
        if llm is not None:
            markdown, html = _polished(markdown, html, md.title, item.report, llm, env, warnings)
        bodies[slot] = _Bodies(md.title, markdown, html, pdf)
    return bodies


def _polished(
    markdown: str,
    html: str | None,
    title: str,
    report: str,
    llm: notify_config.LlmSettings,
    env: Mapping[str, str],
    warnings: list[str],
) -> tuple[str, str | None]:
    from productpath.notify.llm import polish, polished_html

    audience = rules.REPORT_READERS.get(report, "a mixed audience")
    result = polish(markdown, llm, audience=audience, env=env)
    if not result.polished:
        if result.warning and result.warning not in warnings:
            warnings.append(result.warning)
        return markdown, html
    return result.text, (polished_html(result.text, title) if html is not None else None)


def _deliver(
    handle: OpenWorkspace,
    item: _Due,
    bodies: dict[tuple[str, dt.date, str], _Bodies],
    smtp: notify_config.SmtpSettings | None,
    env: Mapping[str, str],
    policy: RetryPolicy,
    sleep: Callable[[float], None] | None,
    product: str,
    outbound: OutboundPolicy,
) -> DigestLine:
    now = utcnow()
    with handle.store.write() as session:
        claimed = digest_repo.claim(
            session,
            product_id=_product_id(handle, session),
            stakeholder_id=item.stakeholder_id,
            period=item.period,
            channel=item.channel,
            report_kind=item.report,
            now=now,
        )
    if claimed is None:
        return _line(item, IN_PROGRESS, 0, None)
    result = _send_one(item, bodies, smtp, env, policy, sleep, product, outbound)
    with handle.store.write() as session:
        digest_repo.finish(
            session,
            claimed,
            sent=result.ok,
            attempts=result.attempts,
            error=result.error,
            now=utcnow(),
        )
    return _line(item, SENT if result.ok else FAILED, result.attempts, result.error or None)


def _send_one(
    item: _Due,
    bodies: dict[tuple[str, dt.date, str], _Bodies],
    smtp: notify_config.SmtpSettings | None,
    env: Mapping[str, str],
    policy: RetryPolicy,
    sleep: Callable[[float], None] | None,
    product: str,
    outbound: OutboundPolicy,
) -> DeliveryResult:
    if item.problem is not None:
        return DeliveryResult(item.address, item.channel, False, 0, item.problem, permanent=True)
    body = bodies[(item.report, item.since, item.channel)]
    if item.channel == "email":
        assert smtp is not None  # checked before anything was sent
        email = Email(
            to=item.target,
            subject=f"{plain_text(body.title)} ({item.period})",
            text=body.markdown,
            html=body.html,
            attachments=(body.pdf,) if body.pdf else (),
        )
        return send_email(smtp, email, env, policy=policy, sleep=sleep)
    message = WebhookMessage(
        url=item.target,
        report=item.report,
        title=body.title,
        markdown=body.markdown,
        period=item.period,
        product=product,
    )
    return send_webhook(message, policy=policy, sleep=sleep, outbound=outbound)


def _notify(
    handle: OpenWorkspace,
    note: Notification,
    smtp: notify_config.SmtpSettings | None,
    env: Mapping[str, str],
    policy: RetryPolicy,
    sleep: Callable[[float], None] | None,
    outbound: OutboundPolicy,
    product: str,
) -> NotificationLine:
    """Send one notification by its channel: e-mail (plain text) or webhook (the text as
    escaped Markdown, through the outbound guard like a digest's webhook)."""
    if note.channel == "webhook":
        message = WebhookMessage(
            url=note.webhook_url or "",
            report="notification",
            title=plain_text(note.subject),
            markdown=_notification_markdown(note),
            product=product,
        )
        result = send_webhook(message, policy=policy, sleep=sleep, outbound=outbound)
    elif (problem := rules.email_problem(note.email)) is not None or smtp is None:
        result = DeliveryResult(
            note.email, "email", False, 0, problem or SMTP_MISSING, permanent=True
        )
    else:
        email = Email(to=note.email, subject=plain_text(note.subject), text=note.body)
        result = send_email(smtp, email, env, policy=policy, sleep=sleep)
    with handle.store.write() as session:
        digest_repo.mark_notification(
            session,
            note.id,
            sent_at=utcnow() if result.ok else None,
            # Given up on only when trying again cannot help (a refused or invalid address);
            # otherwise it stays pending for the next run.
            failed=result.permanent,
        )
    return _note_line(note, SENT if result.ok else FAILED, result.attempts, result.error)


def _notification_markdown(note: Notification) -> str:
    text = markdown_text(note.body)
    return f"{text}\n\n({markdown_text(note.link)})" if note.link else text


def _note_line(note: Notification, status: str, attempts: int, error: str) -> NotificationLine:
    webhook = note.channel == "webhook"
    return NotificationLine(
        id=note.id,
        email=note.email,
        channel=note.channel,
        recipient=(webhook_host(note.webhook_url) or "") if webhook else note.email,
        subject=note.subject,
        status=status,
        attempts=attempts,
        error=error,
    )


def _pending_notifications(handle: OpenWorkspace) -> list[Notification]:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        return digest_repo.pending_notifications(session, product_id) if product_id else []


def _line(item: _Due, status: str, attempts: int, error: str | None) -> DigestLine:
    return DigestLine(
        stakeholder=item.key,
        name=item.name,
        channel=item.channel,
        recipient=item.address,
        report=item.report,
        period=item.period,
        since=item.since,
        status=status,
        attempts=attempts,
        error=error or "",
    )


def _product_id(handle: OpenWorkspace, session: Any) -> int:
    product_id = product_repo.find_id(session, handle.workspace.product)
    assert product_id is not None  # the plan found it
    return product_id


def _default_renderer() -> Renderer:
    from productpath.services.reporting.reports import render_report

    return render_report
