"""RICE and WSJF scores whose every term says where it came from.

Plain data in, plain data out. The evidence behind an initiative (its linked themes and
feedback items, the customers behind them and their revenue, how the volume moved) is gathered
by the caller; this module turns it into terms, applies the roadmap's hand-set values, and
ranks. The formulas, scales and defaults are documented in docs/planning.md; keep them in step.

RICE  = reach^w_r x impact^w_i x confidence^w_c / effort^w_e   (weights default to 1)
WSJF  = (w_bv x business value + w_tc x time criticality + w_rr x risk reduction) / job size

Only open work is ranked: done and dropped initiatives leave the ranking. RICE's impact and
confidence are relative to the other open initiatives: where an initiative's revenue (impact)
and reach (confidence) fall among theirs, so the ranking tells initiatives apart even when all
of them answer a large share of the product's revenue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from productpath.domain.formatting import plain_number

Method = Literal["rice", "wsjf"]
Origin = Literal["evidence", "override", "default", "estimate"]

RICE_TERMS = ("reach", "impact", "confidence", "effort")
WSJF_TERMS = ("business_value", "time_criticality", "risk_reduction", "job_size")
# Weights a user may set in productpath.toml, per method.
WEIGHTED = {"rice": RICE_TERMS, "wsjf": ("business_value", "time_criticality", "risk_reduction")}

# RICE's usual impact scale (minimal .. massive) and confidence levels.
IMPACT_SCALE = (0.25, 0.5, 1.0, 2.0, 3.0)
CONFIDENCE_LEVELS = (0.5, 0.8, 1.0)
IMPACT_WORDS = ("minimal", "low", "medium", "high", "massive")
# Initiative statuses that are no longer work to rank.
CLOSED_STATUSES = frozenset({"done", "dropped"})
# Volume trend: recent window vs the window before it, both TREND_DAYS long.
TREND_DAYS = 90
RISING, FALLING, TREND_MIN_ITEMS = 1.5, 0.5, 5
# An estimate whose range (pessimistic - optimistic) exceeds this multiple of the likely value
# is too uncertain for full confidence.
WIDE_ESTIMATE = 1.5
# WSJF's relative terms use a 1..10 scale.
SCALE_MAX = 10.0


@dataclass(frozen=True)
class ThemeEvidence:
    number: int
    label: str
    items: int
    mean_sentiment: float | None = None


@dataclass(frozen=True)
class Evidence:
    """What an initiative's accepted links point at, with duplicates counted once."""

    themes: tuple[ThemeEvidence, ...] = ()
    direct_items: int = 0  # feedback items linked one by one
    items: int = 0  # distinct feedback items in all, themes and direct links together
    customers: int = 0  # distinct customers named on those items
    customers_with_revenue: int = 0
    revenue: float = 0.0  # their annual revenue, summed
    recent: int = 0  # items in the last TREND_DAYS before the data's newest item
    prior: int = 0  # items in the TREND_DAYS before that

    @property
    def is_empty(self) -> bool:
        return self.items == 0

    @property
    def reach(self) -> int:
        """Customers behind it, or feedback items when no customer is named on them."""
        return self.customers or self.items

    def describe(self) -> str:
        """Where the evidence is: 'themes #3 "card declined", #7 "..." and 2 feedback items'."""
        parts = []
        if self.themes:
            word = "theme" if len(self.themes) == 1 else "themes"
            parts.append(f"{word} " + ", ".join(theme_ref(t.number, t.label) for t in self.themes))
        if self.direct_items:
            parts.append(_count(self.direct_items, "linked feedback item"))
        return " and ".join(parts)


def theme_ref(number: int, label: str) -> str:
    """A theme as cited: its number, and its label when it has one ('#60 "top-up failed"')."""
    label = " ".join(label.split())
    return f'#{number} "{label}"' if label else f"#{number}"


@dataclass(frozen=True)
class ScoringInput:
    key: str
    title: str
    status: str = "proposed"
    # (optimistic, likely, pessimistic) in ideal weeks
    estimate: tuple[float, float, float] | None = None
    evidence: Evidence = field(default_factory=Evidence)
    overrides: Mapping[str, float] = field(default_factory=dict)
    # initiatives that depend on this one, directly or through others, in roadmap order
    unblocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoringConfig:
    method: Method = "rice"
    weights: Mapping[str, float] = field(default_factory=dict)
    total_revenue: float = 0.0  # all customers of the product, for revenue shares

    def weight(self, term: str) -> float:
        return float(self.weights.get(term, 1.0))


