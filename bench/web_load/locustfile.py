"""The load bench_web_load.py puts on a running productpath server (locust, headless).

Each simulated client asks for the five pages in turn, with no pause between requests unless
BENCH_WAIT (seconds) says otherwise: a closed loop, the harshest reading of "20 concurrent
clients". Run it through bench_web_load.py, which starts the server and reads the results.

With BENCH_WRITERS=N (``--writers N``, the mixed bench), N of the clients edit instead of
reading: each reads an initiative through the API and PATCHes its description with the version
it read, as a person editing in the browser does; a 409 (another writer got there first) is a
correct answer and counts as a write, not an error.
"""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, constant, task
from pages import PAGES


class Reader(HttpUser):
    wait_time = constant(float(os.environ.get("BENCH_WAIT", "0")))

    @task
    def dashboard(self) -> None:
        self._get(0)

    @task
    def roadmap(self) -> None:
        self._get(1)

    @task
    def feedback(self) -> None:
        self._get(2)

    @task
    def api_initiatives(self) -> None:
        self._get(3)

    @task
    def api_feedback(self) -> None:
        self._get(4)

    def _get(self, index: int) -> None:
        name, path = PAGES[index]
        self.client.get(path, name=name, headers={"Accept": "text/html,application/json"})


WRITERS = int(os.environ.get("BENCH_WRITERS", "0"))
_EDITS = itertools.count(1)

if WRITERS:

    class Writer(HttpUser):
        fixed_count = WRITERS  # the other clients stay Readers
        wait_time = constant(float(os.environ.get("BENCH_WAIT", "0")))

        def on_start(self) -> None:
            page = self.client.get("/api/v1/initiatives?limit=500", name="write: list keys")
            self.keys = [item["key"] for item in page.json()["items"]]

        @task
        def edit(self) -> None:
            key = random.choice(self.keys)
            read = self.client.get(f"/api/v1/initiatives/{key}", name="write: GET one")
            if read.status_code != 200:
                return
            body = {"version": read.json()["version"], "description": f"bench edit {next(_EDITS)}"}
            with self.client.patch(
                f"/api/v1/initiatives/{key}",
                json=body,
                name="write: PATCH /api/v1/initiatives/{key}",
                catch_response=True,
            ) as answer:
                if answer.status_code in (200, 409):
                    answer.success()
