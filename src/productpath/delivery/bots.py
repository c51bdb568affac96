"""Which authors are bots: dependency updaters, pre-commit autoupdates, CI accounts.

A bot's work is counted apart from the team's (throughput) and a bot is never a person: not a
code owner, not part of a bus factor, not a contributor. An author is a bot when its name ends
in ``[bot]`` (GitHub's app accounts: ``dependabot[bot]``, ``pre-commit-ci[bot]``), its e-mail's
local part does (``49699333+dependabot[bot]@users.noreply.github.com``), or its name or e-mail
is one of the workspace's own bots (``[delivery] bots`` in productpath.toml), ignoring case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_SUFFIX = "[bot]"


@dataclass(frozen=True)
class Bots:
    """The names and e-mails a workspace lists as bots, on top of every ``*[bot]`` author."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str]) -> Bots:
        return cls(frozenset(n.strip().casefold() for n in names if n.strip()))

    def is_bot(self, name: str | None, email: str | None = None) -> bool:
        for value in (name, email):
            if not value:
                continue
            folded = value.strip().casefold()
            if folded in self.names or folded.partition("@")[0].endswith(_SUFFIX):
                return True
        return False


NO_EXTRA_BOTS = Bots()
