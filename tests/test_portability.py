"""`productpath export --all` / `import --all`: every table moves between databases, nothing lost.

The demo workspace (built once for the module) goes SQLite -> export -> PostgreSQL -> export,
and both exports must hold the same bytes for every table.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import invoke
from productpath.demo.builder import build_demo
from productpath.errors import ConflictError, InputError
from productpath.services.portability import export_all, import_all
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.store import dump, migrate
from productpath.store.models import ApiToken, Base, FeedbackItem, Product, Theme, User


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, exported once from SQLite."""
    base = tmp_path_factory.mktemp("demo")
    build_demo(base / "demo", today=dt.date(2025, 3, 3))
    with open_workspace(Settings(workspace=base / "demo", database_url=None)) as handle:
        export_all(handle, base / "export")
    return base / "export"


@pytest.fixture
def sqlite_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PRODUCTPATH_DATABASE_URL", raising=False)
    yield


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "tables").glob("*.jsonl"))}


def test_the_export_covers_every_table_but_the_caches(demo_export: Path) -> None:
    manifest = json.loads((demo_export / "manifest.json").read_text())
    names = {t["name"] for t in manifest["tables"]}
    every = set(Base.metadata.tables)
    assert names == every - dump.SKIPPED_TABLES
    assert manifest["format"] == "productpath-export"
    assert manifest["format_version"] == 1
    assert manifest["schema_revision"] == migrate.head_revision()
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    # The demo's content is really there, not just the table list.
    assert counts["feedback_item"] > 500
    assert counts["theme"] > 3
    assert counts["git_commit"] > 50
    assert counts["evidence_link"] > 0
    for entry in manifest["tables"]:
        lines = (demo_export / entry["file"]).read_text(encoding="utf-8").splitlines()
        assert len(lines) == entry["rows"]
    assert (demo_export / "productpath.toml").is_file()


