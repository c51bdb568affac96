"""Stack inventory: one manifest (and lock) per ecosystem, radar flags, OSV matching, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import invoke
from productpath.errors import InputError
from productpath.ingest.osv import read_osv
from productpath.ingest.stack import Dependency, ManifestSkip, scan_tree
from productpath.services.work.tech import stack_inventory

FILES = {
    "pyproject.toml": """
[project]
name = "shop"
dependencies = ["Django>=4.2,<5", "requests[socks] == 2.31.0 ; python_version > '3.8'"]
[project.optional-dependencies]
dev = ["pytest>=8"]
postgres = ["psycopg>=3", "not a requirement!"]
""",
    "services/worker/pyproject.toml": """
[tool.poetry.dependencies]
python = "^3.11"
celery = "^5.3"
Redis = { version = ">=5", optional = true }
[tool.poetry.group.dev.dependencies]
black = "^24"
""",
    "services/worker/poetry.lock": """
[[package]]
name = "celery"
version = "5.3.6"
[[package]]
name = "redis"
version = "5.0.1"
[[package]]
name = "black"
version = "24.1.0"
""",
    "requirements.txt": (
        "-r requirements/base.txt\n"
        "Flask==3.0.0  # the web layer\n"
        "numpy>=1.26 ; python_version >= '3.11'\n"
        "--index-url https://pypi.example/simple\n"
        "this is not valid!!\n"
    ),
    "requirements/base.txt": "click>=8 \\\n    --hash=sha256:abc\n",
    "requirements-dev.txt": "-r requirements.txt\npytest-cov==4.1.0\n-r missing.txt\n",
    "web/package.json": json.dumps(
        {
            "name": "web",
            "dependencies": {"react": "^18.2.0", "@scope/ui": "~1.0.0"},
            "devDependencies": {"typescript": "^5.4.0"},
        }
    ),
    "web/package-lock.json": json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "web"},
                "node_modules/react": {"version": "18.2.0"},
                "node_modules/@scope/ui": {"version": "1.0.3"},
                "node_modules/typescript": {"version": "5.4.5"},
                "node_modules/lodash": {"version": "4.17.20"},
            },
        }
    ),
    "web/node_modules/react/package.json": json.dumps({"dependencies": {"loose": "1.0.0"}}),
    "go/go.mod": """module example.com/shop

go 1.22

require github.com/gin-gonic/gin v1.9.1

require (
\tgolang.org/x/text v0.14.0 // indirect
\tgithub.com/stretchr/testify v1.8.4
)
""",
    "rust/Cargo.toml": """
[package]
name = "shop"
[dependencies]
serde = { version = "1.0", features = ["derive"] }
tokio = "1"
rand_alias = { package = "rand", version = "0.8" }
local = { path = "../local" }
[dev-dependencies]
proptest = "1.4"
""",
    "rust/Cargo.lock": """
[[package]]
name = "serde"
version = "1.0.197"
[[package]]
name = "tokio"
version = "1.36.0"
[[package]]
name = "rand"
version = "0.8.5"
[[package]]
name = "rand"
version = "0.7.3"
[[package]]
name = "proptest"
version = "1.4.0"
""",
    "java/pom.xml": """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0.0</version>
  <properties><spring.version>6.1.4</spring.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId>
      <version>33.0.0-jre</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId>
      <version>${spring.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId>
      <version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>shop-core</artifactId>
      <version>${project.version}</version></dependency>
  </dependencies>
</project>
""",
    "ruby/Gemfile": """source "https://rubygems.org"
gem "rails", "~> 7.1"
gem 'pg', '>= 1.1', '< 2.0'
group :development, :test do
  gem "rspec-rails"
end
gem "rubocop", require: false, group: :development
gem oops
""",
    "ruby/Gemfile.lock": """GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.16.0-x86_64-linux)
    pg (1.5.4)
    rails (7.1.3)
      actionpack (= 7.1.3)
    rspec-rails (6.1.1)
    rubocop (1.60.2)

