"""Kinds named by the data itself: a label, an issue type or a "kind" column, mapped to the
insight engine's kinds (bug, feature_request, question, praise, other).

One table for every importer (a feedback file's ``--kind-column``, tracker labels and issue
types), so the same word means the same kind wherever it comes from. Matching ignores case and
the spaces, hyphens and underscores around and inside words: "Feature Request", "feature-request"
and "feature_request" are one value.
"""

from __future__ import annotations

import re

KIND_NAMES = ("bug", "feature_request", "question", "praise", "other")

# Each kind's own name maps to itself; the rest are the words trackers and help desks use.
_WORDS: dict[str, str] = {name: name for name in KIND_NAMES} | {
    "defect": "bug",
    "crash": "bug",
    "regression": "bug",
    "bug report": "bug",
    "error": "bug",
    "feature": "feature_request",
    "enhancement": "feature_request",
    "improvement": "feature_request",
    "story": "feature_request",
    "new feature": "feature_request",
    "proposal": "feature_request",
    "idea": "feature_request",
    "suggestion": "feature_request",
    "support": "question",
    "help": "question",
    "usage": "question",
    "how to": "question",
}
_SEPARATORS = re.compile(r"[\s_\-]+")


def _normal(value: str) -> str:
    return _SEPARATORS.sub(" ", value.strip().lower()).strip()


_BY_NORMAL = {_normal(word): kind for word, kind in _WORDS.items()}


def kind_of(value: str) -> str | None:
    """The kind ``value`` names, or None when it names none (the caller decides whether an
    unmapped value is worth reporting; an empty one never is)."""
    return _BY_NORMAL.get(_normal(value))
