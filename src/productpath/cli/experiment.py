"""productpath experiment ...: analyse an A/B test, size one, list and show stored read-outs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from productpath.cli.common import JSON_OPTION, open_from, print_json

app = typer.Typer(
    help="Read out A/B tests (sample-ratio check, lift, intervals) and size new ones.",
    no_args_is_help=True,
)


class InputFormat(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def _split(value: str | None) -> dict[str, float] | None:
    """``control=50,treatment=50`` as shares per variant."""
    from productpath.errors import InputError

    if value is None:
        return None
    shares: dict[str, float] = {}
    for part in value.split(","):
        name, sep, share = part.partition("=")
        try:
            number = float(share)
        except ValueError:
            number = -1.0
        if not sep or not name.strip() or number <= 0:
            raise InputError(
                f"'{part.strip()}' is not VARIANT=SHARE (e.g. control=50,treatment=50)",
                field="--split",
            )
        shares[name.strip()] = number
    return shares


@app.command("analyze")
def analyze(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Per-variant counts or per-user rows (CSV/JSON)."),
    variant_column: str = typer.Option("variant", "--variant-column", help="Variant column."),
    users_column: str | None = typer.Option(
        None, "--users-column", help="Users per variant: the file holds one row per variant."
    ),
    user_column: str | None = typer.Option(
        None, "--user-column", help="User id (per-user rows): a user seen twice is an error."
    ),
    metrics: list[str] | None = typer.Option(
        None, "--metric", help="A metric column (repeat; default: every other column)."
    ),
    control: str | None = typer.Option(
        None, "--control", help="The control variant (default: 'control', else the first)."
    ),
    split: str | None = typer.Option(
        None, "--split", help="Planned split, e.g. control=50,treatment=50 (default: equal)."
    ),
    key: str | None = typer.Option(None, "--key", help="Store under this key (default: name)."),
    name: str | None = typer.Option(None, "--name", help="Name (default: the file name)."),
    hypothesis: str = typer.Option("", "--hypothesis", help="What the experiment tests."),
    initiative: str | None = typer.Option(None, "--initiative", help="Link to an initiative."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level for p and intervals."),
    no_save: bool = typer.Option(False, "--no-save", help="Analyse only; store nothing."),
    file_format: InputFormat | None = typer.Option(
        None, "--format", help="File format (default: from the extension)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Analyse FILE: sample-ratio check first, then lift, CI, p-value and P(beat control)."""
    from productpath.services.learning.experiments import analyze_experiment

    with open_from(ctx) as handle:
        report = analyze_experiment(
            handle,
            file,
            variant_column=variant_column,
            users_column=users_column,
            user_column=user_column,
            metrics=tuple(metrics or ()),
            control=control,
            split=_split(split),
            key=key,
            name=name,
            hypothesis=hypothesis,
            initiative=initiative,
            alpha=alpha,
            file_format=file_format.value if file_format else None,
            save=not no_save,
        )
    if report.srm.mismatch:
        typer.secho(f"WARNING: {report.caveats[0]}", err=True, fg="red", bold=True)
    if as_json:
        print_json(report.model_dump(mode="json", exclude={"product"}))
        return
    from productpath.cli.experiment_print import print_report

    print_report(report)


@app.command("show")
def show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The experiment's key."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a stored read-out."""
    from productpath.services.learning.experiments import experiment_detail

    with open_from(ctx) as handle:
        report = experiment_detail(handle, key)
    if as_json:
        print_json(report.model_dump(mode="json", exclude={"product"}))
        return
    from productpath.cli.experiment_print import print_report

    print_report(report)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List stored experiments, newest analysis first."""
    from productpath.services.learning.experiments import list_experiments

    with open_from(ctx) as handle:
        rows = list_experiments(handle)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        typer.echo("No experiments yet; analyse one with 'productpath experiment analyze FILE'.")
        return
    from productpath.cli.experiment_print import print_list

    print_list(rows)


@app.command("size")
def size(
    baseline: float | None = typer.Option(
        None, "--baseline", help="Baseline conversion rate, e.g. 0.12 (a conversion metric)."
    ),
    sd: float | None = typer.Option(
        None, "--sd", help="Standard deviation per user (a mean metric)."
    ),
    mde: float = typer.Option(
        ..., "--mde", help="Smallest effect worth detecting: relative (0.05 = +5%) by default."
    ),
    absolute: bool = typer.Option(
        False, "--absolute", help="--mde is an absolute difference (0.01 = one point)."
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level (two-sided)."),
    power: float = typer.Option(0.8, "--power", help="Chance of detecting the effect."),
    ratio: float = typer.Option(1.0, "--ratio", help="Variant users per control user."),
    daily_users: int | None = typer.Option(
        None, "--daily-users", help="Users entering the test per day, to estimate its length."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """How many users an experiment needs per arm (power / sample-size calculator)."""
    from productpath.services.learning.experiments import sample_size

    report = sample_size(
        baseline=baseline,
        mde=mde,
        relative=not absolute,
        sd=sd,
        alpha=alpha,
        power_level=power,
        ratio=ratio,
        daily_users=daily_users,
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    days = f"; about {report.days:.1f} days at {daily_users:,} users a day" if report.days else ""
    typer.echo(
        f"{report.per_arm:,} users in the control and {report.variant:,} in the variant "
        f"({report.total:,} in all){days}.\nMethod: {report.method}; alpha {alpha}, "
        f"power {power}."
    )
