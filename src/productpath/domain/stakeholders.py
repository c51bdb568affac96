"""Stakeholder rules with no I/O: the allowed values, e-mail syntax, the power/interest grid,
and the digest periods each cadence counts in.

The CLI, the web form and the roadmap YAML all check a stakeholder with these, so a value that
one of them accepts the others accept too.
"""

from __future__ import annotations

import datetime as dt
import re

AUDIENCES = ("executive", "engineering", "sales_support", "customer")
LEVELS = ("low", "high")
CHANNELS = ("email", "webhook", "none")
CADENCES = ("weekly", "biweekly", "monthly", "none")
RACI_ROLES = ("R", "A", "C", "I")
RACI_MEANING = {
    "R": "Responsible",
    "A": "Accountable",
    "C": "Consulted",
    "I": "Informed",
}

# Who each report is written for, in words: the report's own heading ("Pocket, for
# customers"), the reports page and the LLM polish all say this, and nothing else.
REPORT_READERS = {
    "exec": "executives",
    "engineering": "engineers",
    "customer": "customers",
    "release-notes": "users and support teams",
}

# The report each audience receives in its digest: the one written for them. Sales and
# support staff get the release notes, which list every change they will be asked about.
AUDIENCE_REPORT = {
    "executive": "exec",
    "engineering": "engineering",
    "sales_support": "release-notes",
    "customer": "customer",
}

# (power, interest) -> what to do with the people in that quadrant.
QUADRANTS = {
    ("high", "high"): "Manage closely",
    ("high", "low"): "Keep satisfied",
    ("low", "high"): "Keep informed",
    ("low", "low"): "Monitor",
}

MAX_EMAIL_LENGTH = 320  # stakeholder.email column width (RFC 5321 limits are smaller still)
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a plain e-mail address (``name@example.com``), or None if it is.

    Deliberately strict and simple: one ``@``, a dot-atom local part, and a domain of at least
    two labels whose last one is letters only. Display names (``Ann <ann@x.org>``), quoted
    local parts and IP-literal domains are refused: nobody types those into a registry.
    """
    if not address:
        return "the e-mail address is empty"
    if len(address) > MAX_EMAIL_LENGTH:
        return f"the e-mail address is longer than {MAX_EMAIL_LENGTH} characters"
    if any(ch.isspace() for ch in address):
        return f"'{address}' is not an e-mail address (it contains a space)"
    if address.count("@") != 1:
        return f"'{address}' is not an e-mail address (it needs exactly one @)"
    local, domain = address.split("@")
    if not local or len(local) > 64 or not _LOCAL.match(local):
        return f"'{address}' is not an e-mail address (the part before @ is not valid)"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return f"'{address}' is not an e-mail address (the domain after @ is not valid)"
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return f"'{address}' is not an e-mail address (the domain has no valid ending)"
    return None


def webhook_problem(url: str) -> str | None:
    """Why ``url`` cannot receive a webhook, or None if it can (http or https with a host)."""
    if not re.match(r"^https?://[^/\s?#]+", url):
        return f"'{url}' is not a webhook URL (it must start with http:// or https://)"
    if any(ch.isspace() for ch in url):
        return f"'{url}' is not a webhook URL (it contains a space)"
    return None


def quadrant(power: str, interest: str) -> str:
    """The grid quadrant's advice for a stakeholder with this power and interest."""
    return QUADRANTS[(power, interest)]


def period_key(cadence: str, day: dt.date) -> str:
    """The digest period ``day`` falls in: a stakeholder gets at most one digest per period.

    weekly -> ISO week ``2026-W48``; biweekly -> the pair of ISO weeks that starts on an odd
    week, ``2026-W47/2`` (covering weeks 47 and 48; a week 53 stands alone); monthly ->
    ``2026-11``.
    """
    year, week, _ = day.isocalendar()
    if cadence == "weekly":
        return f"{year}-W{week:02d}"
    if cadence == "biweekly":
        first = week if week % 2 == 1 else week - 1
        return f"{year}-W{first:02d}/2"
    if cadence == "monthly":
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"cadence {cadence!r} has no periods")


def period_length(cadence: str, day: dt.date) -> dt.timedelta:
    """How far back a first digest looks from ``day``: one period of the cadence."""
    if cadence == "weekly":
        return dt.timedelta(days=7)
    if cadence == "biweekly":
        return dt.timedelta(days=14)
    if cadence == "monthly":
        first = day.replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return first - previous
    raise ValueError(f"cadence {cadence!r} has no periods")
