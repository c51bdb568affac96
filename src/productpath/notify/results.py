"""What one delivery came to, and the retry loop every channel shares.

A channel's send function raises :class:`TransientFailure` for what may work a moment later
(a refused connection, a timeout, a 4xx SMTP reply, an HTTP 5xx or 429) and
:class:`PermanentFailure` for what never will (a 5xx SMTP reply, a refused address, an HTTP
4xx). :func:`with_retry` retries the first kind with exponential back-off and gives up at once
on the second; either way the caller gets a :class:`DeliveryResult`, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


class DeliveryFailure(Exception):
    """A send that did not go through; the message is one line a person can act on."""


class TransientFailure(DeliveryFailure):
    """Worth trying again."""


class PermanentFailure(DeliveryFailure):
    """Trying again would fail the same way."""


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all, waiting ``backoff`` seconds, then twice that, and so on."""

    attempts: int = 3
    backoff: float = 2.0
    max_wait: float = 30.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before try number ``attempt`` (2, 3, ...)."""
        return float(min(self.max_wait, self.backoff * 2 ** (attempt - 2)))


@dataclass(frozen=True)
class DeliveryResult:
    """One recipient's outcome on one channel."""

    recipient: str
    channel: str
    ok: bool
    attempts: int
    error: str = ""
    # True when the failure is one that trying again cannot fix (refused or invalid address).
    permanent: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def with_retry(
    recipient: str,
    channel: str,
    send: Callable[[], None],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Call ``send`` until it succeeds, fails permanently, or the policy's attempts run out."""
    error = ""
    for attempt in range(1, max(1, policy.attempts) + 1):
        if attempt > 1:
            sleep(policy.wait_before(attempt))
        try:
            send()
        except PermanentFailure as exc:
            return DeliveryResult(recipient, channel, False, attempt, str(exc), permanent=True)
        except TransientFailure as exc:
            error = str(exc)
            continue
        return DeliveryResult(recipient, channel, True, attempt)
    return DeliveryResult(recipient, channel, False, max(1, policy.attempts), error)
