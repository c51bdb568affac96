"""Reading roadmap.yaml: a valid file, the documented example, and every kind of error."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from productpath.domain.roadmap import InitiativeStatus, RoadmapDoc
from productpath.errors import DependencyCycleError, RoadmapError
from productpath.ingest.roadmap_yaml import dump, parse, read_roadmap

DOCS = Path(__file__).resolve().parent.parent / "docs" / "roadmap.md"

VALID = """\
version: 1
product:
  id: pocket
  name: Pocket
objectives:
  - id: activation
    title: Faster first payment
    key_results:
      - id: kr-1
        title: Paid within 14 days
        target: 80
        unit: '%'
teams:
  - id: payments
    name: Payments
    capacity_per_week: 3
    members:
      - name: Ana
        email: ana@example.com
milestones:
  - id: beta
    name: Beta
    target_date: 2026-03-31
initiatives:
  - id: kyc
    title: Light identity check
    objective: activation
    team: payments
    milestone: beta
    status: in_progress
    estimate: {optimistic: 1, likely: 2, pessimistic: 4.5}
  - id: tap
    title: Tap to pay
    depends_on: [kyc]
    themes: ['#3', 7]
"""


def write(tmp_path: Path, text: str, name: str = "roadmap.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def docs_example() -> str:
    match = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert match is not None, "docs/roadmap.md has no yaml example"
    return match.group(1)


def test_a_valid_file_reads_into_the_document(tmp_path: Path) -> None:
    doc = read_roadmap(write(tmp_path, VALID))
    assert doc.product.id == "pocket"
    assert doc.objectives[0].key_results[0].target == 80.0
    assert doc.teams[0].members[0].email == "ana@example.com"
    assert str(doc.milestones[0].target_date) == "2026-03-31"
    kyc, tap = doc.initiatives
    assert kyc.status is InitiativeStatus.IN_PROGRESS
    assert kyc.estimate is not None and kyc.estimate.pessimistic == 4.5
    assert tap.status is InitiativeStatus.PROPOSED
    assert tap.depends_on == ("kyc",)
    assert tap.themes == (3, 7)


def test_the_documented_example_is_valid_and_uses_every_field() -> None:
    doc = parse(docs_example(), file="docs/roadmap.md")
    assert parse(dump(doc)) == doc

    def unset(model: object) -> set[str]:
        fields = type(model).model_fields  # type: ignore[attr-defined]
        return {name for name in fields if name not in model.model_fields_set}  # type: ignore[attr-defined]

    # Each field is written at least once somewhere in the example.
    seen: dict[str, set[str]] = {}
    sections = (
        "objectives",
        "teams",
        "stakeholders",
        "milestones",
        "initiatives",
        "customers",
        "features",
    )
    for section in (*sections, "segments", "competitors"):
        assert getattr(doc, section), f"the example has no {section}"
        for item in getattr(doc, section):
            seen.setdefault(section, set(type(item).model_fields)).intersection_update(unset(item))
    assert seen == {s: set() for s in seen}
    key_results = [kr for o in doc.objectives for kr in o.key_results]
    assert not set.intersection(*(unset(kr) for kr in key_results))


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert read_roadmap(path).product.name == "Pocket"


def test_dump_is_tidy_and_stable() -> None:
    doc = parse(VALID)
    text = dump(doc)
    assert text == dump(parse(text))
    assert "capacity_per_week: 3\n" in text  # a whole number prints without ".0"
    assert "pessimistic: 4.5" in text
    assert "target_date: 2026-03-31\n" in text
    assert "description" not in text  # empty fields are left out
    assert "status: proposed" in text  # status is always written
    assert text.index("objectives:") < text.index("teams:") < text.index("initiatives:")
    assert parse(text) == doc


def test_multi_line_text_is_written_as_a_block() -> None:
    doc = parse(
        VALID.replace(
            "  name: Pocket\n",
            "  name: Pocket\n  description: |\n    Line one.\n\n    Line three.\n",
        )
    )
    text = dump(doc)
    assert "description: |-\n    Line one.\n\n    Line three.\n" in text
    assert parse(text) == doc


# (file text, line, field, part of the reason)
ERRORS = [
    pytest.param(
        "product: {id: p, name: P}\ncolour: red\n",
        2,
        "colour",
        "unknown key 'colour'",
        id="unknown-top-level-key",
    ),
    pytest.param(
        VALID.replace("    depends_on: [kyc]", "    depends: [kyc]"),
        34,
        "initiatives[1].depends",
        "did you mean 'depends_on'",
        id="misspelt-key",
    ),
    pytest.param(
        VALID.replace("    title: Tap to pay\n", ""),
        32,
        "initiatives[1].title",
        "is required",
        id="missing-field",
    ),
    pytest.param("version: 1\n", 1, "product", "is required", id="missing-product"),
    pytest.param(
        VALID.replace("capacity_per_week: 3", "capacity_per_week: lots"),
        16,
        "teams[0].capacity_per_week",
        "number",
        id="wrong-type",
    ),
    pytest.param(
        VALID.replace("capacity_per_week: 3", "capacity_per_week: 0"),
        16,
        "teams[0].capacity_per_week",
        "greater than 0",
        id="not-positive",
    ),
    pytest.param(
        VALID.replace("  - id: tap", "  - id: tap to pay"),
        32,
        "initiatives[1].id",
        "must be an id",
        id="bad-id",
    ),
    pytest.param(
        VALID.replace("id: pocket", "id: 2026"),
        3,
        "product.id",
        "put it in quotes",
        id="number-as-id",
    ),
    pytest.param(
        VALID.replace("pessimistic: 4.5", "pessimistic: 1.5"),
        31,
        "initiatives[0].estimate",
        "optimistic <= likely <= pessimistic",
        id="estimate-order",
    ),
    pytest.param(
        VALID.replace("status: in_progress", "status: started"),
        30,
        "initiatives[0].status",
        "'started'",
        id="bad-status",
    ),
    pytest.param(
        VALID.replace("version: 1", "version: 2"),
        1,
        "version",
        "unsupported version 2",
        id="version",
    ),
    pytest.param(
        VALID.replace("2026-03-31", "2026-02-30"),
        23,
        "milestones[0].target_date",
        "date",
        id="bad-date",
    ),
    pytest.param(
        VALID.replace("ana@example.com", "ana at example"),
        19,
        "teams[0].members[0].email",
        "e-mail",
        id="bad-email",
    ),
    pytest.param(
        VALID.replace("title: Tap to pay", "title: '   '"),
        33,
        "initiatives[1].title",
        "must not be empty",
        id="blank-title",
    ),
    pytest.param(
        VALID.replace("    team: payments\n", "    team: paymnets\n"),
        28,
        "initiatives[0].team",
        "unknown team 'paymnets'",
        id="unknown-team",
    ),
    pytest.param(
        VALID.replace("objective: activation", "objective: growth"),
        27,
        "initiatives[0].objective",
        "unknown objective 'growth'",
        id="unknown-objective",
    ),
    pytest.param(
        VALID.replace("milestone: beta", "milestone: ga"),
        29,
        "initiatives[0].milestone",
        "unknown milestone 'ga'",
        id="unknown-milestone",
    ),
    pytest.param(
        VALID.replace("depends_on: [kyc]", "depends_on: [kyc, nfc]"),
        34,
        "initiatives[1].depends_on[1]",
        "unknown initiative 'nfc'",
        id="unknown-dependency",
    ),
    pytest.param(
        VALID.replace("depends_on: [kyc]", "depends_on: [kyc, kyc]"),
        34,
        "initiatives[1].depends_on[1]",
        "listed twice",
        id="duplicate-dependency",
    ),
    pytest.param(
        VALID.replace("depends_on: [kyc]", "depends_on:\n      - tap"),
        35,
        "initiatives[1].depends_on[0]",
        "cannot depend on itself",
        id="self-dependency",
    ),
    pytest.param(
        VALID.replace("  - id: tap", "  - id: kyc"),
        32,
        "initiatives[1].id",
        "duplicate id 'kyc'",
        id="duplicate-id",
    ),
    pytest.param(
        VALID.replace(
            "        unit: '%'\n", "        unit: '%'\n      - id: kr-1\n        title: Again\n"
        ),
        13,
        "objectives[0].key_results[1].id",
        "duplicate id 'kr-1'",
        id="duplicate-key-result",
    ),
    pytest.param(
        VALID.replace(
            "    status: in_progress\n",
            "    status: in_progress\n    start: 2026-05-01\n    target: 2026-04-01\n",
        ),
        32,
        "initiatives[0].target",
        "target 2026-04-01 is before start 2026-05-01",
        id="target-before-start",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "reason"), ERRORS)
def test_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RoadmapError) as caught:
        read_roadmap(path)
    error = caught.value
    assert (error.file, error.line, error.field) == (str(path), line, field), str(error)
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}, field '{field}': ")


def test_a_dependency_cycle_names_the_cycle(tmp_path: Path) -> None:
    text = VALID.replace(
        "    status: in_progress\n", "    status: in_progress\n    depends_on: [tap]\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(DependencyCycleError) as caught:
        read_roadmap(path)
    assert caught.value.cycle == ["kyc", "tap"]
    assert caught.value.line == 31
    assert caught.value.field is not None and caught.value.field.startswith("initiatives[")
    assert "dependency cycle: kyc -> tap -> kyc" in str(caught.value)


def test_a_longer_cycle_is_found_only_when_references_resolve(tmp_path: Path) -> None:
    text = """\
    product: {id: p, name: P}
    initiatives:
      - {id: a, title: A, depends_on: [b]}
      - {id: b, title: B, depends_on: [c]}
      - {id: c, title: C, depends_on: [a, x]}
    """
    with pytest.raises(RoadmapError) as caught:
        read_roadmap(write(tmp_path, text))
    assert not isinstance(caught.value, DependencyCycleError)
    assert "unknown initiative 'x'" in str(caught.value)
    with pytest.raises(DependencyCycleError, match=r"a -> b -> c -> a") as cycle:
        read_roadmap(write(tmp_path, text.replace(", x]", "]")))
    assert cycle.value.line == 3


def test_several_problems_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    text = VALID.replace("team: payments\n", "team: nobody\n").replace(
        "objective: activation", "objective: none"
    )
    with pytest.raises(RoadmapError) as caught:
        read_roadmap(write(tmp_path, text))
    assert caught.value.field == "initiatives[0].objective"
    assert caught.value.reason.endswith("(and 1 more problem)")


@pytest.mark.parametrize(
    ("raw", "line", "reason"),
    [
        pytest.param(b"product:\n  id: p\n  name: Caf\xe9\n", 3, "not UTF-8", id="latin-1"),
        pytest.param(b"product: {id: p, name: P\nteams: []\n", 2, "invalid YAML", id="syntax"),
        pytest.param(b"product:\n  id: p\n  id: q\n", 3, "duplicate key", id="duplicate-key"),
        pytest.param(b"product:\n  id: p\n  name: a\x07b\n", 3, "U+0007", id="control-char"),
        pytest.param(b"- just\n- a list\n", 1, "top level must be a mapping", id="list"),
        pytest.param(b"", 1, "the file is empty", id="empty"),
    ],
)
def test_unreadable_files(tmp_path: Path, raw: bytes, line: int, reason: str) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_bytes(raw)
    with pytest.raises(RoadmapError) as caught:
        read_roadmap(path)
    assert caught.value.line == line
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_a_missing_file_or_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RoadmapError, match="file not found"):
        read_roadmap(tmp_path / "nope.yaml")
    with pytest.raises(RoadmapError, match="not a file"):
        read_roadmap(tmp_path)


def test_documents_compare_by_value() -> None:
    assert parse(VALID) == parse(VALID)
    assert isinstance(parse(VALID), RoadmapDoc)


def test_ingest_never_imports_the_store() -> None:
    probe = (
        "import sys\n"
        "import productpath.ingest.roadmap_yaml\n"
        "print(sorted(m for m in sys.modules if m.startswith(('productpath.store', "
        "'sqlalchemy'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("before", "after", "field", "reason"),
    [
        ("capacity_per_week: 3", "capacity_per_week: true", "capacity_per_week", "not true/false"),
        ("target_date: 2026-03-31", "target_date: 1700000000", "target_date", "YYYY-MM-DD"),
        ("title: Light identity check", 'title: "a\\u2028b"', "title", "U+2028"),
    ],
)
def test_values_yaml_would_misread_are_refused(
    tmp_path: Path, before: str, after: str, field: str, reason: str
) -> None:
    assert before in VALID
    with pytest.raises(RoadmapError) as caught:
        read_roadmap(write(tmp_path, VALID.replace(before, after, 1)))
    assert caught.value.field is not None and caught.value.field.endswith(field)
    assert reason in caught.value.reason


def test_an_empty_unit_is_no_unit_and_round_trips() -> None:
    doc = parse(VALID.replace("unit: '%'", "unit: '  '", 1))
    assert all(kr.unit is None for o in doc.objectives for kr in o.key_results if kr.id == "kr-1")
    assert parse(dump(doc)) == doc


STAKEHOLDERS = """\
version: 1
product: {id: pocket, name: Pocket}
objectives:
  - id: growth
    title: Grow
    key_results:
      - {id: wau, title: Weekly actives, target: 15000, kpi: weekly-active-users}
