"""Numbers read as a person would write them."""

from __future__ import annotations

import pytest

from productpath.domain.formatting import plain_number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (2.5, "2.5"),
        (1_500_000, "1,500,000"),
        (12.3456789, "12.3456789"),
        (0.0, "0"),
        (-0.0, "0"),
        (-4.25, "-4.25"),
        (None, ""),
    ],
)
def test_plain_number(value: float | None, text: str) -> None:
    assert plain_number(value) == text
