"""The day it is, for data whose dates are stored in UTC.

A date after it is in the future: a mistyped year (2099) must not become the "newest" item that
trend windows are anchored on.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    """The last day that is not in the future, for dates stored in UTC.

    The later of the local and the UTC date: an item made today, east or west of Greenwich, is
    never taken for one from the future.
    """
    return max(dt.date.today(), dt.datetime.now(dt.UTC).date())


def end_of_today() -> dt.datetime:
    """The first moment (UTC) after :func:`today`: anything said before it is not in the future."""
    return dt.datetime.combine(today() + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