@pytest.mark.postgres
def test_demo_round_trips_sqlite_to_postgresql_unchanged(
    demo_export: Path, postgres_url: str, tmp_path: Path
) -> None:
    summary = import_all(tmp_path / "pg", demo_export, database_url=postgres_url)
    assert summary.rows == sum(
        t["rows"] for t in json.loads((demo_export / "manifest.json").read_text())["tables"]
    )
    assert summary.product == "pocket"
    settings = Settings(workspace=tmp_path / "pg", database_url=postgres_url)
    with open_workspace(settings) as handle:
        export_all(handle, tmp_path / "again.zip")
        # Sequences moved past the imported ids: a new row gets a fresh id, no clash.
        with handle.store.write() as session:
            product_id = session.scalars(select(Product.id)).one()
            item = FeedbackItem(
                product_id=product_id, source="after", external_id="1", text="new one"
            )
            session.add(item)
            session.flush()
            biggest = max(
                json.loads(line)["id"]
                for line in (demo_export / "tables/feedback_item.jsonl").read_text().splitlines()
            )
            assert item.id == biggest + 1
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        archive.extractall(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(demo_export)


def test_import_into_sqlite_keeps_the_workspace_usable(
    demo_export: Path, tmp_path: Path, sqlite_env: None
) -> None:
    result = invoke("-w", str(tmp_path / "moved"), "import", "--all", str(demo_export), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["product"] == "pocket"
    assert data["warnings"] == []
    listed = invoke("-w", str(tmp_path / "moved"), "themes", "list", "--json")
    assert listed.exit_code == 0
    assert len(json.loads(listed.stdout)) > 3


def test_import_into_a_workspace_made_by_init_makes_the_export_product_its_own(
    demo_export: Path, tmp_path: Path, sqlite_env: None
) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    assert invoke("-w", str(copy), "init").exit_code == 0
    with (copy / "productpath.toml").open("a", encoding="utf-8") as config:
        config.write('\n[scoring]\nmethod = "rice"\n')
    result = invoke("-w", str(copy), "import", "--all", str(demo_export))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "note: the workspace's product is now 'pocket', the export's "
        "(productpath.toml named 'copy', which the export does not hold)\n"
    )
    config = (copy / "productpath.toml").read_text(encoding="utf-8")
    assert 'product = "pocket"' in config and 'name = "copy"' in config
    assert config.index('product = "pocket"') < config.index("[scoring]")
    shown = invoke("-w", str(copy), "roadmap", "show", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["initiatives"]


def test_import_refuses_a_workspace_that_holds_data(
    demo_export: Path, tmp_path: Path, sqlite_env: None
) -> None:
    import_all(tmp_path / "ws", demo_export)
    with pytest.raises(ConflictError, match="already holds data"):
        import_all(tmp_path / "ws", demo_export)


def test_a_damaged_export_changes_nothing(
    demo_export: Path, tmp_path: Path, sqlite_env: None
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(demo_export, broken)
    table = broken / "tables" / "theme.jsonl"
    # Same row count, one changed letter: only the hash can tell.
    table.write_text(table.read_text().replace('"label":"', '"label":"x', 1))
    with pytest.raises(InputError, match="SHA-256"):
        import_all(tmp_path / "ws", broken)
    settings = Settings(workspace=tmp_path / "ws", database_url=None)
    with open_workspace(settings) as handle, handle.store.read() as session:
        assert session.scalars(select(Theme)).all() == []
        assert session.scalars(select(FeedbackItem)).all() == []


def test_a_bad_row_names_file_line_and_field(
    demo_export: Path, tmp_path: Path, sqlite_env: None
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(demo_export, broken)
    table = broken / "tables" / "feedback_item.jsonl"
    lines = table.read_text().splitlines()
    row = json.loads(lines[2])
    row["created_at"] = "last tuesday"
    lines[2] = json.dumps(row)
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        import_all(tmp_path / "ws", broken)
    assert "feedback_item.jsonl:3" in str(caught.value)
    assert caught.value.field == "created_at"


def test_an_export_of_another_schema_is_refused(demo_export: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(demo_export, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["schema_revision"] = "0003"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="schema revision"):
        import_all(tmp_path / "ws", other)


def test_export_needs_all_and_a_new_path(
    demo_export: Path, workspace_dir: Path, tmp_path: Path
) -> None:
    no_all = invoke("export", str(tmp_path / "x"))
    assert no_all.exit_code == 1
    assert "--all" in no_all.stderr
    taken = invoke("export", "--all", str(demo_export))
    assert taken.exit_code == 1
    assert "already exists" in taken.stderr


def test_credentials_leave_only_when_asked(workspace_dir: Path, tmp_path: Path) -> None:
    with open_workspace() as handle:
        with handle.store.write() as session:
            user = User(email="ana@example.com", password_hash="$argon2id$v=19$secret-hash")
            session.add(user)
            session.flush()
            session.add(ApiToken(user_id=user.id, name="ci", prefix="pp_abc", token_hash="f" * 64))
        export_all(handle, tmp_path / "plain")
        export_all(handle, tmp_path / "full", credentials=True)
    plain = "".join(
        _files(tmp_path / "plain")[n].decode() for n in ("app_user.jsonl", "api_token.jsonl")
    )
    full = "".join(
        _files(tmp_path / "full")[n].decode() for n in ("app_user.jsonl", "api_token.jsonl")
    )
    assert "secret-hash" not in plain and "f" * 64 not in plain
    assert "ana@example.com" in plain and "pp_abc" in plain
    assert "secret-hash" in full and "f" * 64 in full


def test_values_encode_and_decode_exactly() -> None:
    theme = Base.metadata.tables["theme"]
    sample = {
        "centroid": b"\x00\x01\xfe\xff",
        "created_at": dt.datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=dt.UTC),
        "active": False,
        "size": 7,
    }
    for name, value in sample.items():
        column = theme.columns[name]
        assert dump.decode(dump.encode(value, column.type), column.type) == value
    score = Base.metadata.tables["experiment_result"].columns["p_value"]
    for number in (0.1 + 0.2, -0.0, 1e-300, math.inf, -math.inf):
        assert dump.decode(dump.encode(number, score.type), score.type) == number
    assert math.isnan(dump.decode(dump.encode(math.nan, score.type), score.type))
    with pytest.raises(dump.DumpError):
        dump.decode("seven", theme.columns["size"].type)
    with pytest.raises(dump.DumpError):
        dump.decode(1, theme.columns["active"].type)


def test_a_refused_import_is_one_line_on_stderr(workspace_dir: Path, tmp_path: Path) -> None:
    """No progress bar off a terminal: a failed import's stderr is the error line alone."""
    feedback = tmp_path / "fb.csv"
    feedback.write_text("id,text\n1,The card never arrived\n", encoding="utf-8")
    assert invoke("feedback", "import", str(feedback), "--text-column", "text").exit_code == 0
    assert invoke("export", "--all", str(tmp_path / "export")).exit_code == 0

    refused = invoke("import", "--all", str(tmp_path / "export"))

    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: the workspace's database already holds data")
    assert len(refused.stderr.splitlines()) == 1