stakeholders:
  - id: cfo
    name: Dana
    email: dana@pocket.example
    audience: executive
    power: high
    interest: high
    channel: email
  - id: updates
    name: "#product-updates"
    audience: engineering
    channel: webhook
    webhook_url: https://hooks.example.com/updates
    cadence: monthly
initiatives:
  - id: kyc
    title: KYC
    public: true
    raci:
      responsible: [updates]
      accountable: [cfo]
  - id: cards
    title: Cards
    public: false
    raci: {informed: [updates, cfo]}
"""


def test_stakeholders_raci_public_and_kpi_read_and_round_trip() -> None:
    doc = parse(STAKEHOLDERS)
    cfo, updates = doc.stakeholders
    assert (cfo.audience.value, cfo.power.value, cfo.channel.value, cfo.cadence.value) == (
        "executive",
        "high",
        "email",
        "weekly",
    )
    assert (updates.interest.value, updates.webhook_url) == (
        "low",
        "https://hooks.example.com/updates",
    )
    kyc, cards = doc.initiatives
    assert kyc.public and not cards.public
    assert kyc.raci is not None and kyc.raci.assignments() == [("updates", "R"), ("cfo", "A")]
    # The order within a role is not kept: it is sorted, so file, store and export agree.
    assert cards.raci is not None and cards.raci.informed == ("cfo", "updates")
    assert doc.objectives[0].key_results[0].kpi == "weekly-active-users"
    text = dump(doc)
    assert "raci: {responsible: [updates], accountable: [cfo]}" in text
    assert "raci: {informed: [cfo, updates]}" in text
    assert text.count("public:") == 1  # false is the default and left out
    assert "    kpi: weekly-active-users\n" in text
    assert parse(text) == doc


def test_an_empty_raci_is_no_raci() -> None:
    doc = parse(STAKEHOLDERS.replace("raci: {informed: [updates, cfo]}", "raci: {}"))
    assert doc.initiatives[1].raci is None


STAKEHOLDER_ERRORS = [
    pytest.param(
        STAKEHOLDERS.replace("responsible: [updates]", "responsible: [ufo]"),
        27,
        "initiatives[0].raci.responsible",
        "unknown stakeholder 'ufo'; list it under stakeholders",
        id="unknown-stakeholder",
    ),
    pytest.param(
        STAKEHOLDERS.replace("accountable: [cfo]", "accountable: [cfo, updates]"),
        26,
        "initiatives[0].raci",
        "'updates' is listed in responsible and accountable; a stakeholder holds one role",
        id="two-roles",
    ),
    pytest.param(
        STAKEHOLDERS.replace("raci: {informed: [updates, cfo]}", "raci: {informed: [cfo, cfo]}"),
        32,
        "initiatives[1].raci",
        "'cfo' is listed twice in informed",
        id="listed-twice",
    ),
    pytest.param(
        STAKEHOLDERS.replace("    email: dana@pocket.example\n", ""),
        9,
        "stakeholders[0]",
        "channel 'email' needs an email address",
        id="email-channel-without-address",
    ),
    pytest.param(
        STAKEHOLDERS.replace("dana@pocket.example", "dana at pocket"),
        11,
        "stakeholders[0].email",
        "is not an e-mail address",
        id="bad-email",
    ),
    pytest.param(
        STAKEHOLDERS.replace("https://hooks.example.com/updates", "hooks.example.com"),
        20,
        "stakeholders[1].webhook_url",
        "is not a webhook URL",
        id="bad-webhook",
    ),
    pytest.param(
        STAKEHOLDERS.replace("audience: executive", "audience: board"),
        12,
        "stakeholders[0].audience",
        "must be 'executive', 'engineering', 'sales_support' or 'customer'",
        id="bad-audience",
    ),
    pytest.param(
        STAKEHOLDERS.replace("  - id: updates\n", "  - id: cfo\n"),
        16,
        "stakeholders[1].id",
        "duplicate id 'cfo'",
        id="duplicate-stakeholder",
    ),
    pytest.param(
        STAKEHOLDERS.replace("kpi: weekly-active-users", "kpi: Weekly_Active"),
        7,
        "objectives[0].key_results[0].kpi",
        "must be a KPI key as 'productpath kpi list' shows it",
        id="kpi-not-a-kpi-key",
    ),
    pytest.param(
        STAKEHOLDERS.replace("public: false", "public: maybe"),
        31,
        "initiatives[1].public",
        "must be a valid boolean",
        id="public-not-a-flag",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "reason"), STAKEHOLDER_ERRORS)
def test_stakeholder_and_raci_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, reason: str
) -> None:
    test_errors_name_file_line_and_field(tmp_path, text, line, field, reason)
