"""Competitor feature matrix in roadmap.yaml, and ``competitors gaps``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from productpath.errors import RoadmapError
from productpath.ingest.roadmap_yaml import parse
from productpath.planning.competition import Cell, FeatureRow, find_gaps
from productpath.services.competitors import competitor_gaps
from productpath.services.roadmap import apply_roadmap

ROADMAP = """\
product: {id: pocket, name: Pocket}
initiatives:
  - {id: sepa, title: Instant SEPA}
  - {id: old, title: Old plan, status: dropped}
competitors:
  - {id: revolut, name: Revolut, url: 'https://www.revolut.com'}
  - {id: wise, name: Wise}
features:
  - id: instant-sepa
    name: Instant SEPA transfers
    ours: no
    planned_by: [sepa]
    support:
      - {competitor: revolut, level: has, source: 'pricing page, 2026-10'}
  - id: crypto
    name: Crypto trading
    ours: no
    planned_by: [old]
    support:
      - {competitor: revolut, level: has}
      - {competitor: wise, level: no}
  - id: multi-currency
    name: Multi-currency accounts
    ours: partial
    support:
      - {competitor: revolut, level: has}
      - {competitor: wise, level: has, source: 'app review'}
  - id: budgets
    name: Budgets
    ours: has
    support:
      - {competitor: wise, level: no}
"""


def test_gaps_closing_and_leads() -> None:
    rows = [
        FeatureRow("a", "A", "no", (Cell("x", "has"), Cell("y", "unknown"))),
        FeatureRow("b", "B", "no", (Cell("x", "partial"),), (("i", "planned"),)),
        FeatureRow("c", "C", "has", (Cell("x", "no"), Cell("y", "has"))),
        FeatureRow("d", "D", "has", (Cell("x", "has"),)),
        FeatureRow("e", "E", "unknown", (Cell("x", "no"),)),
        FeatureRow("f", "F", "partial", (Cell("x", "partial"),)),
    ]
    found = find_gaps(rows)
    assert [f.key for f in found.gaps] == ["a"]
    assert found.gaps[0].unknown == ("y",)
    assert [f.key for f in found.closing] == ["b"] and found.closing[0].planned_by == ("i",)
    assert [f.key for f in found.leads] == ["c"]
    assert [c.competitor for c in found.leads[0].competitors] == ["x"]


def test_a_done_or_dropped_initiative_does_not_close_a_gap() -> None:
    rows = [FeatureRow("a", "A", "no", (Cell("x", "has"),), (("i", "dropped"),))]
    assert [f.key for f in find_gaps(rows).gaps] == ["a"]


def test_the_matrix_from_a_stored_roadmap(opened: Any, tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    apply_roadmap(opened, path)
    found = competitor_gaps(opened)
    # multi-currency: two competitors have it; crypto: one, and its plan was dropped.
    assert [f.key for f in found.gaps] == ["multi-currency", "crypto"]
    assert [f.key for f in found.closing] == ["instant-sepa"]
    assert found.closing[0].competitors[0].source == "pricing page, 2026-10"
    assert [f.key for f in found.leads] == ["budgets"]
    # Wise says nothing about instant SEPA: unknown, not "no".
    assert found.closing[0].unknown == ("wise",)


def test_bad_cells_and_unknown_references_name_the_field() -> None:
    text = ROADMAP.replace("level: has, source: 'pricing", "level: maybe, source: 'pricing")
    with pytest.raises(RoadmapError) as caught:
        parse(text)
    assert caught.value.field == "features[0].support[0].level"
    assert caught.value.line == 14
    unknown = ROADMAP.replace(
        "{competitor: revolut, level: has, source", "{competitor: n26, level: has, source"
    )
    with pytest.raises(RoadmapError, match="unknown competitor 'n26'"):
        parse(unknown)
    planned = ROADMAP.replace("planned_by: [sepa]", "planned_by: [sepa, ghost]")
    with pytest.raises(RoadmapError, match="unknown initiative 'ghost'") as caught:
        parse(planned)
    assert caught.value.field == "features[0].planned_by[1]"


def test_gaps_cli_text_and_json(workspace_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    assert invoke("roadmap", "apply", str(path)).exit_code == 0
    result = invoke("competitors", "gaps")
    assert result.exit_code == 0
    assert "Multi-currency accounts [multi-currency] (us: partial)" in result.stdout
    assert "Where we lead" in result.stdout
    data = json.loads(invoke("competitors", "gaps", "--json").stdout)
    assert [f["key"] for f in data["gaps"]] == ["multi-currency", "crypto"]
    assert data["leads"][0]["competitors"] == [{"competitor": "wise", "level": "no", "source": ""}]
    listing = json.loads(invoke("competitors", "list", "--json").stdout)
    assert listing["features"][0]["cells"][1] == {
        "competitor": "wise",
        "level": "unknown",
        "source": "",
    }


def test_no_roadmap_is_an_empty_listing_not_an_error(workspace_dir: Path) -> None:
    """Listings exit 0 with a one-line note when there is nothing to list (docs/cli.md)."""
    note = "No features to compare yet; list them under 'features:' in roadmap.yaml and apply it."
    for command in ("list", "gaps"):
        result = invoke("competitors", command)
        assert (result.exit_code, result.stdout, result.stderr) == (0, note + "\n", "")
    assert json.loads(invoke("competitors", "list", "--json").stdout) == {"features": []}
    gaps = json.loads(invoke("competitors", "gaps", "--json").stdout)
    assert gaps == {"gaps": [], "closing": [], "leads": []}


def test_gaps_say_how_many_features_were_compared() -> None:
    # ``competitors gaps`` tells "nothing to compare" apart from "no gaps" by this count.
    assert find_gaps([]).compared == 0
    rows = [FeatureRow("a", "A", "has", (Cell("x", "has"),))]
    found = find_gaps(rows)
    assert found.compared == 1 and found.gaps == found.closing == found.leads == ()
