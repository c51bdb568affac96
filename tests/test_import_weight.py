"""Modules every report and listing command loads do not drag in scipy.stats (most of a second).

scipy.stats is imported where a KPI series is read or a decision's outcome is tested, the only
code that needs it.
"""

from __future__ import annotations

import pytest

from helpers import loaded_by


@pytest.mark.parametrize(
    "module",
    [
        "productpath.services.reporting.report_data",
        "productpath.learning.kpi_trend",
        "productpath.learning.decisions",
    ],
)
def test_importing_does_not_load_scipy_stats(module: str) -> None:
    assert loaded_by(f"import {module}", ["scipy.stats"]) == []
