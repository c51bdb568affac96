"""Reports' pure parts: glossary and jargon, title cleaning, what changed, the renderers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from productpath.errors import InputError
from productpath.reports.changes import describe_changes, milestone_change
from productpath.reports.cleaning import clean_title, clean_titles
from productpath.reports.exec_report import (
    ExecData,
    MilestoneLine,
    SlipLine,
    ThemeLine,
    build_exec,
)
from productpath.reports.glossary import Glossary, jargon_left, parse_glossary
from productpath.reports.model import Chart, ReportContext, Section, Table, chance
from productpath.reports.render import render_html, render_markdown

# --- glossary and jargon -------------------------------------------------------------------


def test_glossary_translates_whole_words_longest_first() -> None:
    glossary = parse_glossary(
        "provisioning: setup\nPush provisioning: one-tap setup\nAPI: partner connection\n",
        "glossary.yaml",
    )
    assert glossary.terms == ("provisioning", "Push provisioning", "API")
    text = "Push provisioning and card provisioning via the api; APIs and rapid stay."
    assert glossary.translate(text) == (
        "one-tap setup and card setup via the partner connection; APIs and rapid stay."
    )


def test_duplicate_glossary_term_names_file_and_line() -> None:
    text = "# plain words\nKYC: identity checks\nSCA: payment checks\nkyc: know your customer\n"
    with pytest.raises(InputError) as caught:
        parse_glossary(text, "glossary.yaml")
    message = str(caught.value)
    assert message.startswith("glossary.yaml:4, field 'kyc': ")
    assert "already defined on line 2" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- just\n- a list\n", "mapping"),
        ("API: \n", "no plain phrase"),
        ("API: [a, b]\n", "text on both sides"),
        ("API: {x\n", "invalid YAML"),
    ],
)
def test_bad_glossaries_are_one_line_errors(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as caught:
        parse_glossary(text, "g.yaml")
    assert str(caught.value).startswith("g.yaml:")


def test_empty_glossary_file_is_an_empty_glossary() -> None:
    assert parse_glossary("# nothing yet\n", "g.yaml").terms == ()


def test_jargon_left_lists_what_the_glossary_does_not_cover() -> None:
    texts = [
        "The backend API is slow; see POCKET-12 and the P85 date.",
        "Merge the branch after the deploy; the ci of Pocket is fine.",
    ]
    found = jargon_left(texts)
    assert found == ("API", "backend", "branch", "deploy", "Merge", "P85", "POCKET-12")
    covered = jargon_left(texts, Glossary((("api", "connection"), ("backend", "servers"))))
    assert "API" not in covered and "backend" not in covered
    assert "deploy" in covered


# --- title cleaning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "cleaned"),
    [
        ("feat(cards)!: add Apple Pay to the wallet (#123)", "Add Apple Pay to the wallet"),
        ("fix: show the arrival time POCKET-71", "Show the arrival time"),
        ("POCKET-71 Retry soft declines.", "Retry soft declines"),
        ("[WIP] payments-core: faster top-ups", "Faster top-ups"),
        (
            "Hotfix: top-up webhook rejects valid signatures",
            "Top-up webhook rejects valid signatures",
        ),
        ("perf: quicker statements in pocket-app", "Quicker statements"),
        ("Merge pull request #82 from pocket/fast-rates Live rates", "Live rates"),
        ("owner/repo#44: freeze a card from the widget", "Freeze a card from the widget"),
        ("chore: bump dependencies", None),
        ("ci: cache wheels", None),
        ("QA: Selfie liveness check", None),
        ("Fix lint in db", None),
        ("Tidy issuer", None),
        ('Revert "feat: live rates"', None),
        ("Merge branch 'main' into fast-rates", None),
        ("Release 2.4.0", None),
        ("POCKET-9", None),
    ],
)
def test_clean_title(title: str, cleaned: str | None) -> None:
    assert clean_title(title, ["payments-core", "pocket-app", "fast-rates"]) == cleaned


def test_clean_titles_drops_housekeeping_and_duplicates() -> None:
    titles = ["feat: live rates", "POCKET-3 Live rates", "test: rates", "fix: rounding"]
    assert clean_titles(titles) == ["Live rates", "Rounding"]


def test_short_internal_names_do_not_eat_words() -> None:
    assert clean_title("Add UI for card freeze", ["ui"]) == "Add UI for card freeze"


# --- what changed --------------------------------------------------------------------------


def _facts(p85: str, scope: int, pace: float) -> dict[str, object]:
    return {
        "milestones": {"beta": {"name": "Public beta", "p85": p85, "scope": scope}},
        "throughput_per_week": pace,
        "risks": {},
    }


def test_a_slip_names_its_reasons() -> None:
    before, after = _facts("2027-03-05", 12, 4.0), _facts("2027-03-14", 15, 3.0)
    said = milestone_change(before, after, "beta", dt.date(2027, 1, 10))
    assert said == (
        "slipped 9 days since the last report (10 Jan 2027) because its scope grew from 12 "
        "to 15 items and the team's pace fell from 4.0 to 3.0 items a week"
    )


def test_earlier_and_unchanged_dates() -> None:
    before = _facts("2027-03-05", 12, 4.0)
    earlier = milestone_change(before, _facts("2027-03-01", 12, 4.0), "beta", None)
    assert earlier == "moved 4 days earlier since the last report"
    same = milestone_change(before, before, "beta", dt.date(2027, 1, 10))
    assert same is not None and same.startswith("unchanged")
    assert milestone_change(None, before, "beta", None) is None


def test_describe_changes_first_report_and_new_risks() -> None:
    first = describe_changes(None, _facts("2027-03-05", 12, 4.0), None, "executive")
    assert first[0].startswith("This is the first executive report")
    before = _facts("2027-03-05", 12, 4.0)
    after = {**_facts("2027-03-05", 12, 4.0), "risks": {"kyc/stale": "KYC has stalled"}}
    assert describe_changes(before, after, dt.date(2027, 1, 10), "executive") == (
        "New risk: KYC has stalled.",
    )


# --- renderers -----------------------------------------------------------------------------


def _context() -> ReportContext:
    svg = '<svg class="chart" viewBox="0 0 10 10"><g class="chart__grid"></g></svg>'
    return ReportContext(
        kind="exec",
        title="Pocket: executive update",
        product="Pocket",
        audience="executives",
        generated_on=dt.date(2027, 1, 10),
        data_as_of=dt.datetime(2027, 1, 9, 12, tzinfo=dt.UTC),
        sources=("The roadmap: 3 initiatives",),
        changes=("Beta slipped 9 days.",),
        previous_on=dt.date(2027, 1, 3),
        sections=(
            Section(
                "risks",
                "Top risks",
                tables=(Table(("Risk", "Owner"), (("A | B <script>", "Growth"),)),),
                charts=(Chart("Trend", svg, "Items per week."),),
            ),
            Section("decisions", "Decisions needed", empty="No decisions are open."),
        ),
        summary="*All* on track.",
    )


def test_markdown_escapes_and_keeps_tables_whole() -> None:
    text = render_markdown(_context())
    assert text.startswith("# Pocket: executive update\n")
    assert "## Since the last report (3 January 2027)" in text
    # Raw HTML in a value is text in the Markdown too, not a tag for the renderer to pass on.
    assert "| Risk | Owner |\n| --- | --- |\n| A \\| B \\<script\\> | Growth |" in text
    assert "<script>" not in text
    assert "\\*All\\* on track." in text
    assert "_Trend:_ Items per week." in text
    assert "No decisions are open." in text
    assert "\n\n\n" not in text


def test_html_is_self_contained_escaped_and_styles_its_charts() -> None:
    html = render_html(_context())
    assert html.startswith("<!doctype html>")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<html lang="en">' in html and "<main" in html
    # Every chart carries its own styles, for print renderers.
    assert '<svg class="chart" viewBox="0 0 10 10"><style>' in html
    assert ".chart__grid line" in html
    assert "data as of 9 January 2027" in html


def test_only_reasons_that_push_the_date_that_way_count() -> None:
    before, after = _facts("2027-03-05", 12, 3.0), _facts("2027-03-14", 12, 4.0)
    # The pace rose, yet the date slipped: the pace is no reason for the slip.
    assert milestone_change(before, after, "beta", None) == ("slipped 9 days since the last report")
    earlier = milestone_change(before, _facts("2027-03-01", 12, 4.0), "beta", None)
    assert earlier == (
        "moved 4 days earlier since the last report because the team's pace rose from 3.0 to "
        "4.0 items a week"
    )


def test_a_slip_by_the_days_between_reports_says_the_work_did_not_go_down() -> None:
    before = {**_facts("2027-03-05", 12, 4.0), "as_of": "2027-01-01"}
    after = {**_facts("2027-03-19", 12, 4.0), "as_of": "2027-01-15"}
    assert milestone_change(before, after, "beta", dt.date(2027, 1, 1)) == (
        "slipped 14 days since the last report (1 Jan 2027) because the work left stayed the "
        "same for 14 days"
    )


def test_a_slip_between_reports_of_the_same_day_gives_no_standstill_reason() -> None:
    before = {**_facts("2027-03-05", 12, 4.0), "as_of": "2027-01-15"}
    after = {**_facts("2027-03-06", 12, 4.0), "as_of": "2027-01-15"}
    assert milestone_change(before, after, "beta", None) == "slipped 1 day since the last report"


def test_long_lists_of_new_risks_are_cut_short() -> None:
    before = _facts("2027-03-05", 12, 4.0)
    risks = {f"i{n}/stale": f"I{n} has stalled" for n in range(8)}
    said = describe_changes(before, {**before, "risks": risks}, None, "engineering")
    assert said[:5] == tuple(f"New risk: I{n} has stalled." for n in range(5))
    assert said[5:] == ("New risk: 3 more.",)


# --- the executive report's milestones -----------------------------------------------------


def _milestone(key: str, probability: float | None, *slipping: SlipLine) -> MilestoneLine:
    day = dt.date(2027, 3, 1)
    return MilestoneLine(
        key=key,
        name=key.title(),
        target=day,
        probability=probability,
        p50=day,
        p85=day,
        p95=day,
        scope=10,
        effort_weeks=2.0,
        slipping=slipping,
    )


def _exec(*milestones: MilestoneLine) -> ExecData:
    return ExecData(
        product="Pocket",
        today=dt.date(2027, 1, 10),
        objectives=(),
        milestones=milestones,
        forecast_note="",
        risks=(),
        themes=(),
        themes_note="",
        decisions=(),
        shipped=(),
        shipped_since=dt.date(2026, 12, 10),
        throughput_per_week=None,
    )


def test_a_milestone_with_slipping_work_is_at_risk_whatever_the_estimates_say() -> None:
    stalled = "Identity checks has had no work finished in the last 4 weeks"
    context, _ = build_exec(
        _exec(
            _milestone("alpha", 1.0, SlipLine("Identity checks", stalled)),
            _milestone("beta", 0.9),
            _milestone("gamma", 0.5),
            _milestone("delta", None),
        ),
        previous=None,
        previous_on=None,
        data_as_of=None,
        sources=(),
    )
    assert context.summary == (
        "1 of 4 milestones is at least 85% likely to land on time. At risk: Alpha, because "
        f"{stalled}; Gamma (50% chance of making 1 March 2027)."
    )
    dates = next(s for s in context.sections if s.key == "milestones").bullets
    assert dates[0] == (
        "Alpha (at risk): going by the estimates alone, 85% likely by 1 March 2027 (target 1 "
        "March 2027, > 99% chance of making it)."
    )
    assert (
        dates[1]
        == "Beta: 85% likely by 1 March 2027 (target 1 March 2027, 90% chance of making it)."
    )
    # Every milestone the summary lists as at risk is marked so; one without a chance is not.
    assert dates[2].startswith("Gamma (at risk): 85% likely by 1 March 2027")
    assert dates[3].startswith("Delta: 85% likely")


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(1.0, "> 99%"), (0.996, "> 99%"), (0.994, "99%"), (0.85, "85%"), (0.004, "< 1%"), (0, "< 1%")],
)
def test_a_chance_is_never_certain(probability: float, shown: str) -> None:
    assert chance(probability) == shown


def _theme(label: str, customers: int = 0, revenue: float = 0.0) -> ThemeLine:
    return ThemeLine(label, 12, revenue, False, customers, "rising")


def test_customer_columns_show_only_with_customers_and_machine_names_are_marked() -> None:
    def table(*themes: ThemeLine) -> Table:
        data = dataclasses.replace(_exec(), themes=themes)
        context, _ = build_exec(data, previous=None, previous_on=None, data_as_of=None, sources=())
        return next(s for s in context.sections if s.key == "customers").tables[0]

    bare = table(_theme("Slow collection"), _theme("Flaky tests"))
    assert bare.columns == ("Request", "Lately", "Mentions")
    assert bare.rows[0] == ("Slow collection *", "rising", "12")
    assert "named by the machine" in bare.caption and "before this report is shared" in bare.caption
    sold = table(_theme("Top up failed", 3, 12_000.0), _theme("Card arrival"))
    assert sold.columns[-2:] == ("Customers", "Their annual revenue")
    assert sold.rows[1][-2:] == ("0", "-")
    named = table(dataclasses.replace(_theme("Top up failed"), machine_label=False))
    assert named.rows[0][0] == "Top up failed" and named.caption == ""
