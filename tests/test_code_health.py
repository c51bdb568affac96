"""Code health from a real git repository built here with known authors, files and dates."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from helpers import invoke
from productpath.delivery.code_health import bus_factor, directory_of
from productpath.delivery.complexity import lines_of_code, python_cyclomatic
from productpath.errors import InputError
from productpath.services.work.tech import code_health

NEWEST = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
ANA = ("Ana Ruiz", "ana@example.com")
BO = ("Bo Lindqvist", "bo@example.com")
CY = ("Cy Young", "cy@example.com")
DAN = ("Dan Brown", "dan@example.com")

CORE = (
    "def f(a, b):\n"
    "    if a and b:\n"
    "        return 1\n"
    "    for i in range(3):\n"
    "        pass\n"
    "    return 0\n"
)


class Repo:
    """A git repository whose commits are written with fixed authors and dates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.days: list[int] = []
        root.mkdir()
        self._git("init", "-q", "-b", "main")

    def _git(self, *args: str, env: dict[str, str] | None = None) -> None:
        base = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)}
        subprocess.run(
            ["git", "-C", str(self.root), *args],
            check=True,
            capture_output=True,
            env={**os.environ, **base, **(env or {})},
        )

    def commit(self, day: int, author: tuple[str, str], **changes: str | None) -> None:
        """Write (or with None delete) files, then commit as ``author`` ``day`` days from NEWEST.

        Keyword names are paths with ``__`` for ``/`` and ``_DOT_`` for ``.``.
        """
        for key, text in changes.items():
            path = self.root / key.replace("__", "/").replace("_DOT_", ".")
            if text is None:
                self._git("rm", "-q", str(path.relative_to(self.root)))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self._git("add", str(path.relative_to(self.root)))
        self._stamp(day, author)

    def move(self, day: int, author: tuple[str, str], old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self._git("mv", old, new)
        self._stamp(day, author)

    def _stamp(self, day: int, author: tuple[str, str]) -> None:
        when = NEWEST + dt.timedelta(days=day)
        stamp = f"@{int(when.timestamp())} +0000"
        name, email = author
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp,
        }
        self._git("commit", "-q", "-m", f"change on day {day}", env=env)
        self.days.append(day)


def appended(base: str, count: int) -> str:
    return base + "".join(f"x{n} = {n}\n" for n in range(1, count + 1))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    r = Repo(tmp_path_factory.mktemp("health") / "repo")
    legacy = "def old():\n    return 1\n"
    r.commit(-700, CY, README_DOT_md="# Demo\n", src__legacy__old_DOT_py=legacy)
    for n, day in enumerate((-650, -600, -550, -500, -300), start=1):
        r.commit(day, CY, src__legacy__old_DOT_py=appended(legacy, n))
    server = "def serve():\n    return 'ok'\n"
    for n, day in enumerate((-600, -550, -500, -450, -400)):
        r.commit(day, DAN, src__api__server_DOT_py=appended(server, n))
    r.commit(-330, ANA, docs__intro_DOT_md="# Intro\n\nFirst words.\n")
    r.commit(-250, ANA, docs__intro_DOT_md="# Intro\n\nFirst words.\nMore.\n")
    r.commit(-200, ANA, src__app__core_DOT_py=CORE)
    r.commit(-190, BO, src__app__util_DOT_py="# util\nVALUE = 1\n")
    r.commit(-180, ANA, src__app__tmp_DOT_py="a = 1\n")
    r.commit(-170, ANA, src__app__tmp_DOT_py="a = 1\nb = 2\n")
    r.commit(-160, ANA, src__app__tmp_DOT_py=None)
    r.commit(-150, ANA, src__app__core_DOT_py=appended(CORE, 1))
    r.commit(-120, BO, src__app__util_DOT_py="# util\nVALUE = 1\ny = 2\n")
    r.commit(-100, ANA, src__app__core_DOT_py=appended(CORE, 2))
    r.move(-90, BO, "docs/intro.md", "docs/guide.md")
    r.commit(-50, ANA, src__app__core_DOT_py=appended(CORE, 3))
    r.commit(-40, ANA, src__api__server_DOT_py=appended(server, 5))
    r.commit(-30, ANA, docs__guide_DOT_md="# Intro\n\nFirst words.\nMore.\nLast.\n")
    r.commit(-20, BO, src__app__core_DOT_py=appended(CORE, 4))
    r.commit(-10, BO, src__app__util_DOT_py="# util\nVALUE = 1\ny = 2\nz = 3\n")
    r.commit(0, ANA, src__app__core_DOT_py=appended(CORE, 4) + "\n# the end\n")
    return r


