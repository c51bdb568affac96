"""feedback import --kind-column: the file's own kinds become labels of source "file", values
that name no kind are listed once and left unlabelled, and the run learns from the labels
(SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from productpath.ingest.kind_values import kind_of

ROWS = [
    ("k1", "my card was declined at the shop", "Bug"),
    ("k2", "the shop declined my card again", " defect "),
    ("k3", "please add dark mode", "Feature Request"),
    ("k4", "how do i change my pin number", "help"),
    ("k5", "refund my order please", ""),
    ("k6", "my card was declined at the shop", "wontfix"),
    ("k7", "the shop declined my card", "wontfix"),
    ("k8", "i love this app", "Needs Triage"),
    # Unlabelled copies the classifier reads as other without the file's labels.
    ("k9", "my card was declined at the shop", ""),
    ("k10", "the shop declined my card", ""),
]


def _write(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "tickets.csv"
    lines = [f'{key},"{text}",{kind}' for key, text, kind in rows]
    path.write_text("id,text,type\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(path: Path) -> Any:
    return invoke("feedback", "import", str(path), "--text-column", "text", "--id-column", "id",
                  "--kind-column", "type")  # fmt: skip


def _items() -> dict[str, dict[str, Any]]:
    return {r["external_id"]: r for r in json.loads(invoke("feedback", "list", "--json").stdout)}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("bug", "bug"),
        ("Defect", "bug"),
        (" CRASH ", "bug"),
        ("feature_request", "feature_request"),
        ("feature", "feature_request"),
        ("Enhancement", "feature_request"),
        ("feature request", "feature_request"),
        ("Improvement", "feature_request"),
        ("story", "feature_request"),
        ("question", "question"),
        ("Support", "question"),
        ("help", "question"),
        ("praise", "praise"),
        ("other", "other"),
        ("wontfix", None),
        ("", None),
        ("bugs and features", None),
    ],
)
def test_values_map_to_kinds(value: str, kind: str | None) -> None:
    assert kind_of(value) == kind


def test_the_file_labels_its_items_and_lists_what_it_cannot_map(
    workspace_dir: Path, tmp_path: Path
) -> None:
    result = _import(_write(tmp_path, ROWS))
    assert result.exit_code == 0, result.output
    assert "Imported 10 new items" in result.stdout
    assert "Labelled 4 items with the kind from column 'type'" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "name no kind" in line]
    assert len(warnings) == 1
    assert "'wontfix' (2), 'Needs Triage' (1)" in warnings[0] and "field 'type'" in warnings[0]
    items = _items()
    expected = {"k1": "bug", "k2": "bug", "k3": "feature_request", "k4": "question"}
    for key, kind in expected.items():
        assert (items[key]["kind"], items[key]["kind_set_by"]) == (kind, "file")
    for key in ("k5", "k6", "k8", "k9"):
        assert (items[key]["kind"], items[key]["kind_set_by"]) == (None, None)

    assert invoke("insights", "run", "--embedder", "hashing").exit_code == 0
    items = _items()
    for key, kind in expected.items():
        assert (items[key]["kind"], items[key]["kind_set_by"]) == (kind, "file")
    # The unlabelled declined-card items learnt from k1 and k2.
    for key in ("k6", "k7", "k9", "k10"):
        assert (items[key]["kind"], items[key]["kind_set_by"]) == ("bug", None), items[key]


def test_a_person_outranks_the_file_on_reimport(workspace_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    assert _import(path).exit_code == 0
    assert invoke("feedback", "label", "k1", "--kind", "question").exit_code == 0
    again = _import(path)
    assert again.exit_code == 0 and "Labelled 3 items" in again.stdout
    assert (_items()["k1"]["kind"], _items()["k1"]["kind_set_by"]) == ("question", "person")


def test_a_missing_kind_column_is_one_line(workspace_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, ROWS)
    result = invoke("feedback", "import", str(path), "--text-column", "text",
                    "--kind-column", "kind")  # fmt: skip
    assert result.exit_code == 1 and "--kind-column" in result.stderr
    assert json.loads(invoke("feedback", "list", "--json").stdout) == []
