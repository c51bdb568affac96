"""The tables. One model for SQLite and PostgreSQL; Alembic migrations create them.

Timestamps are timezone-aware UTC. Import models from here: ``from productpath.store.models
import Initiative``.
"""

from productpath.store.models.access import ApiToken, LoginAttempt, Membership, User
from productpath.store.models.base import Base, Timestamped, UTCDateTime, utcnow
from productpath.store.models.communication import (
    DigestDelivery,
    GeneratedReport,
    Notification,
    RaciAssignment,
    ReportRun,
    Stakeholder,
    Watch,
)
from productpath.store.models.history import ChangeRecord
from productpath.store.models.insight import (
    CurationDecision,
    EmbeddingCache,
    FeedbackInsight,
    FeedbackLabel,
    ForecastRun,
    InsightRun,
    Theme,
)
from productpath.store.models.learning import (
    Decision,
    DecisionEvidence,
    Experiment,
    ExperimentResult,
    Kpi,
    KpiPoint,
)
from productpath.store.models.planning import (
    Competitor,
    EvidenceLink,
    Feature,
    FeatureInitiative,
    FeatureSupport,
    ScoreOverride,
)
from productpath.store.models.portal import Comment, Job, Vote
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
from productpath.store.models.sources import Source, SyncRun
from productpath.store.models.state import DataVersion
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
    "ApiToken",
    "Base",
    "ChangeRecord",
    "Comment",
    "Commit",
    "Competitor",
    "Contributor",
    "ContributorAlias",
    "CurationDecision",
    "Customer",
    "DataVersion",
    "Decision",
    "DecisionEvidence",
    "DigestDelivery",
    "EmbeddingCache",
    "EvidenceLink",
    "Experiment",
    "ExperimentResult",
    "Feature",
    "FeatureInitiative",
    "FeatureSupport",
    "FeedbackInsight",
    "FeedbackItem",
    "FeedbackLabel",
    "FileChange",
    "ForecastRun",
    "GeneratedReport",
    "GitTag",
    "Initiative",
    "InitiativeDependency",
    "InsightRun",
    "Job",
    "KeyResult",
    "Kpi",
    "KpiPoint",
    "LoginAttempt",
    "Membership",
    "Milestone",
    "Notification",
    "Objective",
    "Person",
    "Product",
    "RaciAssignment",
    "ReportRun",
    "Repository",
    "ScoreOverride",
    "Segment",
    "Source",
    "Stakeholder",
    "SyncRun",
    "Team",
    "Theme",
    "Timestamped",
    "TrackerItem",
    "TrackerStatusChange",
    "UTCDateTime",
    "User",
    "Vote",
    "Watch",
    "WorkLink",
    "utcnow",
]
