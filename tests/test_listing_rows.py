"""The Core-only reads behind the fast listings: their tables match the mapped models, they
return what the ORM reads returned, and a listing imports no ORM (issue 21)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from productpath.errors import InputError
from productpath.settings import Settings
from productpath.store import listing_rows
from productpath.store.models import Base


def test_every_listing_table_names_real_columns_of_the_same_kind() -> None:
    for light in listing_rows.TABLES:
        mapped = Base.metadata.tables[light.name]
        for column in light.columns:
            assert column.name in mapped.c, f"{light.name}.{column.name} is not in the models"
            real = mapped.c[column.name].type
            assert type(column.type) is type(real), f"{light.name}.{column.name}: {real!r}"


def test_a_listing_process_imports_neither_the_orm_nor_the_models(tmp_path: Path) -> None:
    from productpath.services.workspace import init_workspace

    init_workspace(tmp_path / "ws", "Acme")
    code = (
        "import sys\n"
        "from productpath.services.listings import list_customers, list_feedback\n"
        "from productpath.services.listings import list_stakeholders\n"
        "from productpath.services.workspace import open_workspace\n"
        "from productpath.settings import Settings\n"
        f"with open_workspace(Settings(workspace={str(tmp_path / 'ws')!r})) as h:\n"
        "    assert list_customers(h) == [] and list_feedback(h) == []\n"
        "    assert list_stakeholders(h) == []\n"
        "heavy = [m for m in sys.modules if m.startswith(('sqlalchemy.orm', "
        "'productpath.store.models', 'pydantic', 'alembic'))]\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_settings_read_the_environment_and_given_values_win(tmp_path: Path) -> None:
    env = {
        "PRODUCTPATH_WORKSPACE": str(tmp_path),
        "productpath_database_url": "sqlite:///x.db",
        "PRODUCTPATH_REQUIRE_LOGIN": "yes",
        "PRODUCTPATH_MAX_REQUEST_BYTES": "4096",
        "PRODUCTPATH_LOGIN_LATCH": str(tmp_path / "latch"),
        "PRODUCTPATH_SCHEDULE": "false",
        "PRODUCTPATH_WEB_RUNS_JOBS": "0",
        "OTHER": "1",
    }
    read = Settings(environ=env)
    assert read.workspace == tmp_path and read.database_url == "sqlite:///x.db"
    assert read.require_login is True and read.max_request_bytes == 4096
    assert read.login_latch == tmp_path / "latch"
    # The job queue's switches: serve without the periodic schedule, or without a queue worker.
    assert read.schedule is False and read.web_runs_jobs is False
    assert read.allowed_host_list() == ["localhost", "127.0.0.1", "[::1]"]
    given = Settings(workspace=tmp_path / "w", database_url=None, environ=env)
    assert given.workspace == tmp_path / "w" and given.database_url is None
    bare = Settings(environ={})
    assert bare.workspace == Path.cwd() and bare.require_login is False
    assert bare.max_request_bytes == 2 * 1024 * 1024 and bare.login_latch is None
    assert bare.schedule is True and bare.web_runs_jobs is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRODUCTPATH_REQUIRE_LOGIN", "maybe"),
        ("PRODUCTPATH_MAX_REQUEST_BYTES", "12"),
        ("PRODUCTPATH_SCHEDULE", "sometimes"),
    ],
)
def test_a_bad_setting_is_one_clear_line(name: str, value: str) -> None:
    with pytest.raises(InputError, match=name):
        Settings(environ={name: value})


def test_stakeholders_read_as_rows_equal_the_orm_listing(opened: Any) -> None:
    """``stakeholders list`` reads plain rows; they equal the ORM read the web still uses,
    field for field and in the same order (roadmap position first, then key)."""
    from sqlalchemy import select

    from productpath.services.listings import list_stakeholders as listed_as_rows
    from productpath.services.stakeholders import (
        StakeholderInput,
        list_stakeholders,
        save_stakeholder,
    )
    from productpath.store.models import Stakeholder

    given = [
        StakeholderInput(name="Zoe Sales", channel="none", audience="sales_support", power="high"),
        StakeholderInput(
            name="Carla Finance",
            key="cfo",
            role="CFO",
            organisation="Finance",
            email="cfo@example.com",
        ),
        StakeholderInput(
            name="Ops Channel",
            channel="webhook",
            webhook_url="https://hooks.example.com/services/T0/B0/secret",
            interest="high",
            cadence="monthly",
        ),
        StakeholderInput(name="Ada Lovelace", email="ada@example.com", audience="executive"),
        StakeholderInput(
            name="Bob Builder", channel="none", power="high", interest="high", cadence="none"
        ),
    ]
    for one in given:
        save_stakeholder(opened, one)
    with opened.store.write() as session:  # two of them named by roadmap.yaml, in its order
        for key, position in (("zoe-sales", 0), ("ops-channel", 1)):
            row = session.scalars(select(Stakeholder).where(Stakeholder.key == key)).one()
            row.roadmap_position = position
    rows = listed_as_rows(opened)
    assert [row.as_dict() for row in rows] == [s.model_dump() for s in list_stakeholders(opened)]
    assert [row.key for row in rows][:2] == ["zoe-sales", "ops-channel"]
    assert rows[1].webhook == "https://hooks.example.com/…"


def test_kpi_reads_as_rows_equal_the_orm_reads(opened: Any) -> None:
    """``kpi show`` reads the KPI, its segments and its series as plain rows; they equal
    store.kpi_repo's ORM reads, which import and the other pages still use."""
    import datetime as dt

    from productpath.store import kpi_repo, product_repo
    from productpath.store.models import Kpi, KpiPoint

    day = dt.date(2026, 3, 1)
    with opened.store.write() as session:
        product = product_repo.find_id(session, opened.workspace.product)
        assert product is not None
        rate = Kpi(product_id=product, key="rate", name="Rate", unit="%", higher_is_better=False)
        count = Kpi(product_id=product, key="count", name="Count")
        session.add_all([rate, count])
        session.flush()
        for n in range(40):  # stored out of date order, in three segments
            for segment in ("", "eu", "us"):
                when = day + dt.timedelta(days=(n * 7) % 40)
                session.add(
                    KpiPoint(
                        kpi_id=rate.id,
                        day=when,
                        segment=segment,
                        value=n / 3,
                        source="kpis.csv",
                        external_id=f"{n}{segment}",
                    )
                )
        session.add(
            KpiPoint(
                kpi_id=count.id, day=day, segment="", value=5.0, source="kpis.csv", external_id="c"
            )
        )
    with opened.store.read() as session, opened.store.rows() as conn:
        assert listing_rows.product(conn, opened.workspace.product) == ("pocket", "Pocket", "")
        by_key = kpi_repo.by_key(session, product)
        rows = listing_rows.kpis(conn, product)
        assert rows == {
            k.key: (k.id, k.key, k.name, k.unit, k.higher_is_better) for k in by_key.values()
        }
        assert rows["rate"][3:] == ("%", False) and rows["count"][3:] == (None, True)
        for kpi in by_key.values():
            assert listing_rows.kpi_segments(conn, kpi.id) == kpi_repo.segments(session, kpi.id)
            for segment in ("", "eu", "none"):
                for start, end in ((None, None), (day + dt.timedelta(days=5), None)):
                    span = {"segment": segment, "start": start, "end": end}
                    assert listing_rows.kpi_series(conn, kpi.id, **span) == kpi_repo.series(
                        session, kpi.id, **span
                    )
        assert len(listing_rows.kpi_series(conn, rows["rate"][0], segment="eu")) == 40
