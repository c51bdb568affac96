"""What of a feedback text is embedded: the words a person wrote, not the issue form around them.

Issue bodies from trackers are mostly scaffolding: template headings ("### Steps to reproduce",
"**Describe the bug**"), unticked checklists, HTML comments the template left as hints, and
pasted logs and tracebacks. Embedded whole, two bug reports from one template look alike
whatever they are about, and the model's window (MiniLM reads 256 word pieces) fills with
stack frames before it reaches the problem. :func:`embedding_text` drops all of that and cuts
the rest to a character budget the window can hold. The stored text stays whole; only the
embedder sees the cleaned copy.
"""

from __future__ import annotations

import re

# MiniLM reads 256 word pieces; English prose averages about four characters a piece, so 1,200
# characters fill the window without paying the tokenizer for text it would cut anyway.
EMBED_CHAR_BUDGET = 1200
# Bumped whenever the cleaning changes what is embedded: cached vectors are keyed by it.
EMBED_TEXT_VERSION = "clean1"

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# ``` or ~~~ fences, closed or left open to the end of the text.
_FENCED_BLOCK = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
_DETAILS_BLOCK = re.compile(r"<details>.*?(?:</details>|\Z)", re.DOTALL | re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+.*$", re.MULTILINE)
# A line that is only a bold or underlined label: "**Describe the bug**", "__Expected__:".
_BOLD_LABEL = re.compile(r"^[ \t]*(\*\*|__)[^*_\n]{1,80}\1[ \t]*:?[ \t]*$", re.MULTILINE)
_CHECKLIST = re.compile(r"^[ \t]*[-*][ \t]+\[[ xX]?\][^\n]*$", re.MULTILINE)
# Answers the template's fields get when left empty.
_EMPTY_ANSWER = re.compile(
    r"^[ \t]*(_?No response_?|N/?A|None|-|\.\.\.)[ \t]*$", re.MULTILINE | re.IGNORECASE
)
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)\S.*$", re.MULTILINE)

# Lines that are machine output rather than words: stack frames of the common runtimes and
# log lines that start with a timestamp or a level.
_MACHINE_LINE = re.compile(
    r"""^[ \t]*(?:
        at[ \t]+\S+.*[(:]\S*\d+\)?\s*$              # JavaScript / Java / C# frame
      | File[ \t]+".+",[ \t]+line[ \t]+\d+.*$        # Python frame
      | Traceback[ \t]+\(most[ \t]+recent[ \t]+call[ \t]+last\):.*$
      | \#\d+[ \t]+0x[0-9a-fA-F]+.*$                 # gdb / native frame
      | \d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*$          # timestamped log line
      | \[?(?:DEBUG|INFO|WARN|WARNING|ERROR|TRACE|FATAL)\]?[ \t:].*$
      | goroutine[ \t]+\d+[ \t]+\[.*$
      | \S+\.(?:py|js|ts|go|rs|java|cc|cpp|c|h):\d+(?::\d+)?.*$   # path:line
      | [ \t]*\^+[ \t]*$                             # caret under a code excerpt
    )""",
    re.MULTILINE | re.VERBOSE,
)
_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_SPACE_RUN = re.compile(r"[ \t]+")


def embedding_text(text: str, budget: int = EMBED_CHAR_BUDGET) -> str:
    """``text`` without templates, code and logs, cut at ``budget`` characters on a word end.

    When cleaning would leave nothing (a report that is only a traceback), the text is kept as
    it was, cut to the budget: an item still needs a vector, and the trace is all it says.
    """
    if "\n" not in text and "<" not in text:
        # One line and no HTML: every other pattern takes the whole line or nothing, and an
        # emptied text falls back to itself, so the result is the line with its spaces
        # collapsed. Short messages (most feedback) skip the regexes: a split of a large theme
        # cleans each member's text to find its cached vector.
        return _cut(_SPACE_RUN.sub(" ", text).strip(), budget)
    return _slow(text, budget)


def _slow(text: str, budget: int = EMBED_CHAR_BUDGET) -> str:
    cleaned = _clean(text)
    if not cleaned:
        cleaned = _SPACE_RUN.sub(" ", text).strip()
    return _cut(cleaned, budget)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n")
    for pattern in (_HTML_COMMENT, _FENCED_BLOCK, _DETAILS_BLOCK):
        text = pattern.sub("\n", text)
    for pattern in (
        _MARKDOWN_HEADING,
        _BOLD_LABEL,
        _CHECKLIST,
        _EMPTY_ANSWER,
        _INDENTED_CODE,
        _MACHINE_LINE,
    ):
        text = pattern.sub("", text)
    text = _BLANK_RUN.sub("\n", text)
    return "\n".join(_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n")).strip()


def _cut(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    head = text[:budget]
    # Stop at the last whitespace so no word is cut in half (unless the text has none).
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space].rstrip() if space > budget // 2 else head
