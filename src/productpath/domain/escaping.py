"""One escaping helper per text format that values typed by people are written into.

A title, a theme label or a feedback quote is data. Written unescaped into Markdown,
``KYC [Reset your password](https://evil.example/phish)`` becomes a live link in the report,
the digest e-mail and the chat message, under our name; ``<script>`` passes through to
whatever renders it. Every place that puts a value into one of these formats calls the helper
for that format, and only it:

* :func:`markdown_text` / :func:`markdown_cell`: CommonMark / GitHub Markdown (``.md`` reports,
  the text part of digest e-mails, the ``markdown`` field of generic webhooks);
* :func:`mrkdwn_text`: Slack's ``mrkdwn`` (``&``, ``<`` and ``>`` as entities: with ``<``
  escaped, Slack's ``<url|text>`` links cannot form);
* :func:`plain_text`: one line of plain text (e-mail subjects and notification lines): line
  breaks and control characters become spaces.
"""

from __future__ import annotations

import re

# Backslash-escaped wherever they stand: emphasis, code, links and images ("[" starts both),
# raw HTML and autolinks ("<"), strikethrough, and the backslash itself.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>~])")
# "&" only where it would start a character reference (&lt; &#60;), so "R&D" stays readable.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What makes a line a heading, quote, list item, or a setext underline / thematic break.
_BLOCK_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def markdown_text(value: str) -> str:
    """``value`` as literal Markdown text: it renders as exactly these characters."""
    escaped = _ENTITY.sub(r"\\&", _MARKDOWN_INLINE.sub(r"\\\1", value))
    return "\n".join(_literal_line(line) for line in escaped.split("\n"))


def _literal_line(line: str) -> str:
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    indent, marker = match.groups()
    if marker[0].isdigit():  # "1." starts an ordered list: escape the dot instead
        end = match.end()
        return f"{line[:end]}\\{line[end:]}"
    return f"{indent}\\{line[len(indent) :]}"


def markdown_cell(value: str) -> str:
    """``value`` as literal text inside one cell of a Markdown table."""
    return markdown_text(value.replace("\r", " ").replace("\n", " ")).replace("|", "\\|")


def mrkdwn_text(value: str) -> str:
    """``value`` as literal text in Slack's ``mrkdwn``."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(value: str) -> str:
    """``value`` as one line of plain text: no line breaks or control characters."""
    return " ".join(_CONTROL.sub(" ", value).split())
