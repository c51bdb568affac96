"""Watches, notifications, @mentions and channels, on SQLite and PostgreSQL: who is told what,
once, and by which channels, with e-mail to a real SMTP server and webhooks to a real HTTP
server through ``digest send``'s path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from digest_servers import allow_local_webhooks, http_server, smtp_server
from productpath.errors import InputError, NotFoundError
from productpath.notify.results import RetryPolicy
from productpath.services import notifications as notes
from productpath.services.accounts import FAST_HASH_ENV, add_user
from productpath.services.comments import add_comment, comments
from productpath.services.history import undo
from productpath.services.initiative_edit import InitiativeChanges, update_initiative
from productpath.services.portal import comment
from productpath.services.reporting.digests import send_digests
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store import product_repo
from productpath.store.models import Decision, Initiative, Notification, Theme, User
from web_fixtures import seed

FAST = RetryPolicy(attempts=2, backoff=0.01)


@pytest.fixture
def handle(workspace_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWorkspace]:
    monkeypatch.setenv(FAST_HASH_ENV, "1")
    with open_workspace() as h:
        seed(h)
        with h.store.write() as s:
            pid = product_repo.find_id(s, h.workspace.product)
            s.add(Theme(product_id=pid, number=1, label="Slow sign-up", size=3))
            s.add(
                Decision(product_id=pid, key="d1", title="Drop crypto", decided_on=dt.date.today())
            )
        yield h


def _people(h: OpenWorkspace) -> tuple[int, int, int]:
    """Ana (editor), Bob Builder (viewer), Stan (a portal stakeholder): their ids."""
    add_user(h, "ana@example.com", "editor", "pw-ana-123456", name="Ana Lima")
    add_user(h, "bob@example.com", "viewer", "pw-bob-123456", name="Bob Builder")
    add_user(h, "stan@example.com", "stakeholder", "pw-stan-12345", name="Stan")
    with h.store.read() as s:
        ids = dict(s.execute(select(User.email, User.id)).tuples().all())
    return ids["ana@example.com"], ids["bob@example.com"], ids["stan@example.com"]


def _set_status(h: OpenWorkspace, key: str, status: str, actor: str) -> None:
    with h.store.read() as s:
        version = s.scalar(select(Initiative.version).where(Initiative.key == key))
    assert version is not None
    update_initiative(
        h, key, InitiativeChanges(status=status), expected_version=version, actor=actor, via="web"
    )


def test_a_status_change_tells_the_watchers_not_the_one_who_made_it(
    handle: OpenWorkspace,
) -> None:
    ana, bob, _ = _people(handle)
    assert notes.watch(handle, bob, "initiative", "dark-mode").watching
    notes.watch(handle, bob, "initiative", "dark-mode")  # twice: still one watch
    notes.watch(handle, ana, "initiative", "dark-mode")
    assert notes.is_watching(handle, bob, "initiative", "dark-mode")

    _set_status(handle, "dark-mode", "planned", "ana@example.com")
    page = notes.notifications(handle, bob)
    assert page.unread == 1
    (told,) = page.notifications
    assert (told.kind, told.subject, told.link) == (
        "status",
        "Dark mode is now planned",
        "/initiatives/dark-mode",
    )
    assert told.body.startswith("ana@example.com changed the status of Dark mode (dark-mode)")
    assert "from proposed to planned (via web)" in told.body
    assert notes.unread_count(handle, ana) == 0  # Ana made the change herself

    # An undo is recorded through the roadmap diff: the watchers hear of it too.
    undo(handle, "initiative", "dark-mode", actor="ana@example.com", via="web")
    assert notes.unread_count(handle, bob) == 2
    assert notes.notifications(handle, bob).notifications[0].subject == "Dark mode is now proposed"

    # Another field, or an initiative nobody watches, tells no one.
    _set_status(handle, "crypto", "proposed", "ana@example.com")
    assert notes.unread_count(handle, bob) == 2

    assert notes.mark_read(handle, bob, [told.id]) == 1
    assert notes.unread_count(handle, bob) == 1
    assert notes.mark_read(handle, bob) == 1 and notes.unread_count(handle, bob) == 0
    assert [n.read for n in notes.notifications(handle, bob).notifications] == [True, True]

    assert not notes.unwatch(handle, bob, "initiative", "dark-mode").watching
    _set_status(handle, "dark-mode", "planned", "ana@example.com")
    assert notes.unread_count(handle, bob) == 0


def test_watching_needs_an_account_and_a_real_object(handle: OpenWorkspace) -> None:
    _, bob, _ = _people(handle)
    with pytest.raises(InputError, match="need an account"):
        notes.watch(handle, None, "initiative", "dark-mode")
    with pytest.raises(NotFoundError, match="no initiative 'nope'"):
        notes.watch(handle, bob, "initiative", "nope")
    with pytest.raises(NotFoundError, match="no theme '9'"):
        notes.watch(handle, bob, "theme", "9")
    with pytest.raises(NotFoundError, match="cannot be watched"):
        notes.watch(handle, bob, "decision", "d1")
    assert notes.watch(handle, bob, "theme", "1").watching
    assert notes.watch(handle, bob, "milestone", "beta").watching


def test_mentions_by_email_and_display_name_tell_team_members_once(
    handle: OpenWorkspace,
) -> None:
    ana, bob, stan = _people(handle)
    comment(
        handle,
        "crypto",
        "Ana Lima",
        "@Bob Builder and @stan@example.com: see @bob@example.com's note. (@ana@example.com)",
        ana,
        include_private=True,
    )
    page = notes.notifications(handle, bob)
    assert page.unread == 1  # named twice, told once
    (told,) = page.notifications
    assert told.kind == "mention" and told.subject == "Ana Lima mentioned you on Crypto wallet"
    assert told.link == "/initiatives/crypto#comments"
    # The stored comment (and so the excerpt) has the e-mail addresses redacted.
    assert "bob@example.com" not in told.body and "@Bob Builder" in told.body
    assert notes.unread_count(handle, stan) == 0  # stakeholders are not the team
    assert notes.unread_count(handle, ana) == 0  # the author

    # A name is matched whole: "@Bobby" is nobody.
    comment(handle, "crypto", "Ana Lima", "@Bobby, @Bob Builders", ana, include_private=True)
    assert notes.unread_count(handle, bob) == 1


def test_comments_on_milestones_themes_and_decisions(handle: OpenWorkspace) -> None:
    ana, bob, _ = _people(handle)
    for kind, key in (("milestone", "beta"), ("theme", "1"), ("decision", "d1")):
        made = add_comment(handle, kind, key, "Ana Lima", f"Hello @Bob Builder on {kind}", ana)
        assert [c.body for c in comments(handle, kind, key)] == [made.body]
    links = [n.link for n in notes.notifications(handle, bob).notifications]
    assert links == [
        "/decisions/d1#comments",
        "/themes/1#comments",
        "/milestones/beta#comments",
    ]
    assert comments(handle, "initiative", "crypto") == []
    with pytest.raises(NotFoundError):
        add_comment(handle, "decision", "nope", "Ana", "x", ana)
    with pytest.raises(NotFoundError):
        comments(handle, "kpi", "activation")
    with pytest.raises(InputError, match="the body is empty"):
        add_comment(handle, "theme", "1", "Ana", "   ", ana)


def test_mention_candidates_by_prefix_of_email_or_name(handle: OpenWorkspace) -> None:
    _people(handle)
    assert [c.email for c in notes.mention_candidates(handle, "b")] == ["bob@example.com"]
    assert [c.mention for c in notes.mention_candidates(handle, "@lim")] == ["@Ana Lima"]
    assert {c.email for c in notes.mention_candidates(handle, "")} == {
        "ana@example.com",
        "bob@example.com",
    }
    assert notes.mention_candidates(handle, "stan") == []  # a stakeholder
    assert notes.mention_candidates(handle, "%") == []  # a wildcard is a character


def test_at_risk_is_told_once_per_transition(handle: OpenWorkspace) -> None:
    _, bob, _ = _people(handle)
    notes.watch(handle, bob, "initiative", "onboarding")
    today = dt.date(2030, 5, 1)  # after beta's target (31 March): onboarding, in progress, slips
    assert notes.check_delivery(handle, today=today) == 1
    assert notes.check_delivery(handle, today=today) == 0  # still at risk: told already
    (told,) = notes.notifications(handle, bob).notifications
    assert told.kind == "at_risk" and told.subject == "Guided onboarding is at risk"
    # The risk clears (done initiatives carry none), then comes back: told again.
    for status, expected in (("done", 0), ("in_progress", 1)):
        with handle.store.write() as s:
            s.execute(
                update(Initiative).where(Initiative.key == "onboarding").values(status=status)
            )
        assert notes.check_delivery(handle, today=today) == expected
    assert notes.unread_count(handle, bob) == 2


def test_a_late_milestone_is_told_once_on_forecast_runs(handle: OpenWorkspace) -> None:
    _, bob, _ = _people(handle)
    notes.watch(handle, bob, "milestone", "beta")
    target = dt.date(2030, 3, 31)
    with handle.store.write() as s:
        pid = product_repo.find_id(s, handle.workspace.product)
        assert pid is not None
        late = [("beta", "Public beta", target, dt.date(2030, 4, 20))]
        assert notes.milestone_forecast(s, pid, late) == 1
    with handle.store.write() as s:
        assert notes.milestone_forecast(s, pid, late) == 0  # still late: told already
        assert notes.milestone_forecast(s, pid, [("beta", "Public beta", target, target)]) == 0
        assert notes.milestone_forecast(s, pid, late) == 1  # late again after being on time
    subjects = [n.subject for n in notes.notifications(handle, bob).notifications]
    assert subjects == ["Public beta: the forecast's P85 is past its target"] * 2


def test_a_saved_roadmap_forecast_leaves_late_milestones_to_the_risk_check(
    handle: OpenWorkspace,
) -> None:
    """One forecast decides (the risk check's, as the milestone page shows): a saved run with its
    own start or seed never tells, so a target between two runs' P85s cannot flap."""
    from productpath.services.forecasting.planning import roadmap_forecast

    _, bob, _ = _people(handle)
    notes.watch(handle, bob, "milestone", "beta")
    notes.watch(handle, bob, "milestone", "ga")
    # Counted from a start after both targets, every milestone's P85 is past its target.
    result = roadmap_forecast(handle, trials=200, seed=1, start=dt.date(2031, 1, 5))
    assert any(m.finish and m.finish.p85 > m.target_date for m in result.milestones)
    roadmap_forecast(handle, trials=200, seed=2, start=dt.date(2031, 1, 5))
    assert notes.unread_count(handle, bob) == 0


def test_channels_email_and_webhook_go_out_with_digest_send(handle: OpenWorkspace) -> None:
    ana, bob, _ = _people(handle)
    root = handle.workspace.root
    with pytest.raises(InputError, match="webhook URL is refused"):
        notes.set_channels(handle, bob, email=True, webhook_url="http://127.0.0.1:9/x")
    allow_local_webhooks(root)
    with smtp_server() as (port, box), http_server() as (base, hooks):
        with (root / "productpath.toml").open("a", encoding="utf-8") as f:
            f.write(
                f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "pm@pocket.example"\n'
                "starttls = false\ntimeout = 5\n"
            )
        chosen = notes.set_channels(handle, bob, email=True, webhook_url=f"{base}/bob#json")
        assert chosen.email and chosen.webhook and chosen.webhook_host.startswith("http://127")
        assert notes.channels(handle, bob) == chosen
        notes.watch(handle, bob, "initiative", "dark-mode")
        with handle.store.write() as s:  # a title with Markdown in it
            s.execute(
                update(Initiative)
                .where(Initiative.key == "dark-mode")
                .values(title="Dark *mode* [click](https://evil.example)")
            )
        _set_status(handle, "dark-mode", "planned", "ana@example.com")
        with handle.store.read() as s:
            channels = sorted(s.scalars(select(Notification.channel)).all())
        assert channels == ["email", "in_app", "webhook"]

        run = send_digests(handle, today=dt.date(2030, 3, 6), policy=FAST, sleep=lambda _s: None)
        sent = {(n.channel, n.status) for n in run.notifications}
        assert sent == {("email", "sent"), ("webhook", "sent")}
        (mail,) = box.to("bob@example.com")
        assert mail["Subject"] == "Dark *mode* [click](https://evil.example) is now planned"
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None and "from proposed to planned" in body.get_content()
        ((path, payload),) = hooks.posts
        assert path == "/bob"
        assert r"Dark \*mode\* \[click\](https://evil.example)" in payload["markdown"]
        assert payload["report"] == "notification"
        # Sent once: the next run has nothing pending.
        again = send_digests(handle, today=dt.date(2030, 3, 6), policy=FAST, sleep=lambda _s: None)
        assert again.notifications == [] and len(box.messages) == 1 and len(hooks.posts) == 1

    off = notes.set_channels(handle, bob, email=False, webhook_url="")
    assert not off.email and not off.webhook and off.webhook_host is None
    assert notes.notifications(handle, ana).unread == 0


def test_a_status_changed_by_roadmap_apply_tells_the_watchers(
    workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from productpath.services.roadmap import apply_roadmap
    from roadmap_fixtures import SMALL_ROADMAP

    monkeypatch.setenv(FAST_HASH_ENV, "1")
    path = workspace_dir / "roadmap.yaml"
    with open_workspace() as h:
        path.write_text(SMALL_ROADMAP, encoding="utf-8")
        apply_roadmap(h, path, actor="pm")
        add_user(h, "bob@example.com", "viewer", "pw-bob-123456", name="Bob Builder")
        with h.store.read() as s:
            bob = s.scalar(select(User.id).where(User.email == "bob@example.com"))
        notes.watch(h, bob, "initiative", "kyc")
        path.write_text(
            SMALL_ROADMAP.replace("status: in_progress", "status: done"), encoding="utf-8"
        )
        apply_roadmap(h, path, actor="pm")
        (told,) = notes.notifications(h, bob).notifications
    assert told.subject == "Light identity check is now done"
    assert told.body.endswith("from in progress to done (via roadmap-apply).")
