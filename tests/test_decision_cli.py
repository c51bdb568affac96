"""decision add / list / show / review through the CLI, with evidence and KPI outcomes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import delete
from typer.testing import CliRunner

from helpers import invoke
from productpath.cli.main import app
from productpath.learning.decisions import Expectation, check_outcome
from productpath.services.workspace import open_workspace
from productpath.store.models import Experiment

DECIDED = dt.date(2026, 5, 1)


def _kpi(tmp_path: Path, jump: float) -> None:
    lines = ["date,value"]
    for i in range(-28, 60):
        day = DECIDED + dt.timedelta(days=i)
        lines.append(f"{day},{96.5 + (jump if i > 14 else 0) + 0.05 * (i % 4)}")
    path = tmp_path / "success.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(
        "kpi",
        "import",
        str(path),
        "--metric",
        "Payment success rate",
        "--date-column",
        "date",
        "--value-column",
        "value",
    )
    assert result.exit_code == 0, result.output


def test_add_review_show_and_deleted_evidence(workspace_dir: Path, tmp_path: Path) -> None:
    _kpi(tmp_path, jump=0.6)
    exp = tmp_path / "retry.csv"
    exp.write_text("variant,users,ok\ncontrol,1000,960\nretry,1000,975\n", encoding="utf-8")
    assert invoke("experiment", "analyze", str(exp), "--users-column", "users").exit_code == 0
    added = invoke(
        "decision",
        "add",
        "Retry declined payments",
        "--option",
        "Retry",
        "--option",
        "Ask",
        "--owner",
        "Priya",
        "--decided-on",
        str(DECIDED),
        "--review-on",
        "2026-06-20",
        "--kpi",
        "payment-success-rate",
        "--direction",
        "increase",
        "--target",
        "97.5",
        "--evidence",
        "experiment:retry=+1.5 points",
        "--evidence",
        "kpi:Payment success rate",
    )
    assert added.exit_code == 0, added.output
    assert "Recorded decision 'retry-declined-payments' with 2 evidence links" in added.stdout

    early = json.loads(invoke("decision", "review", "--json", "--today", "2026-06-01").stdout)
    assert early == []
    due = json.loads(invoke("decision", "review", "--json", "--today", "2026-06-30").stdout)
    assert [d["key"] for d in due] == ["retry-declined-payments"]
    outcome = due[0]["outcome"]
    assert outcome["verdict"] == "on_track" and outcome["change"] > 0.4

    with open_workspace() as handle, handle.store.write() as session:
        session.execute(delete(Experiment))
    shown = json.loads(invoke("decision", "show", "retry-declined-payments", "--json").stdout)
    assert shown["options"] == ["Retry", "Ask"]
    evidence = {e["kind"]: e for e in shown["evidence"]}
    assert evidence["experiment"]["deleted"] is True
    assert evidence["experiment"]["note"] == "+1.5 points"
    assert evidence["kpi"]["deleted"] is False and evidence["kpi"]["ref"] == "payment-success-rate"
    assert any("experiment retry has been deleted" in c for c in shown["caveats"])
    listed = json.loads(invoke("decision", "list", "--json").stdout)
    assert [d["key"] for d in listed] == ["retry-declined-payments"]


def test_bad_decisions_are_refused_in_one_line(workspace_dir: Path) -> None:
    for args, message in [
        (("--evidence", "theme:9"), "evidence theme #9 does not exist"),
        (("--evidence", "gossip:1"), "is not KIND:REF"),
        (("--kpi", "nope", "--direction", "increase"), "no KPI 'nope'"),
        (("--direction", "up"), "needs both --kpi and --direction"),
        (("--decided-on", "2026-05-01", "--review-on", "2026-04-01"), "before the decision date"),
        (("--review-on", "01/04/2026"), "is not a date"),
    ]:
        result = invoke("decision", "add", "Something", *args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    assert invoke("decision", "add", "Twice").exit_code == 0
    again = invoke("decision", "add", "Twice")
    assert again.exit_code == 1 and "exists already" in again.stderr


def test_outcome_verdicts() -> None:
    days = [DECIDED + dt.timedelta(days=i) for i in range(-28, 40)]
    flat = [10.0 + 0.1 * (i % 3) for i in range(len(days))]
    down = [
        v - (2 if d > DECIDED + dt.timedelta(days=10) else 0)
        for v, d in zip(flat, days, strict=True)
    ]
    today = DECIDED + dt.timedelta(days=40)
    up = Expectation("increase")
    assert check_outcome(up, DECIDED, days, flat, today).verdict == "no_change"
    assert check_outcome(up, DECIDED, days, down, today).verdict == "wrong_way"
    assert check_outcome(Expectation("decrease", 9.0), DECIDED, days, down, today).verdict == "met"
    late = Expectation("increase", 20.0, DECIDED + dt.timedelta(days=30))
    assert check_outcome(late, DECIDED, days, flat, today).verdict == "missed"
    assert check_outcome(up, DECIDED, days[:20], flat[:20], today).verdict == "not_enough_data"
    assert check_outcome(None, DECIDED, days, flat, today).verdict == "no_expectation"


def test_close_records_the_outcome_and_review_stops_listing_it(
    workspace_dir: Path, tmp_path: Path
) -> None:
    _kpi(tmp_path, 1.0)
    added = invoke(
        "decision", "add", "Retry soft declines", "--kpi", "payment-success-rate",
        "--direction", "increase", "--decided-on", str(DECIDED), "--review-on", "2026-06-01",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    due = invoke("decision", "review", "--today", "2026-07-01", "--json")
    assert [d["key"] for d in json.loads(due.stdout)] == ["retry-soft-declines"]
    closed = invoke(
        "decision", "close", "retry-soft-declines",
        "--outcome", "Success rate up a point.", "--verdict", "met",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    assert "Closed decision 'retry-soft-declines' (met)" in closed.stdout
    assert json.loads(invoke("decision", "review", "--today", "2026-07-01", "--json").stdout) == []
    assert json.loads(invoke("decision", "review", "--all", "--json").stdout) == []
    shown = json.loads(invoke("decision", "show", "retry-soft-declines", "--json").stdout)
    assert shown["status"] == "reviewed" and shown["evidence"] == []
    assert shown["review"]["verdict"] == "met"
    assert shown["review"]["outcome"] == "Success rate up a point."
    assert "Success rate up a point." in invoke("decision", "show", "retry-soft-declines").stdout
    again = invoke("decision", "close", "retry-soft-declines", "--outcome", "x")
    assert again.exit_code == 1 and "closed already" in again.stderr
    for args, message in (
        (("nope", "--outcome", "x"), "no decision 'nope'"),
        (("retry-soft-declines", "--outcome", "  "), "the outcome is empty"),
    ):
        result = invoke("decision", "close", *args)
        assert result.exit_code == 1 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    bad = CliRunner().invoke(
        app, ["decision", "close", "x", "--outcome", "y", "--verdict", "great"]
    )
    assert bad.exit_code == 2 and "great" in bad.output


def test_a_decision_about_a_removed_initiative_says_so(workspace_dir: Path, tmp_path: Path) -> None:
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(
        "version: 1\nproduct: {id: pocket, name: Pocket}\n"
        "initiatives:\n  - {id: retry, title: Retry}\n  - {id: other, title: Other}\n",
        encoding="utf-8",
    )
    assert invoke("roadmap", "apply", str(roadmap)).exit_code == 0
    added = invoke("decision", "add", "Build retry", "--initiative", "retry")
    assert added.exit_code == 0 and "0 evidence links" in added.stdout
    shown = json.loads(invoke("decision", "show", "build-retry", "--json").stdout)
    assert shown["initiative"] == "retry" and shown["caveats"] == [] and shown["evidence"] == []
    roadmap.write_text(
        "version: 1\nproduct: {id: pocket, name: Pocket}\n"
        "initiatives:\n  - {id: other, title: Other}\n",
        encoding="utf-8",
    )
    assert invoke("roadmap", "apply", str(roadmap)).exit_code == 0
    shown = json.loads(invoke("decision", "show", "build-retry", "--json").stdout)
    assert shown["initiative"] is None
    assert shown["caveats"] == [
        "the initiative 'retry' it is about has been removed from the roadmap since the decision"
    ]
    assert "caveat: the initiative 'retry'" in invoke("decision", "show", "build-retry").stdout


def test_feedback_evidence_by_its_id_in_the_file_shows_the_quote(
    workspace_dir: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.csv"
    inbox.write_text(
        'id,text\nb77-0001,"My card still has not arrived,\nafter two weeks"\nb77-0002,Hi\n',
        encoding="utf-8",
    )
    survey = tmp_path / "survey.csv"
    survey.write_text("id,text\nb77-0002,Love it\n", encoding="utf-8")
    for path in (inbox, survey):
        imported = invoke(
            "feedback", "import", str(path), "--text-column", "text", "--id-column", "id"
        )
        assert imported.exit_code == 0, imported.stderr
    added = invoke("decision", "add", "Track cards", "--evidence", "feedback:b77-0001=top ask")
    assert added.exit_code == 0, added.stderr
    shown = json.loads(invoke("decision", "show", "track-cards", "--json").stdout)
    (evidence,) = shown["evidence"]
    assert (evidence["ref"], evidence["note"], evidence["deleted"]) == (
        "b77-0001",
        "top ask",
        False,
    )
    assert evidence["label"] == (
        "feedback b77-0001 (inbox): “My card still has not arrived, after two weeks”"
    )
    assert (
        "evidence: feedback b77-0001 (inbox): “My card"
        in invoke("decision", "show", "track-cards").stdout
    )
    # The same id in two sources is refused with the ids that tell them apart.
    items = {
        i["source"]: i["id"]
        for i in json.loads(invoke("feedback", "list", "--json").stdout)
        if i["external_id"] == "b77-0002"
    }
    twice = invoke("decision", "add", "Greet", "--evidence", "feedback:b77-0002")
    assert twice.stderr == (
        "error: field '--evidence': feedback 'b77-0002' is in 2 sources; name one by its id: "
        f"feedback:{items['inbox']} (source 'inbox'), "
        f"feedback:{items['survey']} (source 'survey')\n"
    )
    by_row = invoke("decision", "add", "Greet", "--evidence", f"feedback:{items['survey']}")
    assert by_row.exit_code == 0, by_row.stderr
    shown = json.loads(invoke("decision", "show", "greet", "--json").stdout)
    assert shown["evidence"][0]["label"] == "feedback b77-0002 (survey): “Love it”"
    missing = invoke("decision", "add", "Other", "--evidence", "feedback:b77-9999")
    assert missing.stderr == "error: evidence feedback 'b77-9999' does not exist\n"
