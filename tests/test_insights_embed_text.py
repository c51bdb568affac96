"""What of an issue body is embedded: templates, code and logs out, cut to the model's window."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from productpath.insights.embed import HashingEmbedder
from productpath.insights.embed_text import EMBED_CHAR_BUDGET, embedding_text
from productpath.services.feedback import import_feedback
from productpath.services.insights import run_insights

REACT_DEVTOOLS = """### Website or app

Private repo cannot give access to application

### Repro steps

1. Run application
2. Open the Components tab while the list re-renders

### How often does this bug happen?

Every time

### Error call stack (automated)

```text
at chrome-extension://fmkadmapg/build/main.js:28171:41
    at Bridge.emit (chrome-extension://fmkadmapg/build/main.js:24827:22)
```

### Error component stack (automated)

_No response_
"""

BUG_FORM = """<!--
Thanks for filing a bug! Please search existing issues before opening a new one.
-->

**Describe the bug**
The export button stays greyed out after the upload finishes.

**To Reproduce**
Steps to reproduce the behavior:
1. Upload a CSV of 20 MB
2. Wait for the green tick

**Expected behavior**
The export button becomes active.

- [x] I searched the existing issues
- [ ] I am willing to submit a pull request

<details>
<summary>Environment</summary>
OS: macOS 14.2, browser Firefox 121
</details>
"""

PYTHON_TRACE = """Importing the plugin fails on Python 3.12 since the last release.

Traceback (most recent call last):
  File "/usr/lib/python3.12/site-packages/loader.py", line 41, in load
    module = importlib.import_module(name)
  File "/usr/lib/python3.12/importlib/__init__.py", line 90, in import_module
ModuleNotFoundError: No module named 'distutils'

2026-03-02 10:14:07,112 INFO loader: giving up after 3 tries
[ERROR] plugin registry is empty
"""


def test_template_headings_empty_answers_and_code_are_dropped() -> None:
    text = embedding_text(REACT_DEVTOOLS)
    assert "Private repo cannot give access to application" in text
    assert "Open the Components tab while the list re-renders" in text
    assert "Every time" in text
    for gone in ("###", "Repro steps", "main.js", "Bridge.emit", "No response", "```"):
        assert gone not in text, gone


def test_bold_labels_checklists_comments_and_details_are_dropped() -> None:
    text = embedding_text(BUG_FORM)
    assert text.startswith("The export button stays greyed out after the upload finishes.")
    assert "Upload a CSV of 20 MB" in text and "The export button becomes active." in text
    for gone in ("Thanks for filing", "Describe the bug", "**", "[x]", "pull request", "macOS"):
        assert gone not in text, gone


def test_tracebacks_and_log_lines_are_dropped_but_the_words_stay() -> None:
    text = embedding_text(PYTHON_TRACE)
    assert text.startswith("Importing the plugin fails on Python 3.12 since the last release.")
    for gone in ("Traceback", 'File "', "import_module(name)", "INFO loader", "[ERROR]"):
        assert gone not in text, gone
    # The exception line says what went wrong in words, so it stays.
    assert "No module named 'distutils'" in text


def test_a_text_that_is_only_a_trace_is_kept_rather_than_emptied() -> None:
    only_trace = "```\npanic: runtime error: index out of range [3] with length 3\n```"
    text = embedding_text(only_trace)
    assert "index out of range" in text and len(text) <= EMBED_CHAR_BUDGET


def test_long_text_is_cut_on_a_word_end_within_the_budget() -> None:
    words = " ".join(f"word{i}" for i in range(2000))
    text = embedding_text(words)
    assert len(text) <= EMBED_CHAR_BUDGET
    assert words.startswith(text) and words[len(text)] == " "
    assert embedding_text(words, budget=50) == "word0 word1 word2 word3 word4 word5 word6 word7"


def test_a_plain_short_review_is_unchanged() -> None:
    review = "Love the new dashboard, but the weekly email arrives twice."
    assert embedding_text(review) == review


def test_issues_that_differ_only_in_their_logs_share_one_vector(
    opened: Any, tmp_path: Path
) -> None:
    stem = "The export button stays greyed out after the upload finishes."
    bodies = [f"{stem}\n\n```\nat upload.js:{line}:7\n```" for line in (10, 20, 30)]
    path = tmp_path / "issues.csv"
    rows = [f'{i},"{body}",2026-02-0{i + 1}' for i, body in enumerate(bodies)]
    path.write_text("id,text,created\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_feedback(opened, path, text_column="text", id_column="id", date_column="created")
    report = run_insights(opened, embedder=HashingEmbedder(), seed=1)
    # Three stored texts, all different, one cleaned text: embedded once.
    assert report.analysed == 3 and report.embedded == 1


def test_the_one_line_shortcut_cleans_as_the_full_cleaning_does() -> None:
    from productpath.insights import embed_text

    lines = [
        "my card  was\tcharged twice ",
        "None",
        "N/A",
        "  ...  ",
        "### Steps",
        "**Describe the bug**",
        "- [x] I searched",
        "```python print(1)",
        "    indented code",
        "Traceback (most recent call last): boom",
        'File "app.py", line 3, in main',
        "2026-01-02 10:11 server started",
        "ERROR: disk full",
        "app.py:12 failed",
        "at com.app.Main.run(Main.java:10)",
        "x\r\x0cy \x0b",
        "word " * 400,
        "",
    ]
    sample = Path(__file__).parent / "data" / "banking77" / "test.csv.gz"
    lines += gzip.decompress(sample.read_bytes()).decode("utf-8").split("\n")[:3000]
    for line in lines:
        assert "\n" not in line and "<" not in line
        assert embedding_text(line) == embed_text._slow(line), line
        assert embedding_text(line, 40) == embed_text._slow(line, 40), line
