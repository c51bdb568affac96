"""Build the Pocket demo workspace through the same services the CLI and the web app use.

The build is deterministic: the same ``today`` gives the same workspace. Dates are relative to
``today`` (feedback over the six months before it, milestones in the nine months after it), so
the demo always looks current.

A folder is a demo workspace when it holds the marker file ``DEMO.md`` that the build writes
first. Only such a folder is rebuilt (its database and the files the build wrote are deleted);
any other non-empty folder is refused, so the demo never deletes someone's work.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from productpath import workspace as ws
from productpath.demo.files import write_workspace_files
from productpath.errors import WorkspaceError
from productpath.services.customers import import_customers
from productpath.services.feedback import import_feedback
from productpath.services.roadmap import apply_roadmap
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import (
    Customer,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    Milestone,
    Objective,
    Product,
    Segment,
    Team,
)

PRODUCT_NAME = "Pocket"
MARKER = "DEMO.md"
FEEDBACK_SOURCE = "banking77"
# What a build writes besides the database; a rebuild deletes exactly these.
GENERATED = (ws.CONFIG_NAME, "roadmap.yaml", "customers.csv", "feedback.csv")

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
    # Always the SQLite file inside the folder, whatever PRODUCTPATH_DATABASE_URL says.
    with open_workspace(Settings(workspace=root, database_url=None)) as handle:
        say("Applying roadmap.yaml")
        apply_roadmap(handle, roadmap)
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
        return _summarise(handle, today)


def is_demo_workspace(root: Path) -> bool:
    """Whether ``root`` was built by :func:`build_demo` (and may be rebuilt)."""
    return (root / MARKER).is_file()


def _quiet(_step: str) -> None:
    return None


def _make_room(root: Path) -> None:
    """Get ``root`` ready for a fresh build; refuse to touch anything that is not a demo."""
    if not root.exists():
        return
    if not root.is_dir():
        raise WorkspaceError(f"{root} is a file, not a folder; choose another folder for the demo")
    if is_demo_workspace(root):
        data_dir = root / ws.DATA_DIR
        if data_dir.is_symlink() or data_dir.is_file():
            data_dir.unlink()
        elif data_dir.is_dir():
            shutil.rmtree(data_dir)
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
        )


def _count(
    session: Session,
    model: type[Objective | Team | Milestone | Initiative | Customer | Segment | FeedbackItem],
    product_id: int,
) -> int:
    total = session.scalar(
        select(func.count()).select_from(model).where(model.product_id == product_id)
    )
    return total or 0


def _marker_text(today: dt.date) -> str:
    return f"""# Pocket: the productpath demo workspace

Built by `productpath demo`, dated relative to {today.isoformat()}. Everything here is sample data:

- `roadmap.yaml`: Pocket's roadmap (objectives, teams, milestones, initiatives). Edit it and
  apply it again with `productpath roadmap apply roadmap.yaml`.
- `customers.csv`: fictional customers in four segments, with annual revenue.
- `feedback.csv`: customer messages from the BANKING77 data set (Casanueva et al., "Efficient
  Intent Detection with Dual Sentence Encoders", 2020; CC BY 4.0), with invented dates and
  customers. `category` is BANKING77's intent label.

`productpath demo --dir <this folder>` rebuilds it from scratch: it deletes `.productpath/`
and the files above. This file marks the folder as a demo workspace; without it the demo
refuses to touch the folder.
"""
