"""The kinds a feedback item can be: one list for the classifier, labels, pages and the API."""

from __future__ import annotations

KINDS = ("bug", "feature_request", "question", "praise", "other")