def test_hotspots_rank_by_commits_times_lines_of_code(repo: Repo) -> None:
    report = code_health(repo.root)
    assert report.branch == "main"
    assert report.newest_commit == NEWEST
    assert report.window_start == NEWEST - dt.timedelta(days=365)
    assert report.commits == len(repo.days)
    assert report.commits_in_window == sum(day >= -365 for day in repo.days)
    assert report.authors_in_window == 3  # Ana, Bo, Cy (day -300); Dan stopped at day -400
    rows = [
        (h.path, h.commits, h.lines_changed, h.authors, h.lines_of_code, h.cyclomatic, h.score)
        for h in report.hotspots
    ]
    assert rows == [
        # 6 commits; 6 lines + 4 appended + (blank and comment: 2 added, not code)
        ("src/app/core.py", 6, 12, 2, 10, 5, 60),
        # the rename is followed: 2 commits as intro.md, the move, 1 edit as guide.md
        ("docs/guide.md", 4, 5, 2, 4, None, 16),
        ("src/app/util.py", 3, 4, 1, 3, 1, 9),
    ]
    # deleted (tmp.py), once in the window (server.py, old.py), untouched (README.md): no rank


def test_ownership_bus_factor_per_directory(repo: Repo) -> None:
    report = code_health(repo.root, min_commits=2)
    rows = [
        (o.directory, o.commits, o.authors, o.bus_factor, o.concentration, o.main_authors)
        for o in report.ownership
    ]
    assert rows == [
        ("docs", 4, 2, 1, 0.75, ("Ana Ruiz",)),
        # 5 by Ana, 4 by Bo (the deleted tmp.py does not count): Ana alone has >= 50%
        ("src/app", 9, 2, 1, 0.556, ("Ana Ruiz",)),
    ]
    default = code_health(repo.root)
    assert [o.directory for o in default.ownership] == ["src/app"]  # docs has < 5 commits


def test_abandoned_areas(repo: Repo) -> None:
    report = code_health(repo.root)
    assert report.repository_active
    rows = [(a.directory, a.commits, a.days_since_change, a.main_authors) for a in report.abandoned]
    assert rows == [("src/legacy", 6, 300, ("Cy Young",)), ("src/api", 6, 40, ("Dan Brown",))]
    legacy, api = report.abandoned
    assert legacy.reasons == (
        "no change in 180+ days",
        "its main authors (Cy Young) stopped committing 180+ days ago",
    )
    assert api.reasons == ("its main authors (Dan Brown) stopped committing 180+ days ago",)
    # A longer threshold: legacy (300 days) is still stale; Dan's last commit (400) too.
    longer = code_health(repo.root, abandoned_days=350)
    assert [a.directory for a in longer.abandoned] == ["src/api"]


def test_depth_and_window_change_the_grouping(repo: Repo) -> None:
    report = code_health(repo.root, depth=1, window_days=60, min_commits=2)
    assert [(o.directory, o.commits) for o in report.ownership] == [("src", 5)]
    assert [h.path for h in report.hotspots] == ["src/app/core.py"]  # util.py: 1 commit


def test_a_folder_inside_means_the_whole_repository(repo: Repo) -> None:
    inside = code_health(repo.root / "src" / "app")
    assert inside.repository == str(repo.root.resolve())
    assert [h.path for h in inside.hotspots] == [h.path for h in code_health(repo.root).hotspots]


def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository"):
        code_health(tmp_path)


def test_cli_table_and_json(repo: Repo) -> None:
    result = invoke("code", "health", str(repo.root), "--top", "2")
    assert result.exit_code == 0, result.output
    assert "src/app/core.py" in result.stdout and "src/legacy" in result.stdout
    assert "docs/guide.md" in result.stdout and "src/app/util.py" not in result.stdout
    data = json.loads(invoke("code", "health", str(repo.root), "--json").stdout)
    assert data["hotspots"][0]["path"] == "src/app/core.py"
    assert data["abandoned"][0]["last_change"] == (NEWEST - dt.timedelta(days=300)).isoformat()
    assert data["ownership"][0]["bus_factor"] == 1


def test_cli_outside_a_git_repository_is_one_line(tmp_path: Path) -> None:
    result = invoke("code", "health", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path}: not a git repository\n"


def test_bus_factor_counts_authors_to_half() -> None:
    assert bus_factor({"a": 3, "b": 2, "c": 1}) == (1, ("a",))
    assert bus_factor({"a": 2, "b": 2, "c": 2}) == (2, ("a", "b"))
    assert bus_factor({}) == (0, ())
    assert directory_of("README.md", 2) == "."
    assert directory_of("src/app/api/x.py", 2) == "src/app"


def test_lines_of_code_skip_blanks_and_comments() -> None:
    text = "// head\n/* block\n still\n*/ int a;\n\nint b; // tail\n  * not a comment\n"
    assert lines_of_code(text, "x.c") == 3
    assert lines_of_code("# t\n\nx = 1\n", "x.py") == 1
    assert lines_of_code("# t\n\nx = 1\n", "notes.txt") == 2


def test_python_cyclomatic() -> None:
    text = (
        "def f(x):\n"
        "    if x > 1 or x < -1:\n"
        "        return [i for i in range(x) if i]\n"
        "    try:\n        pass\n    except ValueError:\n        pass\n"
        "    return 1 if x else 2\n"
        "g = lambda y: y\n"
    )
    # module 1, def 1, if 1, or 1, comprehension 1 + its if 1, except 1, ternary 1, lambda 1
    assert python_cyclomatic(text) == 9
    assert python_cyclomatic("def (:\n") is None
