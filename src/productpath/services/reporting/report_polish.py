"""A report reworded in the workspace's ``[llm]`` tone (``report ... --polish``).

The deterministic report is rendered first and stays the source of truth: when the endpoint
fails or its rewrite loses a figure, the deterministic text is returned with a warning. Only
Markdown and HTML can be polished; a PDF is always the deterministic report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping

from productpath.domain.stakeholders import REPORT_READERS
from productpath.errors import InputError, WorkspaceError
from productpath.notify import config as notify_config
from productpath.notify.llm import polish, polished_html
from productpath.services.reporting.reports import RenderedReport, render_report
from productpath.services.workspace import OpenWorkspace


def llm_for(handle: OpenWorkspace, env: Mapping[str, str]) -> notify_config.LlmSettings:
    """The workspace's LLM settings; a one-line error when there are none."""
    config = notify_config.read_config(handle.workspace.config_path)
    source = str(handle.workspace.config_path)
    llm = notify_config.llm_settings(config, env, source)
    if llm is None:
        raise WorkspaceError(
            f"{source}: --polish needs [llm] endpoint and model (see docs/communication.md)"
        )
    return llm


def render_polished(
    handle: OpenWorkspace,
    kind: str,
    fmt: str = "md",
    *,
    since: dt.date | None = None,
    milestone: str | None = None,
    record: bool = True,
    today: dt.date | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[RenderedReport, str | None]:
    """The report in ``fmt`` (md or html), polished; and the warning when polish was skipped."""
    env = os.environ if env is None else env
    if fmt not in ("md", "html"):
        raise InputError(
            "--polish works with --format md or html; a PDF is always the generated report",
            field="format",
        )
    llm = llm_for(handle, env)
    report = render_report(
        handle, kind, "md", since=since, milestone=milestone, record=record, today=today
    )
    result = polish(
        report.content.decode("utf-8"),
        llm,
        audience=REPORT_READERS.get(kind, "a mixed audience"),
        env=env,
    )
    if not result.polished:
        if fmt == "html":
            report = render_report(
                handle, kind, "html", since=since, milestone=milestone, record=False, today=today
            )
        return report, result.warning
    if fmt == "md":
        return dataclasses.replace(report, content=result.text.encode("utf-8")), None
    html = polished_html(result.text, report.title)
    return (
        dataclasses.replace(
            report,
            format="html",
            content=html.encode("utf-8"),
            media_type="text/html",
            filename=report.filename.rsplit(".", 1)[0] + ".html",
        ),
        None,
    )
