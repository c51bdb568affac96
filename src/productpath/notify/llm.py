"""Optional polish: rewrite a report's Markdown in a chosen tone through an OpenAI-compatible
``/v1/chat/completions`` endpoint.

Off unless ``[llm]`` names an endpoint and the user asks for it (``--polish``). The
deterministic text stays the source of truth: whenever the endpoint fails, answers nonsense,
or its rewrite drops or changes a figure of the original, the original is used and a warning
says why.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from productpath.notify.config import LlmSettings

INSTRUCTIONS = (
    "You rewrite status reports for {audience}. Rewrite the Markdown report the user sends "
    "in a {tone} tone. Keep every fact, number, percentage, date, name and link exactly as "
    "written; keep the Markdown headings, lists and tables; add no new information, no "
    "preamble and no closing remarks. Answer with the rewritten Markdown only."
)
# Figures the rewrite must keep: 85%, 14, 2030-03-14, 1,200.50 ...
_FIGURE = re.compile(r"\d+(?:[.,:/-]\d+)*%?")


@dataclass(frozen=True)
class PolishResult:
    text: str
    polished: bool
    warning: str | None = None


def chat_url(endpoint: str) -> str:
    """The completions URL for an endpoint given as a base URL, ``.../v1`` or the full path."""
    base = endpoint.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def polish(
    text: str,
    settings: LlmSettings,
    *,
    audience: str = "a mixed audience",
    env: Mapping[str, str] | None = None,
) -> PolishResult:
    """``text`` rewritten in the settings' tone, or ``text`` itself with a warning."""
    env = os.environ if env is None else env
    try:
        rewritten = _complete(text, settings, audience, env)
    except _PolishError as exc:
        return PolishResult(text, False, f"LLM polish skipped: {exc}; using the original text")
    missing = _missing_figures(text, rewritten)
    if missing:
        shown = ", ".join(missing[:5])
        return PolishResult(
            text,
            False,
            f"LLM polish skipped: the rewrite dropped or changed figures ({shown}); "
            "using the original text",
        )
    if _markup_count(rewritten) > _markup_count(text):
        return PolishResult(
            text,
            False,
            "LLM polish skipped: the rewrite added links or HTML the report did not have; "
            "using the original text",
        )
    return PolishResult(rewritten, True)


def polish_markdown(text: str, settings: LlmSettings) -> str:
    """The polished text, or the original when polishing fails (see :func:`polish`)."""
    return polish(text, settings).text


class _PolishError(Exception):
    pass


def _complete(text: str, settings: LlmSettings, audience: str, env: Mapping[str, str]) -> str:
    body = {
        "model": settings.model,
        "temperature": 0,
        "messages": [
            {
                "role": "system",
                "content": INSTRUCTIONS.format(audience=audience, tone=settings.tone),
            },
            {"role": "user", "content": text},
        ],
    }
    headers = {"Content-Type": "application/json"}
    key = settings.api_key(env)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(
        chat_url(settings.endpoint),
        data=json.dumps(body).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise _PolishError(f"the endpoint answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        why = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise _PolishError(f"cannot reach the endpoint: {why}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _PolishError("the endpoint's answer is not JSON") from exc
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise _PolishError("the endpoint's answer has no choices[0].message.content") from exc
    if not isinstance(content, str) or not content.strip():
        raise _PolishError("the endpoint answered with empty text")
    return content.strip() + "\n"


# A Markdown link or image, an autolink or a raw HTML tag, where no backslash makes it text.
_MARKUP = re.compile(r"(?<!\\)\]\(|(?<!\\)<[A-Za-z/!]")


def _markup_count(text: str) -> int:
    """Links and tags in ``text``: a model that drops the escapes the report put around what
    people typed (a title shaped like a link) would turn that text into a live link."""
    return len(_MARKUP.findall(text))


def _missing_figures(original: str, rewritten: str) -> list[str]:
    """Figures (numbers, dates, percentages) of ``original`` that ``rewritten`` lacks."""
    return sorted(set(_FIGURE.findall(original)) - set(_FIGURE.findall(rewritten)))


def polished_html(markdown: str, title: str) -> str:
    """A plain HTML e-mail body for polished Markdown (raw HTML in it is escaped, not kept).

    The deterministic report, charts included, travels as the PDF attachment; this body says so.
    """
    from html import escape

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>\n{body}"
        "<p><small>Reworded for tone by a language model from the generated report; the "
        "figures are checked against it. The attached PDF, when present, is the original."
        "</small></p>\n</body></html>\n"
    )
