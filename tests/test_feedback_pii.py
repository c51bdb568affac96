"""PII redaction on import, and the analysis columns in list and export (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from productpath.ingest.pii import PiiKind
from productpath.services.feedback import export_feedback, import_feedback, list_feedback
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import FeedbackInsight, FeedbackItem, Product, Theme

PII = [
    "ann.lee@example.com",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00",
    "192.168.10.20",
    "2001:db8::7",
    "(555) 234-5678",
]
ROWS = [
    ("p1", f"Mail me at {PII[0]} or call {PII[1]}"),
    ("p2", f"Charged twice on {PII[2]}, refund to {PII[3]} please"),
    ("p3", f"Login blocked from {PII[4]} and {PII[5]}; my cell is {PII[6]}"),
    ("p4", "On 2026-11-25 I paid £1,200.50; v2.13.0 broke order #12345678901"),
]
REDACTED = {
    "p1": "Mail me at [EMAIL] or call [PHONE]",
    "p2": "Charged twice on [CARD], refund to [IBAN] please",
    "p3": "Login blocked from [IP] and [IP]; my cell is [PHONE]",
    "p4": ROWS[3][1],
}


def write_rows(tmp_path: Path, rows: list[tuple[str, str]], name: str = "tickets.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(rows)
    return path


def stored(handle: OpenWorkspace) -> dict[str, str]:
    with handle.store.read() as session:
        rows = session.execute(select(FeedbackItem.external_id, FeedbackItem.text))
        return {external_id: text for external_id, text in rows}


def do_import(handle: OpenWorkspace, path: Path, **kw: Any) -> Any:
    return import_feedback(handle, path, text_column="text", id_column="id", **kw)


def test_pii_is_redacted_before_it_is_stored(opened: OpenWorkspace, tmp_path: Path) -> None:
    report = do_import(opened, write_rows(tmp_path, ROWS))
    assert (report.added, report.redacted_items) == (4, 3)
    assert report.redacted == {
        PiiKind.EMAIL: 1,
        PiiKind.PHONE: 2,
        PiiKind.CARD: 1,
        PiiKind.IBAN: 1,
        PiiKind.IP: 2,
    }
    texts = stored(opened)
    assert texts == REDACTED
    everything = json.dumps(texts) + json.dumps([r.as_dict() for r in list_feedback(opened)])
    for value in PII:
        assert value not in everything


def test_reimport_compares_redacted_text(opened: OpenWorkspace, tmp_path: Path) -> None:
    path = write_rows(tmp_path, ROWS)
    do_import(opened, path)
    again = do_import(opened, path)
    assert (again.added, again.unchanged, again.updated, again.redacted_items) == (0, 4, 0, 0)
    assert stored(opened) == REDACTED


def test_keep_pii_then_redacting_reimport_replaces_the_text(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    path = write_rows(tmp_path, ROWS)
    kept = do_import(opened, path, keep_pii=True)
    assert (kept.added, kept.redacted_items) == (4, 0)
    assert stored(opened) == dict(ROWS)
    # Redaction catches up: same items (ids kept), text replaced, nothing added.
    caught_up = do_import(opened, path)
    assert (caught_up.added, caught_up.updated, caught_up.unchanged) == (0, 3, 1)
    assert caught_up.redacted_items == 3
    assert stored(opened) == REDACTED
    assert len(list_feedback(opened)) == 4
    # ... and never runs backwards.
    kept_again = do_import(opened, path, keep_pii=True)
    assert (kept_again.added, kept_again.updated, kept_again.unchanged) == (0, 0, 4)
    assert stored(opened) == REDACTED


def test_an_edited_row_is_not_updated(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write_rows(tmp_path, ROWS[:1]), keep_pii=True)
    edited = [("p1", ROWS[0][1] + " (urgent)")]
    report = do_import(opened, write_rows(tmp_path, edited))
    assert (report.updated, report.unchanged) == (0, 1)
    assert stored(opened) == dict(ROWS[:1])


def test_rows_without_ids_keep_their_ids_across_modes(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    path = write_rows(tmp_path, ROWS)
    first = import_feedback(opened, path, text_column="text", keep_pii=True)
    ids = set(stored(opened))
    second = import_feedback(opened, path, text_column="text")
    assert (first.added, second.added, second.updated) == (4, 0, 3)
    assert set(stored(opened)) == ids


def test_repeats_differing_only_in_pii_are_one_item(opened: OpenWorkspace, tmp_path: Path) -> None:
    rows = [("r1", "call me on 020 7946 0958"), ("r1", "call me on 020 7946 0959")]
    report = do_import(opened, write_rows(tmp_path, rows))
    assert (report.added, report.unchanged) == (1, 1)
    assert stored(opened) == {"r1": "call me on [PHONE]"}


def _analyse(handle: OpenWorkspace) -> None:
    """What the insight engine writes: two themes and a reading for three of four items."""
    with handle.store.write() as session:
        product_id = session.scalar(select(Product.id))
        assert product_id is not None
        billing = Theme(product_id=product_id, number=7, label="=cmd|' /C calc'!A0 refunds")
        login = Theme(product_id=product_id, number=3, label="login blocked")
        session.add_all([billing, login])
        session.flush()
        rows = session.execute(select(FeedbackItem.external_id, FeedbackItem.id))
        items = {external_id: item_id for external_id, item_id in rows}
        session.add_all(
            [
                FeedbackInsight(
                    feedback_id=items["p2"],
                    theme_id=billing.id,
                    sentiment=-0.62,
                    kind="bug",
                    text_hash="x",
                ),
                FeedbackInsight(
                    feedback_id=items["p3"],
                    theme_id=login.id,
                    sentiment=0.0,
                    kind="question",
                    text_hash="x",
                ),
                # Analysed, but in no theme.
                FeedbackInsight(
                    feedback_id=items["p4"], sentiment=0.4, kind="praise", text_hash="x"
                ),
            ]
        )


def test_export_carries_theme_sentiment_and_kind(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write_rows(tmp_path, ROWS))
    _analyse(opened)
    out = io.StringIO()
    assert export_feedback(opened, out, "csv") == 4
    rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    pick = ("theme_id", "theme_label", "sentiment", "kind")
    assert [rows["p1"][c] for c in pick] == ["", "", "", ""]
    # A label that a spreadsheet would run is neutralised; the negative number is not.
    assert [rows["p2"][c] for c in pick] == ["7", "'=cmd|' /C calc'!A0 refunds", "-0.62", "bug"]
    assert [rows["p3"][c] for c in pick] == ["3", "login blocked", "0.0", "question"]
    assert [rows["p4"][c] for c in pick] == ["", "", "0.4", "praise"]

    out = io.StringIO()
    export_feedback(opened, out, "json")
    data = {d["external_id"]: d for d in json.loads(out.getvalue())}
    assert [data["p1"][c] for c in pick] == [None, None, None, None]
    assert [data["p2"][c] for c in pick] == [7, "=cmd|' /C calc'!A0 refunds", -0.62, "bug"]
    assert [data["p4"][c] for c in pick] == [None, None, 0.4, "praise"]


def test_list_carries_the_same_fields(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write_rows(tmp_path, ROWS))
    _analyse(opened)
    rows = {r.external_id: r for r in list_feedback(opened)}
    assert (rows["p3"].theme_id, rows["p3"].theme_label, rows["p3"].kind) == (
        3,
        "login blocked",
        "question",
    )
    assert rows["p1"].as_dict()["theme_id"] is None
    assert list(rows["p1"].as_dict())[-4:] == ["theme_id", "theme_label", "sentiment", "kind"]


def test_cli_keeps_the_kinds_and_addresses_asked_for(workspace_dir: Path, tmp_path: Path) -> None:
    from helpers import invoke

    rows = [("d1", "From 10.0.0.5 and 8.8.4.4, mail ann@shop.example, call +44 20 7946 0958")]
    path = write_rows(tmp_path, rows)
    result = invoke(
        "feedback", "import", str(path), "--text-column", "text", "--id-column", "id",
        "--keep-pii-type", "phone", "--keep-local-ips", "--source", "a",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = invoke(
        "feedback", "import", str(path), "--text-column", "text", "--id-column", "id",
        "--keep-pii-type", "ip", "--keep-pii-type", "email", "--source", "b",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    texts = {
        row["source"]: row["text"]
        for row in json.loads(invoke("feedback", "list", "--json").stdout)
    }
    assert texts == {
        "a": "From 10.0.0.5 and [IP], mail [EMAIL], call +44 20 7946 0958",
        "b": "From 10.0.0.5 and 8.8.4.4, mail ann@shop.example, call [PHONE]",
    }
