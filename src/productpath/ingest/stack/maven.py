"""pom.xml: the project's dependencies, with ``${...}`` resolved from ``<properties>``.

Names are ``groupId:artifactId``, as OSV spells Maven packages. A dependency without a version
takes it from the same POM's ``<dependencyManagement>``; parent POMs are not fetched, so a
version that only a parent defines stays as written. Test-scoped dependencies are development
ones. Maven has no lock file: ``locked`` is the declared version when it is a plain version.

The standard library's parser is safe here: expat 2.4+ refuses entity-expansion bombs and
ElementTree never fetches external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from productpath.domain.stack import MAVEN, Dependency
from productpath.errors import InputError
from productpath.ingest.stack.model import ManifestSkip, Parsed, read_text, relative

_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_PLAIN_VERSION = re.compile(r"^[0-9][A-Za-z0-9._-]*$")


def read(path: Path, root: Path) -> Parsed:
    rel = relative(path, root)
    try:
        project = ET.fromstring(read_text(path, rel))
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        reason = re.sub(r":? line \d+, column \d+$", "", str(exc))
        raise InputError(f"invalid XML: {reason}", file=rel, line=line) from None
    _strip_namespaces(project)
    if project.tag != "project":
        raise InputError("the root element must be <project>", file=rel, line=1)
    props = _properties(project)
    managed = {
        key: version
        for key, version, _, _ in _entries(project.find("dependencyManagement/dependencies"), props)
    }
    found = Parsed()
    for index, (key, version, scope, problem) in enumerate(
        _entries(project.find("dependencies"), props), start=1
    ):
        if problem:
            found.skipped.append(
                ManifestSkip(rel, None, f"dependencies/dependency[{index}]: {problem}")
            )
            continue
        declared = version or managed.get(key)
        locked = declared if declared and _PLAIN_VERSION.match(declared) else None
        found.dependencies.append(Dependency(rel, MAVEN, key, scope == "test", declared, locked))
    return found


def _strip_namespaces(element: ET.Element) -> None:
    for node in element.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]


def _text(element: ET.Element | None, tag: str) -> str | None:
    child = element.find(tag) if element is not None else None
    text = child.text.strip() if child is not None and child.text else ""
    return text or None


def _properties(project: ET.Element) -> dict[str, str]:
    props: dict[str, str] = {}
    parent = project.find("parent")
    for key, value in (
        ("project.groupId", _text(project, "groupId") or _text(parent, "groupId")),
        ("project.artifactId", _text(project, "artifactId")),
        ("project.version", _text(project, "version") or _text(parent, "version")),
        ("project.parent.version", _text(parent, "version")),
        ("project.parent.groupId", _text(parent, "groupId")),
    ):
        if value is not None:
            props[key] = value
            props[key.removeprefix("project.")] = value  # the old ${version} spelling
    node = project.find("properties")
    for child in node if node is not None else []:
        if isinstance(child.tag, str):
            props[child.tag] = (child.text or "").strip()
    return props


def _resolve(value: str | None, props: dict[str, str]) -> str | None:
    """``${name}`` replaced from ``props``, repeatedly (a property may name another)."""
    if value is None:
        return None
    for _ in range(10):  # bounded: a property that names itself must not loop forever
        resolved = _PROPERTY.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if resolved == value:
            break
        value = resolved
    return value


def _entries(
    node: ET.Element | None, props: dict[str, str]
) -> list[tuple[str, str | None, str | None, str | None]]:
    """(groupId:artifactId, version, scope, problem) of each <dependency> under ``node``."""
    entries: list[tuple[str, str | None, str | None, str | None]] = []
    for dep in node.findall("dependency") if node is not None else []:
        group = _resolve(_text(dep, "groupId"), props)
        artifact = _resolve(_text(dep, "artifactId"), props)
        if not group or not artifact:
            entries.append(("", None, None, "needs both <groupId> and <artifactId>"))
            continue
        version = _resolve(_text(dep, "version"), props)
        entries.append((f"{group}:{artifact}", version, _text(dep, "scope"), None))
    return entries
