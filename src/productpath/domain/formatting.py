"""How numbers read to a person, the same in the CLI, the web UI and reports."""

from __future__ import annotations


def plain_number(value: float | None) -> str:
    """A number as written by hand: no pointless ``.0``, no exponent, thousands separated.

    3.0 -> "3", 2.5 -> "2.5", 1500000 -> "1,500,000", 12.3456789 -> "12.3456789";
    None -> "". ``:g`` would print 1.5e+06 and round 12.3456789 to 12.3457.
    """
    if value is None:
        return ""
    text = f"{value:,.10f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
