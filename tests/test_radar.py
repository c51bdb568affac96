"""The tech radar file: its format, its errors (file, line, field) and `stack radar`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import invoke
from productpath.domain.stack import RadarEntry
from productpath.errors import InputError
from productpath.ingest.radar import parse_radar, read_radar

GOOD = """\
version: 1
technologies:
  - name: Django
    ecosystem: pypi
    ring: Adopt
    reason: Our web framework.
  - name: react
    ring: trial
    reason: The new front end.
    matches: "react-*"
  - name: moment
    ecosystem: npm
    ring: hold
    reason: Unmaintained; use date-fns.
    matches: [moment-timezone]
"""


def test_reads_every_field_and_normalises_case() -> None:
    radar = parse_radar(GOOD, file="radar.yaml")
    assert radar.entries == (
        RadarEntry("Django", "adopt", "Our web framework.", "PyPI", (), 3),
        RadarEntry("react", "trial", "The new front end.", None, ("react-*",), 7),
        RadarEntry(
            "moment", "hold", "Unmaintained; use date-fns.", "npm", ("moment-timezone",), 11
        ),
    )
    assert [e.name for e in radar.in_ring("hold")] == ["moment"]
    assert radar.as_dict()["rings"]["assess"] == []


def test_an_empty_file_is_an_empty_radar() -> None:
    assert parse_radar("", file="radar.yaml").entries == ()
    assert parse_radar("technologies: []\n", file="radar.yaml").entries == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "technologies:\n  - name: x\n    ring: later\n    reason: r\n",
            "radar.yaml:3, field 'technologies[0].ring': must be one of adopt, trial, assess, "
            "hold, got 'later'",
        ),
        (
            "technologies:\n  - name: x\n    ring: hold\n    reason: r\n"
            "  - name: y\n    ring: hold\n",
            "radar.yaml:5, field 'technologies[1].reason': is required",
        ),
        (
            "technologies:\n  - name: x\n    ring: hold\n    reasn: r\n",
            "radar.yaml:4, field 'technologies[0].reasn': unknown key 'reasn'; did you mean "
            "'reason'?",
        ),
        (
            "technologies:\n  - name: x\n    ecosystem: cpan\n    ring: hold\n    reason: r\n",
            "radar.yaml:3, field 'technologies[0].ecosystem': must be one of PyPI, npm, Go, "
            "crates.io, Maven, RubyGems, got 'cpan'",
        ),
        (
            "technologies:\n  - {name: x, ring: hold, reason: r}\n  - {name: X, ring: adopt, "
            "reason: s}\n",
            "radar.yaml:3, field 'technologies[1].name': 'X' is already on the radar (entry 1)",
        ),
        (
            "technologies:\n  - name: 12\n    ring: hold\n    reason: r\n",
            "radar.yaml:2, field 'technologies[0].name': must be text, got 12; put it in quotes",
        ),
        (
            "technologies:\n  - name: x\n    ring: hold\n    reason: r\n    matches: [1]\n",
            "radar.yaml:5, field 'technologies[0].matches': must be a list of package names or "
            "patterns",
        ),
        ("version: 2\ntechnologies: []\n", "radar.yaml:1, field 'version': unsupported version 2"),
        (
            "technology: []\n",
            "radar.yaml:1, field 'technology': unknown key 'technology'; did you mean "
            "'technologies'?",
        ),
        ("techs: []\n", "radar.yaml:1, field 'techs': unknown key 'techs'; expected one of"),
        ("- a\n- b\n", "radar.yaml:1: the top level must be a mapping"),
        ("technologies:\n  - name: [x\n", "radar.yaml:3: invalid YAML"),
    ],
)
def test_errors_name_line_and_field(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_radar(text, file="radar.yaml")
    assert str(caught.value).startswith(message)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="radar file not found"):
        read_radar(tmp_path / "radar.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"technologies:\n  - name: caf\xe9\n")
    with pytest.raises(InputError, match=r"bad.yaml:2: not UTF-8"):
        read_radar(bad)


def test_cli_radar_table_json_and_workspace_default(tmp_path: Path) -> None:
    (tmp_path / "radar.yaml").write_text(GOOD, encoding="utf-8")
    table = invoke("-w", str(tmp_path), "stack", "radar")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    adopt = next(i for i, line in enumerate(lines) if "Django" in line)
    hold = next(i for i, line in enumerate(lines) if "moment" in line)
    assert adopt < hold and "Unmaintained; use" in table.stdout
    data = json.loads(
        invoke("stack", "radar", "--radar", str(tmp_path / "radar.yaml"), "--json").stdout
    )
    assert data["rings"]["trial"] == [
        {
            "name": "react",
            "ecosystem": None,
            "ring": "trial",
            "reason": "The new front end.",
            "matches": ["react-*"],
        }
    ]


def test_cli_radar_errors_are_one_line(tmp_path: Path) -> None:
    result = invoke("-w", str(tmp_path), "stack", "radar")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no radar: pass --radar FILE")
    broken = tmp_path / "radar.yaml"
    broken.write_text("technologies:\n  - name: x\n    ring: nope\n    reason: r\n")
    result = invoke("stack", "radar", "--radar", str(broken))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {broken}:3, field 'technologies[0].ring': must be one of adopt, trial, assess, "
        "hold, got 'nope'\n"
    )
    inventory = invoke("-w", str(tmp_path), "stack", "inventory", str(tmp_path))
    assert inventory.exit_code == 1 and "technologies[0].ring" in inventory.stderr
