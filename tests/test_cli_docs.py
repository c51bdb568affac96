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


def _flat(text: str) -> str:
    """Text with box-drawing borders removed and every run of whitespace made one space."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def test_help_keeps_every_word_including_bracketed_ones() -> None:
    """Typer renders help as Rich markup, where "[llm]" is a style tag that vanishes and leaves
    "under  in"; every command's help, rendered, must read as written."""
    from typer.testing import CliRunner

    runner = CliRunner(env={"COLUMNS": "4000", "TERMINAL_WIDTH": "4000"})
    lost = []
    for name, command in _commands():
        args = [*name.split()[1:], "--help"]
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, (name, result.output)
        rendered = _flat(result.output)
        texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        for text in texts:
            # Typer shows a command's help from its docstring with paragraphs joined.
            written = _flat(text.replace("\\[", "["))
            if written and written not in rendered:
                lost.append((name, written))
    assert lost == []
