"""Read an OSV-Scanner JSON export into plain vulnerability findings.

Nothing is looked up online: the findings are exactly what the file says, as current as the
scan that wrote it. The export's shape::

    {"results": [{"source": {...},
                  "packages": [{"package": {"name", "version", "ecosystem"},
                                "vulnerabilities": [{"id", "summary", "aliases",
                                                     "database_specific": {"severity"}}],
                                "groups": [{"ids": [...], "max_severity": "7.5"}]}]}]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from productpath.domain.stack import OsvFinding
from productpath.errors import InputError


def read_osv(path: Path) -> list[OsvFinding]:
    """Every finding in the export at ``path``, sorted; InputError naming file and field."""
    if not path.is_file():
        raise InputError("OSV file not found" if not path.exists() else "not a file", file=path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    return parse_osv(data, file=path)


def parse_osv(data: Any, file: str | Path = "<osv>") -> list[OsvFinding]:
    """Findings from an already-decoded export; the same checks as :func:`read_osv`."""
    results = _field(data, "results", list, file, "")
    findings: set[OsvFinding] = set()
    for r, result in enumerate(results):
        where = f"results[{r}]"
        packages = _field(result, "packages", list, file, where, default=[])
        for p, entry in enumerate(packages):
            here = f"{where}.packages[{p}]"
            package = _field(entry, "package", dict, file, here)
            name = _field(package, "name", str, file, f"{here}.package")
            ecosystem = _field(package, "ecosystem", str, file, f"{here}.package")
            version = _field(package, "version", str, file, f"{here}.package", default=None)
            scores = _group_scores(entry, file, here)
            vulns = _field(entry, "vulnerabilities", list, file, here, default=[])
            for v, vuln in enumerate(vulns):
                at = f"{here}.vulnerabilities[{v}]"
                vuln_id = _field(vuln, "id", str, file, at)
                specific = vuln.get("database_specific")
                severity = specific.get("severity") if isinstance(specific, dict) else None
                aliases = vuln.get("aliases") if isinstance(vuln.get("aliases"), list) else []
                findings.add(
                    OsvFinding(
                        ecosystem=ecosystem,
                        name=name,
                        version=version,
                        id=vuln_id,
                        summary=str(vuln.get("summary") or ""),
                        aliases=tuple(sorted(str(a) for a in aliases)),
                        severity=str(severity) if severity else None,
                        score=scores.get(vuln_id),
                    )
                )
    return sorted(findings)


def _group_scores(entry: dict[str, Any], file: str | Path, here: str) -> dict[str, str]:
    """vulnerability id -> the max_severity of the group that holds it."""
    scores: dict[str, str] = {}
    groups = _field(entry, "groups", list, file, here, default=[])
    for group in groups:
        if not isinstance(group, dict) or not group.get("max_severity"):
            continue
        for vuln_id in group.get("ids") or []:
            scores[str(vuln_id)] = str(group["max_severity"])
    return scores


_MISSING = object()


def _field(
    node: Any, key: str, kind: type, file: str | Path, where: str, default: Any = _MISSING
) -> Any:
    """``node[key]``, checked to be of ``kind``; InputError naming the field otherwise."""
    field = f"{where}.{key}" if where else key
    if not isinstance(node, dict):
        raise InputError("must be a JSON object", file=file, field=where or "(top level)")
    value = node.get(key, _MISSING)
    if value is _MISSING or value is None:
        if default is not _MISSING:
            return default
        raise InputError("is required; is this an OSV-Scanner JSON export?", file=file, field=field)
    if not isinstance(value, kind):
        names: dict[type, str] = {list: "a list", dict: "an object", str: "text"}
        raise InputError(f"must be {names.get(kind, kind.__name__)}", file=file, field=field)
    return value
