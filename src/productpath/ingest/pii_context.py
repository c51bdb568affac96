"""Where developer text is not personal data: code, versions, exit codes and sizes.

Issue reports and commit-style feedback quote code (`` `@pytest.fixture(scope=...)` ``), name
package versions (``pluggy 1.0.0.1``, ``cudnn 8.1.0.77``: four-part versions are valid IPv4
addresses) and paste numbers that only look like phone numbers (``exit code 2147483647``,
``read 4294967295 bytes``). :mod:`pii` asks these questions before it replaces anything.

Code is what Markdown renders as code: an inline span between equal runs of backticks, a fenced
block (three or more backticks or tildes, to the matching fence or the end of the text), and an
indented block (lines indented by four spaces or a tab, after a blank line or at the start).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int]

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
# Not glued to a word or an "@": backticks are legal in an e-mail's local part ("`a`@x.io").
_INLINE = re.compile(r"(?<![`\w@.+-])(`+)(?!`)(.+?)(?<!`)\1(?![`\w@]|[.+-][\w@])", re.DOTALL)
_INDENTED = re.compile(r"(?:(?<=\n\n)|\A)(?:(?:    |\t)[^\n]*(?:\n|\Z))+")


def code_spans(text: str) -> list[Span]:
    """The spans of ``text`` that are code, in order, not overlapping."""
    if "`" not in text and "~" not in text and "    " not in text and "\t" not in text:
        return []
    spans: list[Span] = []
    fenced = list(_fenced(text))
    spans += fenced

    def outside(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in spans)

    for match in _INDENTED.finditer(text):
        if outside(*match.span()):
            spans.append(match.span())
    for match in _INLINE.finditer(text):
        # An inline span does not cross a blank line: that is two paragraphs, not code.
        if "\n\n" not in match.group(2) and outside(*match.span()):
            spans.append(match.span())
    return sorted(spans)


def _fenced(text: str) -> Iterator[Span]:
    position = 0
    while True:
        opening = _FENCE.search(text, position)
        if opening is None:
            return
        marks = opening.group(1)
        closing = re.compile(rf"^[ ]{{0,3}}{re.escape(marks[0])}{{{len(marks)},}}[ \t]*$", re.M)
        end_match = closing.search(text, opening.end())
        end = end_match.end() if end_match else len(text)
        yield opening.start(), end
        position = end


# A four-part number right after a name is a version ("pluggy 1.0.0.1", "cudnn 8.1.0.77"),
# unless the name is one that introduces an address.
_NAME_BEFORE = re.compile(r"(?:^|[\s(\[,;])([A-Za-z][A-Za-z0-9_.+-]{2,40})[ ]$")
_ADDRESS_WORDS = frozenset(
    (
        "ip",
        "ips",
        "ipv4",
        "ipv6",
        "address",
        "addresses",
        "addr",
        "host",
        "hostname",
        "server",
        "servers",
        "from",
        "to",
        "at",
        "via",
        "on",
        "in",
        "is",
        "was",
        "are",
        "and",
        "or",
        "the",
        "a",
        "an",
        "by",
        "client",
        "clients",
        "peer",
        "remote",
        "local",
        "gateway",
        "dns",
        "proxy",
        "node",
        "nodes",
        "ping",
        "user",
        "users",
        "customer",
        "source",
        "src",
        "dst",
        "destination",
        "of",
        "for",
        "with",
        "connect",
        "connecting",
        "connected",
        "listen",
        "listening",
        "bind",
        "route",
        "subnet",
        "mask",
        "netmask",
        "router",
        "machine",
        "vm",
        "instance",
        "box",
        "endpoint",
        "url",
        "http",
        "https",
        "origin",
        "visitor",
        "visitors",
        "me",
        "my",
        "our",
        "your",
        "their",
        "its",
        "behind",
        "blocked",
        "allow",
        "allowed",
        "deny",
        "denied",
        "ban",
        "banned",
        "whitelist",
        "allowlist",
        "blocklist",
        "loopback",
        "localhost",
        "private",
        "public",
        "internal",
        "external",
        "office",
        "home",
        "static",
        "dynamic",
        "new",
        "old",
        "this",
        "that",
        "it",
        "use",
        "using",
        "try",
        "tried",
        "got",
        "get",
        "see",
        "saw",
        "hit",
        "hits",
        "resolves",
        "resolved",
        "points",
        "pointing",
        "assigned",
        "address:",
        "ip:",
    )
)


# A two- or three-part version nearby ("Python 3.10", "pytest 7.1.2"): the text is about software.
_SHORT_VERSION = re.compile(r"(?<![\d.])\d{1,3}\.\d{1,4}(?:\.\d{1,4})?(?!\d|\.\d)")
_NEARBY = 300


def is_version_before(text: str, start: int) -> bool:
    """Whether the dotted number at ``start`` follows a name that makes it a version.

    All of: a major version below 100 (addresses such as 192.168.x.x or 203.0.113.x start with
    three digits far more often than versions do), a name of three or more characters right
    before it that is not a word introducing an address ("from", "host", "ip", ...), and
    either a name that is clearly a package's (a digit, "-", "_" or "." in it: "tensorflow-gpu",
    "py3") or another two- or three-part version within 300 characters ("Python 3.10").
    """
    major = text[start : start + 3].split(".", 1)[0]
    if len(major) > 2:
        return False
    found = _NAME_BEFORE.search(text, max(0, start - 42), start)
    if found is None or found.group(1).casefold() in _ADDRESS_WORDS:
        return False
    if any(not c.isalpha() for c in found.group(1)):
        return True
    window = text[max(0, start - _NEARBY) : start + _NEARBY]
    return _SHORT_VERSION.search(window) is not None


# "exit code 2147483647", "errno 4294967295", "returned 3221225477"
_COUNT_BEFORE = re.compile(
    r"\b(?:exit(?:ed)?(?:\s+with)?(?:\s+(?:code|status))?|code|status|errno|error|signal|"
    r"pid|size|length|offset|returned|return\s+code|rc|line|seed|timestamp|port|count|total)"
    r"\W{0,3}$",
    re.IGNORECASE,
)
# "4294967295 bytes", "2147483648 B", "5551234567 ms"
_UNIT_AFTER = re.compile(
    r"^\s?(?:bytes?|[KMGT]i?B|B|ms|µs|us|ns|s|secs?|seconds|items|rows|lines|records|tokens|"
    r"iterations|steps|files|chars|characters|words|objects|entries)\b",
    re.IGNORECASE,
)


def is_count(text: str, start: int, end: int) -> bool:
    """Whether the number at ``start:end`` is a code, a size or a count, not a phone number."""
    return bool(
        _COUNT_BEFORE.search(text, max(0, start - 30), start)
        or _UNIT_AFTER.match(text[end : end + 16])
    )
