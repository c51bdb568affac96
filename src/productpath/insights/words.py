"""What counts as a letter of a word in theme names and keywords.

Python's ``\\w`` leaves out combining marks (Unicode categories Mn, Mc, Me), which many scripts
write inside their words: Hindi "भुगतान" (payment) is six characters, two of them vowel signs,
so ``[^\\W_]+`` reads it as three words ("भ", "गत", "न"); Arabic vowel marks split words the
same way. :data:`WORD` is a letter or digit followed by letters, digits and combining marks:
a mark never starts a word, since emoji carry one too (the variation selector in "❤️").
"""

from __future__ import annotations

import sys
import unicodedata


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane as regex class ranges."""
    # Building it takes about 15 ms, once per process; the planes above hold only rare scripts.
    codes = [c for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], sys.maxunicode + 2]:
        if code != previous + 1:
            ranges.append(
                rf"\u{start:04x}" if start == previous else rf"\u{start:04x}-\u{previous:04x}"
            )
            start = code
        previous = code
    return "".join(ranges)


_LETTER = r"[^\W_]"
_LETTER_OR_MARK = rf"(?:{_LETTER}|[{_mark_ranges()}])"
WORD = rf"{_LETTER}{_LETTER_OR_MARK}*"
# Two or more characters: what a keyword may be (one letter says nothing of a topic).
KEYWORD = rf"{_LETTER}{_LETTER_OR_MARK}+"
