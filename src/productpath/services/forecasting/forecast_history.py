"""Where a throughput forecast's completion dates come from: a CSV/JSON column, or the workspace.

The workspace's history is its tracker items finished (status category ``done``) on the day
they were resolved; a workspace with none uses the commits on each repository's main line
(first parents from the ingested head), one completion per commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from productpath.domain.work import DONE, closes_without_doing
from productpath.errors import InputError
from productpath.ingest.tabular import open_table, require_rows, resolve_column
from productpath.ingest.tracker_jira import parse_jira_datetime
from productpath.store.models import Commit, Repository, TrackerItem


@dataclass(frozen=True)
class Completions:
    """Completion days (UTC), and a sentence saying where they came from."""

    dates: list[dt.date]
    source: str


def from_file(path: Path, date_column: str) -> Completions:
    """One completion per row of ``path`` dated by ``date_column``; a row with that cell empty
    is an item not finished (an issue tracker's open issues) and is left out. A date that
    cannot be read stops the read."""
    # Only the date column is read, so a name the header repeats elsewhere is no problem
    # (Jira's exports repeat "Labels").
    table = open_table(path, unused_duplicates_ok=True)
    column = resolve_column(table, date_column, option="--date-column")
    dates = []
    undated = 0
    for row in require_rows(table).rows:
        if isinstance(row, InputError):
            raise row
        value = row.values.get(column, "")
        if not value.strip():
            undated += 1
            continue
        try:
            # Jira's own form (06/Aug/26 3:49 PM) too, so its CSV export reads as it is.
            dates.append(parse_jira_datetime(value).date())
        except ValueError as exc:
            raise InputError(str(exc), file=path, line=row.line, field=column) from None
    if not dates:
        raise InputError(
            "every row's date is empty: nothing to forecast from", file=path, field=column
        )
    left_out = f"; {undated} rows without a date left out" if undated else ""
    return Completions(
        dates, f"{len(dates)} completion dates from {path} (column '{column}'{left_out})"
    )


def from_workspace(session: Session, product_id: int) -> Completions:
    """Finished tracker items, else main-line commits; InputError when there are neither."""
    resolved = session.execute(
        select(TrackerItem.resolved_at, TrackerItem.status).where(
            TrackerItem.product_id == product_id,
            TrackerItem.status_category == DONE,
            TrackerItem.resolved_at.is_not(None),
        )
    )
    # Rows imported before the dropped category say "Won't Do" only by their status name.
    items = [
        at.astimezone(dt.UTC).date()
        for at, status in resolved
        if at is not None and not closes_without_doing(status)
    ]
    if items:
        return Completions(items, f"{len(items)} finished tracker items (resolved dates)")
    commits = _main_line_commits(session, product_id)
    if commits:
        return Completions(
            commits, f"{len(commits)} commits on the main line (no finished tracker items)"
        )
    raise InputError(
        "the workspace has no finished tracker items and no commits; import some "
        "('productpath tracker import', 'productpath git ingest') or use --from-csv"
    )


def _main_line_commits(session: Session, product_id: int) -> list[dt.date]:
    """Commit days along the first-parent chain of each repository's ingested head."""
    out: list[dt.date] = []
    repositories = session.execute(
        select(Repository.id, Repository.head_sha).where(Repository.product_id == product_id)
    )
    for repository_id, head in list(repositories):
        rows = session.execute(
            select(Commit.sha, Commit.parent_shas, Commit.committed_at).where(
                Commit.repository_id == repository_id
            )
        )
        by_sha = {sha: (parents.split(), at) for sha, parents, at in rows}
        if not by_sha:
            continue
        if head not in by_sha:
            # No recorded head: start from the newest commit.
            head = max(by_sha, key=lambda sha: by_sha[sha][1])
        seen: set[str] = set()
        sha: str | None = head
        while sha is not None and sha in by_sha and sha not in seen:
            seen.add(sha)
            parents, at = by_sha[sha]
            out.append(at.astimezone(dt.UTC).date())
            sha = parents[0] if parents else None
    return out
