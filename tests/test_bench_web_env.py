"""bench/bench_web_load.py hands the server the caller's PRODUCTPATH_* switches."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from bench_web_load import server_env


def test_the_cache_switch_reaches_the_server_but_not_the_callers_database() -> None:
    caller = {
        "PATH": "/usr/bin",
        "PRODUCTPATH_RESPONSE_CACHE": "0",
        "PRODUCTPATH_DATABASE_URL": "postgresql+psycopg://elsewhere/db",
    }
    sqlite = server_env(caller, None)
    assert sqlite["PRODUCTPATH_RESPONSE_CACHE"] == "0"
    assert "PRODUCTPATH_DATABASE_URL" not in sqlite and sqlite["PATH"] == "/usr/bin"
    postgres = server_env(caller, "postgresql+psycopg://127.0.0.1/bench")
    assert postgres["PRODUCTPATH_DATABASE_URL"] == "postgresql+psycopg://127.0.0.1/bench"
    assert postgres["PRODUCTPATH_RESPONSE_CACHE"] == "0"
