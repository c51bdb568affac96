"""The demo workspace's learning data: two KPIs, one experiment, three decisions with evidence.

The bundled files (``demo/data/learning/``) give dates as days before a Sunday, so the weekly
pattern lands on the same weekdays whatever the build date; the loader writes the dated files
into the workspace (as a user would have them) and reads them in through the same services
the CLI uses.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from productpath.services.learning.decisions import add_decision
from productpath.services.learning.experiments import analyze_experiment
from productpath.services.learning.kpis import import_kpis
from productpath.services.workspace import OpenWorkspace

# productpath/demo/data/learning, from productpath/services/learning/ (two floors up).
BUNDLED = Path(__file__).resolve().parents[2] / "demo" / "data" / "learning"
KPI_FILE = "kpis.csv"
EXPERIMENT_FILE = "checkout-copy.csv"
# What the loader writes into the workspace folder (a demo rebuild deletes these).
LEARNING_FILES = (KPI_FILE, EXPERIMENT_FILE)


@dataclass(frozen=True)
class LearningDemoSummary:
    kpis: int
    kpi_values: int
    experiments: int
    decisions: int


def load_learning_demo(
    handle: OpenWorkspace, data_dir: Path, *, today: dt.date | None = None
) -> LearningDemoSummary:
    """Write the dated KPI and experiment files into ``data_dir`` and load them, then record
    the demo's decisions (dates relative to ``today``, default: the current date)."""
    today = today or dt.date.today()
    sunday = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    kpi_path = data_dir / KPI_FILE
    _write_dated_kpis(BUNDLED / KPI_FILE, kpi_path, sunday)
    report = import_kpis(
        handle,
        kpi_path,
        metric_column="metric",
        date_column="date",
        value_column="value",
        segment_column="segment",
        source="metrics-export",
    )
    experiment_path = data_dir / EXPERIMENT_FILE
    experiment_path.write_text((BUNDLED / EXPERIMENT_FILE).read_text(encoding="utf-8"), "utf-8")
    analyze_experiment(
        handle,
        experiment_path,
        variant_column="variant",
        users_column="users",
        key="checkout-copy",
        name="Clearer fees in the checkout",
        hypothesis="Showing the fee before the confirm button gets more payments completed.",
    )
    decisions = json.loads((BUNDLED / "decisions.json").read_text(encoding="utf-8"))
    for item in decisions:
        expected = item.get("expected") or {}
        add_decision(
            handle,
            key=item["key"],
            title=item["title"],
            decision=item["decision"],
            options=tuple(item["options"]),
            owner=item["owner"],
            decided_on=today - dt.timedelta(days=item["decided_days_ago"]),
            review_on=_relative(today, item),
            evidence=tuple(item["evidence"]),
            expect_kpi=expected.get("kpi"),
            direction=expected.get("direction"),
            target=expected.get("target"),
            by=today + dt.timedelta(days=expected["by_days_from_now"]) if expected else None,
            today=today,
        )
    return LearningDemoSummary(
        kpis=len(report.kpis),
        kpi_values=report.added,
        experiments=1,
        decisions=len(decisions),
    )


def _relative(today: dt.date, item: dict[str, int]) -> dt.date | None:
    if "review_days_ago" in item:
        return today - dt.timedelta(days=item["review_days_ago"])
    if "review_days_from_now" in item:
        return today + dt.timedelta(days=item["review_days_from_now"])
    return None


def _write_dated_kpis(source: Path, target: Path, sunday: dt.date) -> None:
    with source.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["metric", "date", "segment", "value"])
        for row in rows:
            day = sunday - dt.timedelta(days=int(row["days_before_sunday"]))
            writer.writerow([row["metric"], day.isoformat(), row["segment"], row["value"]])
