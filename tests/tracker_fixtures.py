"""Builders for tracker exports shaped like the real ones: GitHub REST API objects (issues and
pulls, with the fields the API returns) and Jira's "CSV (all fields)" export, repeated columns
included. Tests import them directly (``from tracker_fixtures import gh_issue``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

OWNER, REPO = "acme", "pocket"
API = "https://api.github.com"


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": abs(hash(login)) % 100_000,
        "node_id": "MDQ6VXNlcjE=",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{login}",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "User",
        "site_admin": False,
    }


def _label(name: str) -> dict[str, Any]:
    return {
        "id": 208045946,
        "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=",
        "url": f"{API}/repos/{OWNER}/{REPO}/labels/{name}",
        "name": name,
        "description": "",
        "color": "f29513",
        "default": False,
    }


def gh_issue(
    number: int,
    title: str,
    *,
    state: str = "open",
    created: str = "2026-01-05T09:00:00Z",
    updated: str | None = None,
    closed: str | None = None,
    assignee: str | None = None,
    labels: tuple[str, ...] = (),
    body: str | None = "",
    pull: bool = False,
    merged: str | None = None,
    parent: int | None = None,
    repo: str = f"{OWNER}/{REPO}",
) -> dict[str, Any]:
    """An object as ``GET /repos/{o}/{r}/issues?state=all`` returns it (PRs with pull_request)."""
    kind = "pull" if pull else "issues"
    obj: dict[str, Any] = {
        "url": f"{API}/repos/{repo}/issues/{number}",
        "repository_url": f"{API}/repos/{repo}",
        "labels_url": f"{API}/repos/{repo}/issues/{number}/labels{{/name}}",
        "comments_url": f"{API}/repos/{repo}/issues/{number}/comments",
        "events_url": f"{API}/repos/{repo}/issues/{number}/events",
        "html_url": f"https://github.com/{repo}/{kind}/{number}",
        "id": 1_000_000 + number,
        "node_id": "I_kwDOAbc123",
        "number": number,
        "title": title,
        "user": _user("octocat"),
        "labels": [_label(name) for name in labels],
        "state": state,
        "locked": False,
        "assignee": _user(assignee) if assignee else None,
        "assignees": [_user(assignee)] if assignee else [],
        "milestone": None,
        "comments": 2,
        "created_at": created,
        "updated_at": updated or closed or created,
        "closed_at": closed,
        "author_association": "MEMBER",
        "active_lock_reason": None,
        "body": body,
        "reactions": {"url": f"{API}/repos/{repo}/issues/{number}/reactions", "total_count": 0},
        "timeline_url": f"{API}/repos/{repo}/issues/{number}/timeline",
        "performed_via_github_app": None,
        "state_reason": "completed" if state == "closed" else None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
    }
    if parent is not None:
        obj["parent_issue_url"] = f"{API}/repos/{repo}/issues/{parent}"
    if pull:
        obj["draft"] = False
        obj["pull_request"] = {
            "url": f"{API}/repos/{repo}/pulls/{number}",
            "html_url": f"https://github.com/{repo}/pull/{number}",
            "diff_url": f"https://github.com/{repo}/pull/{number}.diff",
            "patch_url": f"https://github.com/{repo}/pull/{number}.patch",
            "merged_at": merged,
        }
    return obj


def gh_pull(
    number: int,
    title: str,
    *,
    branch: str,
    state: str = "open",
    created: str = "2026-01-06T10:00:00Z",
    updated: str | None = None,
    closed: str | None = None,
    merged: str | None = None,
    assignee: str | None = None,
    labels: tuple[str, ...] = (),
    body: str | None = "",
    repo: str = f"{OWNER}/{REPO}",
) -> dict[str, Any]:
    """An object as ``GET /repos/{o}/{r}/pulls?state=all`` returns it."""
    owner, name = repo.split("/")

    def ref(ref_name: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{owner}:{ref_name}",
            "ref": ref_name,
            "sha": sha,
            "user": _user(owner),
            "repo": {"id": 4242, "name": name, "full_name": repo, "private": False},
        }

    return {
        "url": f"{API}/repos/{repo}/pulls/{number}",
        "id": 2_000_000 + number,
        "node_id": "PR_kwDOAbc123",
        "html_url": f"https://github.com/{repo}/pull/{number}",
        "diff_url": f"https://github.com/{repo}/pull/{number}.diff",
        "patch_url": f"https://github.com/{repo}/pull/{number}.patch",
        "issue_url": f"{API}/repos/{repo}/issues/{number}",
        "number": number,
        "state": state,
        "locked": False,
        "title": title,
        "user": _user("octocat"),
        "body": body,
        "created_at": created,
        "updated_at": updated or merged or closed or created,
        "closed_at": closed,
        "merged_at": merged,
        "merge_commit_sha": "e5bd3914e2e596debea16f433f57875b5b90bcd6",
        "assignee": _user(assignee) if assignee else None,
        "assignees": [_user(assignee)] if assignee else [],
        "requested_reviewers": [],
        "labels": [_label(n) for n in labels],
        "milestone": None,
        "draft": False,
        "head": ref(branch, "6dcb09b5b57875f334f61aebed695e2e4193db5e"),
        "base": ref("main", "7638417db6d59f3c431d3e1f261cc637155684cd"),
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
    }


def write_json(path: Path, value: Any) -> Path:
    """Pretty-printed as ``gh api`` prints it, so objects span many lines."""
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The line where the object holding ``needle`` (e.g. '"number": 7,') starts: the nearest
    line at or above it that opens an object (the builders put no nested object first)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, text in enumerate(lines) if needle in text)
    while not lines[at].strip().startswith(("{", "[")):
        at -= 1
    return at + 1


JIRA_HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Resolution",
    "Assignee",
    "Reporter",
    "Creator",
    "Created",
    "Updated",
    "Last Viewed",
    "Resolved",
    "Labels",
    "Labels",
    "Labels",
    "Description",
    "Parent",
    "Parent summary",
    "Custom field (Epic Link)",
    "Custom field (Story Points)",
    "Outward issue link (Blocks)",
    "Outward issue link (Blocks)",
    "Inward issue link (Blocks)",
    "Outward issue link (Relates)",
    "Status Category",
    "Status Category Changed",
]


def jira_row(key: str, summary: str, **fields: Any) -> list[str]:
    """One export row; ``fields`` by header name (``Labels`` and link columns take lists)."""
    defaults: dict[str, Any] = {
        "Issue id": str(10000 + int(key.split("-")[1])),
        "Issue Type": "Story",
        "Status": "To Do",
        "Project key": key.split("-")[0],
        "Project name": "Pocket",
        "Priority": "Medium",
        "Reporter": "Dana Scully",
        "Creator": "Dana Scully",
        "Created": "05/Jan/26 9:15 AM",
        "Updated": "06/Jan/26 4:40 PM",
        "Status Category": "To Do",
    }
    values = {**defaults, **fields, "Summary": summary, "Issue key": key}
    row: list[str] = []
    used: dict[str, int] = {}
    for name in JIRA_HEADER:
        value = values.get(name, "")
        if isinstance(value, list):
            index = used.get(name, 0)
            used[name] = index + 1
            value = value[index] if index < len(value) else ""
        row.append(str(value))
    return row


def jira_csv(
    path: Path,
    rows: list[list[str]],
    header: list[str] | None = None,
    *,
    drop: tuple[str, ...] = (),
) -> Path:
    """Write an export; ``drop`` leaves those columns out (every occurrence)."""
    header = header or JIRA_HEADER
    keep = [i for i, name in enumerate(header) if name not in drop]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header[i] for i in keep])
    for row in rows:
        writer.writerow([row[i] for i in keep])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
