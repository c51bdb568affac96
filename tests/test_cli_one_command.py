"""``productpath NAME ...`` builds only the command NAME (issue 21): the same output as with
every command built, and every name the root knows can be kept alone."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from productpath.cli.main import (
    GROUP_MODULES,
    REGISTERING_MODULES,
    _command_word,
    app,
    build,
    keep_only_the_named_command,
)


def _names(root: object) -> list[str]:
    import typer

    assert isinstance(root, typer.Typer)
    groups = [str(g.name) for g in root.registered_groups]
    commands = [
        c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))
        for c in root.registered_commands
    ]
    return groups + commands


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["customers", "list"], "customers"),
        (["-w", "ws", "feedback", "list", "--limit", "3"], "feedback"),
        (["--workspace", "ws", "init"], "init"),
        (["--workspace=ws", "backup", "out.zip"], "backup"),
        (["--help"], None),
        (["-w", "ws", "--version"], None),
        ([], None),
    ],
)
def test_the_command_word_skips_root_options(args: list[str], word: str | None) -> None:
    assert _command_word(args) == word


def test_every_command_can_be_kept_alone() -> None:
    names = _names(app)
    assert len(names) == len(set(names)) and {"customers", "init", "sync", "report"} <= set(names)
    for name in names:
        alone = copy.copy(app)
        keep_only_the_named_command(alone, [name, "--help"])
        assert _names(alone) == [name]
    unknown = copy.copy(app)
    keep_only_the_named_command(unknown, ["custmers", "list"])
    assert _names(unknown) == names


@pytest.mark.parametrize("args", [["customers", "--help"], ["backup", "--help"], ["custmers"]])
def test_one_command_answers_as_the_whole_tree_does(args: list[str]) -> None:
    alone = copy.copy(app)
    keep_only_the_named_command(alone, args)
    runner = CliRunner()
    whole = runner.invoke(app, args, terminal_width=100)
    one = runner.invoke(alone, args, terminal_width=100)
    assert (one.exit_code, one.output) == (whole.exit_code, whole.output)


def test_each_command_word_builds_its_own_module_and_no_other() -> None:
    """The words main.py lists per module are the ones each module adds, and together with
    ``init`` they are every command of the whole tree, in its order."""
    listed = ["init", *GROUP_MODULES, *(w for _m, words in REGISTERING_MODULES for w in words)]
    assert sorted(_names(app)) == sorted(listed)
    for module in GROUP_MODULES:
        assert sorted(_names(build(module))) == sorted([module, "init"])
    for _module, words in REGISTERING_MODULES:
        for word in words:
            assert sorted(_names(build(word))) == sorted([*words, "init"])
    assert _names(build("init")) == ["init"]
    assert _names(build("custmers")) == _names(app)  # a mistyped word: every command, for help
    assert _names(build(None)) == _names(app)


def test_a_listing_process_imports_only_its_own_command_module(tmp_path: Path) -> None:
    from productpath.services.workspace import init_workspace

    init_workspace(tmp_path / "ws", "Acme")
    code = (
        "import sys\n"
        f"sys.argv = ['productpath', '-w', {str(tmp_path / 'ws')!r}, 'customers', 'list']\n"
        "from productpath.cli.main import run\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('productpath.cli.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = done.stdout.split("\n")[-2].split()
    assert loaded == ["productpath.cli.common", "productpath.cli.customers", "productpath.cli.main"]