DEPENDENCIES
  rails (~> 7.1)
""",
    "broken/package.json": '{"dependencies": {"a": "1",}\n}\n',
    "broken/Cargo.toml": "[dependencies\nserde = '1'\n",
    "broken/pom.xml": "<project><dependencies></project>\n",
}


D = Dependency
EXPECTED = [
    D("go/go.mod", "Go", "github.com/gin-gonic/gin", False, "v1.9.1", "v1.9.1"),
    D("go/go.mod", "Go", "github.com/stretchr/testify", False, "v1.8.4", "v1.8.4"),
    D("java/pom.xml", "Maven", "com.example:shop-core", False, "1.0.0", "1.0.0"),
    D("java/pom.xml", "Maven", "com.google.guava:guava", False, "33.0.0-jre", "33.0.0-jre"),
    D("java/pom.xml", "Maven", "junit:junit", True, "4.13.2", "4.13.2"),
    D("java/pom.xml", "Maven", "org.springframework:spring-core", False, "6.1.4", "6.1.4"),
    D("pyproject.toml", "PyPI", "django", False, ">=4.2,<5", None),
    D("pyproject.toml", "PyPI", "psycopg", False, ">=3", None),
    D("pyproject.toml", "PyPI", "pytest", True, ">=8", None),
    D("pyproject.toml", "PyPI", "requests", False, "==2.31.0", "2.31.0"),
    D("requirements-dev.txt", "PyPI", "pytest-cov", True, "==4.1.0", "4.1.0"),
    D("requirements.txt", "PyPI", "flask", False, "==3.0.0", "3.0.0"),
    D("requirements.txt", "PyPI", "numpy", False, ">=1.26", None),
    D("requirements/base.txt", "PyPI", "click", False, ">=8", None),
    D("ruby/Gemfile", "RubyGems", "pg", False, ">= 1.1, < 2.0", "1.5.4"),
    D("ruby/Gemfile", "RubyGems", "rails", False, "~> 7.1", "7.1.3"),
    D("ruby/Gemfile", "RubyGems", "rspec-rails", True, None, "6.1.1"),
    D("ruby/Gemfile", "RubyGems", "rubocop", True, None, "1.60.2"),
    D("rust/Cargo.toml", "crates.io", "local", False, None, None),
    D("rust/Cargo.toml", "crates.io", "proptest", True, "1.4", "1.4.0"),
    D("rust/Cargo.toml", "crates.io", "rand", False, "0.8", "0.8.5"),
    D("rust/Cargo.toml", "crates.io", "serde", False, "1.0", "1.0.197"),
    D("rust/Cargo.toml", "crates.io", "tokio", False, "1", "1.36.0"),
    D("services/worker/pyproject.toml", "PyPI", "black", True, "^24", "24.1.0"),
    D("services/worker/pyproject.toml", "PyPI", "celery", False, "^5.3", "5.3.6"),
    D("services/worker/pyproject.toml", "PyPI", "redis", False, ">=5", "5.0.1"),
    D("web/package.json", "npm", "@scope/ui", False, "~1.0.0", "1.0.3"),
    D("web/package.json", "npm", "react", False, "^18.2.0", "18.2.0"),
    D("web/package.json", "npm", "typescript", True, "^5.4.0", "5.4.5"),
]

RADAR = """version: 1
technologies:
  - name: django
    ecosystem: PyPI
    ring: adopt
    reason: Our web framework.
  - name: requests
    ring: hold
    reason: Use httpx for new code.
  - name: react
    ecosystem: npm
    ring: trial
    reason: The new front end.
  - name: Spring
    ecosystem: maven
    ring: assess
    reason: Only for the Java service.
    matches: ["org.springframework:*"]
  - name: guava
    ring: hold
    reason: The JDK has what we need.
