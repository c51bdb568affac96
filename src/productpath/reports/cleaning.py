"""Commit, pull-request and issue titles rewritten for the people who use the product.

``clean_title`` strips what only the team understands: a conventional-commit prefix
(``feat(cards)!:``), ticket keys (``POCKET-12``, ``#123``, ``GH-7``), "Merge pull request ...
from owner/branch" and "Merge branch '...'" wrappers, bracketed tags (``[WIP]``), trailing
``(#123)``, and internal names the caller passes (team, repository and branch names). What is
left starts with a capital and ends without a full stop. Titles that are only housekeeping
(``chore:``, ``ci:``, ``test:``, ``qa:``, ``refactor:``, ``docs:`` and the like, "Fix lint",
"Tidy ...", reverts, version bumps) return None: users do not read about them.

``merge_near_duplicates`` keeps one line of a change told twice, e.g. once per platform ("Card
tracking screen" and "Card tracking screen on Android"): lines whose words, once platform names
and small words are set aside, are the same set, or share at least
:data:`NEAR_DUPLICATE_OVERLAP` of them.
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


# Two lines are one change when this share of their words (Jaccard) is shared.
NEAR_DUPLICATE_OVERLAP = 0.8
# Words that tell where a change shipped or join words, not what it does.
_PLATFORM_WORDS = frozenset(
    {"android", "ios", "iphone", "ipad", "web", "desktop", "mobile", "app", "apps"}
)
_SMALL_WORDS = frozenset(
    {"a", "an", "the", "on", "in", "for", "to", "of", "and", "with", "via", "at", "from", "by"}
)
_WORD = re.compile(r"[a-z0-9']+")


def merge_near_duplicates(lines: Sequence[str]) -> list[str]:
    """``lines`` with each near-duplicate group told once, where its first line was, in the
    shortest spelling (the one without a platform name, when there is one)."""
    groups: list[tuple[frozenset[str], list[str]]] = []
    for line in lines:
        words = _content_words(line)
        for group_words, members in groups:
            if _same_change(words, group_words):
                members.append(line)
                break
        else:
            groups.append((words, [line]))
    return [min(members, key=len) for _, members in groups]


def _content_words(line: str) -> frozenset[str]:
    words = _WORD.findall(line.casefold())
    return frozenset(w for w in words if w not in _PLATFORM_WORDS and w not in _SMALL_WORDS)


def _same_change(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= NEAR_DUPLICATE_OVERLAP
