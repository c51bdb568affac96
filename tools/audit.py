"""Dependency audit for CI: pip-audit when its advisory data is reachable, a clear skip when not.

python tools/audit.py     exit 0: no known vulnerability, or skipped offline (says so)
                          exit 1: pip-audit found vulnerable packages (they are listed)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ADVISORY_HOST = "pypi.org"  # pip-audit's default service (PyPI's JSON API, OSV data)


def reachable(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def main() -> int:
    tool = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(tool).exists():
        print("audit: skipped, pip-audit is not installed (pip install pip-audit)")
        return 0
    if not reachable(ADVISORY_HOST):
        print(f"audit: skipped, advisory data unreachable ({ADVISORY_HOST}:443 offline)")
        return 0
    done = subprocess.run(
        [tool, "--progress-spinner", "off", "--skip-editable", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"audit: skipped, pip-audit gave no report: {done.stderr.strip()[-300:]}")
        return 0
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    if deps and not audited:
        print(f"audit: skipped, no advisory data for any of {len(deps)} packages (offline mirror?)")
        return 0
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
        print(f"audit: {dep['name']} {dep.get('version', '')}: {ids}")
    print(f"audit: {len(audited)} packages audited, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    raise SystemExit(main())
