"""Experiment read-outs: analyse a file (sample-ratio check first, then every variant against
the control on every metric), store the result under a key, show stored ones, and size new
experiments. The statistics live in :mod:`productpath.learning.experiments`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from productpath.domain.views import ProductInfo, View
from productpath.errors import InputError, NotFoundError
from productpath.ingest.experiment_files import (
    ConversionInput,
    ExperimentColumns,
    ExperimentInput,
    MeanInput,
    read_experiment,
)
from productpath.learning import experiments as stats
from productpath.learning import power
from productpath.services.learning.kpis import slug
from productpath.services.page_common import product_info
from productpath.services.workspace import OpenWorkspace
from productpath.store import decision_repo, experiment_repo, product_repo
from productpath.store.models import Experiment


class SrmView(View):
    mismatch: bool
    p_value: float
    chi2: float
    observed: dict[str, int]
    expected: dict[str, float]
    method: str


class ComparisonView(View):
    metric: str
    kind: str  # conversion | mean
    variant: str
    control: str
    n_variant: int
    n_control: int
    control_value: float
    variant_value: float
    difference: float
    lift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float
    significant: bool
    prob_beat_control: float | None
    test: str


class ExperimentReport(View):
    product: ProductInfo
    key: str
    name: str
    hypothesis: str
    initiative: str | None
    source: str
    control: str
    variants: dict[str, int]
    alpha: float
    srm: SrmView
    comparisons: tuple[ComparisonView, ...]
    caveats: tuple[str, ...]
    methods: dict[str, str]
    analysed_at: dt.datetime | None
    saved: bool


class ExperimentSummary(View):
    key: str
    name: str
    control: str
    variants: int
    srm_mismatch: bool
    analysed_at: dt.datetime


class SizeReport(View):
    metric: str  # conversion | mean
    per_arm: int
    variant: int
    total: int
    days: float | None
    method: str


METHODS = {
    "srm": stats.SRM_METHOD,
    "conversion": stats.CONVERSION_TEST
    + "; probability to beat control: exact Beta-Binomial (uniform priors)",
    "mean": stats.MEAN_TEST + "; probability to beat control: normal approximation",
}


def analyze_experiment(
    handle: OpenWorkspace,
    path: Path,
    *,
    variant_column: str,
    users_column: str | None = None,
    user_column: str | None = None,
    metrics: tuple[str, ...] = (),
    control: str | None = None,
    split: dict[str, float] | None = None,
    key: str | None = None,
    name: str | None = None,
    hypothesis: str = "",
    initiative: str | None = None,
    alpha: float = 0.05,
    file_format: str | None = None,
    save: bool = True,
) -> ExperimentReport:
    """Read ``path``, analyse it, and (with ``save``) store it under ``key``."""
    if not 0 < alpha < 0.5:
        raise InputError("alpha must be between 0 and 0.5", field="--alpha")
    columns = ExperimentColumns(variant_column, users_column, user_column, metrics)
    data = read_experiment(path, columns, file_format=file_format)
    chosen = _control(data, control, path)
    if split is not None and set(split) != set(data.variants):
        missing = sorted(set(data.variants) - set(split))
        extra = sorted(set(split) - set(data.variants))
        raise InputError(
            "the planned split must name every variant in the file"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not in the file: {', '.join(extra)}" if extra else ""),
            field="--split",
        )
    srm = stats.srm_check(data.users, split)
    comparisons, caveats = _compare(data, chosen, alpha)
    if data.users_from is not None:
        caveats.append(
            f"read as one row per variant, with the users in column '{data.users_from}' "
            "(--users-column names another)"
        )
    if srm.mismatch:
        caveats.insert(0, _srm_warning(srm))
    exp_key = key or slug(name or path.stem)
    if not exp_key:
        raise InputError("the experiment needs a key; pass --key", field="--key")
    report = ExperimentReport(
        product=product_info(handle),
        key=exp_key,
        name=name or path.stem,
        hypothesis=hypothesis,
        initiative=initiative,
        source=path.name,
        control=chosen,
        variants=dict(data.users),
        alpha=alpha,
        srm=SrmView(**{k: getattr(srm, k) for k in SrmView.model_fields}),
        comparisons=tuple(comparisons),
        caveats=tuple(caveats),
        methods=METHODS,
        analysed_at=None,
        saved=save,
    )
    if save:
        _save(handle, report, data, split)
    return report


def _control(data: ExperimentInput, control: str | None, path: Path) -> str:
    if control is not None:
        if control not in data.users:
            raise InputError(
                f"no variant '{control}' in the file (it has: {', '.join(data.variants)})",
                file=path,
                field="--control",
            )
        return control
    named = [v for v in data.variants if v.casefold() == "control"]
    return named[0] if named else data.variants[0]


def _compare(
    data: ExperimentInput, control: str, alpha: float
) -> tuple[list[ComparisonView], list[str]]:
    found: list[ComparisonView] = []
    caveats: list[str] = []
    for metric in data.metrics:
        for variant in data.variants:
            if variant == control:
                continue
            try:
                result = _one(metric, data, control, variant, alpha)
            except ValueError as exc:
                caveats.append(f"{metric.name}, {variant} vs {control}: {exc}")
                continue
            caveats.extend(f"{metric.name}, {variant} vs {control}: {c}" for c in result.caveats)
            n_c, n_v = _sizes(metric, data, control, variant)
            found.append(
                ComparisonView(
                    metric=metric.name,
                    kind=result.kind,
                    variant=variant,
                    control=control,
                    n_variant=n_v,
                    n_control=n_c,
                    control_value=result.control_value,
                    variant_value=result.variant_value,
                    difference=result.difference,
                    lift=result.lift,
                    ci_low=result.ci_low,
                    ci_high=result.ci_high,
                    p_value=result.p_value,
                    significant=result.p_value < alpha,
                    prob_beat_control=result.prob_beat_control,
                    test=result.test,
                )
            )
    if len(data.variants) > 2:
        caveats.append(
            f"{len(data.variants) - 1} variants against one control: p-values are not "
            "corrected for multiple comparisons"
        )
    return found, caveats


def _one(
    metric: ConversionInput | MeanInput,
    data: ExperimentInput,
    control: str,
    variant: str,
    alpha: float,
) -> stats.Comparison:
    if isinstance(metric, ConversionInput):
        return stats.compare_conversion(
            stats.ConversionArm(control, data.users[control], metric.conversions[control]),
            stats.ConversionArm(variant, data.users[variant], metric.conversions[variant]),
            alpha=alpha,
        )
    return stats.compare_means(
        stats.MeanArm(control, *metric.stats[control]),
        stats.MeanArm(variant, *metric.stats[variant]),
        alpha=alpha,
    )


def _sizes(
    metric: ConversionInput | MeanInput, data: ExperimentInput, control: str, variant: str
) -> tuple[int, int]:
    if isinstance(metric, MeanInput):
        return metric.stats[control][0], metric.stats[variant][0]
    return data.users[control], data.users[variant]


def _srm_warning(srm: stats.Srm) -> str:
    counts = ", ".join(
        f"{k} {v:,} (expected {srm.expected[k]:,.0f})" for k, v in srm.observed.items()
    )
    return (
        f"SAMPLE RATIO MISMATCH (chi-square p = {srm.p_value:.2g}): users per variant {counts}. "
        "The assignment or the logging is broken; do not trust the results below."
    )


def _save(
    handle: OpenWorkspace,
    report: ExperimentReport,
    data: ExperimentInput,
    split: dict[str, float] | None,
) -> None:
    stored_input: dict[str, Any] = {
        "layout": data.layout,
        "variants": data.users,
        "split": split,
        "alpha": report.alpha,
        "srm": {"chi2": report.srm.chi2, "expected": report.srm.expected},
        "metrics": [
            {"name": m.name, "conversions": m.conversions}
            if isinstance(m, ConversionInput)
            else {"name": m.name, "stats": m.stats}
            for m in data.metrics
        ],
    }
    with handle.store.write() as session:
        product = product_repo.ensure(session, handle.workspace.product, handle.workspace.name)
        initiative_id = None
        if report.initiative is not None:
            initiative_id = decision_repo.initiative_id(session, product.id, report.initiative)
            if initiative_id is None:
                raise NotFoundError(f"no initiative '{report.initiative}' in the roadmap")
        experiment_repo.save(
            session,
            product.id,
            report.key,
            {
                "name": report.name,
                "hypothesis": report.hypothesis,
                "initiative_id": initiative_id,
                "control": report.control,
                "source": report.source,
                "input": json.dumps(stored_input, sort_keys=True),
                "srm_p_value": report.srm.p_value,
                "srm_mismatch": report.srm.mismatch,
                "caveats": json.dumps(list(report.caveats)),
            },
            [
                c.model_dump(exclude={"significant", "kind"}) | {"metric_kind": c.kind}
                for c in report.comparisons
            ],
        )


def experiment_detail(handle: OpenWorkspace, key: str) -> ExperimentReport:
    """A stored read-out, as it was analysed."""
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        experiment = experiment_repo.find(session, product_id or -1, key)
        if experiment is None:
            raise NotFoundError(f"no experiment '{key}'; analyse one with 'experiment analyze'")
        initiative = None
        if experiment.initiative_id is not None:
            keys = decision_repo.initiative_keys(session, {experiment.initiative_id})
            initiative = keys.get(experiment.initiative_id)
        return _stored_report(handle, experiment, initiative)


def _stored_report(
    handle: OpenWorkspace, experiment: Experiment, initiative: str | None
) -> ExperimentReport:
    data = json.loads(experiment.input)
    alpha = float(data.get("alpha", 0.05))
    return ExperimentReport(
        product=product_info(handle),
        key=experiment.key,
        name=experiment.name,
        hypothesis=experiment.hypothesis,
        initiative=initiative,
        source=experiment.source,
        control=experiment.control,
        variants=data["variants"],
        alpha=alpha,
        srm=SrmView(
            mismatch=experiment.srm_mismatch,
            p_value=experiment.srm_p_value if experiment.srm_p_value is not None else 1.0,
            chi2=data["srm"]["chi2"],
            observed=data["variants"],
            expected=data["srm"]["expected"],
            method=stats.SRM_METHOD,
        ),
        comparisons=tuple(
            ComparisonView(
                metric=r.metric,
                kind=r.metric_kind,
                variant=r.variant,
                control=r.control,
                n_variant=r.n_variant,
                n_control=r.n_control,
                control_value=r.control_value,
                variant_value=r.variant_value,
                difference=r.difference,
                lift=r.lift,
                ci_low=r.ci_low,
                ci_high=r.ci_high,
                p_value=r.p_value,
                significant=r.p_value < alpha,
                prob_beat_control=r.prob_beat_control,
                test=r.test,
            )
            for r in experiment.results
        ),
        caveats=tuple(json.loads(experiment.caveats)),
        methods=METHODS,
        analysed_at=experiment.analysed_at,
        saved=True,
    )


def list_experiments(handle: OpenWorkspace) -> list[ExperimentSummary]:
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        return [
            ExperimentSummary(
                key=e.key,
                name=e.name,
                control=e.control,
                variants=len(json.loads(e.input).get("variants", {})),
                srm_mismatch=e.srm_mismatch,
                analysed_at=e.analysed_at,
            )
            for e in experiment_repo.list_all(session, product_id or -1)
        ]


def sample_size(
    *,
    baseline: float | None = None,
    mde: float,
    relative: bool = True,
    sd: float | None = None,
    alpha: float = 0.05,
    power_level: float = 0.8,
    ratio: float = 1.0,
    daily_users: int | None = None,
) -> SizeReport:
    """Users per arm to detect ``mde``: for a rate (``baseline`` given) or a mean (``sd``).

    ``mde`` is relative to the baseline (0.05 = +5%) when ``relative``, else absolute.
    """
    try:
        if (baseline is None) == (sd is None):
            raise InputError("give --baseline (a conversion rate) or --sd (a mean metric)")
        if baseline is not None:
            target = baseline * (1 + mde) if relative else baseline + mde
            found = power.proportions(baseline, target, alpha=alpha, power=power_level, ratio=ratio)
            kind = "conversion"
        else:
            assert sd is not None
            if relative:
                raise InputError("for a mean metric give the difference as --mde with --absolute")
            found = power.means(sd, mde, alpha=alpha, power=power_level, ratio=ratio)
            kind = "mean"
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if daily_users is not None and daily_users <= 0:
        raise InputError("daily users must be positive", field="--daily-users")
    return SizeReport(
        metric=kind,
        per_arm=found.control,
        variant=found.variant,
        total=found.total,
        days=found.total / daily_users if daily_users else None,
        method=found.method,
    )