"""

OSV = {
    "results": [
        {
            "source": {"path": "web/package-lock.json", "type": "lockfile"},
            "packages": [
                {
                    "package": {"name": "react", "version": "18.2.0", "ecosystem": "npm"},
                    "vulnerabilities": [
                        {
                            "id": "GHSA-test-0001",
                            "summary": "A made-up flaw",
                            "aliases": ["CVE-2099-0001"],
                            "database_specific": {"severity": "HIGH"},
                        }
                    ],
                    "groups": [{"ids": ["GHSA-test-0001", "CVE-2099-0001"], "max_severity": "7.5"}],
                },
                {
                    "package": {"name": "lodash", "version": "4.17.20", "ecosystem": "npm"},
                    "vulnerabilities": [{"id": "GHSA-test-0002", "summary": "transitive"}],
                },
                {
                    "package": {"name": "Flask", "version": "2.0.0", "ecosystem": "PyPI"},
                    "vulnerabilities": [{"id": "PYSEC-test-3", "summary": "older version"}],
                },
                {
                    "package": {"name": "gin", "version": "1.9.1", "ecosystem": "Go"},
                    "vulnerabilities": [],
                },
                {
                    "package": {
                        "name": "github.com/gin-gonic/gin",
                        "version": "1.9.1",
                        "ecosystem": "Go",
                    },
                    "vulnerabilities": [{"id": "GO-test-4", "summary": "go versions lack v"}],
                },
            ],
        }
    ]
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stack") / "repo"
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    (root / "radar.yaml").write_text(RADAR, encoding="utf-8")
    (root / "osv.json").write_text(json.dumps(OSV), encoding="utf-8")
    return root


def test_every_ecosystem_exactly(tree: Path) -> None:
    scan = scan_tree(tree)
    assert list(scan.dependencies) == EXPECTED


def test_malformed_manifests_and_lines_are_reported(tree: Path) -> None:
    scan = scan_tree(tree)
    assert list(scan.skipped) == [
        ManifestSkip(
            "broken/Cargo.toml", 1, "invalid TOML: expected ']' at the end of a table declaration"
        ),
        ManifestSkip(
            "broken/package.json",
            1,
            "invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ManifestSkip("broken/pom.xml", 1, "invalid XML: mismatched tag"),
        ManifestSkip(
            "pyproject.toml",
            6,
            "project.optional-dependencies.postgres: cannot read the version specifier "
            "'a requirement!': 'not a requirement!'",
        ),
        ManifestSkip("requirements-dev.txt", 3, "included file missing.txt not found"),
        ManifestSkip(
            "requirements.txt",
            5,
            "cannot read the version specifier 'is not valid!!': 'this is not valid!!'",
        ),
        ManifestSkip("ruby/Gemfile", 8, "cannot read the gem line 'gem oops'"),
    ]
    assert "node_modules" not in " ".join(scan.manifests)


def test_radar_and_osv_flags(tree: Path) -> None:
    report = stack_inventory(tree, radar_file=tree / "radar.yaml", osv_file=tree / "osv.json")
    flags = {(r.dependency.name, r.dependency.manifest): r for r in report.review.reviews}
    requests = flags["requests", "pyproject.toml"]
    assert requests.flags == ("on_hold",)
    assert requests.radar is not None and requests.radar.reason == "Use httpx for new code."
    assert flags["django", "pyproject.toml"].flags == ()
    assert flags["pytest", "pyproject.toml"].flags == ("not_on_radar",)
    react = flags["react", "web/package.json"]
    assert react.flags == ("vulnerable",)
    assert [(v.id, v.severity, v.score) for v in react.vulnerabilities] == [
        ("GHSA-test-0001", "HIGH", "7.5")
    ]
    spring = flags["org.springframework:spring-core", "java/pom.xml"]
    assert spring.radar is not None and spring.radar.ring == "assess"
    assert flags["com.google.guava:guava", "java/pom.xml"].flags == ("on_hold",)  # by artifactId
    gin = flags["github.com/gin-gonic/gin", "go/go.mod"]
    assert gin.flags == ("not_on_radar", "vulnerable")  # v1.9.1 in go.mod, 1.9.1 in OSV
    assert [f.id for f in report.review.unmatched_findings] == ["PYSEC-test-3", "GHSA-test-0002"]
    data = report.as_dict()
    assert data["summary"] == {
        "dependencies": len(EXPECTED),
        "on_hold": 2,
        "not_on_radar": len(EXPECTED) - 5,
        "vulnerable": 2,
    }
    assert "nothing is looked up online" in data["note"]


def test_osv_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "osv.json"
    path.write_text('{"results": [{"packages": [{"package": {"version": "1"}}]}]}')
    with pytest.raises(InputError, match=r"results\[0\]\.packages\[0\]\.package\.name"):
        read_osv(path)
    path.write_text('{"results": [\n  oops]}')
    with pytest.raises(InputError, match=r"osv.json:2: invalid JSON"):
        read_osv(path)


def test_cli_inventory_json_table_and_offline_note(tree: Path) -> None:
    result = invoke("stack", "inventory", str(tree), "--json", "--radar", str(tree / "radar.yaml"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["dependencies"]) == len(EXPECTED) and data["note"] is None
    assert data["dependencies"][0] == {
        "ecosystem": "Go",
        "name": "github.com/gin-gonic/gin",
        "declared": "v1.9.1",
        "locked": "v1.9.1",
        "manifest": "go/go.mod",
        "dev": False,
        "ring": None,
        "radar_entry": None,
        "radar_reason": None,
        "flags": ["not_on_radar"],
        "vulnerabilities": [],
    }
    table = invoke("stack", "inventory", str(tree), "--osv", str(tree / "osv.json"), "--flagged")
    assert table.exit_code == 0, table.output
    assert "nothing is looked up online" in table.stderr
    assert "skipped broken/package.json:1: invalid JSON" in table.stderr
    assert "GHSA-test-0001" in table.stdout and "django" not in table.stdout


def test_cli_inventory_uses_the_workspace_radar(tree: Path) -> None:
    result = invoke("-w", str(tree), "stack", "inventory", str(tree), "--json")
    assert json.loads(result.stdout)["radar"] == str(tree / "radar.yaml")


def test_cli_inventory_of_a_missing_folder(tmp_path: Path) -> None:
    result = invoke("stack", "inventory", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope'}: no such folder\n"


def test_workspaces_and_includes(tmp_path: Path) -> None:
    files = {
        "package.json": json.dumps({"workspaces": ["packages/*"]}),
        "package-lock.json": json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "": {},
                    "packages/app": {"name": "app"},
                    "node_modules/react": {"version": "18.3.1"},
                    "packages/app/node_modules/react": {"version": "17.0.2"},
                    "node_modules/vite": {"version": "5.2.0"},
                },
            }
        ),
        "packages/app/package.json": json.dumps(
            {"dependencies": {"react": "^17"}, "devDependencies": {"vite": "^5"}}
        ),
        "Cargo.toml": '[workspace]\nmembers = ["core"]\n[workspace.dependencies]\nanyhow = "1.0"\n',
        "Cargo.lock": '[[package]]\nname = "anyhow"\nversion = "1.0.80"\n',
        "core/Cargo.toml": '[package]\nname = "core"\n[dependencies]\n'
        "anyhow = { workspace = true }\n",
        "requirements-dev.txt": "-r tools.txt\n",
        "tools.txt": "ruff==0.4.1\n",
        "requirements.txt": "-r common.txt\n",
        "common.txt": "attrs\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert list(scan_tree(tmp_path).dependencies) == [
        D("Cargo.toml", "crates.io", "anyhow", False, "1.0", "1.0.80"),
        D("common.txt", "PyPI", "attrs", False, None, None),
        D("core/Cargo.toml", "crates.io", "anyhow", False, "1.0", "1.0.80"),
        D("packages/app/package.json", "npm", "react", False, "^17", "17.0.2"),
        D("packages/app/package.json", "npm", "vite", True, "^5", "5.2.0"),
        D("tools.txt", "PyPI", "ruff", True, "==0.4.1", "0.4.1"),  # reached only from dev
    ]