@dataclass(frozen=True)
class Term:
    name: str
    value: float | None
    source: str
    origin: Origin

    @property
    def overridden(self) -> bool:
        return self.origin == "override"


@dataclass(frozen=True)
class Score:
    key: str
    title: str
    status: str
    method: Method
    value: float | None  # None when it cannot be computed; ``warnings`` says why
    terms: tuple[Term, ...]
    warnings: tuple[str, ...]
    rank: int = 0

    def term(self, name: str) -> Term:
        return next(t for t in self.terms if t.name == name)


def score_all(inputs: Sequence[ScoringInput], config: ScoringConfig) -> list[Score]:
    """Every open initiative scored by ``config.method`` and ranked, best first; done and
    dropped ones are left out.

    Ties, and initiatives that cannot be scored (listed last), keep the roadmap's order, which
    is the order of ``inputs``.
    """
    inputs = [i for i in inputs if i.status not in CLOSED_STATUSES]
    if config.method == "rice":
        spread = _Spread.of(inputs)
        scores = [_rice(i, config, spread) for i in inputs]
    else:
        scale = _WsjfScale.of(inputs)
        scores = [_wsjf(i, config, scale) for i in inputs]
    order = sorted(
        range(len(scores)),
        key=lambda n: (scores[n].value is None, -(scores[n].value or 0.0), n),
    )
    ranked = [scores[n] for n in order]
    return [
        Score(s.key, s.title, s.status, s.method, s.value, s.terms, s.warnings, rank)
        for rank, s in enumerate(ranked, start=1)
    ]


# -- RICE -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spread:
    """The evidence of every open initiative that has some: what impact and confidence are
    measured against."""

    revenues: tuple[float, ...]  # of those with revenue behind them
    reaches: tuple[int, ...]  # of those with any evidence

    @classmethod
    def of(cls, inputs: Sequence[ScoringInput]) -> _Spread:
        return cls(
            revenues=tuple(i.evidence.revenue for i in inputs if i.evidence.revenue > 0),
            reaches=tuple(i.evidence.reach for i in inputs if not i.evidence.is_empty),
        )


def quantile_position(value: float, values: Sequence[float]) -> float:
    """Where ``value`` falls among ``values`` (which hold it), from 0 to 1 by mid-rank: the
    lowest of 20 is 0.025, the highest 0.975, ties share their middle, one value is 0.5."""
    below = sum(1 for v in values if v < value)
    equal = sum(1 for v in values if v == value)
    return (below + equal / 2) / len(values)


def _band(position: float, bands: int) -> int:
    return min(int(position * bands), bands - 1)


def _rice(item: ScoringInput, config: ScoringConfig, spread: _Spread) -> Score:
    ev = item.evidence
    terms = [
        _override(item, "reach") or _reach(ev),
        _override(item, "impact") or _impact(ev, config.total_revenue, spread),
        _override(item, "confidence") or _confidence(ev, item.estimate, spread),
        _override(item, "effort") or _size("effort", item.estimate),
    ]
    return _combine(item, "rice", terms, config)


def _reach(ev: Evidence) -> Term:
    if ev.is_empty:
        return Term("reach", 0.0, _NO_EVIDENCE + "; default 0", "default")
    where = ev.describe()
    if ev.customers:
        return Term(
            "reach",
            float(ev.customers),
            f"{_count(ev.customers, 'customer')} from {where}",
            "evidence",
        )
    return Term(
        "reach",
        float(ev.items),
        f"{_count(ev.items, 'feedback item')} from {where} (no customer named on them)",
        "evidence",
    )


