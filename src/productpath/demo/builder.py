"""Build the Pocket demo workspace through the same services the CLI and the web app use.

The build is deterministic: the same ``today`` gives the same workspace. Dates are relative to
``today`` (feedback and git history over the months before it, milestones in the nine months
after it), so the demo always looks current. Besides the roadmap, customers and feedback, it
generates the app's git repository (``pocket-app/``), a Jira export and a tech radar
(``delivery_data``), then reads them in as ``git ingest`` and ``tracker import`` would.

A folder is a demo workspace when it holds the marker file ``DEMO.md`` that the build writes
first. Only such a folder is rebuilt (its database and the files the build wrote are deleted);
any other non-empty folder is refused, so the demo never deletes someone's work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from productpath import workspace as ws
from productpath.demo.delivery_data import (
    RADAR_FILE,
    REPOSITORY_DIR,
    TRACKER_FILE,
    write_delivery_files,
)
from productpath.demo.files import initiative_titles, write_workspace_files
from productpath.demo.report_demo import (
    record_earlier_reports,
    record_reports_as_they_stood,
    write_glossary,
)
from productpath.errors import WorkspaceError
from productpath.services.customers import import_customers
from productpath.services.delivery import relink
from productpath.services.evidence import accept_suggested_links
from productpath.services.feedback import import_feedback
from productpath.services.forecasting.retro_demo import record_past_forecasts
from productpath.services.insights import run_insights
from productpath.services.learning.learning_demo import LEARNING_FILES, load_learning_demo
from productpath.services.roadmap import apply_roadmap, export_roadmap
from productpath.services.work.git import ingest_repository
from productpath.services.work.tracker import import_tracker
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import (
    Commit,
    Contributor,
    Customer,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    Milestone,
    Objective,
    Product,
    Repository,
    Segment,
    Team,
    TrackerItem,
    WorkLink,
)

PRODUCT_NAME = "Pocket"
MARKER = "DEMO.md"
MARKER_HEADING = "# Pocket: the productpath demo workspace"
FEEDBACK_SOURCE = "banking77"
# Suggested theme links at or above this cosine similarity are accepted; on the demo, 0.5 keeps
# the sensible ones (sepa-instant -> "europe · long transfer", 0.60) and drops the noise below.
DEMO_LINK_MIN_SCORE = 0.5
# Days before the build day of the stored roadmap forecasts: before the shipped initiatives
# finished, so the retrospective has predictions to score.
PAST_FORECASTS = (165, 125)
# What a build writes besides the database; a rebuild deletes exactly these.
GENERATED = (
    ws.CONFIG_NAME,
    "roadmap.yaml",
    "customers.csv",
    "feedback.csv",
    TRACKER_FILE,
    RADAR_FILE,
    *LEARNING_FILES,
    "glossary.yaml",  # reports (demo/report_demo.py)
)
GENERATED_DIRS = (ws.DATA_DIR, REPOSITORY_DIR)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    """What the demo workspace holds, counted in its database after the build."""

    root: Path
    product: str
    today: dt.date
    objectives: int
    teams: int
    milestones: int
    initiatives: int
    dependencies: int
    customers: int
    segments: int
    feedback_items: int
    feedback_from: dt.date | None
    feedback_to: dt.date | None
    commits: int
    contributors: int
    tracker_items: int
    work_links: int
    themes: int = 0
    emerging_themes: int = 0


def build_demo(
    target: Path, *, today: dt.date | None = None, progress: Progress | None = None
) -> DemoSummary:
    """Build (or rebuild from scratch) the Pocket demo workspace in ``target``.

    ``progress`` is called with a short description before each step. Raises WorkspaceError
    when ``target`` is a file, another workspace, or a non-empty folder that is not a demo.
    """
    today = today or dt.date.today()
    say = progress or _quiet
    root = target.expanduser().resolve()
    _make_room(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(_marker_text(today), encoding="utf-8")

    say("Creating the workspace")
    init_workspace(root, PRODUCT_NAME, None)
    say("Writing roadmap.yaml, customers.csv and feedback.csv")
    roadmap, customers, feedback = write_workspace_files(root, today)
    say(f"Generating the {REPOSITORY_DIR} git repository and the Jira export")
    titles = initiative_titles(roadmap.read_text(encoding="utf-8"))
    delivery = write_delivery_files(root, today, titles)
    # Always the SQLite file inside the folder, whatever PRODUCTPATH_DATABASE_URL says.
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        say("Importing customers")
        import_customers(handle, customers)
        say("Importing customer feedback")
        import_feedback(
            handle,
            feedback,
            text_column="text",
            id_column="id",
            date_column="created_at",
            customer_column="customer",
            source=FEEDBACK_SOURCE,
        )
        say("Finding themes, kinds and sentiment in the feedback")
        insights = run_insights(handle, seed=0)
        # After the insights: the roadmap names themes by the numbers the run gave them.
        say("Applying roadmap.yaml")
        apply_roadmap(handle, roadmap)
        say("Linking initiatives to the themes that ask for them")
        accept_suggested_links(handle, DEMO_LINK_MIN_SCORE)
        # Written back so roadmap.yaml holds the accepted links; applying the older file
        # would remove them.
        roadmap.write_text(export_roadmap(handle), encoding="utf-8")
        say(f"Reading the history of {REPOSITORY_DIR}")
        ingest_repository(handle, delivery.repository.path, name=REPOSITORY_DIR)
        say("Loading KPIs, the experiment and the decision log")
        load_learning_demo(handle, root, today=today)
        say("Writing glossary.yaml; recording the reports as they read two weeks ago")
        write_glossary(root)
        record_reports_as_they_stood(handle, today, titles)
        say("Importing the Jira export")
        import_tracker(handle, [delivery.tracker], fmt="jira")
        say("Linking commits and issues to initiatives")
        relink(handle)
        say("Recording past roadmap forecasts for the retrospective")
        record_past_forecasts(handle, tuple(today - dt.timedelta(days=d) for d in PAST_FORECASTS))
        say("Recording earlier customer reports")
        record_earlier_reports(handle, today)
        summary = _summarise(handle, today)
        return dataclasses.replace(
            summary, themes=insights.themes, emerging_themes=len(insights.emerging)
        )


def is_demo_workspace(root: Path) -> bool:
    """Whether ``root`` was built by :func:`build_demo` (and may be rebuilt).

    A DEMO.md of the user's own is common; only the one this build writes, recognised by its
    first line, lets a rebuild delete anything.
    """
    marker = root / MARKER
    if not marker.is_file() or marker.is_symlink():
        return False
    with marker.open(encoding="utf-8", errors="replace") as stream:
        return stream.readline().rstrip("\n") == MARKER_HEADING


def _quiet(_step: str) -> None:
    return None


def _make_room(root: Path) -> None:
    """Get ``root`` ready for a fresh build; refuse to touch anything that is not a demo."""
    if not root.exists():
        return
    if not root.is_dir():
        raise WorkspaceError(f"{root} is a file, not a folder; choose another folder for the demo")
    if is_demo_workspace(root):
        for folder in GENERATED_DIRS:
            path = root / folder
            if path.is_symlink() or path.is_file():
                path.unlink()  # never follow a link out of the demo folder
            elif path.is_dir():
                shutil.rmtree(path)
        for name in GENERATED:
            (root / name).unlink(missing_ok=True)
        return
    if (root / ws.CONFIG_NAME).exists():
        raise WorkspaceError(
            f"{root} is a productpath workspace that 'productpath demo' did not build; "
            "refusing to replace it, choose another folder for the demo"
        )
    if any(root.iterdir()):
        raise WorkspaceError(
            f"{root} is not empty and is not a demo workspace; "
            "choose an empty or new folder for the demo"
        )


def _summarise(handle: OpenWorkspace, today: dt.date) -> DemoSummary:
    with handle.store.read() as session:
        product = session.scalar(select(Product).where(Product.key == handle.workspace.product))
        if product is None:  # pragma: no cover - open_workspace creates it
            raise WorkspaceError(f"product '{handle.workspace.product}' is missing")
        pid = product.id
        first, last = session.execute(
            select(func.min(FeedbackItem.created_at), func.max(FeedbackItem.created_at)).where(
                FeedbackItem.product_id == pid
            )
        ).one()
        dependencies = session.scalar(
            select(func.count())
            .select_from(InitiativeDependency)
            .join(Initiative, Initiative.id == InitiativeDependency.initiative_id)
            .where(Initiative.product_id == pid)
        )
        return DemoSummary(
            root=handle.workspace.root,
            product=product.name,
            today=today,
            objectives=_count(session, Objective, pid),
            teams=_count(session, Team, pid),
            milestones=_count(session, Milestone, pid),
            initiatives=_count(session, Initiative, pid),
            dependencies=dependencies or 0,
            customers=_count(session, Customer, pid),
            segments=_count(session, Segment, pid),
            feedback_items=_count(session, FeedbackItem, pid),
            feedback_from=first.date() if first is not None else None,
            feedback_to=last.date() if last is not None else None,
            commits=_commits(session, pid),
            contributors=_count(session, Contributor, pid),
            tracker_items=_count(session, TrackerItem, pid),
            work_links=session.scalar(
                select(func.count())
                .select_from(WorkLink)
                .join(Initiative, Initiative.id == WorkLink.initiative_id)
                .where(Initiative.product_id == pid)
            )
            or 0,
        )


def _count(
    session: Session,
    model: type[
        Objective
        | Team
        | Milestone
        | Initiative
        | Customer
        | Segment
        | FeedbackItem
        | Contributor
        | TrackerItem
    ],
    product_id: int,
) -> int:
    total = session.scalar(
        select(func.count()).select_from(model).where(model.product_id == product_id)
    )
    return total or 0


def _commits(session: Session, product_id: int) -> int:
    total = session.scalar(
        select(func.count())
        .select_from(Commit)
        .join(Repository, Repository.id == Commit.repository_id)
        .where(Repository.product_id == product_id)
    )
    return total or 0


def _marker_text(today: dt.date) -> str:
    return f"""{MARKER_HEADING}

Built by `productpath demo`, dated relative to {today.isoformat()}. Everything here is sample data:

- `roadmap.yaml`: Pocket's roadmap (objectives, teams, milestones, initiatives). Edit it and
  apply it again with `productpath roadmap apply roadmap.yaml`.
- `customers.csv`: fictional customers in four segments, with annual revenue.
- `feedback.csv`: customer messages from the BANKING77 data set (Casanueva et al., "Efficient
  Intent Detection with Dual Sentence Encoders", 2020; CC BY 4.0), with invented dates and
  customers. `category` is BANKING77's intent label.
- `pocket-app/`: a generated git repository of the Pocket app (Python backend, React Native
  app), its history made up by the build: read in with `productpath git ingest pocket-app`.
- `jira-export.csv`: the Jira epics and stories behind the initiatives, in Jira's CSV export
  format: read in with `productpath tracker import --format jira jira-export.csv`.
- `radar.yaml`: Pocket's tech radar (adopt, trial, assess, hold).

`productpath demo --dir <this folder>` rebuilds it from scratch: it deletes `.productpath/`,
`pocket-app/` and the files above. This file marks the folder as a demo workspace; without it
the demo refuses to touch the folder.
"""
