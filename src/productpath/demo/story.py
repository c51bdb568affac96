"""Who built what in Pocket, and when: the one story the demo's git history and tracker export
both tell, so commits, pull requests and Jira issues agree with each other and the roadmap.

Days are counted back from the build day ("start 60" = 60 days before it). The people are the
team members of ``data/roadmap.template.yaml`` (a test checks they match).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    tz: str  # UTC offset of their commits, e.g. "+0100"


def _person(key: str, name: str, tz: str) -> Person:
    return Person(key, name, name.lower().replace(" ", ".") + "@pocket.example", tz)


PEOPLE: dict[str, Person] = {
    p.key: p
    for p in (
        _person("nia", "Nia Kowalczyk", "+0100"),
        _person("rafael", "Rafael Moreno", "+0100"),
        _person("hugo", "Hugo Lambert", "+0100"),
        _person("sana", "Sana Qureshi", "+0000"),
        _person("jakob", "Jakob Meyer", "+0100"),
        _person("eva", "Eva Lindholm", "+0100"),
        _person("tariq", "Tariq Bello", "+0000"),
        _person("marta", "Marta Silva", "+0000"),
        _person("connor", "Connor Walsh", "+0000"),
        _person("ada", "Ada Nwosu", "+0000"),
        _person("pieter", "Pieter Janssen", "+0100"),
        _person("lena", "Lena Hoffmann", "+0100"),
        _person("kenji", "Kenji Sato", "+0000"),
    )
}
# Hugo commits from his own laptop now and then; the repository's .mailmap merges the two.
SECOND_EMAIL = ("hugo", "hugo@lambert-mbp.local")
GITHUB_OWNER = "pocket-money"

_B = "pocket/"
_T = "tests/"
_M = "mobile/src/"

# Words that code in each folder talks about, for generated function names and lines.
NOUNS: dict[str, tuple[str, ...]] = {
    "ledger": ("entry", "posting", "balance", "event", "account", "journal"),
    "events": ("event", "offset", "consumer", "outbox", "schema"),
    "topups": ("top_up", "decline", "acquirer", "attempt", "card"),
    "transfers": ("transfer", "rail", "recipient", "arrival", "return"),
    "fx": ("quote", "rate", "markup", "provider", "pair"),
    "cards": ("card", "courier", "token", "pin", "wallet", "shipment"),
    "kyc": ("document", "selfie", "decision", "review", "applicant"),
    "onboarding": ("step", "checklist", "customer", "milestone"),
    "api": ("request", "session", "route", "token", "error"),
    "statements": ("statement", "page", "template", "archive"),
    "pocket": ("setting", "amount", "clock", "connection"),
    "tests": ("fixture", "case", "account", "payment"),
    "screens": ("screen", "card", "transfer", "balance"),
    "components": ("badge", "row", "sheet", "banner"),
    "store": ("account", "session", "card"),
    "docs": ("incident", "top_up", "transfer", "alert", "runbook"),
}

# Files of the first import; the rest appear when a pull request first writes them.
INITIAL_FILES = (
    "README.md",
    _B + "__init__.py",
    _B + "config.py",
    _B + "db.py",
    _B + "money.py",
    _B + "clock.py",
    _B + "ledger/models.py",
    _B + "ledger/postings.py",
    _B + "ledger/balances.py",
    _B + "topups/acquirers.py",
    _B + "topups/webhooks.py",
    _B + "transfers/rails.py",
    _B + "transfers/notifications.py",
    _B + "cards/issuer.py",
    _B + "cards/couriers.py",
    _B + "kyc/documents.py",
    _B + "kyc/decisions.py",
    _B + "onboarding/signup.py",
    _B + "api/routes.py",
    _B + "api/auth.py",
    _B + "api/errors.py",
    _B + "statements/pdf.py",
    _B + "statements/templates.py",
    _B + "statements/archive.py",
    _T + "test_ledger.py",
    _T + "test_topups.py",
    _T + "test_api.py",
    _M + "api/client.ts",
    _M + "screens/Home.tsx",
    _M + "screens/TopUp.tsx",
    _M + "screens/Card.tsx",
    _M + "store/account.ts",
    "docs/architecture.md",
)
# The area nobody has touched since the lead-in (an abandoned area for code health).
ABANDONED = _B + "statements/"
# The folder one person wrote almost alone (bus factor 1).
SOLO_DIR, SOLO_PERSON = _B + "fx/", "sana"


@dataclass(frozen=True)
class Work:
    """One initiative's delivery: pull requests in git, an epic with stories in Jira.

    ``people`` are ordered by how much they do. Stories: ``done`` resolved, ``open`` not yet,
    ``added`` created in the last three weeks on top (scope growth).
    """

    key: str
    epic: str
    people: tuple[str, ...]
    start: int
    end: int
    files: tuple[str, ...]
    prs: tuple[str, ...]
    done: int
    open: int
    added: int = 0
    label: str | None = None


WORK: tuple[Work, ...] = (
    Work(
        "payments-events", "POCKET-12", ("nia", "rafael", "hugo"), 178, 112,
        (_B + "ledger/events.py", _B + "ledger/outbox.py", _B + "ledger/postings.py",
         _B + "api/routes.py", _T + "test_ledger.py", "docs/architecture.md"),
        ("Ledger event model for every money movement", "Publish top-up events to the stream",
         "Publish transfer events to the stream", "Card payment and refund events",
         "Consumer offsets and replay for event readers", "Outbox table so events survive a crash",
         "Backfill events from the old ledger tables", "Event schema versioning",
         "Dashboards for event lag"),
        done=18, open=0,
    ),
    Work(
        "card-delivery-tracking", "POCKET-15", ("eva", "tariq"), 172, 120,
        (_B + "cards/couriers.py", _B + "cards/delivery.py", _M + "screens/CardTracking.tsx",
         _B + "api/routes.py", _T + "test_cards.py"),
        ("Courier webhook receiver", "Delivery estimate from courier events",
         "Card tracking screen", "Reorder a late card in one tap",
         "Push notification when the card is out for delivery",
         "Handle courier address exceptions", "Track cards printed by the second bureau"),
        done=12, open=0,
    ),
    Work(
        "instant-virtual-card", "POCKET-34", ("marta", "connor", "eva"), 150, 84,
        (_B + "cards/virtual.py", _B + "cards/issuer.py", _M + "screens/Card.tsx",
         _B + "api/routes.py", _T + "test_cards.py"),
        ("Issue a virtual card when identity is verified",
         "Virtual card details screen with reveal", "Tokenise virtual card numbers at the issuer",
         "Freeze the virtual card with the physical one",
         "Show the virtual card in the activation checklist", "Rate limit card detail reveals",
         "Copy card number with a clipboard timeout", "Virtual cards for business accounts"),
        done=14, open=0,
    ),
    Work(
        "activation-checklist", "POCKET-31", ("pieter", "lena"), 132, 96,
        (_B + "onboarding/checklist.py", _B + "onboarding/progress.py",
         _M + "screens/Home.tsx", _M + "components/Checklist.tsx", _T + "test_onboarding.py"),
        ("Activation checklist model and progress", "Checklist card on the home screen",
         "Mark checklist steps done from payment events", "Celebrate the first card payment",
         "Checklist analytics events"),
        done=9, open=0,
    ),
    Work(
        "card-freeze", "POCKET-58", ("connor", "tariq"), 100, 70,
        (_B + "cards/freeze.py", _B + "cards/issuer.py", _M + "screens/Card.tsx",
         _T + "test_cards.py"),
        ("Freeze and unfreeze from the card screen", "Replace a lost card keeping the PIN",
         "Show recent payments when freezing", "Freeze from the lock screen widget"),
        done=7, open=0,
    ),
    Work(
        "kyc-v2", "POCKET-47", ("ada", "kenji", "lena"), 92, 1,
        (_B + "kyc/documents.py", _B + "kyc/selfie.py", _B + "kyc/decisions.py",
         _B + "kyc/review_queue.py", _M + "screens/Verify.tsx", _T + "test_kyc.py"),
        ("Document scan with the new vendor SDK", "Selfie liveness check",
         "Instant decision rules engine", "Clear failure reasons on the verify screen",
         "Manual review queue with an expected wait",
         "Retry the document upload after a blurry photo",
         "Accept national ID cards from Spain and Italy", "Review queue SLA alerts",
         "Migrate pending verifications to v2"),
        done=10, open=22, label="identity",
    ),
    Work(
        "transfer-tracking", "POCKET-66", ("nia", "jakob", "rafael"), 78, 1,
        (_B + "transfers/tracking.py", _B + "transfers/rails.py",
         _B + "transfers/notifications.py", _M + "screens/Transfers.tsx", _B + "api/routes.py",
         _T + "test_transfers.py"),
        ("Read payment-rail status messages", "Transfer timeline screen",
         "Expected arrival time per rail",
         "Notify when the recipient's bank credits the transfer",
         "Status for Faster Payments returns", "Show the rail reference on the receipt",
         "Tracking for scheduled transfers", "Transfer status in the support console"),
        done=13, open=5,
    ),
    Work(
        "pin-self-service", "POCKET-69", ("tariq", "connor", "marta"), 70, 17,
        (_B + "cards/pin.py", _M + "screens/Pin.tsx", _T + "test_cards.py"),
        ("Show the PIN after biometric login", "Unblock the PIN after three wrong tries",
         "Change the PIN without an ATM", "Accessibility labels on the PIN screen"),
        done=8, open=5,
    ),
    Work(
        "topup-retry", "POCKET-71", ("rafael", "hugo", "jakob"), 62, 2,
        (_B + "topups/retry.py", _B + "topups/acquirers.py", _B + "topups/webhooks.py",
         _M + "screens/TopUp.tsx", _T + "test_topups.py", "docs/top-ups-runbook.md"),
        ("Classify issuer declines as soft or hard",
         "Retry soft declines with exponential back-off",
         "Route retries to the second acquirer", "Idempotency keys for top-up retries",
         "Tell the customer only after the last retry", "Retry metrics per acquirer",
         "Stop retries when the card is frozen"),
        done=11, open=5,
    ),
    Work(
        "fx-engine", "POCKET-77", ("sana",), 52, 1,
        (_B + "fx/quotes.py", _B + "fx/providers.py", _B + "fx/markup.py", _B + "fx/cache.py",
         _T + "test_fx.py"),
        ("Live price feed from the first liquidity provider",
         "Second liquidity provider with failover", "Published markup per currency pair",
         "Quote cache with a 30-second expiry", "Replace the daily rate file for card payments",
         "Alert when the providers' prices disagree"),
        done=8, open=4,
    ),
    Work(
        "wallet-provisioning", "POCKET-83", ("eva", "marta", "tariq"), 46, 1,
        (_B + "cards/wallets.py", _B + "cards/issuer.py", _M + "screens/Wallet.tsx",
         _M + "screens/Card.tsx", _T + "test_cards.py"),
        ("Apple Pay in-app provisioning", "Google Pay push provisioning",
         "Provision the virtual card before the plastic arrives",
         "Wallet tokens list in card settings", "Handle token suspension from the networks",
         "Provisioning errors with next steps"),
        done=9, open=5, added=12,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class PlannedEpic:
    """An epic opened for a planned initiative; its stories are not written yet."""

    key: str
    epic: str
    created: int


PLANNED = (
    PlannedEpic("topup-status", "POCKET-95", 30),
    PlannedEpic("card-renewal", "POCKET-97", 26),
)

# Pull requests that belong to no initiative: upkeep, fixes, tooling.
CHORE_PRS: tuple[tuple[str, str, str], ...] = (
    ("kenji", "fix-login-timeout", "Fix session timeout on slow networks"),
    ("hugo", "upgrade-sqlalchemy", "Upgrade SQLAlchemy to 2.0"),
    ("jakob", "faster-ci", "Cache dependencies in CI"),
    ("tariq", "android-rotate-crash", "Fix crash on rotate in the transfers screen"),
    ("rafael", "flaky-balance-test", "Fix flaky ledger balance test"),
    ("hugo", "structured-logging", "Structured logging with request ids"),
    ("marta", "dark-mode-tokens", "Colour tokens for dark mode"),
    ("pieter", "support-search", "Search customers by card last four in the support console"),
    ("jakob", "split-api-routes", "Split API routes by resource"),
    ("kenji", "rate-limit-login", "Rate limit login attempts"),
    ("lena", "remove-flags", "Remove unused feature flags"),
    ("hugo", "release-tags-in-errors", "Tag error reports with the release"),
    ("ada", "a11y-home", "Accessibility labels on the home screen"),
    ("nia", "statement-timeouts", "Statement timeouts for slow queries"),
    ("rafael", "webhook-retries", "Retry failed outgoing webhooks"),
    ("eva", "ios-17-widgets", "Fix widget layout on iOS 17"),
    ("pieter", "referral-links", "Referral links with UTM tags"),
    ("connor", "card-art-assets", "New card art assets"),
    ("jakob", "db-pool-size", "Size the database pool from settings"),
    ("kenji", "privacy-screen", "Hide balances in the app switcher"),
    ("lena", "copy-review", "Copy review for error messages"),
    ("tariq", "crash-free-metrics", "Crash-free session metrics"),
)
# Repeated, small direct commits to main with no initiative, as (who, subject, file).
CHORES: tuple[tuple[str, str, str], ...] = (
    ("hugo", "Tidy imports", _B + "config.py"),
    ("jakob", "Fix typo in the error message", _B + "api/errors.py"),
    ("kenji", "Add a test for expired sessions", _T + "test_api.py"),
    ("nia", "Document the ledger invariants", "docs/architecture.md"),
    ("rafael", "Log acquirer response codes", _B + "topups/acquirers.py"),
    ("lena", "Update onboarding copy", _M + "screens/Home.tsx"),
    ("ada", "Simplify the signup form state", _B + "onboarding/signup.py"),
    ("marta", "Refresh the card screen layout", _M + "screens/Card.tsx"),
    ("eva", "Handle a missing courier reference", _B + "cards/couriers.py"),
    ("hugo", "Use the clock helper everywhere", _B + "clock.py"),
    ("jakob", "Round amounts with banker's rounding", _B + "money.py"),
    ("pieter", "Rename the account store actions", _M + "store/account.ts"),
    ("tariq", "Retry API calls on 503", _M + "api/client.ts"),
    ("kenji", "Tighten auth token checks", _B + "api/auth.py"),
    ("nia", "Index the postings table", _B + "db.py"),
    ("connor", "Fix the card issuer timeout", _B + "cards/issuer.py"),
    ("lena", "Add the README section on local set-up", "README.md"),
    ("rafael", "Explain transfer notification retries", _B + "transfers/notifications.py"),
    ("ada", "Update KYC document types", _B + "kyc/documents.py"),
    ("hugo", "Add balance reconciliation test", _T + "test_ledger.py"),
    ("jakob", "Speed up the balances query", _B + "ledger/balances.py"),
    ("sana", "Refresh the daily rate file format", _B + "fx/rates_file.py"),
)
HOTFIXES: tuple[tuple[str, int, str, str], ...] = (
    ("rafael", 131, "Hotfix: top-up webhook rejects valid signatures", _B + "topups/webhooks.py"),
    ("eva", 88, "Hotfix: courier events arrive out of order", _B + "cards/couriers.py"),
    ("nia", 47, "Hotfix: double-posted refunds in the ledger", _B + "ledger/postings.py"),
    ("kenji", 19, "Hotfix: login loop after token refresh", _B + "api/auth.py"),
)
