"""Cells written to CSV that a spreadsheet opens: never let a cell run as a formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return before one of those, or their full-width forms) as a formula, so a
customer's feedback text ``=HYPERLINK("http://evil", "click")`` would run on the TPM's machine
("CSV injection"). Every CSV export in productpath passes each cell through :func:`safe_cell`,
which prefixes such text with an apostrophe: the spreadsheet shows the text, runs nothing,
and the apostrophe itself is not displayed.

Numbers stay numbers: a negative sentiment ``-0.4`` written from a ``float`` is data, not a
formula, and is left as it is. Only text is neutralised.
"""

from __future__ import annotations

from datetime import date, datetime

# The characters that make a spreadsheet parse a cell as a formula, ASCII and full-width.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as the start of a formula."""
    return text.startswith(FORMULA_STARTS)


def safe_text(text: str) -> str:
    """``text``, prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if is_formula_like(text) else text


def safe_cell(value: object) -> str:
    """One CSV cell as text that no spreadsheet will execute.

    ``None`` -> ``""``; ``bool``, ``int``, ``float`` -> their plain text (a number is not a
    formula, even a negative one); dates -> ISO 8601; anything else -> ``str(value)`` made
    inert by :func:`safe_text`.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_text(str(value))
