"""``productpath roadmap apply | export | show`` driven through the CLI, on both databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import invoke
from roadmap_fixtures import SMALL_ROADMAP as ROADMAP


def write(folder: Path, text: str, name: str = "roadmap.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_apply_dry_run_then_apply_then_no_changes(workspace_dir: Path) -> None:
    path = write(workspace_dir, ROADMAP)
    preview = invoke("roadmap", "apply", str(path), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert "+ initiative kyc" in preview.stdout
    assert "+ dependency tap -> kyc" in preview.stdout
    assert "Dry run, nothing written: 6 added, 0 changed, 0 removed." in preview.stdout
    assert invoke("roadmap", "show").exit_code == 1  # still nothing stored

    applied = invoke("roadmap", "apply", str(path))
    assert applied.exit_code == 0
    assert f"Applied {path}: 6 added, 0 changed, 0 removed." in applied.stdout

    again = invoke("roadmap", "apply", str(path))
    assert again.exit_code == 0
    assert again.stdout.strip() == f"No changes: the roadmap already matches {path}."


def test_changes_show_field_old_and_new(workspace_dir: Path) -> None:
    invoke("roadmap", "apply", str(write(workspace_dir, ROADMAP)))
    edited = ROADMAP.replace("capacity_per_week: 3", "capacity_per_week: 4").replace(
        "    depends_on: [kyc]\n", ""
    )
    result = invoke("roadmap", "apply", str(write(workspace_dir, edited)))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "~ team payments",
        "    capacity_per_week: 3 -> 4",
        "- dependency tap -> kyc",
    ]
    assert "0 added, 1 changed, 1 removed." in lines[-1]


def test_apply_json(workspace_dir: Path) -> None:
    path = write(workspace_dir, ROADMAP)
    preview = json.loads(invoke("roadmap", "apply", str(path), "--dry-run", "--json").stdout)
    assert preview["applied"] is False
    assert preview["product"] == "pocket"
    assert preview["summary"] == {"added": 6, "changed": 0, "removed": 0}
    assert {"kind": "initiative", "key": "kyc", "action": "added", "fields": []} in (
        preview["changes"]
    )
    done = json.loads(invoke("roadmap", "apply", str(path), "--json").stdout)
    assert done["applied"] is True
    edited = write(workspace_dir, ROADMAP.replace("target: 80", "target: 90"))
    changed = json.loads(invoke("roadmap", "apply", str(edited), "--json").stdout)
    assert changed["changes"] == [
        {
            "kind": "objective",
            "key": "activation",
            "action": "changed",
            "fields": [{"field": "key_results[kr-1].target", "old": 80.0, "new": 90.0}],
        }
    ]


def test_apply_notes_a_roadmap_for_another_product(workspace_dir: Path) -> None:
    path = write(workspace_dir, ROADMAP.replace("id: pocket", "id: wallet"))
    result = invoke("roadmap", "apply", str(path))
    assert result.exit_code == 0
    assert "roadmap of product 'wallet', but this workspace shows product 'pocket'" in (
        result.stderr
    )
    same = invoke("roadmap", "apply", str(write(workspace_dir, ROADMAP, "same.yaml")))
    assert "note:" not in same.stderr


def test_invalid_input_is_one_line_and_exit_1(workspace_dir: Path) -> None:
    path = write(workspace_dir, ROADMAP.replace("team: payments", "team: paymnets"))
    result = invoke("roadmap", "apply", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}:20, field 'initiatives[0].team': unknown team 'paymnets'\n"
    )
    cyclic = write(
        workspace_dir, ROADMAP.replace("    status: in_progress\n", "    depends_on: [tap]\n")
    )
    result = invoke("roadmap", "apply", str(cyclic), "--json")
    assert result.exit_code == 1
    assert "dependency cycle: kyc -> tap -> kyc" in result.stderr
    missing = invoke("roadmap", "apply", str(workspace_dir / "nope.yaml"))
    assert missing.exit_code == 1
    assert missing.stderr.strip().endswith("nope.yaml: file not found")
    assert invoke("roadmap", "show").exit_code == 1  # nothing was stored


def test_export_round_trips(workspace_dir: Path) -> None:
    invoke("roadmap", "apply", str(write(workspace_dir, ROADMAP)))
    exported = invoke("roadmap", "export")
    assert exported.exit_code == 0
    assert exported.stdout.count("\n  - id: ") == 5
    out = workspace_dir / "exported.yaml"
    written = invoke("roadmap", "export", "--out", str(out), "--product", "pocket")
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == exported.stdout
    again = invoke("roadmap", "apply", str(out))
    assert "No changes" in again.stdout


def test_show_prints_tables_and_json(workspace_dir: Path) -> None:
    invoke("roadmap", "apply", str(write(workspace_dir, ROADMAP)))
    narrow = invoke("roadmap", "show")  # the runner's terminal is 80 columns wide
    assert narrow.exit_code == 0
    assert "Evidence, depends on, estimate: --wide, or a wider terminal." in narrow.stdout
    table = invoke("roadmap", "show", "--wide")
    assert table.exit_code == 0
    for text in (
        "Pocket (pocket)",
        "Objectives",
        "kr-1",
        "Teams",
        "Ana",
        "Milestones",
        "2026-03-31",
        "Initiatives",
        "in_progress",
        "1/2/4.5",
    ):
        assert text in table.stdout, text
    data = json.loads(invoke("roadmap", "show", "--json").stdout)
    assert data["product"]["id"] == "pocket"
    assert [i["id"] for i in data["initiatives"]] == ["kyc", "tap"]
    assert data["initiatives"][1]["depends_on"] == ["kyc"]


def test_show_and_export_say_when_there_is_no_roadmap(workspace_dir: Path) -> None:
    for command in ("show", "export"):
        result = invoke("roadmap", command)
        assert result.exit_code == 1
        assert "product 'pocket' has no roadmap" in result.stderr
    other = ROADMAP.replace("id: pocket", "id: wallet")
    invoke("roadmap", "apply", str(write(workspace_dir, other)))
    result = invoke("roadmap", "show")
    assert "roadmaps exist for wallet (choose one with --product)" in result.stderr
    assert invoke("roadmap", "show", "--product", "wallet").exit_code == 0


def test_help_lists_the_commands() -> None:
    result = invoke("roadmap", "--help")
    assert result.exit_code == 0
    for command in ("apply", "export", "show"):
        assert command in result.stdout


def test_the_command_module_imports_only_typer() -> None:
    probe = (
        "import sys\n"
        "import productpath.cli.roadmap\n"
        "heavy = {'sqlalchemy', 'pydantic', 'ruamel', 'rich'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_new_writes_a_skeleton_that_applies_cleanly(workspace_dir: Path) -> None:
    path = workspace_dir / "roadmap.yaml"
    result = invoke("roadmap", "new", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "id: pocket" in text and "# Roadmap of Pocket" in text
    applied = invoke("roadmap", "apply", str(path), "--json")
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.stdout)["applied"] is True
    assert json.loads(invoke("roadmap", "apply", str(path), "--json").stdout)["changes"] == []
    again = invoke("roadmap", "new", str(path))
    assert again.exit_code == 1 and "exists already; pass --force" in again.stderr
    assert invoke("roadmap", "new", str(path), "--force").exit_code == 0


def test_init_ends_with_the_next_steps(tmp_path: Path) -> None:
    result = invoke("--workspace", str(tmp_path / "fresh"), "init", "--name", "Widget")
    assert result.exit_code == 0, result.output
    steps = result.stdout.split("Next steps:", 1)[1]
    for command in ("roadmap new", "feedback import", "insights run", "git ingest", "report exec"):
        assert f"productpath {command}" in steps


def test_the_readmes_smallest_roadmap_applies(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("The smallest roadmap that applies", 1)[1]
    text = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    root = tmp_path / "widget"
    assert invoke("--workspace", str(root), "init", "--name", "Widget").exit_code == 0
    path = write(root, text)
    result = invoke("--workspace", str(root), "roadmap", "apply", str(path))
    assert result.exit_code == 0, result.output
    assert "note:" not in result.stderr  # the product id matches the workspace's
