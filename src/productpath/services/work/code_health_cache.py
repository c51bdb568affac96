"""Code health computed once per repository head and read from then on.

Folding a long history takes seconds (6 s on a 17,666-commit repository), and the answer only
changes when the repository's head does: figures are measured from the newest commit, not from
today. So ``git ingest`` computes it once and stores it as JSON under the workspace's data
folder, keyed by the repository, its head and the settings; the code-health page and the
reports read it, and compute (and store) it themselves only when the head moved since.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from productpath.delivery.code_health import AbandonedArea, Hotspot, Ownership
from productpath.errors import InputError
from productpath.ingest.git_refs import resolve_branch, run_git
from productpath.services.work.tech import CodeHealthReport, code_health
from productpath.services.workspace import OpenWorkspace

# Rows kept per table; a reader asking for fewer gets the first ones (they are ranked).
STORED_ROWS = 50
# Bumped when the stored shape or the computation changes, so old entries are not read.
FORMAT = 1


def code_health_dir(handle: OpenWorkspace) -> Path:
    """Where the workspace keeps its computed code health."""
    return handle.workspace.data_dir / "code-health"


def warm(handle: OpenWorkspace, path: Path) -> None:
    """Compute and store the code health of the repository at ``path`` (after an ingest).

    A repository whose health cannot be read (no work tree, say) is left for the page to
    report: an ingest that succeeded does not fail over it.
    """
    with contextlib.suppress(InputError):
        cached_code_health(path, code_health_dir(handle), bots=handle.workspace.delivery.bots)


def cached_code_health(
    path: Path, cache_dir: Path, *, top: int = 20, bots: Sequence[str] = ()
) -> CodeHealthReport:
    """:func:`code_health` with its default windows, read from ``cache_dir`` when it is there."""
    _branch, head = resolve_branch(path, None)
    root = Path(run_git(path, "rev-parse", "--show-toplevel").strip()).resolve()
    entry = cache_dir / f"{_key(root, head, bots)}.json"
    report = _read(entry)
    if report is None:
        report = code_health(root, top=max(top, STORED_ROWS), bots=bots)
        _write(entry, report)
    return _cut(report, top)


def _key(root: Path, head: str, bots: Sequence[str]) -> str:
    material = json.dumps([FORMAT, str(root), head, sorted(b.casefold() for b in bots)])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _cut(report: CodeHealthReport, top: int) -> CodeHealthReport:
    return CodeHealthReport(
        **{
            **report.__dict__,
            "hotspots": report.hotspots[:top],
            "ownership": report.ownership[:top],
            "abandoned": report.abandoned[:top],
        }
    )


def _write(entry: Path, report: CodeHealthReport) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(report.as_dict(), stream)
    os.replace(temporary, entry)


def _read(entry: Path) -> CodeHealthReport | None:
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        return _report(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, or unreadable: computed again


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _report(data: dict[str, Any]) -> CodeHealthReport:
    return CodeHealthReport(
        repository=data["repository"],
        branch=data["branch"],
        head_sha=data["head_sha"],
        commits=data["commits"],
        newest_commit=_when(data["newest_commit"]),
        window_start=_when(data["window_start"]),
        window_days=data["window_days"],
        abandoned_days=data["abandoned_days"],
        depth=data["depth"],
        commits_in_window=data["commits_in_window"],
        authors_in_window=data["authors_in_window"],
        hotspots=tuple(Hotspot(**h) for h in data["hotspots"]),
        ownership=tuple(
            Ownership(**{**o, "main_authors": tuple(o["main_authors"])}) for o in data["ownership"]
        ),
        repository_active=data["repository_active"],
        abandoned=tuple(
            AbandonedArea(
                **{
                    **a,
                    "last_change": dt.datetime.fromisoformat(a["last_change"]),
                    "main_authors": tuple(a["main_authors"]),
                    "reasons": tuple(a["reasons"]),
                }
            )
            for a in data["abandoned"]
        ),
    )
