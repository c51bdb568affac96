"""A labelled set for ``roadmap suggest-links``: initiatives, themes and the links that are right.

Two products: Pocket (the demo's payments app: its initiatives, and themes in the words of its
BANKING77-style customer messages) and a developer tool (a Python test runner: issue-tracker
themes written the way developers file issues). Each theme is a label and a few member texts,
as the insight engine would find them; ``LINKS`` lists, per product, every (initiative, theme)
pair a product manager would accept. Every other pair is wrong. Written by hand for this
measurement; the themes include distractors that no initiative answers ("Private key", "Cash
withdrawal fee", "Logo and website") and an initiative no theme asks for ("plugin-api").
"""

from __future__ import annotations

PRODUCTS: dict[str, dict[str, object]] = {
    "pocket": {
        "initiatives": {
            "topup-retry": (
                "Automatic retry for failed card top-ups",
                "Retry soft declines from the card issuer with back-off, and route to the second "
                "acquirer before telling the customer the top-up failed.",
            ),
            "transfer-tracking": (
                "Transfer tracking with payment-rail status",
                "Show where an outgoing transfer is, from sent to arrived, with the rail's own "
                "status, so customers stop asking support where their money is.",
            ),
            "card-delivery-tracking": (
                "Card delivery tracking",
                "Tell customers when their physical card ships and when it should arrive, with "
                "the courier's tracking link.",
            ),
            "card-freeze": (
                "Freeze and unfreeze a card in the app",
                "A lost or stolen card can be frozen at once from the app and unfrozen when found.",
            ),
            "pin-self-service": (
                "PIN reset and unblock in the app",
                "Reset a forgotten PIN or unblock a PIN after too many wrong tries without "
                "calling support.",
            ),
            "fx-transparency": (
                "Exchange rate and fee shown before paying abroad",
                "Show the exchange rate and any fee before a payment in another currency.",
            ),
            "kyc-v2": (
                "Faster identity verification",
                "Verify identity documents in minutes instead of days, and say what is missing.",
            ),
            "dispute-flow": (
                "Dispute a card payment in the app",
                "Customers dispute a payment they do not recognise and follow the refund.",
            ),
        },
        "themes": {
            "Top up failed": [
                "my top up failed twice today",
                "why did my card top-up fail",
                "top up declined but my bank has money",
                "the top up keeps failing with my visa",
                "I tried to top up and it was reverted",
            ],
            "Transfer not received": [
                "my transfer has not arrived yet",
                "the money I sent has not reached my friend",
                "where is my transfer, it is been three days",
                "sent money yesterday still pending",
                "how long does a transfer take to arrive",
            ],
            "Card arrival": [
                "my card has not arrived",
                "when will my new card be delivered",
                "still waiting for my card in the post",
                "how do I track my card delivery",
                "card was supposed to arrive last week",
            ],
            "Lost or stolen card": [
                "I lost my card what do I do",
                "my card was stolen yesterday",
                "can I block my card, I cannot find it",
                "someone took my wallet with the card",
                "freeze my card please I lost it",
            ],
            "PIN blocked": [
                "my pin is blocked",
                "I forgot my pin",
                "entered the wrong pin three times now blocked",
                "how do I reset my pin",
                "unblock my pin please",
            ],
            "Exchange rate questions": [
                "what exchange rate do you use",
                "why was I charged a different rate abroad",
                "is there a fee for paying in dollars",
                "the exchange rate was worse than expected",
                "how is the currency conversion calculated",
            ],
            "Identity verification": [
                "why is my identity verification taking so long",
                "my id document was rejected",
                "verify my identity it is stuck",
                "what documents do you need to verify me",
                "identity check failed again",
            ],
            "Unknown card payment": [
                "there is a payment I do not recognise",
                "I did not make this card payment",
                "strange transaction on my card",
                "how do I dispute a charge",
                "refund for a payment I never made",
            ],
            "Change of address": [
                "how do I change my address",
                "I moved, update my address",
                "my address is wrong in the app",
                "change the postal address on my account",
                "new address for my statements",
            ],
            "Cash withdrawal fee": [
                "why was I charged for taking cash out",
                "atm withdrawal fee is too high",
                "fee on my cash withdrawal",
                "how many free withdrawals do I get",
                "charged at the cash machine",
            ],
        },
    },
    "testrunner": {
        "initiatives": {
            "clearer-failures": (
                "Clearer failure reports",
                "Assertion failures show a readable diff of the values compared, and the summary "
                "counts failures correctly.",
            ),
            "parallel-runs": (
                "Run tests in parallel",
                "Distribute tests across CPU cores with a stable worker protocol and no crashes "
                "when a worker dies.",
            ),
            "faster-collection": (
                "Faster test collection on large repositories",
                "Collecting tests in a repository with thousands of files takes seconds, not "
                "minutes.",
            ),
            "fixture-docs": (
                "Fixture scopes explained",
                "Document fixture scopes and teardown order with examples, and warn when a "
                "session fixture depends on a function fixture.",
            ),
            "windows-support": (
                "First-class Windows support",
                "Paths, temporary folders and terminal colours work on Windows as on Linux.",
            ),
            "flaky-retries": (
                "Rerun flaky tests",
                "Mark tests as flaky and retry them a set number of times before reporting a "
                "failure.",
            ),
            "python-312": (
                "Support Python 3.12",
                "Install and run on the newest Python release without deprecation warnings.",
            ),
            "plugin-api": (
                "Stable plugin API",
                "Hooks plugins rely on keep working across releases, with deprecations announced "
                "a release ahead.",
            ),
        },
        "themes": {
            "Unreadable assertion diff": [
                "assertion error output is truncated and I cannot see the difference",
                "diff of two long dicts is unreadable",
                "assert on lists shows no useful diff",
                "failure message hides which key differs",
                "the summary says 0 failed but one test failed",
            ],
            "xdist worker crashed": [
                "worker gw3 crashed while running tests in parallel",
                "running with -n 4 hangs forever",
                "parallel run loses output of a crashed worker",
                "node down error when distributing tests",
                "tests pass alone but fail under xdist",
            ],
            "Slow collection": [
                "collection takes five minutes on our monorepo",
                "collecting 20000 tests is very slow",
                "startup time is dominated by test discovery",
                "conftest import makes collection slow",
                "collect only takes longer than running the tests",
            ],
            "Fixture scope confusion": [
                "session scoped fixture is torn down too early",
                "ScopeMismatch when a module fixture uses a function fixture",
                "fixture teardown order is surprising",
                "how do I share a fixture between test modules",
                "yield fixture finalizer runs twice",
            ],
            "Windows path errors": [
                "tmp_path fails on windows with a long path",
                "backslashes in the node id break on windows",
                "colours are garbage in the windows terminal",
                "permission error cleaning temp dir on windows",
                "drive letter case mismatch in paths",
            ],
            "Flaky tests": [
                "a test fails randomly once in ten runs",
                "how do I retry a flaky test automatically",
                "intermittent failure in CI only",
                "network test is flaky, rerun it",
                "random order makes tests flaky",
            ],
            "Python 3.12 install": [
                "install fails on python 3.12",
                "DeprecationWarning on python 3.12 for ast.Str",
                "does not import on the newest python",
                "wheel missing for 3.12",
                "python 3.12 support when",
            ],
            "Private key": [
                "private key file committed by mistake",
                "ssh private key printed in the ci log",
                "the key in the fixture file is a real private key",
                "rotate the leaked key",
                "remove the private key from history",
            ],
            "Logo and website": [
                "the logo is blurry on the website",
                "docs website dark mode",
                "favicon missing",
                "website search is broken",
                "new logo proposal",
            ],
        },
    },
}

LINKS: dict[str, set[tuple[str, str]]] = {
    "pocket": {
        ("topup-retry", "Top up failed"),
        ("transfer-tracking", "Transfer not received"),
        ("card-delivery-tracking", "Card arrival"),
        ("card-freeze", "Lost or stolen card"),
        ("pin-self-service", "PIN blocked"),
        ("fx-transparency", "Exchange rate questions"),
        ("kyc-v2", "Identity verification"),
        ("dispute-flow", "Unknown card payment"),
    },
    "testrunner": {
        ("clearer-failures", "Unreadable assertion diff"),
        ("parallel-runs", "xdist worker crashed"),
        ("faster-collection", "Slow collection"),
        ("fixture-docs", "Fixture scope confusion"),
        ("windows-support", "Windows path errors"),
        ("flaky-retries", "Flaky tests"),
        ("python-312", "Python 3.12 install"),
    },
}
