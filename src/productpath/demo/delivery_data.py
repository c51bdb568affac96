"""The demo's delivery data: a git repository, a Jira export and a tech radar, relative to the
build day.

* ``pocket-app/``: the Pocket app's repository, about 800 commits by the roadmap's team members
  over six busy months (after a quiet start eight months ago), with pull requests merged from
  branches named after initiatives, ``Initiative:`` trailers, reverts, hotfixes and a release
  tag every two weeks (``git_history``, ``git_prs``, ``git_writer``).
* ``jira-export.csv``: the epics and stories behind the initiatives (``tracker_export``).
* ``radar.yaml``: the team's tech radar (shipped as ``data/radar.yaml``).

The same day always gives the same files, down to the commit ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from productpath.demo.files import shipped_text
from productpath.demo.git_writer import RepositoryFacts, write_repository
from productpath.demo.tracker_export import jira_csv

REPOSITORY_DIR = "pocket-app"
TRACKER_FILE = "jira-export.csv"
RADAR_FILE = "radar.yaml"


@dataclass(frozen=True)
class DeliveryFiles:
    repository: RepositoryFacts
    tracker: Path
    radar: Path


def write_delivery_files(root: Path, today: dt.date, titles: dict[str, str]) -> DeliveryFiles:
    """Write the repository, the Jira export and the radar into ``root``.

    ``titles`` maps initiative keys to their titles, for the epics' summaries.
    """
    facts = write_repository(root / REPOSITORY_DIR, today)
    tracker = root / TRACKER_FILE
    tracker.write_text(jira_csv(today, titles), encoding="utf-8", newline="")
    radar = root / RADAR_FILE
    radar.write_text(shipped_text(RADAR_FILE), encoding="utf-8")
    return DeliveryFiles(facts, tracker, radar)
