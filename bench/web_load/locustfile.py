"""The load bench_web_load.py puts on a running productpath server (locust, headless).

Each simulated client asks for the five pages in turn, with no pause between requests unless
BENCH_WAIT (seconds) says otherwise: a closed loop, the harshest reading of "20 concurrent
clients". Run it through bench_web_load.py, which starts the server and reads the results.
"""

from __future__ import annotations

import os

from locust import HttpUser, constant, task

# (name in the report, path): dashboard, roadmap, feedback explorer with a filter, JSON API.
PAGES = (
    ("dashboard /", "/"),
    ("roadmap /roadmap", "/roadmap"),
    ("feedback /feedback?kind=bug&q=card", "/feedback?kind=bug&q=card"),
    ("api /api/v1/initiatives", "/api/v1/initiatives"),
    ("api /api/v1/feedback?kind=bug", "/api/v1/feedback?kind=bug"),
)


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
