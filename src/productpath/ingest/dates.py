"""Parse the dates found in feedback exports into aware UTC datetimes.

Accepted: ISO 8601 dates and datetimes (``2024-03-05``, ``2024-03-05T14:30:00Z``, ``20240305``),
``2024/03/05 [14:30[:00]]``, RFC 2822 (``Tue, 05 Mar 2024 14:30:00 +0000``), English month
names (``5 Mar 2024``, ``March 5, 2024``) and Unix timestamps in seconds (10 digits) or
milliseconds (13 digits). Day/month orders such as ``03/04/2024`` are refused rather than
guessed, because the same file would be read differently by different people.
Naive values are taken as UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

_SLASH_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_AMBIGUOUS = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
_EPOCH = re.compile(r"^\d{10}(\d{3})?$")
_MONTH_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%B %d, %Y %H:%M",
)


def parse_datetime(value: str) -> dt.datetime:
    """``value`` as an aware UTC datetime; ValueError with a short reason when it is not a date."""
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    try:
        parsed = _parse(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (OverflowError, OSError):
        # Year 1 with a positive offset, or an epoch past year 9999: real input, not a bug.
        raise ValueError(f"date out of range: '{text}'") from None


def _parse(text: str) -> dt.datetime:
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    slash = _SLASH_YMD.match(text)
    if slash:
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in slash.groups())
        try:
            return dt.datetime(year, month, day, hour, minute, second)
        except ValueError as exc:
            raise ValueError(f"not a valid date: '{text}' ({exc})") from None
    ambiguous = _AMBIGUOUS.match(text)
    if ambiguous and _could_be_a_date(*(int(p) for p in ambiguous.groups())):
        raise ValueError(f"ambiguous date '{text}' (day and month order unknown); use YYYY-MM-DD")
    for fmt in _MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError(f"not a date: '{text}' (use ISO 8601, e.g. 2024-03-05 or 2024-03-05T14:30Z)")


def _could_be_a_date(first: int, second: int, year: int) -> bool:
    """Whether day/month or month/day makes a real date of these numbers."""
    for day, month in ((first, second), (second, first)):
        try:
            dt.date(year if year >= 100 else 2000 + year, month, day)
        except ValueError:
            continue
        return True
    return False
