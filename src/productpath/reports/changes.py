"""What changed since the previous report of the same kind, from the two reports' facts.

Every report records the facts it stated (a JSON object) with its run. The keys this module
reads, each optional:

* ``milestones``: key -> ``{"name", "target", "p85", "probability", "scope", "effort_weeks"}``
  (dates as ISO text; ``scope`` counts the milestone's tracked items, ``effort_weeks`` its
  remaining estimated effort);
* ``throughput_per_week``: finished items per week;
* ``risks``: ``"initiative/kind"`` -> the sentence shown;
* ``themes``: theme label -> items;
* ``key_results``: key -> progress 0..1;
* ``shipped``: initiative titles shipped;
* ``decisions_due``: decision titles due for review;
* ``as_of``: the day the report was made for (ISO).

The comparison says, in sentences, what moved; a reason for a slip is given only when the facts
show one (scope grew, remaining effort grew, throughput fell; or, when the date moved by just the
days between the reports, that the work left stayed the same meanwhile).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from productpath.reports.model import long_date, plural, short_date

Facts = Mapping[str, Any]
# Throughput has to move by this share before it is named as a reason.
THROUGHPUT_CHANGE = 0.10
# New and gone risks are listed up to this many each, then counted.
LISTED = 5


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def slip_reasons(previous: Facts, current: Facts, key: str, later: bool = True) -> list[str]:
    """Why milestone ``key``'s date moved later (``later``) or earlier, as far as the facts
    tell: only changes that push the date that way count."""
    before = previous.get("milestones", {}).get(key, {})
    now = current.get("milestones", {}).get(key, {})
    reasons = []
    old_scope, new_scope = before.get("scope"), now.get("scope")
    if (
        isinstance(old_scope, int)
        and isinstance(new_scope, int)
        and old_scope != new_scope
        and (new_scope > old_scope) == later
    ):
        verb = "grew" if new_scope > old_scope else "shrank"
        reasons.append(f"its scope {verb} from {old_scope} to {plural(new_scope, 'item')}")
    old_effort, new_effort = before.get("effort_weeks"), now.get("effort_weeks")
    if (
        isinstance(old_effort, int | float)
        and isinstance(new_effort, int | float)
        and abs(new_effort - old_effort) >= 0.5
        and (new_effort > old_effort) == later
    ):
        verb = "grew" if new_effort > old_effort else "fell"
        reasons.append(
            f"the work left {verb} from {old_effort:.1f} to {new_effort:.1f} estimated weeks"
        )
    old_pace, new_pace = previous.get("throughput_per_week"), current.get("throughput_per_week")
    if (
        isinstance(old_pace, int | float)
        and isinstance(new_pace, int | float)
        and old_pace > 0
        and abs(new_pace - old_pace) / old_pace >= THROUGHPUT_CHANGE
        and (new_pace < old_pace) == later
    ):
        verb = "fell" if new_pace < old_pace else "rose"
        reasons.append(f"the team's pace {verb} from {old_pace:.1f} to {new_pace:.1f} items a week")
    return reasons


def milestone_change(
    previous: Facts | None, current: Facts, key: str, previous_on: dt.date | None
) -> str | None:
    """'slipped 9 days since the last report (5 Mar 2027) because ...', 'moved 3 days earlier
    ...', 'unchanged since ...'; None when the previous report did not state this milestone."""
    if previous is None:
        return None
    before = previous.get("milestones", {}).get(key)
    now = current.get("milestones", {}).get(key)
    if not before or not now:
        return None
    old, new = _date(before.get("p85")), _date(now.get("p85"))
    when = f"the last report ({short_date(previous_on)})" if previous_on else "the last report"
    if old is None or new is None:
        return None
    days = (new - old).days
    if days == 0:
        return f"unchanged since {when}"
    reasons = slip_reasons(previous, current, key, later=days > 0)
    elapsed = _elapsed(previous, current)
    # Reports on the same day have no days between them for the work to have stood still.
    if (
        not reasons
        and days > 0
        and elapsed is not None
        and elapsed > 0
        and abs(days - elapsed) <= 1
    ):
        reasons = [f"the work left stayed the same for {plural(elapsed, 'day')}"]
    because = f" because {_join(reasons)}" if reasons else ""
    if days > 0:
        return f"slipped {plural(days, 'day')} since {when}{because}"
    return f"moved {plural(-days, 'day')} earlier since {when}{because}"


def describe_changes(
    previous: Facts | None,
    current: Facts,
    previous_on: dt.date | None,
    kind_name: str,
    *,
    milestone_detail: bool = True,
) -> tuple[str, ...]:
    """Sentences on what moved between two reports; the first report says it is the first.

    ``milestone_detail=False`` sums the milestones up in one sentence, for a report whose
    dates section already says how far each one moved and why."""
    if previous is None:
        return (
            f"This is the first {kind_name} report for this product; the next one will say "
            "what changed since this one.",
        )
    out: list[str] = []
    slipped = earlier = 0
    for key, now in current.get("milestones", {}).items():
        change = milestone_change(previous, current, key, previous_on)
        if change and not change.startswith("unchanged"):
            slipped += change.startswith("slipped")
            earlier += change.startswith("moved")
            if milestone_detail:
                p85 = _date(now.get("p85"))
                at = f" (now 85% likely by {long_date(p85)})" if p85 else ""
                out.append(f"{now.get('name', key)} {change}{at}.")
    if not milestone_detail and (slipped or earlier):
        moves = [
            f"{plural(slipped, 'milestone')} slipped" if slipped else "",
            f"{plural(earlier, 'milestone')} moved earlier" if earlier else "",
        ]
        out.append(_join([m for m in moves if m]) + "; each one's reason is under the dates.")
    out.extend(_added_removed(previous, current, "risks", "New risk", "Risk gone"))
    old_themes = set(previous.get("themes", {}))
    for label in current.get("themes", {}):
        if label not in old_themes:
            out.append(f"New among the top customer requests: {label}.")
    old_kr = previous.get("key_results", {})
    for key, progress in current.get("key_results", {}).items():
        before = old_kr.get(key)
        if isinstance(before, int | float) and isinstance(progress, int | float):
            delta = round((progress - before) * 100)
            if delta:
                direction = "closer to" if delta > 0 else "further from"
                out.append(
                    f"Key result {key}: {abs(delta)} points {direction} its target "
                    f"({progress:.0%} of the way)."
                )
    old_shipped = set(previous.get("shipped", []))
    fresh = [title for title in current.get("shipped", []) if title not in old_shipped]
    if fresh:
        out.append("Shipped since then: " + _join(fresh) + ".")
    if not out:
        out.append(
            f"Nothing this report states has changed since {short_date(previous_on)}."
            if previous_on
            else "Nothing this report states has changed."
        )
    return tuple(out)


def _elapsed(previous: Facts, current: Facts) -> int | None:
    before, now = _date(previous.get("as_of")), _date(current.get("as_of"))
    return (now - before).days if before and now else None


def _added_removed(
    previous: Facts, current: Facts, key: str, added: str, removed: str
) -> list[str]:
    old: Mapping[str, str] = previous.get(key, {})
    new: Mapping[str, str] = current.get(key, {})
    out: list[str] = []
    for label, keys, source in (
        (added, [k for k in new if k not in old], new),
        (removed, [k for k in old if k not in new], old),
    ):
        out.extend(f"{label}: {source[k]}." for k in keys[:LISTED])
        if len(keys) > LISTED:
            out.append(f"{label}: {len(keys) - LISTED} more.")
    return out


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
