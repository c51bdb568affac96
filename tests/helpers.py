"""Helpers tests import directly (``from helpers import invoke``)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Sequence

from typer.testing import CliRunner, Result


def invoke(*args: str, runner: CliRunner | None = None) -> Result:
    """Run ``productpath ARGS`` in-process; the result has exit_code, stdout and stderr."""
    from productpath.cli.main import app

    return (runner or CliRunner()).invoke(app, list(args), catch_exceptions=False)


def free_port() -> int:
    """A local TCP port nothing listens on now (``serve`` really binds the port it is given)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def loaded_by(code: str, modules: Sequence[str]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    script = (
        f"{code}\nimport sys\nprint(','.join(m for m in {list(modules)!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


# The scripts every page loads (static/search.js: "/" focuses the search box; keys.js: the
# keyboard shortcuts; mention.js: @mention completion in comment boxes, idle on pages without one).
SITE_SCRIPT = '<script src="/static/search.js" defer></script>'
SITE_SCRIPTS = (
    SITE_SCRIPT,
    '<script src="/static/keys.js" defer></script>',
    '<script src="/static/mention.js" defer></script>',
)


def page_code(html: str) -> str:
    """A page without its site-wide script tags, so a test can check it holds no other code."""
    for tag in SITE_SCRIPTS:
        html = html.replace(tag, "")
    return html
