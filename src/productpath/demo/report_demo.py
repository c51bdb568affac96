"""The demo's reports: its glossary, and earlier report runs so the reports say what changed.

The earlier runs are the reports as they would have read on an earlier day (the forecast starts
from that day; the rest is today's data), recorded with that day's date: the executive report
then says how far each milestone moved, and the customer report and release notes look back to
the earlier run rather than only 30 days.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from productpath.demo.files import shipped_text
from productpath.reports.glossary import GLOSSARY_FILE
from productpath.services.reports import record_report
from productpath.services.workspace import OpenWorkspace

# Days before the build day of the earlier runs, per kind.
EARLIER_RUNS = {"exec": 14, "engineering": 14, "customer": 100, "release-notes": 100}


def write_glossary(root: Path) -> Path:
    path = root / GLOSSARY_FILE
    path.write_text(shipped_text(GLOSSARY_FILE), encoding="utf-8")
    return path


def record_earlier_reports(handle: OpenWorkspace, today: dt.date) -> None:
    for kind, days in EARLIER_RUNS.items():
        record_report(handle, kind, today=today - dt.timedelta(days=days))
