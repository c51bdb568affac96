"""``productpath NAME ...`` builds only the command NAME (issue 21): the same output as with
every command built, and every name the root knows can be kept alone."""

from __future__ import annotations

import copy

import pytest
from typer.testing import CliRunner

from productpath.cli.main import _command_word, app, keep_only_the_named_command


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
