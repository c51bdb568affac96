"""Issues from GitHub or Jira as customer feedback: the one mapping from an issue to feedback.

``feedback import --format github-issues|jira`` reads the export with the tracker readers
(:mod:`tracker_github`, :mod:`tracker_jira`) and maps each issue here; a GitHub connector
fetching issues itself maps them with the same :func:`issue_feedback`, so both give the same
feedback for the same issue.

* **text**: the title, a blank line, then the body with the issue template stripped: HTML
  comments (template instructions), ``_No response_`` (empty issue-form fields), unticked
  checklist items, heading lines (the template's questions: their answers stay) and sections
  left empty. Issues are read by people and by the insight engine as the reporter wrote them.
* **kind**: from the labels (``bug``, ``type: bug``, ``kind/feature``, ``enhancement``,
  ``question``...) or, for Jira, the issue type (``Bug``, ``Story``, ``New Feature``); an issue
  with none of them gets its kind from the insight engine as usual.
* **external id**: ``github:OWNER/NAME#N`` or ``jira:KEY``, the same for the same issue in
  every export.
* **date**: when the issue was opened. Pull requests and epics are not feedback: left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from productpath.errors import InputError
from productpath.ingest import kind_values
from productpath.ingest.feedback_files import MAX_ID_LENGTH, FeedbackRecord
from productpath.ingest.pii import RedactionPolicy, redact
from productpath.ingest.tracker_record import TrackerRecord

GITHUB, JIRA = "github", "jira"
FORMATS = {"github-issues": GITHUB, "jira": JIRA}

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_NO_RESPONSE = re.compile(r"^\s*_No response_\s*$", re.MULTILINE)
_UNTICKED = re.compile(r"^\s*[-*] \[ \].*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s.*$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")

# A label may carry a prefix ("type: bug", "kind/feature", "t-question"); the word after it
# is looked up in the one table of kind words (ingest.kind_values).
_PREFIX = re.compile(r"^(?:type|kind|t|category|issue)\s*[:/-]\s*", re.IGNORECASE)
_NOT_FEEDBACK = {"pull_request", "merge_request", "epic"}


def strip_template(body: str) -> str:
    """``body`` without what an issue template put there and the reporter left unchanged."""
    text = _COMMENT.sub("", body.replace("\r\n", "\n"))
    text = _NO_RESPONSE.sub("", text)
    text = _UNTICKED.sub("", text)
    text = _HEADING.sub("", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def kind_of(labels: Iterable[str], item_type: str = "") -> str | None:
    """The feedback kind its labels (or Jira issue type) give an issue; None when they don't."""
    for raw in (*labels, item_type):
        kind = kind_values.kind_of(_PREFIX.sub("", raw.strip()))
        if kind is not None and kind != "other":
            return kind
    return None


def external_id(system: str, key: str) -> str:
    """``github:OWNER/NAME#N`` or ``jira:KEY``."""
    return f"{system}:{key}"


def issue_feedback(
    records: Iterable[TrackerRecord | InputError], system: str, pii: RedactionPolicy | None
) -> Iterator[FeedbackRecord | InputError]:
    """Each issue of ``records`` as feedback (redacted unless ``pii`` is None); errors pass."""
    for record in records:
        if isinstance(record, InputError):
            yield record
            continue
        if record.item_type.casefold() in _NOT_FEEDBACK:
            continue
        body = strip_template(record.body)
        text = f"{record.title}\n\n{body}" if body else record.title
        identity = external_id(system, record.key)
        if len(identity) > MAX_ID_LENGTH:
            yield InputError(f"is longer than {MAX_ID_LENGTH} characters", line=record.line)
            continue
        found = redact(text, pii) if pii is not None else None
        yield FeedbackRecord(
            line=record.line,
            external_id=identity,
            text=found.text if found else text,
            created_at=record.opened_at,
            customer=None,
            redacted=dict(found.found) if found else {},
            kind=kind_of(record.labels, record.item_type),
        )
