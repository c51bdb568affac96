"""Render a :class:`~productpath.reports.model.ReportContext` as Markdown, HTML or PDF.

HTML is one self-contained file: the stylesheet (``templates/report.css``, screen and print)
is embedded and the charts are inline SVG, so the file can be mailed or opened offline. The PDF
is WeasyPrint's rendering of that same HTML (A4, running header, page numbers in the footer).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from productpath.domain.escaping import markdown_cell, markdown_text
from productpath.reports.model import ReportContext, long_date

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment(autoescape: bool) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["md_cell"] = markdown_cell
    env.filters["md_text"] = markdown_text
    env.filters["styled_svg"] = styled_svg
    return env


@functools.cache
def stylesheet() -> str:
    """The report stylesheet, embedded in every HTML report."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


@functools.cache
def chart_stylesheet() -> str:
    return (TEMPLATES / "charts.css").read_text(encoding="utf-8")


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def styled_svg(svg: str) -> Markup:
    """``svg`` (trusted markup from productpath.charts) with the chart styles inside each
    ``<svg>``: print renderers do not apply the page's stylesheet to inline SVG."""
    style = f"<style>{chart_stylesheet()}</style>"
    return Markup(_SVG_OPEN.sub(lambda m: m.group(0) + style, svg))


def render_markdown(context: ReportContext) -> str:
    """The report as GitHub-flavoured Markdown; each chart becomes its one-sentence summary."""
    text: str = _environment(False).get_template("report.md.j2").render(report=context)
    # Collapse the blank lines that empty blocks leave behind.
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def render_html(context: ReportContext) -> str:
    """The report as one self-contained HTML document."""
    html: str = (
        _environment(True)
        .get_template("report.html.j2")
        .render(report=context, stylesheet=stylesheet())
    )
    return html


def render_pdf(html: str) -> bytes:
    """``html`` (from :func:`render_html`) printed to PDF by WeasyPrint."""
    import logging

    from weasyprint import HTML  # type: ignore[import-untyped]

    # WeasyPrint logs every CSS property it ignores at WARNING; the report's own CSS is known.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf: bytes | None = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    if pdf is None:  # pragma: no cover - only when a target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
