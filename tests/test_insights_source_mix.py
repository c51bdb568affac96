"""A theme whose rise is a feedback source starting or stopping is explained, not "emerging"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from helpers import invoke
from productpath.insights.embed import HashingEmbedder
from productpath.insights.trends import theme_trends
from productpath.reports.exec_report import ThemeLine, _lately
from productpath.services.feedback import import_feedback
from productpath.services.insights import run_insights
from productpath.services.reporting.report_data import _themes

START = dt.date(2026, 1, 5)
CARD = ["my card was declined at the shop", "the shop declined my card again",
        "why was my card declined at the shop"]  # fmt: skip
SURVEY = ["i want a refund for my order", "refund my order please",
          "how do i change my pin number", "change the pin number please"]  # fmt: skip


def _unit_data(survey_days: int) -> tuple[list[dt.date], list[int], list[str]]:
    """Tickets (theme 1) every 3 days for 16 weeks; a survey (theme 2) daily for the first
    ``survey_days`` days."""
    dates, themes, sources = [], [], []
    for day in range(0, 112, 3):
        dates.append(START + dt.timedelta(days=day))
        themes.append(1)
        sources.append("tickets")
    for day in range(survey_days):
        dates.append(START + dt.timedelta(days=day))
        themes.append(2)
        sources.append("survey")
    return dates, themes, sources


def test_a_source_that_stops_explains_the_other_sources_rise() -> None:
    dates, themes, sources = _unit_data(survey_days=55)
    plain = theme_trends(dates, themes, [None] * len(dates))
    assert plain[1].evidence.emerging  # the share jumps when the survey ends
    explained = theme_trends(dates, themes, [None] * len(dates), sources=sources)[1].evidence
    assert not explained.emerging
    assert "source 'survey' stopped" in explained.source_shift
    assert explained.reason == explained.source_shift


def test_a_rise_within_a_steady_source_stays_emerging() -> None:
    dates, themes, sources = _unit_data(survey_days=112)
    # Theme 3 appears in the tickets of the last three weeks only: customers, not the mix.
    for day in range(92, 112):
        dates.append(START + dt.timedelta(days=day))
        themes.append(3)
        sources.append("tickets")
    evidence = theme_trends(dates, themes, [None] * len(dates), sources=sources)[3].evidence
    assert evidence.emerging and evidence.source_shift == ""


def test_a_source_that_starts_is_named() -> None:
    dates, themes, sources = _unit_data(survey_days=112)
    for day in range(95, 112):
        dates.append(START + dt.timedelta(days=day))
        themes.append(4)
        sources.append("app-store")
    evidence = theme_trends(dates, themes, [None] * len(dates), sources=sources)[4].evidence
    assert not evidence.emerging
    assert "source 'app-store' started" in evidence.source_shift
    assert "17 of its recent items come from a new source" in evidence.source_shift


def _write(path: Path, texts: list[tuple[dt.date, str]]) -> Path:
    rows = [f'{i},"{text}",{day.isoformat()}' for i, (day, text) in enumerate(texts)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_themes_and_exec_report_say_the_rise_is_the_source_mix(
    workspace_dir: Path, opened: Any, tmp_path: Path
) -> None:
    tickets = [(START + dt.timedelta(days=d), CARD[d % 3]) for d in range(0, 112, 3)]
    survey = [(START + dt.timedelta(days=d), SURVEY[d % 4]) for d in range(55)]
    for name, rows in (("tickets", tickets), ("survey", survey)):
        import_feedback(opened, _write(tmp_path / f"{name}.csv", rows), text_column="text",
                        id_column="id", date_column="created", source=name)  # fmt: skip
    report = run_insights(opened, embedder=HashingEmbedder(), seed=1)
    assert report.emerging == []

    listed = json.loads(invoke("themes", "list", "--json").stdout)["themes"]
    card = [t for t in listed if "card" in t["label"] or "declined" in t["label"]]
    assert card, [t["label"] for t in listed]
    assert not card[0]["emerging"]
    assert "source 'survey' stopped" in card[0]["evidence"]["source_shift"]
    shown = invoke("themes", "show", str(card[0]["number"]))
    assert "not emerging (source mix)" in shown.stdout
    # The facet's mix: the card theme is the tickets' alone.
    detail = json.loads(invoke("themes", "show", str(card[0]["number"]), "--json").stdout)
    assert detail["sources"] == {"tickets": card[0]["size"]}
    assert "tickets" in shown.stdout and "Sources" in shown.stdout
    from productpath.web.app import create_app

    with TestClient(create_app()) as client:
        assert "Source mix" in client.get("/themes").text
        page = client.get(f"/themes/{card[0]['number']}").text
        assert "a source started or stopped" in page and 'id="sources"' in page

    lines, _, _ = _themes(opened, dt.date(2026, 4, 30))
    line = next(t for t in lines if t.label == card[0]["label"])
    assert line.source_shift and not line.emerging
    assert _lately(line) == "rising, source mix"
    plain = ThemeLine(label="x", items=1, revenue=0.0, emerging=True, customers=0, trend="rising")
    assert _lately(plain) == "new, rising"
