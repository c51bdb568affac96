"""Every CLI command has help text and a section in docs/, and --help stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import typer.main

from productpath.cli.main import app

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands() -> list[tuple[str, Any]]:
    """(full name, click command) for every leaf command. Typer vendors click, so duck-type."""
    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}", sub)
        else:
            found.append((prefix, command))

    walk("productpath", root)
    return found


def test_there_are_commands() -> None:
    names = [name for name, _ in _commands()]
    assert "productpath init" in names
    assert len(names) >= 5


def test_every_command_and_option_has_help() -> None:
    missing = []
    for name, command in _commands():
        if not (command.help or "").strip():
            missing.append(name)
        for param in command.params:
            if param.param_type_name == "option" and not (param.help or "").strip():
                missing.append(f"{name} {param.opts[0]}")
    assert missing == []


def test_every_command_is_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    undocumented = [name for name, _ in _commands() if f"### `{name}`" not in text]
    assert undocumented == []


def test_help_does_not_import_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from productpath.cli.main import run\n"
        "sys.argv = ['productpath', '--help']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = {'torch', 'sklearn', 'pandas', 'weasyprint', 'sqlalchemy', 'fastapi',"
        " 'uvicorn', 'numpy', 'sentence_transformers', 'alembic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip() == "[]"
