"""The demo's shipped data, rendered into a workspace with dates relative to the build day.

``data/`` holds the files below, and ``radar.yaml`` (the tech radar, copied as is);
``delivery_data`` generates the git repository and the Jira export:

* ``roadmap.template.yaml``: Pocket's roadmap; milestone dates are written
  ``{{ today + 42 days }}`` and become ISO dates.
* ``customers.csv``: ``id,name,segment,annual_revenue``, copied as is.
* ``feedback_banking77.csv``: ``id,days_ago,time,customer,category,text`` drawn from BANKING77
  by ``tools/make_demo_data.py``; rendered with a ``created_at`` (UTC) in place of
  ``days_ago``/``time``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from importlib import resources
from pathlib import Path

ROADMAP_TEMPLATE = "roadmap.template.yaml"
CUSTOMERS = "customers.csv"
FEEDBACK = "feedback_banking77.csv"
FEEDBACK_COLUMNS = ("id", "created_at", "customer", "category", "text")

_PLACEHOLDER = re.compile(r"\{\{\s*today\s*([+-])\s*(\d+)\s*days?\s*\}\}")


def shipped_text(name: str) -> str:
    """A file of ``productpath/demo/data`` as text."""
    return resources.files("productpath.demo").joinpath("data", name).read_text(encoding="utf-8")


def render_roadmap(template: str, today: dt.date) -> str:
    """The template with each ``{{ today +/- N days }}`` replaced by that ISO date."""

    def date_for(match: re.Match[str]) -> str:
        days = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
        return (today + dt.timedelta(days=days)).isoformat()

    rendered = _PLACEHOLDER.sub(date_for, template)
    if "{{" in rendered:
        line = rendered[: rendered.index("{{")].count("\n") + 1
        raise ValueError(f"{ROADMAP_TEMPLATE}:{line}: unknown placeholder")
    return rendered


def render_feedback(shipped: str, today: dt.date) -> list[dict[str, str]]:
    """The feedback rows with ``created_at`` = ``days_ago`` days before ``today`` at ``time``."""
    rows = []
    for row in csv.DictReader(io.StringIO(shipped, newline="")):
        day = today - dt.timedelta(days=int(row["days_ago"]))
        rows.append(
            {
                "id": row["id"],
                "created_at": f"{day.isoformat()}T{row['time']}:00Z",
                "customer": row["customer"],
                "category": row["category"],
                "text": row["text"],
            }
        )
    return rows


def initiative_titles(roadmap_text: str) -> dict[str, str]:
    """Initiative key -> title, from a rendered roadmap (the Jira epics are named after them)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(roadmap_text)
    return {str(i["id"]): str(i["title"]) for i in data.get("initiatives", [])}


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_workspace_files(root: Path, today: dt.date) -> tuple[Path, Path, Path]:
    """Write ``roadmap.yaml``, ``customers.csv`` and ``feedback.csv`` into ``root``."""
    roadmap = root / "roadmap.yaml"
    roadmap.write_text(render_roadmap(shipped_text(ROADMAP_TEMPLATE), today), encoding="utf-8")
    customers = root / "customers.csv"
    customers.write_text(shipped_text(CUSTOMERS), encoding="utf-8")
    feedback = root / "feedback.csv"
    write_csv(feedback, FEEDBACK_COLUMNS, render_feedback(shipped_text(FEEDBACK), today))
    return roadmap, customers, feedback