def _impact(ev: Evidence, total_revenue: float, spread: _Spread) -> Term:
    """The revenue behind it against the other open initiatives': by fifths, minimal to
    massive; a rising or falling volume moves it one step."""
    if ev.is_empty:
        return Term("impact", 1.0, _NO_EVIDENCE + "; default 1 (medium)", "default")
    if ev.revenue > 0:
        position = quantile_position(ev.revenue, spread.revenues)
        step = _band(position, len(IMPACT_SCALE))
        share = f", {_percent(ev.revenue / total_revenue)} of all" if total_revenue > 0 else ""
        reason = (
            f"revenue {plain_number(round(ev.revenue, 2))} behind it{share}: "
            f"{_rank_words(ev.revenue, spread.revenues)} initiatives with revenue behind "
            f"them, so {IMPACT_WORDS[step]}"
        )
    else:
        step = 2
        reason = "no revenue known for the customers behind it, so medium"
    trend, moved = _trend(ev)
    step = min(max(step + moved, 0), len(IMPACT_SCALE) - 1)
    return Term("impact", IMPACT_SCALE[step], f"{reason}{trend}", "evidence")


def _confidence(ev: Evidence, estimate: tuple[float, float, float] | None, spread: _Spread) -> Term:
    """The reach of its evidence against the other open initiatives': by thirds, 0.5 to 1;
    a wide estimate lowers it one level."""
    if ev.is_empty:
        return Term("confidence", CONFIDENCE_LEVELS[0], _NO_EVIDENCE + "; default 0.5", "default")
    position = quantile_position(ev.reach, spread.reaches)
    level = _band(position, len(CONFIDENCE_LEVELS))
    who = _count(ev.customers, "customer") if ev.customers else _count(ev.items, "feedback item")
    reason = (
        f"{who} behind it ({_count(ev.items, 'feedback item')}): "
        f"{_rank_words(ev.reach, spread.reaches)} initiatives with evidence"
    )
    if estimate is not None and estimate[1] > 0:
        spread_ratio = (estimate[2] - estimate[0]) / estimate[1]
        if spread_ratio > WIDE_ESTIMATE and level > 0:
            level -= 1
            ratio = plain_number(round(spread_ratio, 1))
            reason += f"; lowered: the estimate's range is {ratio}x its likely value"
    return Term("confidence", CONFIDENCE_LEVELS[level], reason, "evidence")


def _rank_words(value: float, values: Sequence[float]) -> str:
    """Where ``value`` ranks among ``values``, highest first: 'the 3rd highest of the 20 open'."""
    if len(values) == 1:
        return "the only one of the open"
    rank = 1 + sum(1 for v in values if v > value)
    tied = "tied " if sum(1 for v in values if v == value) > 1 else ""
    place = "highest" if rank == 1 else f"{_ordinal(rank)} highest"
    return f"{tied}{place} of the {len(values)} open"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- WSJF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WsjfScale:
    """The largest evidence in the roadmap, so relative terms spread over 1..10."""

    revenue: float
    customers: int
    items: int

    @classmethod
    def of(cls, inputs: Sequence[ScoringInput]) -> _WsjfScale:
        return cls(
            revenue=max((i.evidence.revenue for i in inputs), default=0.0),
            customers=max((i.evidence.customers for i in inputs), default=0),
            items=max((i.evidence.items for i in inputs), default=0),
        )


def _wsjf(item: ScoringInput, config: ScoringConfig, scale: _WsjfScale) -> Score:
    ev = item.evidence
    terms = [
        _override(item, "business_value") or _business_value(ev, scale),
        _override(item, "time_criticality") or _time_criticality(ev),
        _override(item, "risk_reduction") or _risk_reduction(item.unblocks),
        _override(item, "job_size") or _size("job_size", item.estimate),
    ]
    return _combine(item, "wsjf", terms, config)


def _business_value(ev: Evidence, scale: _WsjfScale) -> Term:
    if ev.is_empty:
        return Term("business_value", 1.0, _NO_EVIDENCE + "; default 1", "default")
    where = ev.describe()
    if ev.revenue > 0 and scale.revenue > 0:
        value = _relative(ev.revenue, scale.revenue)
        source = (
            f"revenue {plain_number(round(ev.revenue, 2))} of "
            f"{_count(ev.customers_with_revenue, 'customer')} from {where}, against the "
            f"roadmap's largest {plain_number(round(scale.revenue, 2))}"
        )
    elif ev.customers and scale.customers:
        value = _relative(ev.customers, scale.customers)
        source = (
            f"{_count(ev.customers, 'customer')} from {where} (no revenue known), against "
            f"the roadmap's largest {scale.customers}"
        )
    else:
        value = _relative(ev.items, scale.items)
        source = (
            f"{_count(ev.items, 'feedback item')} from {where} (no customers named), against "
            f"the roadmap's largest {scale.items}"
        )
    return Term("business_value", value, source, "evidence")


