"""What counts as text: shared by every place that refuses an empty one."""

from __future__ import annotations

import unicodedata

# Control (Cc) and format (Cf) characters draw nothing: zero-width space and joiners, the
# byte-order mark, word joiner, soft hyphen, direction marks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
# Letters and symbols that are drawn as blank space: the Hangul fillers and the blank
# Braille pattern, which pass for a name or a message that is not there.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: it is empty, or only whitespace and invisible
    characters (``"\\u200b\\u200b"`` is as empty as ``"   "``)."""
    return all(
        char.isspace()
        or char in _BLANK_GLYPHS
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        for char in text
    )
