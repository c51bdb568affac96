"""The log-in rate limit under parallel tries (issue 17, item 6), against a real server.

Many wrong log-ins for one account arrive at once: at most MAX_FAILURES of them may reach the
password check (each such try answers 401), every other one answers 429, none 500. Runs on
SQLite and on PostgreSQL, whose default isolation would otherwise let parallel tries all read
the same count.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from auth_fixtures import PASSWORD, csrf_from, log_in, make_user
from live_server import serve_in_thread

THREADS = 80
EMAIL = "ada@example.com"


@pytest.fixture
def url(workspace_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    monkeypatch.setenv("PRODUCTPATH_ARGON2_FAST", "1")
    url = None if database_url.startswith("sqlite") else database_url
    settings = Settings(workspace=workspace_dir, database_url=url)
    with open_workspace(settings) as handle:
        make_user(handle, EMAIL, "admin")
    yield from serve_in_thread(settings, start_within_s=30)


def _all_at_once(count: int, attempt: object) -> Counter[int]:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        status = attempt()  # type: ignore[operator]
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_parallel_wrong_log_ins_get_at_most_the_limit_of_password_checks(url: str) -> None:
    from productpath.services.accounts import MAX_FAILURES

    page = httpx.get(f"{url}/login")
    form = {"email": EMAIL, "password": "not the password", "csrf_token": csrf_from(page.text)}

    def attempt() -> int:
        with httpx.Client(base_url=url, cookies=page.cookies, timeout=120) as client:
            return client.post("/login", data=form).status_code

    statuses = _all_at_once(THREADS, attempt)

    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] <= MAX_FAILURES, statuses
    assert statuses[429] >= THREADS - MAX_FAILURES
    # Still throttled afterwards, and for the right password too (the limit is per account).
    right = dict(form, password=PASSWORD)
    with httpx.Client(base_url=url, cookies=page.cookies) as client:
        assert client.post("/login", data=right).status_code == 429


def test_the_current_password_check_is_throttled_too(url: str) -> None:
    from productpath.services.accounts import MAX_FAILURES

    with httpx.Client(base_url=url, follow_redirects=True) as client:
        csrf = log_in(client, EMAIL)
        statuses = [
            client.post(
                "/account/password",
                data={
                    "csrf_token": csrf,
                    "current": f"wrong guess {n}",
                    "new": "a brand new password",
                    "confirm": "a brand new password",
                },
            ).status_code
            for n in range(MAX_FAILURES + 3)
        ]
    assert statuses == [400] * MAX_FAILURES + [429] * 3
