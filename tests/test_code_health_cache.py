"""Code health is computed once per repository head (at ingest) and read afterwards."""

from __future__ import annotations

from pathlib import Path

from git_fixtures import BO, Repo, build_sample
from productpath.services.pages.tech_view import code_health_view
from productpath.services.work.code_health_cache import cached_code_health, code_health_dir
from productpath.services.work.git import ingest_repository
from productpath.services.work.tech import code_health
from productpath.services.workspace import OpenWorkspace


def test_ingest_stores_it_and_the_page_reads_it_until_the_head_moves(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    repo: Repo = build_sample(tmp_path / "repo")
    ingest_repository(opened, repo.root)
    stored = sorted(code_health_dir(opened).glob("*.json"))
    assert len(stored) == 1
    fresh = code_health(repo.root, top=50)
    assert cached_code_health(repo.root, code_health_dir(opened), top=50) == fresh
    # What the page shows comes from the stored file: a planted value shows through.
    stored[0].write_text(
        stored[0].read_text(encoding="utf-8").replace('"commits": 8', '"commits": 8008'),
        encoding="utf-8",
    )
    (page,) = code_health_view(opened).repositories
    assert page.commits == 8008
    # A new commit is a new head: computed (and stored) again.
    repo.write("src/later.py", "x = 1\n")
    repo.commit("Later", BO)
    (page,) = code_health_view(opened).repositories
    assert page.commits == 9
    assert len(list(code_health_dir(opened).glob("*.json"))) == 2
