"""Who is behind a request: the contract every route uses, filled in by ``web.auth``.

Kept apart from ``web.deps`` (which hands it to routes) and ``web.auth`` (which works it out
from a session or a token) so that both import it and neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass

# Roles per product, strongest first: admin > editor > viewer. ``stakeholder`` sees only the
# portal (public roadmap, votes, comments, feedback submission).
ROLES = ("admin", "editor", "viewer", "stakeholder")
_RANK = {"admin": 3, "editor": 2, "viewer": 1, "stakeholder": 0}


@dataclass(frozen=True)
class Principal:
    """The person (or script) behind a request, and their role on the product it touches.

    ``user_id`` is None in local mode: a workspace with no user accounts, served on loopback,
    where the one local person is the admin.
    """

    user_id: int | None
    email: str
    name: str
    role: str
    product: str

    def at_least(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]
