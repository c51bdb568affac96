"""``productpath roadmap history | undo`` through the CLI, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import invoke
from roadmap_fixtures import SMALL_ROADMAP


def _apply(folder: Path, text: str) -> None:
    path = folder / "roadmap.yaml"
    path.write_text(text, encoding="utf-8")
    assert invoke("roadmap", "apply", str(path)).exit_code == 0


def test_history_lists_changes_and_undo_puts_one_back(workspace_dir: Path) -> None:
    _apply(workspace_dir, SMALL_ROADMAP)
    _apply(workspace_dir, SMALL_ROADMAP.replace("status: in_progress", "status: done"))
    shown = invoke("roadmap", "history", "kyc")
    assert shown.exit_code == 0
    first = shown.stdout.splitlines()[0]
    assert "(roadmap-apply)  initiative kyc  status: in_progress -> done" in first

    entries = json.loads(invoke("roadmap", "history", "--json", "-n", "2").stdout)
    latest = entries[0]
    assert (latest["key"], latest["field"], latest["after"]) == ("kyc", "status", "done")

    undone = invoke("roadmap", "undo", "kyc")
    assert undone.exit_code == 0, undone.output
    assert undone.stdout.strip() == "Undid the change of status on initiative kyc."
    shown = json.loads(invoke("roadmap", "show", "--json").stdout)
    assert shown["initiatives"][0]["status"] == "in_progress"
    latest = json.loads(invoke("roadmap", "history", "kyc", "--json").stdout)[0]
    assert (latest["via"], latest["before"], latest["after"]) == ("cli", "done", "in_progress")


def test_undo_refusals_are_one_line_and_exit_1(workspace_dir: Path) -> None:
    _apply(workspace_dir, SMALL_ROADMAP)
    _apply(workspace_dir, SMALL_ROADMAP.replace("Tap to pay", "Tap"))
    first = json.loads(invoke("roadmap", "history", "tap", "--json").stdout)[0]["edit"]
    _apply(workspace_dir, SMALL_ROADMAP.replace("Tap to pay", "Tap twice"))
    refused = invoke("roadmap", "undo", "tap", "--edit", first)
    assert refused.exit_code == 1
    assert "field 'title' was changed again" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    nothing = invoke("roadmap", "undo", "beta", "--type", "milestone", "--edit", "nope")
    assert nothing.exit_code == 1 and "has no change 'nope'" in nothing.stderr
    unknown = invoke("roadmap", "history", "nope")
    assert unknown.exit_code == 1 and "no initiative 'nope'" in unknown.stderr
