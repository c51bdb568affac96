"""The parts of a PEP 508 requirement an inventory needs: the name and the version specifier.

Written here rather than taken from ``packaging`` because the inventory needs only this much,
and a line it cannot read must become a reported skip, not an exception from deep inside.
Extras and environment markers are read past and dropped.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*")
_EXTRAS = re.compile(r"\[[^\]]*\]\s*")
_CLAUSE = re.compile(r"^(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9*+!._-]+)$")


def parse_requirement(text: str) -> tuple[str, str | None]:
    """(name, specifier) of ``text``, e.g. ``("requests", ">=2,<3")``; ValueError when invalid.

    A direct reference (``name @ https://...``) has no specifier: None.
    """
    match = _NAME.match(text)
    if match is None:
        raise ValueError("a requirement starts with a package name")
    name, rest = match.group(1), text[match.end() :]
    extras = _EXTRAS.match(rest)
    if extras:
        rest = rest[extras.end() :]
    if rest.startswith("@"):
        if not rest[1:].strip():
            raise ValueError("'@' must be followed by a URL")
        return name, None
    spec = rest.split(";", 1)[0].strip()
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1].strip()
    if not spec:
        return name, None
    clauses = [part.strip() for part in spec.split(",")]
    for clause in clauses:
        if not _CLAUSE.match(clause):
            raise ValueError(f"cannot read the version specifier {spec!r}")
    return name, ",".join(re.sub(r"\s+", "", c) for c in clauses)


def exact_version(specifier: str | None) -> str | None:
    """The version an exact pin (``==1.2.3``, ``===1.2.3``) fixes; None for any range."""
    if specifier is None or "," in specifier:
        return None
    match = _CLAUSE.match(specifier)
    if match and match.group(1) in {"==", "==="} and "*" not in match.group(2):
        return match.group(2)
    return None
