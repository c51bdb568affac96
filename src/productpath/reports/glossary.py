"""Business language for the executive report: a workspace glossary and a jargon check.

The glossary is ``glossary.yaml`` in the workspace folder, one mapping of technical term to the
plain phrase that replaces it::

    API: connection for partners' software
    SEPA Instant: instant euro transfers

Terms match whole words, ignoring case; the longest term wins where two overlap. Writing the
same term twice (in any case) is an error naming the file and the line of the second one.

The jargon check looks for engineering words a board member should not have to decode
(:data:`JARGON` and the patterns in :data:`JARGON_PATTERNS`: ticket keys, percentile labels
such as P85) in the text left after translation, and lists each one the glossary does not cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from productpath.errors import InputError

GLOSSARY_FILE = "glossary.yaml"

# Engineering words, matched whole and ignoring case. Kept to terms with a plain alternative.
JARGON: tuple[str, ...] = (
    "API",
    "APIs",
    "SDK",
    "backend",
    "back-end",
    "frontend",
    "front-end",
    "refactor",
    "refactoring",
    "microservice",
    "microservices",
    "latency",
    "throughput",
    "cycle time",
    "lead time",
    "burn-up",
    "burndown",
    "deploy",
    "deployment",
    "CI",
    "CI/CD",
    "repo",
    "repository",
    "branch",
    "merge",
    "pull request",
    "PR",
    "commit",
    "commits",
    "epic",
    "epics",
    "story points",
    "sprint",
    "backlog",
    "velocity",
    "schema",
    "database",
    "endpoint",
    "webhook",
    "idempotent",
    "Kubernetes",
    "k8s",
    "tech debt",
    "technical debt",
    "bus factor",
    "hotspot",
    "regression",
    "rollback",
    "hotfix",
    "Monte Carlo",
    "percentile",
    "P50",
    "P85",
    "P95",
    "SLA",
    "SLO",
    "MVP",
    "PERT",
    "stream",
    "event stream",
    "ledger",
    "acquirer",
    "tokenization",
    "tokenisation",
    "provisioning",
    "SCA",
    "PSD2",
    "KYC",
)
# Shapes of jargon rather than words: ticket keys (ABC-123) and percentile labels (P85).
JARGON_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ticket key", re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b")),
    ("percentile label", re.compile(r"\bP\d{2}\b")),
)


@dataclass(frozen=True)
class Glossary:
    """Term -> plain phrase, in file order; ``path`` says where it came from (None: none)."""

    entries: tuple[tuple[str, str], ...] = ()
    path: Path | None = None

    def __post_init__(self) -> None:
        # Longest first, so "event stream" is replaced before "stream".
        ordered = sorted(self.entries, key=lambda e: -len(e[0]))
        object.__setattr__(self, "_phrases", {term.lower(): plain for term, plain in ordered})
        object.__setattr__(
            self,
            "_pattern",
            re.compile(
                r"(?<![\w-])(" + "|".join(re.escape(term) for term, _ in ordered) + r")(?![\w-])",
                re.IGNORECASE,
            )
            if ordered
            else None,
        )

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(term for term, _ in self.entries)

    def translate(self, text: str) -> str:
        """``text`` with every glossary term replaced by its plain phrase."""
        pattern: re.Pattern[str] | None = self.__dict__["_pattern"]
        if pattern is None or not text:
            return text
        phrases: dict[str, str] = self.__dict__["_phrases"]
        return pattern.sub(lambda m: phrases[m.group(0).lower()], text)

    def covers(self, word: str) -> bool:
        return word.lower() in self.__dict__["_phrases"]


def parse_glossary(text: str, file: str | Path) -> Glossary:
    """The glossary in ``text`` (a YAML mapping of term to phrase). A duplicate term, an empty
    term or phrase, or anything but a flat mapping is an InputError naming file and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    from productpath.domain.yaml_limits import check_yaml_limits

    check_yaml_limits(text, file)
    try:
        root = YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"invalid YAML: {exc.problem or exc.context}",
            file=file,
            line=mark.line + 1 if mark else None,
        ) from None
    if root is None:
        return Glossary((), Path(file))
    if not isinstance(root, MappingNode):
        raise InputError(
            "a glossary is a mapping of 'term: plain phrase' lines",
            file=file,
            line=root.start_mark.line + 1,
        )
    seen: dict[str, int] = {}
    entries: list[tuple[str, str]] = []
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, ScalarNode) or not isinstance(value, ScalarNode):
            raise InputError(
                "each entry is 'term: plain phrase' (text on both sides)", file=file, line=line
            )
        term, plain = str(key.value).strip(), " ".join(str(value.value).split())
        if not term:
            raise InputError("an entry has an empty term", file=file, line=line)
        if not plain:
            raise InputError(f"term '{term}' has no plain phrase", file=file, line=line)
        folded = term.lower()
        if folded in seen:
            raise InputError(
                f"term '{term}' is already defined on line {seen[folded]}",
                file=file,
                line=line,
                field=term,
            )
        seen[folded] = line
        entries.append((term, plain))
    return Glossary(tuple(entries), Path(file))


def load_glossary(root: Path) -> Glossary:
    """The glossary of the workspace at ``root``; an empty one when it has no file."""
    path = root / GLOSSARY_FILE
    if not path.is_file():
        return Glossary()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the glossary: {exc}", file=path) from None
    return parse_glossary(text, path)


_JARGON_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(JARGON, key=len, reverse=True)) + r")"
    r"(?![\w-])",
    re.IGNORECASE,
)
# Short all-caps words only count in capitals ("CI" is jargon, "ci" inside a name is not).
_CAPS_ONLY = {w.lower() for w in JARGON if w.isupper() and len(w) <= 4}


def jargon_left(texts: Iterable[str], glossary: Glossary | None = None) -> tuple[str, ...]:
    """The jargon in ``texts`` that ``glossary`` does not translate, each once, in the form it
    was first written, sorted case-insensitively."""
    glossary = glossary or Glossary()
    found: dict[str, str] = {}
    for text in texts:
        for match in _JARGON_RE.finditer(text):
            word = match.group(0)
            if word.lower() in _CAPS_ONLY and not word.isupper():
                continue
            found.setdefault(word.lower(), word)
        for _, pattern in JARGON_PATTERNS:
            for match in pattern.finditer(text):
                found.setdefault(match.group(0).lower(), match.group(0))
    return tuple(sorted((w for key, w in found.items() if not glossary.covers(key)), key=str.lower))
