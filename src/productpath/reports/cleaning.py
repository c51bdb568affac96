"""Commit, pull-request and issue titles rewritten for the people who use the product.

``clean_title`` strips what only the team understands: a conventional-commit prefix
(``feat(cards)!:``), ticket keys (``POCKET-12``, ``#123``, ``GH-7``), "Merge pull request ...
from owner/branch" and "Merge branch '...'" wrappers, bracketed tags (``[WIP]``), trailing
``(#123)``, and internal names the caller passes (team, repository and branch names). What is
left starts with a capital and ends without a full stop. Titles that are only housekeeping
(``chore:``, ``ci:``, ``test:``, ``qa:``, ``refactor:``, ``docs:`` and the like, "Fix lint",
"Tidy ...", reverts, version bumps) return None: users do not read about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Conventional-commit types that change nothing a user sees.
HOUSEKEEPING = (
    "chore", "ci", "test", "tests", "build", "style", "refactor", "docs", "wip", "qa", "lint",
)  # fmt: skip
# Housekeeping said without a prefix: "Fix lint in db", "Tidy auth", "Type hints for x".
_CHORE_WORDS = re.compile(
    r"^\s*(?:fix(?:es)? (?:lint|typos?|links|the build|ci|tests?)\b|lint\b|tidy\b|typos?\b|"
    r"type hints\b|format(?:ting)?\b|update (?:deps|dependencies)\b|add tests?\b|tests? for\b)",
    re.IGNORECASE,
)

_CONVENTIONAL = re.compile(
    r"^\s*(?P<type>[a-zA-Z]+)(?:\((?P<scope>[^)]*)\))?(?P<bang>!)?\s*:\s*", re.ASCII
)
_MERGE_PR = re.compile(r"^\s*Merge pull request #\d+ from \S+\s*", re.IGNORECASE)
_MERGE_BRANCH = re.compile(r"^\s*Merge (?:remote-tracking )?branch '[^']*'(?: into \S+)?\s*$")
_REVERT = re.compile(r"^\s*Revert\b", re.IGNORECASE)
_BUMP = re.compile(r"^\s*(?:bump|release)\b.*\d+\.\d+", re.IGNORECASE)
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")
_HASH_REF = re.compile(r"(?:\b[\w.-]+/[\w.-]+)?#\d+\b")
_BRACKETED = re.compile(r"\[[^\]]{0,40}\]")
_EMPTY_PARENS = re.compile(r"\(\s*[,;]?\s*\)")
_SPACE = re.compile(r"\s{2,}")
_LEADING = re.compile(r"^[\s:;,.\-\u2013\u2014|/]+")
_TRAILING = re.compile(r"[\s:;,.\-\u2013\u2014|/]+$")
# A preposition left dangling at the end once an internal name was cut out ("Show rates in").
_DANGLING = re.compile(r"\s+(?:in|on|for|to|from|of|and|with|via|at)$", re.IGNORECASE)


def clean_title(title: str, internal_names: Iterable[str] = ()) -> str | None:
    """``title`` as a line of release notes, or None when it is housekeeping or nothing is
    left once the internal parts are gone."""
    text = " ".join(title.split())
    if not text or _REVERT.match(text) or _MERGE_BRANCH.match(text) or _BUMP.match(text):
        return None
    if _CHORE_WORDS.match(text):
        return None
    merged = _MERGE_PR.match(text)
    if merged:
        text = text[merged.end() :]
    conventional = _CONVENTIONAL.match(text)
    if conventional:
        if conventional.group("type").lower() in HOUSEKEEPING:
            return None
        text = text[conventional.end() :]
    text = _BRACKETED.sub(" ", text)
    text = _TICKET.sub(" ", text)
    text = _HASH_REF.sub(" ", text)
    for name in _longest_first(internal_names):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text, flags=re.IGNORECASE)
    text = _EMPTY_PARENS.sub(" ", text)
    text = _SPACE.sub(" ", text)
    text = _TRAILING.sub("", _LEADING.sub("", text))
    text = _DANGLING.sub("", text)
    if len(text) < 3 or not any(c.isalpha() for c in text):
        return None
    return text[0].upper() + text[1:]


def clean_titles(titles: Sequence[str], internal_names: Iterable[str] = ()) -> list[str]:
    """The cleaned titles, housekeeping left out, each once (first spelling wins)."""
    names = list(internal_names)
    seen: set[str] = set()
    out: list[str] = []
    for title in titles:
        cleaned = clean_title(title, names)
        if cleaned is None or cleaned.lower() in seen:
            continue
        seen.add(cleaned.lower())
        out.append(cleaned)
    return out


def _longest_first(names: Iterable[str]) -> list[str]:
    # Short names ("ui", "x") would eat ordinary words; only names of 3+ characters count.
    unique = {n.strip() for n in names if len(n.strip()) >= 3}
    return sorted(unique, key=lambda n: (-len(n), n))
