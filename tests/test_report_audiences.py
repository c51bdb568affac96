"""Who each report is written for, and which report each audience's digest carries: said once
(``domain.stakeholders``) and the same on the reports page, in the digests and in the docs.

The reports' own headings are checked in test_reports_service.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from productpath.domain.stakeholders import AUDIENCE_REPORT, AUDIENCES, REPORT_READERS
from productpath.services.reporting.communication_pages import reports_page
from productpath.services.reporting.digests import send_digests
from productpath.services.reporting.reports import REPORT_KINDS
from productpath.services.stakeholders import StakeholderInput, save_stakeholder

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _table(doc: str, header: str) -> dict[str, str]:
    """The first two columns of the Markdown table under ``header`` in ``doc``, backticks off."""
    lines = (DOCS / doc).read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2
    rows: dict[str, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1]
    return rows


def test_each_audience_gets_the_report_written_for_it() -> None:
    assert set(AUDIENCE_REPORT) == set(AUDIENCES)
    assert set(REPORT_READERS) == set(REPORT_KINDS)
    # The customer report speaks to customers ("What's new", "What you told us"); the release
    # notes list every change, for users and for the people who answer their questions.
    assert REPORT_READERS["customer"] == "customers"
    assert REPORT_READERS["release-notes"] == "users and support teams"
    assert REPORT_READERS[AUDIENCE_REPORT["executive"]] == "executives"
    assert REPORT_READERS[AUDIENCE_REPORT["engineering"]] == "engineers"
    assert REPORT_READERS[AUDIENCE_REPORT["customer"]] == "customers"
    assert re.search(r"\bsupport\b", REPORT_READERS[AUDIENCE_REPORT["sales_support"]])


def test_the_docs_say_the_same() -> None:
    assert _table("reports.md", "| report | for | what it says |") == REPORT_READERS
    assert _table("communication.md", "| audience | digest report |") == AUDIENCE_REPORT


def test_the_reports_page_and_the_digests_say_the_same(opened: Any) -> None:
    page = reports_page(opened, today=dt.date(2030, 3, 4))
    assert {kind.key: kind.readers for kind in page.kinds} == REPORT_READERS
    for audience in AUDIENCES:
        save_stakeholder(
            opened,
            StakeholderInput(
                name=f"Reader {audience}", key=audience.replace("_", "-"),
                email=f"{audience.replace('_', '.')}@pocket.example", audience=audience,
            ),
        )  # fmt: skip
    plan = send_digests(opened, dry_run=True, today=dt.date(2030, 3, 4))
    assert {line.stakeholder: line.report for line in plan.digests} == {
        audience.replace("_", "-"): AUDIENCE_REPORT[audience] for audience in AUDIENCES
    }
