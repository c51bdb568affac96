"""``roadmap export`` names its revision and ``roadmap apply`` of an older export merges three
ways (the file's base, the file, the workspace now). Through the CLI, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from helpers import invoke
from productpath.services.initiative_edit import InitiativeChanges, update_initiative
from productpath.services.workspace import open_workspace
from productpath.store.models import Initiative
from roadmap_fixtures import SMALL_ROADMAP


def _export(folder: Path) -> Path:
    out = folder / "exported.yaml"
    assert invoke("roadmap", "export", "--out", str(out)).exit_code == 0
    return out


def _initiative(key: str) -> dict[str, object]:
    shown = json.loads(invoke("roadmap", "show", "--json").stdout)
    found: dict[str, object] = next(i for i in shown["initiatives"] if i["id"] == key)
    return found


def _web_edit(key: str, changes: InitiativeChanges) -> None:
    with open_workspace() as handle:
        with handle.store.read() as s:
            version = s.scalar(select(Initiative.version).where(Initiative.key == key))
        assert version is not None
        update_initiative(
            handle, key, changes, expected_version=version, actor="web@example.com", via="web"
        )


def _start(folder: Path) -> Path:
    path = folder / "roadmap.yaml"
    path.write_text(SMALL_ROADMAP, encoding="utf-8")
    assert invoke("roadmap", "apply", str(path)).exit_code == 0
    return _export(folder)


def test_export_names_its_revision_on_stdout_and_in_the_file(workspace_dir: Path) -> None:
    exported = _start(workspace_dir).read_text(encoding="utf-8")
    stdout = invoke("roadmap", "export").stdout
    assert "\nrevision: " in exported and exported == stdout
    revision = int(exported.split("\nrevision: ")[1].split("\n")[0])
    _web_edit("tap", InitiativeChanges(status="planned"))
    later = invoke("roadmap", "export").stdout
    assert int(later.split("\nrevision: ")[1].split("\n")[0]) > revision


def test_file_only_changes_apply_and_workspace_only_changes_are_kept(
    workspace_dir: Path,
) -> None:
    exported = _start(workspace_dir)
    _web_edit("tap", InitiativeChanges(status="planned"))
    # The person edits their (now older) export: another field of another object.
    text = exported.read_text(encoding="utf-8").replace(
        "title: Light identity check", "title: Light KYC"
    )
    exported.write_text(text, encoding="utf-8")
    preview = invoke("roadmap", "apply", str(exported), "--dry-run").stdout
    kept = preview.split("Changed in the workspace since (kept):")[1]
    assert "initiative tap status: 'proposed' -> 'planned'" in kept
    assert "conflicts" not in preview
    applied = invoke("roadmap", "apply", str(exported))
    assert applied.exit_code == 0, applied.output
    assert _initiative("tap")["status"] == "planned"  # the web's change survives
    assert _initiative("kyc")["title"] == "Light KYC"


def test_both_sides_changing_a_field_stops_the_apply(workspace_dir: Path) -> None:
    exported = _start(workspace_dir)
    _web_edit("tap", InitiativeChanges(status="planned", title="Tap (web)"))
    text = exported.read_text(encoding="utf-8")
    text = text.replace(
        "title: Tap to pay\n    status: proposed", "title: Tap (file)\n    status: done"
    )
    text = text.replace("title: Light identity check", "title: Light KYC")
    exported.write_text(text, encoding="utf-8")

    refused = invoke("roadmap", "apply", str(exported))
    assert refused.exit_code == 1
    conflicts = [line for line in refused.stderr.splitlines() if "conflict: " in line]
    assert conflicts == [
        f"{exported}: conflict: initiative 'tap' field 'title': the file has title = "
        "'Tap (file)', the workspace has title = 'Tap (web)'",
        f"{exported}: conflict: initiative 'tap' field 'status': the file has status = "
        "'done', the workspace has status = 'planned'",
    ]
    assert _initiative("kyc")["title"] == "Light identity check"  # nothing written

    preview = invoke("roadmap", "apply", str(exported), "--dry-run")
    assert preview.exit_code == 0
    out = preview.stdout
    assert "Changed in the file since its revision (applied):" in out
    assert "initiative kyc title: 'Light identity check' -> 'Light KYC'" in out
    assert "Changed on both sides (conflicts):" in out
    as_json = json.loads(invoke("roadmap", "apply", str(exported), "--dry-run", "--json").stdout)
    assert [c["field"] for c in as_json["three_way"]["conflicts"]] == ["title", "status"]

    forced = invoke("roadmap", "apply", str(exported), "--force")
    assert forced.exit_code == 0, forced.output
    tap = _initiative("tap")
    assert (tap["title"], tap["status"]) == ("Tap (file)", "done")
    assert _initiative("kyc")["title"] == "Light KYC"


def test_adds_and_removes_follow_the_side_that_made_them(workspace_dir: Path) -> None:
    exported = _start(workspace_dir)
    # The workspace adds an initiative "wallet" after the export...
    later = workspace_dir / "later.yaml"
    later.write_text(SMALL_ROADMAP + "  - id: wallet\n    title: Wallet\n", encoding="utf-8")
    assert invoke("roadmap", "apply", str(later)).exit_code == 0
    # ...while the file removes the milestone link of kyc and adds "cards" between the two.
    text = exported.read_text(encoding="utf-8")
    text = text.replace("  - id: tap\n", "  - id: cards\n    title: Cards\n  - id: tap\n")
    exported.write_text(text, encoding="utf-8")
    applied = invoke("roadmap", "apply", str(exported))
    assert applied.exit_code == 0, applied.output
    keys = [i["id"] for i in json.loads(invoke("roadmap", "show", "--json").stdout)["initiatives"]]
    assert keys == ["kyc", "cards", "tap", "wallet"]


def test_a_file_without_revision_applies_as_it_is(workspace_dir: Path) -> None:
    exported = _start(workspace_dir)
    _web_edit("tap", InitiativeChanges(status="planned"))
    text = exported.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("revision:")]
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert invoke("roadmap", "apply", str(exported)).exit_code == 0
    assert _initiative("tap")["status"] == "proposed"  # the file is the whole truth


def test_a_revision_from_another_workspace_is_refused(workspace_dir: Path) -> None:
    exported = _start(workspace_dir)
    text = exported.read_text(encoding="utf-8")
    head, rest = text.split("\nrevision: ", 1)
    exported.write_text(head + "\nrevision: 999999\n" + rest.split("\n", 1)[1], encoding="utf-8")
    refused = invoke("roadmap", "apply", str(exported))
    assert refused.exit_code == 1
    assert "field 'revision'" in refused.stderr and "another workspace" in refused.stderr
