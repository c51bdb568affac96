"""The tables. One model for SQLite and PostgreSQL; Alembic migrations create them.

Timestamps are timezone-aware UTC. Import models from here: ``from productpath.store.models
import Initiative``.
"""

from productpath.store.models.base import Base, Timestamped, UTCDateTime, utcnow
from productpath.store.models.insight import (
    EmbeddingCache,
    FeedbackInsight,
    ForecastRun,
    InsightRun,
    Theme,
)
from productpath.store.models.product import (
    Customer,
    FeedbackItem,
    Initiative,
    InitiativeDependency,
    KeyResult,
    Milestone,
    Objective,
    Person,
    Product,
    Segment,
    Team,
)
from productpath.store.models.work import (
    Commit,
    Contributor,
    ContributorAlias,
    FileChange,
    GitTag,
    Repository,
    TrackerItem,
    TrackerStatusChange,
    WorkLink,
)

__all__ = [
    "Base",
    "Commit",
    "Contributor",
    "ContributorAlias",
    "Customer",
    "EmbeddingCache",
    "FeedbackInsight",
    "FeedbackItem",
    "FileChange",
    "ForecastRun",
    "GitTag",
    "Initiative",
    "InitiativeDependency",
    "InsightRun",
    "KeyResult",
    "Milestone",
    "Objective",
    "Person",
    "Product",
    "Repository",
    "Segment",
    "Team",
    "Theme",
    "Timestamped",
    "TrackerItem",
    "TrackerStatusChange",
    "UTCDateTime",
    "WorkLink",
    "utcnow",
]