def _time_criticality(ev: Evidence) -> Term:
    if ev.is_empty:
        return Term("time_criticality", 1.0, _NO_EVIDENCE + "; default 1", "default")
    window = f"the last {TREND_DAYS} days"
    if ev.prior == 0:
        value = SCALE_MAX if ev.recent else 1.0
        source = (
            f"{_count(ev.recent, 'item')} in {window}, none in the {TREND_DAYS} before"
            if ev.recent
            else f"no linked feedback in the last {2 * TREND_DAYS} days"
        )
        return Term("time_criticality", value, source, "evidence")
    ratio = ev.recent / ev.prior
    value = min(max(round(5 * ratio, 1), 1.0), SCALE_MAX)
    source = (
        f"volume {ev.recent} in {window} vs {ev.prior} in the {TREND_DAYS} before "
        f"(x{plain_number(round(ratio, 2))}; 5 means steady)"
    )
    return Term("time_criticality", value, source, "evidence")


def _risk_reduction(unblocks: tuple[str, ...]) -> Term:
    if not unblocks:
        return Term("risk_reduction", 1.0, "no initiative depends on it; 1", "evidence")
    value = min(1.0 + len(unblocks), SCALE_MAX)
    shown = ", ".join(unblocks[:5]) + (", ..." if len(unblocks) > 5 else "")
    return Term(
        "risk_reduction",
        value,
        f"unblocks {_count(len(unblocks), 'initiative')} ({shown}); 1 + that, at most 10",
        "evidence",
    )


# -- shared -----------------------------------------------------------------------------------

_NO_EVIDENCE = "no linked evidence"


def _size(name: str, estimate: tuple[float, float, float] | None) -> Term:
    if estimate is None:
        return Term(name, None, "no estimate: add one, or set score." + name, "default")
    low, likely, high = estimate
    mean = (low + 4 * likely + high) / 6
    source = (
        f"PERT mean of the estimate {plain_number(low)}/{plain_number(likely)}/"
        f"{plain_number(high)} ideal weeks"
    )
    if mean <= 0:
        return Term(name, None, source + " is 0: cannot divide by it", "estimate")
    return Term(name, round(mean, 3), source, "estimate")


def _override(item: ScoringInput, name: str) -> Term | None:
    value = item.overrides.get(name)
    if value is None:
        return None
    return Term(name, float(value), "set in roadmap.yaml (score." + name + ")", "override")


def _combine(item: ScoringInput, method: Method, terms: list[Term], config: ScoringConfig) -> Score:
    warnings = [f"{t.name}: {t.source}" for t in terms if t.value is None]
    if any(t.origin == "default" and t.source.startswith(_NO_EVIDENCE) for t in terms):
        warnings.append(
            "no linked evidence: defaults used (link themes with 'productpath roadmap link "
            f"{item.key} THEME...')"
        )
    value = None
    if not any(t.value is None for t in terms):
        values = {t.name: float(t.value or 0.0) for t in terms}
        if method == "rice":
            numerator = math.prod(values[n] ** config.weight(n) for n in RICE_TERMS[:3])
            value = numerator / values["effort"] ** config.weight("effort")
        else:
            cost = sum(config.weight(n) * values[n] for n in WSJF_TERMS[:3])
            value = cost / values["job_size"]
        value = round(value, 4)
    return Score(item.key, item.title, item.status, method, value, tuple(terms), tuple(warnings))


def _trend(ev: Evidence) -> tuple[str, int]:
    """A note on the volume trend, and the impact steps it moves (-1, 0 or +1)."""
    if ev.recent >= TREND_MIN_ITEMS and ev.recent >= RISING * max(ev.prior, 1):
        return (
            f"; raised one step: rising, {ev.recent} items in the last {TREND_DAYS} days "
            f"vs {ev.prior} before",
            1,
        )
    if ev.prior >= TREND_MIN_ITEMS and ev.recent <= FALLING * ev.prior:
        return (
            f"; lowered one step: falling, {ev.recent} items in the last {TREND_DAYS} days "
            f"vs {ev.prior} before",
            -1,
        )
    return "", 0


def _relative(value: float, largest: float) -> float:
    return round(1.0 + (SCALE_MAX - 1.0) * value / largest, 1) if largest > 0 else 1.0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"
