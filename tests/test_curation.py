"""Curation that sticks: rename, merge, split, move and dismiss survive incremental runs and
``insights run --full``; each can be undone; bad input is one line and changes nothing
(SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke

TOPICS = [
    ["my card was charged twice", "charged twice for one order", "my card charged twice",
     "i was charged twice today", "the card was charged twice", "charged twice again today",
     "card charged twice this week", "why was i charged twice"],
    ["the app crashes on start", "app crash when i open it", "crashes every time i log in",
     "the app keeps crashing", "crash on the login screen", "app crashed after the update",
     "it crashes when i open settings", "constant crashes on my phone"],
    ["please add dark mode", "dark mode would be great", "i want a dark theme",
     "add a dark mode option", "dark mode for night use", "need dark mode please",
     "could you add dark mode", "dark theme please"],
    ["delivery was very late", "my parcel arrived late", "late delivery again",
     "the courier was late", "delivery took two weeks", "package delivered late",
     "slow delivery to my address", "delivery is always late"],
]  # fmt: skip


def _import(tmp_path: Path, texts: list[str], start: int = 0) -> None:
    path = tmp_path / f"fb{start}.csv"
    rows = [f'c{start + i},"{t}",2026-0{1 + i % 6}-1{i % 9}' for i, t in enumerate(texts)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("feedback", "import", str(path), "--text-column", "text", "--id-column",
                    "id", "--date-column", "created")  # fmt: skip
    assert result.exit_code == 0, result.output


def _run(*extra: str) -> None:
    result = invoke("insights", "run", "--embedder", "hashing", *extra)
    assert result.exit_code == 0, result.output


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _items() -> dict[str, dict[str, Any]]:
    return {row["external_id"]: row for row in json.loads(_ok("feedback", "list", "--json"))}


def _themes() -> dict[int, dict[str, Any]]:
    listing = json.loads(_ok("themes", "list", "--json"))
    return {t["number"]: t for t in listing["themes"]}


def _theme_of(items: dict[str, dict[str, Any]], key: str) -> int | None:
    value = items[key]["theme_id"]
    return None if value is None else int(value)


@pytest.fixture()
def curated(workspace_dir: Path, tmp_path: Path) -> Path:
    _import(tmp_path, [text for topic in TOPICS for text in topic])
    _run("--full")
    items = _items()
    groups = [{_theme_of(items, f"c{8 * t + i}") for i in range(8)} for t in range(4)]
    assert all(len(g) == 1 and None not in g for g in groups), groups
    return tmp_path


def test_every_kind_of_decision_survives_full_runs(curated: Path) -> None:
    items = _items()
    charged, crash, dark, late = (_theme_of(items, f"c{8 * t}") for t in range(4))
    assert None not in (charged, crash, dark, late)
    _ok("themes", "rename", str(charged), "Double charges")
    _ok("themes", "merge", str(dark), str(late))
    split = _ok("themes", "split", str(crash), "--item", "c8", "--item", "c9", "--item", "c10")
    assert split.startswith("Decision 3: split #")
    _ok("feedback", "move", "c1", "--theme", str(dark))  # a charge item put with dark mode
    _ok("feedback", "dismiss", "c2")
    new_part = max(t for t in _themes())
    expected = _expected(charged, crash, dark, late, new_part)

    def check() -> None:
        now = _items()
        for key, theme in expected.items():
            assert _theme_of(now, key) == theme, (key, theme, now[key])
        themes = _themes()
        assert themes[charged]["label"] == "Double charges"
        assert themes[charged]["label_set_by"] == "cli"
        assert late not in themes  # merged into dark: it stays merged

    check()
    # New items join themes by nearness, and the decisions hold through both kinds of run.
    _import(curated, ["charged twice on my card today", "the app crashes when i open it"], 100)
    for extra in ((), ("--full",), ("--full", "--seed", "3"), ()):
        _run(*extra)
        check()
    assert _theme_of(_items(), "c100") == charged  # a new item may join a renamed theme
    log = json.loads(_ok("curation", "list", "--json"))
    assert [d["action"] for d in log] == ["rename", "merge", "split", "move", "dismiss"]
    assert all(d["set_by"] == "cli" and d["undone_at"] is None for d in log)


def _expected(charged: int | None, crash: int | None, dark: int | None, late: int | None,
              new_part: int) -> dict[str, int | None]:  # fmt: skip
    expected: dict[str, int | None] = {f"c{i}": charged for i in (0, 3, 4, 5, 6, 7)}
    expected |= {"c1": dark, "c2": None}
    expected |= {f"c{i}": new_part for i in (8, 9, 10)}
    expected |= {f"c{i}": crash for i in range(11, 16)}
    expected |= {f"c{i}": dark for i in range(16, 32)}
    assert late is not None
    return expected


def test_undo_puts_back_what_each_decision_changed(curated: Path) -> None:
    items = _items()
    charged, crash, dark, late = (_theme_of(items, f"c{8 * t}") for t in range(4))
    before = {key: _theme_of(items, key) for key in items}
    labels = {n: t["label"] for n, t in _themes().items()}
    _ok("themes", "rename", str(charged), "Double charges")
    _ok("themes", "merge", str(dark), str(late))
    _ok("themes", "split", str(crash), "--into", "2")
    _ok("feedback", "move", "c1", "--theme", str(dark))
    _ok("feedback", "dismiss", "c2")
    # Undo out of order, with a run in between: each goes back, the rest stay.
    assert _ok("curation", "undo", "2").startswith("Decision 2 undone: merged")
    now = _items()
    assert all(_theme_of(now, f"c{i}") == late for i in range(24, 32))
    assert _theme_of(now, "c1") == dark and _theme_of(now, "c2") is None
    _run("--full")
    assert all(_theme_of(_items(), f"c{i}") == late for i in range(24, 32))
    for number in (5, 4, 3, 1):
        _ok("curation", "undo", str(number))
    _run()
    now = _items()
    assert {key: _theme_of(now, key) for key in before} == before
    themes = _themes()
    assert themes[charged]["label"] == labels[charged] and themes[charged]["label_set_by"] is None
    again = invoke("curation", "undo", "1")
    assert again.exit_code == 1 and "undone already" in again.stderr
    listing = _ok("curation", "list")
    assert "(undone " in listing and listing.count("\n") == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (("themes", "merge", "{a}", "{a}"), "cannot merge with itself"),
        (("themes", "merge", "{a}"), "name two or more themes"),
        (("themes", "rename", "{a}", "   "), "label cannot be empty"),
        (("themes", "rename", "{a}", "x" * 500), "at most 200 characters (this one has 500)"),
        (("themes", "rename", "999", "Fine"), "no theme #999"),
        (("themes", "split", "{small}"), "has 2 items: a split needs at least 3"),
        (("themes", "split", "{a}", "--into", "1"), "--into must be from 2 to 10"),
        (("feedback", "move", "nope", "--theme", "{a}"), "no feedback item 'nope'"),
        (("feedback", "move", "c0", "--theme", "abc"), "'abc' is not a theme number"),
        (("feedback", "dismiss", "nope"), "no feedback item 'nope'"),
        (("curation", "undo", "7"), "no curation decision 7"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    curated: Path, args: tuple[str, ...], message: str
) -> None:
    items = _items()
    a = _theme_of(items, "c0")
    crash = _theme_of(items, "c8")
    _ok("themes", "split", str(crash), "--item", "c8", "--item", "c9")
    small = max(_themes())
    state = (_ok("feedback", "list", "--json"), _ok("themes", "list", "--json"))
    log = _ok("curation", "list", "--json")
    result = invoke(*(arg.format(a=a, small=small) for arg in args))
    assert result.exit_code != 0
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert (_ok("feedback", "list", "--json"), _ok("themes", "list", "--json")) == state
    assert _ok("curation", "list", "--json") == log


@pytest.mark.empty_database
def test_the_migration_moves_a_source_s_kind_into_the_labels(database_url: str) -> None:
    """0018: ``feedback_item.labelled_kind`` becomes a ``file`` label; a person's label stays."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    from productpath.store import migrate
    from productpath.store.db import make_engine
    from productpath.store.models import FeedbackLabel, Product

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0015")
        with Session(engine) as s, s.begin():
            product = Product(key="p", name="P")
            s.add(product)
            s.flush()
            insert = text(
                "INSERT INTO feedback_item (id, product_id, source, external_id, text, "
                "imported_at, labelled_kind) VALUES (:id, :pid, 'gh', :ext, 'x', :now, :kind)"
            )
            now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            for number, kind in ((1, "bug"), (2, "feature_request"), (3, None), (4, "bug")):
                s.execute(insert, {"id": number, "pid": product.id, "ext": f"i{number}",
                                   "now": now, "kind": kind})  # fmt: skip
            s.execute(
                text(
                    "INSERT INTO theme (id, product_id, number, label, keywords, size, model, "
                    "active, created_at, updated_at) VALUES (1, :pid, 1, 'T', '[]', 1, 'm', "
                    ":yes, :now, :now)"
                ),
                {"pid": product.id, "now": now, "yes": True},
            )
            s.execute(
                text(
                    "INSERT INTO feedback_insight (feedback_id, theme_id, kind, text_hash, "
                    "analysed_at) VALUES (1, 1, 'bug', 'h', :now)"
                ),
                {"now": now},
            )
            s.execute(
                text(
                    "INSERT INTO feedback_label (feedback_id, kind, sentiment, source, set_at) "
                    "VALUES (2, 'question', NULL, 'person', :now), (4, NULL, 0.5, 'person', :now)"
                ),
                {"now": now},
            )
        migrate.upgrade(engine)
        with Session(engine) as s:
            labels = {
                row.feedback_id: (row.kind, row.sentiment, row.source)
                for row in s.scalars(select(FeedbackLabel))
            }
            # Nothing pointing at the altered tables is lost (no copy of them cascades).
            kept = s.execute(text("SELECT feedback_id, theme_id FROM feedback_insight")).all()
        assert [tuple(row) for row in kept] == [(1, 1)]
        assert labels == {
            1: ("bug", None, "file"),
            2: ("question", None, "person"),  # a person's kind is never replaced
            4: ("bug", 0.5, "person"),  # a label without a kind gets the source's
        }
        command.downgrade(migrate._config(engine), "0015")  # back: the file's kinds again
        with Session(engine) as s:
            back = dict(s.execute(text("SELECT id, labelled_kind FROM feedback_item")).all())
        assert back == {1: "bug", 2: None, 3: None, 4: None}
    finally:
        engine.dispose()


def test_dismissed_items_are_not_counted_as_unassigned(curated: Path) -> None:
    assert _unassigned() == (0, 0)
    _ok("feedback", "dismiss", "c2", "c3")
    assert _unassigned() == (0, 2)  # in no theme, but by a person's choice: not feedback
    for extra in ((), ("--full",)):
        report = json.loads(_ok("insights", "run", "--embedder", "hashing", "--json", *extra))
        assert (report["unassigned"], report["dismissed"]) == (0, 2)
        assert report["unassigned_since_full"] == 0
        assert _unassigned() == (0, 2)
    assert "0 items unassigned, 2 dismissed as not feedback" in _ok("insights", "run")
    undo = max(d["number"] for d in json.loads(_ok("curation", "list", "--json")))
    _ok("curation", "undo", str(undo))
    assert _unassigned() == (0, 0)  # back in their theme


def _unassigned() -> tuple[int, int]:
    listing = json.loads(_ok("themes", "list", "--json"))
    return listing["unassigned"], listing["dismissed"]
