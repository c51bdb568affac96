"""The roadmap document: what ``roadmap.yaml`` holds and what the store keeps.

These models are the single definition of the roadmap's shape. The YAML reader validates into
them, the store loads and saves them, and the diff compares two of them. Field order here is the
key order of an exported file, so it is chosen for reading, not alphabetically.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from productpath.domain.stakeholders import email_problem, webhook_problem


def _printable(value: str) -> str:
    # Control characters and lone surrogates cannot be stored in PostgreSQL text or written
    # back as tidy YAML; newlines and tabs are ordinary text.
    for char in value:
        if char in _LINE_SEPARATORS:
            # YAML would write these back as ordinary spaces, so the text would not round-trip.
            raise ValueError(f"contains U+{ord(char):04X}; use an ordinary line break")
        if char not in "\n\t" and unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError(f"contains the control character U+{ord(char):04X}")
    return value


_LINE_SEPARATORS = "\u2028\u2029\u0085"


def _not_bool(value: object) -> object:
    # YAML's "yes"/"true" would otherwise be read as the number 1.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


def _date_text(value: object) -> object:
    # Pydantic reads an integer as seconds since 1970, which no one writing a roadmap means.
    if isinstance(value, int | float):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


def _empty_is_none(value: str | None) -> str | None:
    return value or None


Text = Annotated[str, AfterValidator(_printable)]
Number = Annotated[float, BeforeValidator(_not_bool)]
Date = Annotated[dt.date, BeforeValidator(_date_text)]
# Lengths match the columns in store/models.py, so a valid document always fits the tables.
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Title = Annotated[Text, Field(min_length=1, max_length=500)]
Key = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="a stable id: letters, digits, '-', '_' or '.'",
    ),
]
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
# A tracker item's key as the export names it ("POCKET-12", "acme/pocket#12"); it fits the
# tracker_item.key column and holds no spaces.
TrackerKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][^\s,\[\]{}]*$",
        description="a tracker item key, e.g. POCKET-12 or owner/repo#12",
    ),
]


def _one_line(value: str) -> str:
    # Labels are stored newline-separated, and a YAML flow list cannot keep a line break.
    if any(char in value for char in "\n\u2028\u2029"):
        raise ValueError("must be one line")
    return value


Label = Annotated[Text, AfterValidator(_one_line), Field(min_length=1, max_length=100)]


def _theme_number(value: object) -> object:
    # Themes are shown as "#3"; people write 3, "3" or "#3" and all mean the same theme.
    if isinstance(value, bool):
        raise ValueError("must be a theme number such as 3 or '#3'")
    if isinstance(value, str):
        text = value.strip().removeprefix("#")
        if not text.isdigit():
            raise ValueError(f"must be a theme number such as 3 or '#3', got {value!r}")
        return int(text)
    return value


ThemeNumber = Annotated[int, BeforeValidator(_theme_number), Field(ge=1, le=2**31 - 1)]
# A feedback item as "source:external_id" (the columns that identify an imported row).
FeedbackRef = Annotated[
    str,
    Field(
        min_length=3,
        max_length=301,
        pattern=r"^[^:\s][^:]{0,99}:[^\n]{1,200}$",
        description="a feedback item as source:external_id",
    ),
]
CustomerKey = Annotated[Text, AfterValidator(_one_line), Field(min_length=1, max_length=200)]
# A KPI's key exactly as ``productpath kpi list`` shows it: KPI keys are slugs of the metric's
# name, so only this spelling ever matches one (and the file, the store and an export agree).
KpiKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="a KPI key: lower-case letters and digits, words joined by '-'",
    ),
]


def _web_address(value: str) -> str:
    problem = webhook_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _stakeholder_email(value: str) -> str:
    # The stakeholder registry's own rule, so the CLI, the web form and this file agree.
    problem = email_problem(value)
    if problem:
        raise ValueError(problem)
    return value


WebAddress = Annotated[Text, Field(max_length=1000), AfterValidator(_web_address)]
StakeholderEmail = Annotated[Text, AfterValidator(_stakeholder_email)]


class InitiativeStatus(StrEnum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"
    # Taken off the roadmap (boards, schedules, forecasts, scoring) but kept, with its history.
    ARCHIVED = "archived"


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN never equals itself, which would break diffs and round trips.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class Estimate(_Strict):
    """Three-point estimate in ideal weeks (a week of one person's focused work)."""

    optimistic: Number = Field(ge=0)
    likely: Number = Field(ge=0)
    pessimistic: Number = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise ValueError("must satisfy optimistic <= likely <= pessimistic")
        return self


class ProductSpec(_Strict):
    id: Key
    name: Name
    description: Text = ""


class KeyResultSpec(_Strict):
    id: Key
    title: Title
    target: Number | None = None
    # An empty unit is no unit: one spelling, so an export re-applies as a no-op.
    unit: Annotated[Text, Field(max_length=50), AfterValidator(_empty_is_none)] | None = None
    # The KPI whose latest value measures this key result, so its progress is computed.
    kpi: KpiKey | None = None


class ObjectiveSpec(_Strict):
    id: Key
    title: Title
    description: Text = ""
    key_results: tuple[KeyResultSpec, ...] = ()


class MemberSpec(_Strict):
    name: Name
    email: Email | None = None


class TeamSpec(_Strict):
    id: Key
    name: Name
    capacity_per_week: Number = Field(
        gt=0, description="ideal weeks of work the team completes per calendar week"
    )
    members: tuple[MemberSpec, ...] = ()


class MilestoneSpec(_Strict):
    id: Key
    name: Name
    target_date: Date
    description: Text = ""


class WorkSpec(_Strict):
    """Tracker work that belongs to an initiative: items under these epics or with these labels.

    Matching is case-insensitive; see docs/delivery.md for every linking rule.
    """

    epics: tuple[TrackerKey, ...] = ()
    labels: tuple[Label, ...] = ()

    @model_validator(mode="after")
    def _no_duplicates(self) -> WorkSpec:
        for name, values in (("epics", self.epics), ("labels", self.labels)):
            seen: set[str] = set()
            for value in values:
                if value.casefold() in seen:
                    raise ValueError(f"'{value}' is listed twice in {name}")
                seen.add(value.casefold())
        return self

    @property
    def is_empty(self) -> bool:
        return not (self.epics or self.labels)


class ScoreSpec(_Strict):
    """Scoring terms set by hand; each one replaces the value derived from the evidence."""

    reach: Number | None = Field(default=None, ge=0)
    impact: Number | None = Field(default=None, ge=0)
    confidence: Number | None = Field(default=None, ge=0, le=1)
    effort: Number | None = Field(default=None, gt=0)
    business_value: Number | None = Field(default=None, ge=0)
    time_criticality: Number | None = Field(default=None, ge=0)
    risk_reduction: Number | None = Field(default=None, ge=0)
    job_size: Number | None = Field(default=None, gt=0)

    def as_dict(self) -> dict[str, float]:
        """The terms that are set, by name."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


RACI_ROLES = ("responsible", "accountable", "consulted", "informed")


class RaciSpec(_Strict):
    """Who is Responsible, Accountable, Consulted and Informed: stakeholder ids per role.

    A stakeholder holds one role per initiative. The order within a role is not kept: each
    list is sorted, so the file, the store and an export always agree.
    """

    responsible: tuple[Key, ...] = ()
    accountable: tuple[Key, ...] = ()
    consulted: tuple[Key, ...] = ()
    informed: tuple[Key, ...] = ()

    @field_validator(*RACI_ROLES)
    @classmethod
    def _sorted(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _one_role_each(self) -> RaciSpec:
        role_of: dict[str, str] = {}
        for role in RACI_ROLES:
            for key in getattr(self, role):
                if key in role_of:
                    where = "twice in" if role_of[key] == role else f"in {role_of[key]} and"
                    raise ValueError(
                        f"'{key}' is listed {where} {role}; a stakeholder holds one role "
                        "per initiative"
                    )
                role_of[key] = role
        return self

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, role) for role in RACI_ROLES)

    def assignments(self) -> list[tuple[str, str]]:
        """(stakeholder id, role letter R/A/C/I) for every assignment."""
        return [(key, role[0].upper()) for role in RACI_ROLES for key in getattr(self, role)]


class InitiativeSpec(_Strict):
    id: Key
    title: Title
    description: Text = ""
    objective: Key | None = None
    team: Key | None = None
    milestone: Key | None = None
    # Planned dates: when work starts and when it should be done. ``start`` also bounds the
    # delivery linker: a branch or message naming the key before it is older work.
    start: Date | None = None
    target: Date | None = None
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    estimate: Estimate | None = None
    depends_on: tuple[Key, ...] = ()
    # Accepted evidence links: theme numbers from the insight engine (#3 is 3) and single
    # feedback items as source:external_id.
    themes: tuple[ThemeNumber, ...] = ()
    feedback: tuple[FeedbackRef, ...] = ()
    score: ScoreSpec | None = None
    work: WorkSpec | None = None
    # The KPI (its key, as ``productpath kpi list`` shows it) this initiative is meant to move;
    # ``productpath retro outcomes`` compares it before and after the ship date.
    target_kpi: Key | None = None
    # Shown on the stakeholder portal's public roadmap.
    public: bool = False
    raci: RaciSpec | None = None

    @field_validator("target")
    @classmethod
    def _target_not_before_start(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise ValueError(f"target {value} is before start {start}")
        return value

    @field_validator("raci")
    @classmethod
    def _empty_raci_is_none(cls, value: RaciSpec | None) -> RaciSpec | None:
        return None if value is None or value.is_empty else value

    @field_validator("work")
    @classmethod
    def _empty_work_is_none(cls, value: WorkSpec | None) -> WorkSpec | None:
        # "work: {}" says nothing; one spelling of "nothing" keeps documents, the store and
        # diffs in agreement.
        return None if value is None or value.is_empty else value

    @field_validator("score")
    @classmethod
    def _empty_score_is_none(cls, value: ScoreSpec | None) -> ScoreSpec | None:
        return None if value is None or not value.as_dict() else value


class Audience(StrEnum):
    """Which report a stakeholder reads."""

    EXECUTIVE = "executive"
    ENGINEERING = "engineering"
    SALES_SUPPORT = "sales_support"
    CUSTOMER = "customer"


class Level(StrEnum):
    LOW = "low"
    HIGH = "high"


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    NONE = "none"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    NONE = "none"


class StakeholderSpec(_Strict):
    """A person (or a channel) who needs to hear where things stand, and how."""

    id: Key
    name: Name
    role: Annotated[Text, Field(max_length=200)] = ""
    organisation: Annotated[Text, Field(max_length=200)] = ""
    email: StakeholderEmail | None = None
    audience: Audience
    power: Level = Level.LOW
    interest: Level = Level.LOW
    channel: Channel = Channel.NONE
    webhook_url: WebAddress | None = None
    cadence: Cadence = Cadence.WEEKLY

    @model_validator(mode="after")
    def _reachable(self) -> StakeholderSpec:
        if self.channel is Channel.EMAIL and self.email is None:
            raise ValueError("channel 'email' needs an email address")
        if self.channel is Channel.WEBHOOK and self.webhook_url is None:
            raise ValueError("channel 'webhook' needs a webhook_url")
        return self


class SegmentSpec(_Strict):
    id: Key
    name: Name


class CustomerSpec(_Strict):
    id: CustomerKey
    name: Name
    segment: Key | None = None
    annual_revenue: Number | None = Field(default=None, ge=0)


class Support(StrEnum):
    """How far a product has a feature."""

    HAS = "has"
    PARTIAL = "partial"
    NO = "no"
    UNKNOWN = "unknown"


class CompetitorSpec(_Strict):
    id: Key
    name: Name
    url: Annotated[Text, Field(max_length=500)] = ""


class SupportSpec(_Strict):
    """One cell of the feature matrix, with where the claim comes from."""

    competitor: Key
    level: Support
    source: Text = ""


class FeatureSpec(_Strict):
    id: Key
    name: Name
    description: Text = ""
    ours: Support = Support.UNKNOWN
    planned_by: tuple[Key, ...] = ()
    support: tuple[SupportSpec, ...] = ()


class RoadmapDoc(_Strict):
    """One product's roadmap. Order of every list is kept: it is the order people wrote."""

    version: Literal[1] = 1
    # The workspace revision an export was taken from (the id of the last change in its
    # history), so applying an edited copy later merges it three ways instead of undoing what
    # changed meanwhile. Absent in a file written by hand: it then applies as it is.
    revision: int | None = Field(default=None, ge=0, le=2**63 - 1)
    product: ProductSpec
    objectives: tuple[ObjectiveSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    stakeholders: tuple[StakeholderSpec, ...] = ()
    milestones: tuple[MilestoneSpec, ...] = ()
    initiatives: tuple[InitiativeSpec, ...] = ()
    segments: tuple[SegmentSpec, ...] = ()
    customers: tuple[CustomerSpec, ...] = ()
    competitors: tuple[CompetitorSpec, ...] = ()
    features: tuple[FeatureSpec, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the document names a product and nothing else."""
        return not (
            self.objectives
            or self.teams
            or self.stakeholders
            or self.milestones
            or self.initiatives
            or self.segments
            or self.customers
            or self.competitors
            or self.features
        )
