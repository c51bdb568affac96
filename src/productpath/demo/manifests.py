"""The dependency manifests of the demo repository, rendered from the versions in use.

The backend has a ``pyproject.toml`` with ranges and a pinned ``requirements.txt`` (as
pip-compile writes it); the mobile app a ``package.json`` and an npm v3 ``package-lock.json``.
Dependency bumps during the history change the versions and re-render the files. ``requests``
and ``moment`` are on the demo radar's "hold" ring: the stack inventory flags them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

PYPROJECT = "pyproject.toml"
REQUIREMENTS = "requirements.txt"
PACKAGE_JSON = "mobile/package.json"
PACKAGE_LOCK = "mobile/package-lock.json"
FILES = (PYPROJECT, REQUIREMENTS, PACKAGE_JSON, PACKAGE_LOCK)

# name: (version, range written in pyproject.toml)
_PYTHON = {
    "fastapi": ("0.109.2", ">=0.109"),
    "uvicorn": ("0.27.1", ">=0.27"),
    "sqlalchemy": ("1.4.51", ">=1.4,<2.1"),
    "alembic": ("1.13.1", ">=1.13"),
    "pydantic": ("2.6.1", ">=2.6"),
    "httpx": ("0.26.0", ">=0.26"),
    "requests": ("2.31.0", ">=2.31"),
    "celery": ("5.3.6", ">=5.3"),
    "redis": ("5.0.1", ">=5.0"),
    "psycopg2-binary": ("2.9.9", ">=2.9"),
    "structlog": ("24.1.0", ">=24.1"),
    "boto3": ("1.34.44", ">=1.34"),
    "cryptography": ("42.0.2", ">=42"),
    "pyjwt": ("2.8.0", ">=2.8"),
    "reportlab": ("4.0.9", ">=4.0"),
}
_PYTHON_DEV = {"pytest": "8.0.1", "ruff": "0.2.2", "mypy": "1.8.0", "freezegun": "1.4.0"}
_NPM = {
    "react": "18.2.0",
    "react-native": "0.73.4",
    "@react-navigation/native": "6.1.10",
    "axios": "1.6.7",
    "moment": "2.30.1",
    "zustand": "4.5.0",
    "date-fns": "3.3.1",
    "react-native-keychain": "8.1.3",
}
_NPM_DEV = {
    "typescript": "5.3.3",
    "jest": "29.7.0",
    "eslint": "8.56.0",
    "@types/react": "18.2.55",
}


@dataclass
class Versions:
    """The versions the repository uses at one point of its history."""

    python: dict[str, str] = field(default_factory=lambda: {k: v for k, (v, _) in _PYTHON.items()})
    npm: dict[str, str] = field(default_factory=lambda: dict(_NPM))

    def bump(self, name: str, version: str) -> str:
        """Set ``name`` to ``version``; returns the version it had."""
        table = self.python if name in self.python else self.npm
        old = table[name]
        table[name] = version
        return old

    def render(self) -> dict[str, str]:
        """Each manifest's text."""
        return {
            PYPROJECT: _pyproject(),
            REQUIREMENTS: _requirements(self.python),
            PACKAGE_JSON: _package_json(self.npm),
            PACKAGE_LOCK: _package_lock(self.npm),
        }


def _pyproject() -> str:
    deps = "\n".join(f'    "{name}{spec}",' for name, (_, spec) in _PYTHON.items())
    dev = "\n".join(f'    "{name}>={version}",' for name, version in _PYTHON_DEV.items())
    return f"""[project]
name = "pocket-backend"
version = "1.0.0"
description = "Pocket's API, ledger and payment workers"
requires-python = ">=3.11"
dependencies = [
{deps}
]

[project.optional-dependencies]
dev = [
{dev}
]

[tool.ruff]
line-length = 100
"""


def _requirements(python: dict[str, str]) -> str:
    lines = ["# Pinned by pip-compile from pyproject.toml; bump with `make lock`."]
    lines += [f"{name}=={version}" for name, version in sorted(python.items())]
    return "\n".join(lines) + "\n"


def _package_json(npm: dict[str, str]) -> str:
    data = {
        "name": "pocket-mobile",
        "version": "1.0.0",
        "private": True,
        "scripts": {"start": "react-native start", "test": "jest", "lint": "eslint src"},
        "dependencies": {name: f"^{version}" for name, version in sorted(npm.items())},
        "devDependencies": {name: f"^{version}" for name, version in sorted(_NPM_DEV.items())},
    }
    return json.dumps(data, indent=2) + "\n"


def _package_lock(npm: dict[str, str]) -> str:
    root = json.loads(_package_json(npm))
    packages: dict[str, object] = {
        "": {
            "name": "pocket-mobile",
            "version": "1.0.0",
            "dependencies": root["dependencies"],
            "devDependencies": root["devDependencies"],
        }
    }
    pinned = [(n, v, False) for n, v in npm.items()] + [(n, v, True) for n, v in _NPM_DEV.items()]
    for name, version, dev in sorted(pinned):
        tarball = name.rsplit("/", 1)[-1]
        entry: dict[str, object] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{name}/-/{tarball}-{version}.tgz",
            "license": "MIT",
        }
        if dev:
            entry["dev"] = True
        packages[f"node_modules/{name}"] = entry
    data = {
        "name": "pocket-mobile",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": packages,
    }
    return json.dumps(data, indent=2) + "\n"


# (days ago, who, package, new version): dependency bumps during the history.
BUMPS: tuple[tuple[int, str, str, str], ...] = (
    (163, "hugo", "fastapi", "0.110.0"),
    (141, "connor", "react-native", "0.73.6"),
    (122, "hugo", "sqlalchemy", "2.0.27"),
    (109, "jakob", "pydantic", "2.6.4"),
    (97, "marta", "axios", "1.6.8"),
    (83, "kenji", "cryptography", "42.0.5"),
    (71, "hugo", "celery", "5.4.0"),
    (58, "eva", "zustand", "4.5.2"),
    (44, "jakob", "fastapi", "0.111.0"),
    (33, "tariq", "react-native", "0.74.1"),
    (21, "kenji", "pyjwt", "2.9.0"),
    (12, "marta", "date-fns", "3.6.0"),
    (6, "hugo", "boto3", "1.34.99"),
)
# The bump that broke the Android build and was reverted the next morning.
REVERTED_BUMP = (33, "react-native")
