"""The demo's reports: its glossary, and earlier report runs so the reports say what changed.

The executive and engineering reports are first recorded as they read two weeks before the
build day: the Jira export as it stood then (later issues left out, later progress undone) is
imported, the reports are recorded with that day's date and forecasts from it, and the export's
items are then removed so that the real export is imported afresh. Today's reports then say how
far each milestone moved and why, from a genuine change in the work left. The customer report
and release notes get an earlier run (today's data, an earlier date) so that they look back to
it rather than only 30 days.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from productpath.demo.files import shipped_text
from productpath.demo.tracker_export import jira_csv
from productpath.reports.glossary import GLOSSARY_FILE
from productpath.services.delivery import relink
from productpath.services.reporting.reports import record_report
from productpath.services.work.tracker import forget_tracker_items, import_tracker
from productpath.services.workspace import OpenWorkspace

# Days before the build day of the earlier runs, per kind: the first two as the work stood then.
AS_OF_RUNS = {"exec": 14, "engineering": 14}
EARLIER_RUNS = {"customer": 100, "release-notes": 100}


def write_glossary(root: Path) -> Path:
    path = root / GLOSSARY_FILE
    path.write_text(shipped_text(GLOSSARY_FILE), encoding="utf-8")
    return path


def record_reports_as_they_stood(
    handle: OpenWorkspace, today: dt.date, titles: dict[str, str]
) -> None:
    """Record ``AS_OF_RUNS`` from the Jira export as it stood on their days, then remove the
    export's items again (the caller imports the real export next)."""
    with tempfile.TemporaryDirectory(prefix="productpath-demo-") as scratch:
        for kind, days in AS_OF_RUNS.items():
            day = today - dt.timedelta(days=days)
            then = Path(scratch) / f"jira-as-of-{day.isoformat()}.csv"
            then.write_text(jira_csv(today, titles, as_of=day), encoding="utf-8", newline="")
            import_tracker(handle, [then], fmt="jira")
            relink(handle)
            record_report(handle, kind, today=day)
            forget_tracker_items(handle, fmt="jira")


def record_earlier_reports(handle: OpenWorkspace, today: dt.date) -> None:
    for kind, days in EARLIER_RUNS.items():
        record_report(handle, kind, today=today - dt.timedelta(days=days))
