"""Every importer, fed malformed files: success, or one error naming the file, and no partial write.

A few dozen hypothesis examples per importer keep this fast; bench/bench_reliability.py runs
the same harness (tests/fuzz_inputs.py) with more than 10,000 inputs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_inputs import IMPORTERS, Importer, attempt, malformed
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings

EXAMPLES = 15


@pytest.fixture(scope="module")
def handle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenWorkspace]:
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    init_workspace(root, "Pocket", None)
    with open_workspace(Settings(workspace=root, database_url=None)) as opened:
        yield opened


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_malformed_files_fail_cleanly(
    importer: Importer, handle: OpenWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(importer.name)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=malformed(importer))
    def check(data: bytes) -> None:
        path = folder / f"input{importer.suffix}"
        outcome = attempt(importer, handle, path, data)
        assert outcome.crash is None, f"{importer.name} crashed on {data[:120]!r}: {outcome.crash}"
        assert not outcome.partial_write, f"{importer.name} wrote half of {data[:120]!r}"
        assert not outcome.unnamed_file, f"{importer.name}: the error does not name the file"

    check()


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_the_seed_files_import(
    importer: Importer, handle: OpenWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The harness starts from valid files: a fuzz run of only refusals would prove nothing."""
    path = tmp_path_factory.mktemp("seed") / f"seed{importer.suffix}"
    outcome = attempt(importer, handle, path, importer.seed.encode())
    assert outcome.ok, outcome


def test_the_strategy_damages_files() -> None:
    seen: set[bytes] = set()

    @settings(max_examples=40, derandomize=True, deadline=None)
    @given(data=malformed(IMPORTERS[0]))
    def collect(data: bytes) -> None:
        seen.add(data)

    collect()
    assert len(seen) > 20
    assert any(b"\x00" in d for d in seen) or any(d.startswith(b"\xff\xfe") for d in seen)
    assert st is not None
