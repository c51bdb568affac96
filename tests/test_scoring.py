"""RICE and WSJF: pure arithmetic with sources, and scores from real evidence in a real store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from planning_fixtures import ROADMAP, seeded
from productpath.errors import WorkspaceError
from productpath.planning.scoring import (
    Evidence,
    ScoringConfig,
    ScoringInput,
    ThemeEvidence,
    score_all,
)
from productpath.services.scoring import ranked_initiatives, score_roadmap
from productpath.workspace import load

EVIDENCE = Evidence(
    themes=(ThemeEvidence(3, "top up", 40), ThemeEvidence(7, "fees", 10)),
    items=50,
    customers=412,
    customers_with_revenue=400,
    revenue=5_000.0,
    recent=10,
    prior=10,
)


def _smaller(revenue: float, customers: int) -> Evidence:
    return Evidence(
        themes=(ThemeEvidence(9, "other", 5),),
        items=5,
        customers=customers,
        customers_with_revenue=customers,
        revenue=revenue,
    )


def test_rice_multiplies_reach_impact_confidence_over_effort() -> None:
    items = [
        ScoringInput("a", "A", estimate=(1, 2, 3), evidence=EVIDENCE),
        ScoringInput("b", "B", estimate=(1, 2, 3), evidence=_smaller(1_000.0, 50)),
        ScoringInput("c", "C", estimate=(1, 2, 3), evidence=_smaller(200.0, 10)),
    ]
    a, b, c = score_all(items, ScoringConfig(total_revenue=10_000.0))
    # The most revenue and reach of the three: massive impact (3), full confidence; PERT mean 2.
    assert a.term("reach").value == 412
    assert a.term("reach").source == '412 customers from themes #3 "top up", #7 "fees"'
    assert a.term("impact").value == 3.0
    assert "revenue 5,000 behind it, 50.0% of all: highest of the 3 open" in a.term("impact").source
    assert a.term("confidence").value == 1.0
    assert "highest of the 3 open initiatives with evidence" in a.term("confidence").source
    assert a.term("effort").value == 2.0
    assert a.value == pytest.approx(412 * 3 * 1.0 / 2)
    # The middle one is medium and 0.8, the least minimal and 0.5: the terms separate them.
    assert (b.term("impact").value, b.term("confidence").value) == (1.0, 0.8)
    assert "2nd highest of the 3 open" in b.term("impact").source
    assert (c.term("impact").value, c.term("confidence").value) == (0.25, 0.5)


def test_one_initiative_with_evidence_is_in_the_middle() -> None:
    (score,) = score_all(
        [ScoringInput("a", "A", estimate=(1, 2, 3), evidence=EVIDENCE)],
        ScoringConfig(total_revenue=10_000.0),
    )
    assert (score.term("impact").value, score.term("confidence").value) == (1.0, 0.8)
    assert "the only one of the open" in score.term("impact").source


def test_done_and_dropped_work_leave_the_ranking() -> None:
    items = [
        ScoringInput("shipped", "S", status="done", estimate=(1, 1, 1), evidence=EVIDENCE),
        ScoringInput("open", "O", estimate=(1, 1, 1), evidence=_smaller(200.0, 10)),
        ScoringInput("gone", "G", status="dropped", estimate=(1, 1, 1), evidence=EVIDENCE),
        ScoringInput("next", "N", status="in_progress", estimate=(1, 1, 1)),
    ]
    ranked = score_all(items, ScoringConfig(total_revenue=10_000.0))
    assert [(s.key, s.rank) for s in ranked] == [("open", 1), ("next", 2)]
    # The done work's evidence is not what open work is measured against.
    assert ranked[0].term("impact").source.count("the only one of the open") == 1


def test_weights_are_exponents_in_rice_and_multipliers_in_wsjf() -> None:
    item = ScoringInput("a", "A", estimate=(2, 2, 2), evidence=EVIDENCE)
    (plain,) = score_all([item], ScoringConfig(total_revenue=10_000.0))
    (weighted,) = score_all([item], ScoringConfig(weights={"reach": 0.5}, total_revenue=10_000.0))
    assert weighted.value == pytest.approx(plain.value / 412 * 412**0.5, rel=1e-3)
    (wsjf,) = score_all([item], ScoringConfig(method="wsjf"))
    (heavier,) = score_all([item], ScoringConfig(method="wsjf", weights={"business_value": 2.0}))
    value = wsjf.term("business_value").value or 0.0
    assert heavier.value == pytest.approx((wsjf.value or 0) + value / 2, rel=1e-3)


def test_overrides_replace_terms_and_are_marked() -> None:
    item = ScoringInput(
        "a", "A", estimate=(1, 2, 3), evidence=EVIDENCE, overrides={"reach": 500, "effort": 5}
    )
    other = ScoringInput("b", "B", estimate=(1, 2, 3), evidence=_smaller(1_000.0, 50))
    score, _ = score_all([item, other], ScoringConfig(total_revenue=10_000.0))
    assert score.term("reach").value == 500 and score.term("reach").overridden
    assert score.term("reach").source == "set in roadmap.yaml (score.reach)"
    assert score.term("effort").value == 5 and score.term("effort").overridden
    assert not score.term("impact").overridden
    # The higher revenue of two: high impact (2), full confidence.
    assert score.value == pytest.approx(500 * 2.0 * 1.0 / 5)


def test_missing_evidence_says_so_and_uses_the_documented_defaults() -> None:
    (score,) = score_all([ScoringInput("a", "A", estimate=(1, 1, 1))], ScoringConfig())
    assert score.term("reach").value == 0 and score.term("reach").origin == "default"
    assert score.term("reach").source.startswith("no linked evidence")
    assert score.term("impact").value == 1.0
    assert score.term("confidence").value == 0.5
    assert any("no linked evidence" in w for w in score.warnings)
    assert score.value == 0


def test_no_estimate_cannot_be_scored_and_ranks_last_with_a_warning() -> None:
    items = [
        ScoringInput("unsized", "U", evidence=EVIDENCE),
        ScoringInput("sized", "S", estimate=(1, 1, 1)),
    ]
    first, second = score_all(items, ScoringConfig())
    assert (first.key, second.key) == ("sized", "unsized")
    assert second.value is None and second.rank == 2
    assert any("no estimate" in w for w in second.warnings)


def test_ties_keep_the_roadmap_order() -> None:
    items = [ScoringInput(k, k, estimate=(1, 1, 1)) for k in ("c", "a", "b")]
    assert [s.key for s in score_all(items, ScoringConfig())] == ["c", "a", "b"]


def test_a_rising_trend_raises_impact_and_a_wide_estimate_lowers_confidence() -> None:
    rising = Evidence(themes=(ThemeEvidence(1, "x", 9),), items=9, recent=9, prior=1)
    (score,) = score_all(
        [ScoringInput("a", "A", estimate=(1, 2, 9), evidence=rising)], ScoringConfig()
    )
    assert score.term("impact").value == 2.0  # medium (no revenue known), raised one step
    assert "rising" in score.term("impact").source
    assert score.term("confidence").value == 0.5
    assert "lowered" in score.term("confidence").source


def test_scores_come_from_linked_evidence_in_the_store(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    ranked = ranked_initiatives(opened)
    assert [s.key for s in ranked] == ["topup-retry", "fx-fees", "passcode-reset", "no-estimate"]
    top = ranked[0]
    # Theme #3: 6 items from customers big, mid and small (all the revenue), all recent. Of the
    # two open initiatives with evidence it has the more revenue and the more customers.
    assert top.term("reach").value == 3
    assert top.term("reach").source == '3 customers from theme #3 "card top up failed"'
    assert top.term("impact").value == 3.0
    assert top.term("confidence").value == 1.0
    assert top.value == pytest.approx(3 * 3 * 1.0 / 2)
    fx = ranked[1]
    assert fx.term("reach").value == 2 and fx.term("impact").value == 0.5  # the lesser of two
    assert fx.term("confidence").value == 0.5
    assert ranked[3].value is None


def test_wsjf_from_productpath_toml(opened: Any, tmp_path: Path) -> None:
    seeded(opened, tmp_path)
    config = opened.workspace.config_path
    config.write_text(config.read_text() + '\n[scoring]\nmethod = "wsjf"\n', encoding="utf-8")
    opened.workspace = load(opened.workspace.root, opened.workspace.database_url)
    report = score_roadmap(opened)
    assert report.method == "wsjf"
    assert [s.key for s in report.scores] == [
        "topup-retry",
        "passcode-reset",
        "fx-fees",
        "no-estimate",
    ]
    top = report.scores[0]
    assert top.term("risk_reduction").value == 2
    assert "unblocks 1 initiative (fx-fees)" in top.term("risk_reduction").source
    assert top.value == pytest.approx((10 + 10 + 2) / 2)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('method = "ice"', 'must be "rice" or "wsjf"'),
        ("[scoring.weights]\nreach = -1", "must be a number >= 0"),
        ("[scoring.weights]\njob_size = 2", "not a rice term"),
        ("colour = 1", "unknown key 'scoring.colour'"),
    ],
)
def test_bad_scoring_settings_are_one_clear_error(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "productpath.toml").write_text(f'name = "x"\n[scoring]\n{table}\n')
    with pytest.raises(WorkspaceError, match=message.replace("(", r"\(")):
        load(tmp_path)


def test_roadmap_score_cli_prints_terms_with_sources(workspace_dir: Path, tmp_path: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        seeded(handle, tmp_path)
    result = invoke("roadmap", "score")
    assert result.exit_code == 0
    assert "RICE scores of pocket" in result.stdout
    assert 'reach 3: 3 customers from theme #3 "card top up failed"' in result.stdout
    assert "warning: effort: no estimate" in result.stdout
    data = json.loads(invoke("roadmap", "score", "--json").stdout)
    assert data["method"] == "rice"
    first = data["initiatives"][0]
    assert first["key"] == "topup-retry" and first["rank"] == 1
    assert first["terms"]["reach"]["source"] == '3 customers from theme #3 "card top up failed"'
    assert first["terms"]["reach"]["overridden"] is False


def test_a_score_override_in_the_yaml_is_marked(opened: Any, tmp_path: Path) -> None:
    text = ROADMAP.replace("themes: ['#7']", "themes: ['#7']\n    score: {reach: 500}")
    seeded(opened, tmp_path, text)
    fx = next(s for s in ranked_initiatives(opened) if s.key == "fx-fees")
    assert fx.term("reach").value == 500 and fx.term("reach").overridden
    assert fx.rank == 1


def test_done_work_leaves_the_stored_ranking_at_once(opened: Any, tmp_path: Path) -> None:
    from sqlalchemy import update

    from productpath.store.models import Initiative

    seeded(opened, tmp_path)
    assert ranked_initiatives(opened)[0].key == "topup-retry"
    # The feedback digest is cached by data version; a status change alone must still show.
    with opened.store.write() as session:
        session.execute(
            update(Initiative).where(Initiative.key == "topup-retry").values(status="done")
        )
    ranked = ranked_initiatives(opened)
    assert [s.key for s in ranked] == ["fx-fees", "passcode-reset", "no-estimate"]
    # Measured against the open work only: fx-fees is now the only one with revenue.
    assert "the only one of the open" in ranked[0].term("impact").source


def test_roadmap_show_names_the_themes_it_cites(workspace_dir: Path, tmp_path: Path) -> None:
    from productpath.services.workspace import open_workspace

    with open_workspace() as handle:
        seeded(handle, tmp_path)
    result = invoke("roadmap", "show")
    assert result.exit_code == 0
    cited = result.stdout.split("Themes cited", 1)[1]
    assert "#3" in cited and "card top up failed" in cited and "topup-retry" in cited
    data = json.loads(invoke("roadmap", "show", "--json").stdout)
    assert {"number": 3, "label": "card top up failed"} in data["themes_cited"]
