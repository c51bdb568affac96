"""YAML a user hands us cannot blow up: an alias bomb and 500 levels of nesting are one line
naming the file and line, quickly, for every YAML reader (roadmap, scenario, radar, glossary);
a few honest aliases still load."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import invoke
from productpath.errors import InputError, RoadmapError
from productpath.ingest.radar import parse_radar
from productpath.ingest.roadmap_yaml import parse
from productpath.ingest.scenario_yaml import parse_scenario
from productpath.reports.glossary import parse_glossary


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs': each anchor is a list of ``width`` aliases of the one before."""
    lines = ["a: &a [" + ", ".join(["lol"] * width) + "]"]
    previous = "a"
    for n in range(1, levels):
        name = f"l{n}"
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * width) + "]")
        previous = name
    return "\n".join(lines) + "\n"


def deep(levels: int = 500) -> str:
    return "product:\n  id: " + "[" * levels + "]" * levels + "\n"


READERS: dict[str, Callable[[str, str], Any]] = {
    "roadmap": lambda text, file: parse(text, file=file),
    "scenario": lambda text, file: parse_scenario(text, file),
    "radar": lambda text, file: parse_radar(text, file),
    "glossary": lambda text, file: parse_glossary(text, file),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_alias_bomb_is_refused_quickly_with_file_and_line(reader: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        READERS[reader](alias_bomb(), "bomb.yaml")
    assert time.monotonic() - started < 2
    message = str(refused.value)
    assert message.startswith("bomb.yaml:5: YAML aliases here would expand to more than 10,000")
    assert "\n" not in message


@pytest.mark.parametrize("reader", sorted(READERS))
def test_deep_nesting_is_refused_not_a_recursion_error(reader: str) -> None:
    with pytest.raises(InputError) as refused:
        READERS[reader](deep(), "deep.yaml")
    assert (
        str(refused.value)
        == "deep.yaml:2: the YAML nests deeper than 64 levels; no real file needs that"
    )


def test_the_cli_prints_one_line_and_no_traceback(workspace_dir: Path) -> None:
    path = workspace_dir / "roadmap.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    result = invoke("roadmap", "apply", str(path), "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path}:5: YAML aliases here would expand to more than 10,000 values "
        "(an alias bomb?); write the values out instead\n"
    )
    path.write_text(deep(), encoding="utf-8")
    result = invoke("roadmap", "apply", str(path), "--dry-run")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.endswith(
        "roadmap.yaml:2: the YAML nests deeper than 64 levels; no real file needs that\n"
    )


HONEST = """\
version: 1
product:
  id: pocket
  name: Pocket
stakeholders:
  - id: cfo
    name: Dana
    audience: executive
  - id: cto
    name: Lee
    audience: engineering
initiatives:
  - id: kyc
    title: KYC
    raci: &leads
      responsible: [cto]
      accountable: [cfo]
  - id: cards
    title: Cards
    raci: *leads
"""


def test_a_few_honest_aliases_still_load() -> None:
    doc = parse(HONEST, file="roadmap.yaml")
    kyc, cards = doc.initiatives
    assert kyc.raci == cards.raci and kyc.raci is not None


def test_aliases_up_to_the_budget_pass() -> None:
    # 10 aliases of a 1,000-value list: exactly the budget, refused once one more is added.
    big = "items: &big [" + ", ".join(["x"] * 999) + "]\n"
    ok = big + "uses: [" + ", ".join(["*big"] * 10) + "]\n"
    assert limits_verdict(ok) is None
    with pytest.raises(RoadmapError, match="would expand to more than"):
        parse(ok.replace("uses: [", "uses: [*big, "), file="r.yaml")


def limits_verdict(text: str) -> str | None:
    """The limits' own verdict on ``text`` (None: within them)."""
    from productpath.domain.yaml_limits import check_yaml_limits

    try:
        check_yaml_limits(text, "x.yaml")
    except InputError as exc:
        return str(exc)
    return None
