"""App store reviews as customer feedback: one mapping for the stores' APIs and their files.

* **App Store Connect**: the customer reviews API answers a JSON:API document, ``{"data":
  [{"type": "customerReviews", "id": ..., "attributes": {"rating", "title", "body",
  "reviewerNickname", "createdDate", "territory"}}], "links": {"next": ...}}``; a saved answer is
  the file ``feedback import`` reads (``--format app-store``, or found by its shape).
* **Google Play**: the Developer API's ``reviews.list`` answers ``{"reviews": [{"reviewId",
  "authorName", "comments": [{"userComment": {"text", "lastModified": {"seconds"},
  "starRating", "reviewerLanguage", "device", "appVersionName", ...}}]}],
  "tokenPagination": {"nextPageToken"}}``; the monthly review export is a UTF-16 CSV with
  columns such as ``Package Name``, ``App Version Name``, ``Reviewer Language``, ``Review
  Submit Date and Time``, ``Star Rating``, ``Review Title``, ``Review Text`` and ``Review
  Link`` (``--format google-play``, or found by its header).

Both give the same record for the same review: the title, a blank line, the body; the date it
was written; ``details`` with the rating, app version, territory or language; and the external
id ``app-store:ID`` or ``google-play:ID`` (a CSV row without a review link gets a hash of the
package, submit time and text instead). Reviewer names are not kept: they identify people.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from productpath.domain.text import is_blank
from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.feedback_files import MAX_ID_LENGTH, FeedbackRecord, row_hash
from productpath.ingest.pii import RedactionPolicy, redact

APP_STORE, GOOGLE_PLAY = "app-store", "google-play"
FORMATS = (APP_STORE, GOOGLE_PLAY)
# The columns that make a CSV a Google Play review export (found without --format).
_PLAY_COLUMNS = {"package name", "review text", "star rating"}
# The review's id inside its console link (query or fragment: "...reviewId=gp:AOqp...").
_REVIEW_ID = re.compile(r"reviewid=([^&#\s]+)", re.IGNORECASE)


def app_store_review(resource: Any, line: int) -> FeedbackRecord | InputError:
    """One ``customerReviews`` resource of the App Store Connect API."""
    if not isinstance(resource, dict) or resource.get("type") != "customerReviews":
        return InputError("is not a customerReviews resource", line=line)
    attributes = resource.get("attributes")
    review_id = resource.get("id")
    if not isinstance(attributes, dict) or not isinstance(review_id, str) or not review_id:
        return InputError("has no id or attributes", line=line)
    details: dict[str, str | int] = {}
    if isinstance(attributes.get("rating"), int):
        details["rating"] = attributes["rating"]
    if isinstance(attributes.get("territory"), str):
        details["territory"] = attributes["territory"]
    return _record(
        line,
        f"app-store:{review_id}",
        _text(attributes.get("title"), attributes.get("body")),
        attributes.get("createdDate"),
        details,
    )


def google_play_review(review: Any, line: int) -> FeedbackRecord | InputError:
    """One review of Google Play's ``reviews.list``: its user comment, not the replies."""
    if not isinstance(review, dict) or not isinstance(review.get("reviewId"), str):
        return InputError("is not a review (no reviewId)", line=line)
    comment: dict[str, Any] = {}
    for entry in review.get("comments") or []:
        if isinstance(entry, dict) and isinstance(entry.get("userComment"), dict):
            comment = entry["userComment"]
            break
    # A review with a separate title comes as "title<TAB>body".
    title, _, body = str(comment.get("text") or "").partition("\t")
    if not body:
        title, body = "", title
    details: dict[str, str | int] = {}
    for key, name in (
        ("starRating", "rating"),
        ("appVersionName", "version"),
        ("reviewerLanguage", "language"),
        ("device", "device"),
    ):
        if isinstance(comment.get(key), str | int) and comment.get(key) != "":
            details[name] = comment[key]
    seconds = (comment.get("lastModified") or {}).get("seconds")
    written = (
        dt.datetime.fromtimestamp(int(seconds), dt.UTC).isoformat()
        if isinstance(seconds, str | int) and str(seconds).isdigit()
        else None
    )
    return _record(line, f"google-play:{review['reviewId']}", _text(title, body), written, details)


def google_play_row(values: dict[str, str], line: int) -> FeedbackRecord | InputError:
    """One row of Google Play's review export (column names compared without case)."""
    row = {key.strip().casefold(): (value or "").strip() for key, value in values.items() if key}
    link = row.get("review link", "")
    found = _REVIEW_ID.search(link)
    if found:
        identity = f"google-play:{found[1]}"
    else:
        identity = row_hash(
            {
                "package": row.get("package name", ""),
                "submitted": row.get("review submit millis since epoch", "")
                or row.get("review submit date and time", ""),
                "text": row.get("review text", ""),
            }
        )
    details: dict[str, str | int] = {}
    rating = row.get("star rating", "")
    if rating.isdigit():
        details["rating"] = int(rating)
    for column, name in (
        ("app version name", "version"),
        ("reviewer language", "language"),
        ("device", "device"),
    ):
        if row.get(column):
            details[name] = row[column]
    return _record(
        line,
        identity,
        _text(row.get("review title"), row.get("review text")),
        row.get("review submit date and time") or None,
        details,
    )


def read_app_store(path: Path) -> Iterator[FeedbackRecord | InputError]:
    """The reviews of a saved App Store Connect answer (a JSON:API document)."""
    document = _json(path)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise InputError(
            "is not an App Store Connect reviews document (an object with a 'data' array)",
            file=path,
        )
    for n, resource in enumerate(data, 1):
        yield _located(app_store_review(resource, n), path)


def read_google_play(path: Path) -> Iterator[FeedbackRecord | InputError]:
    """The rows of a Google Play review export (UTF-16 with a BOM, or UTF-8)."""
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    header = {name.strip().casefold() for name in reader.fieldnames or []}
    if not header >= _PLAY_COLUMNS:
        raise InputError(
            "is not a Google Play review export (needs the columns Package Name, Star Rating "
            "and Review Text)",
            file=path,
            line=1,
        )
    for values in reader:
        yield _located(google_play_row(values, reader.line_num), path)


def detect(path: Path) -> str | None:
    """``app-store`` or ``google-play`` when the file has that store's shape, else None."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            with path.open("rb") as handle:
                start = handle.read(4096).decode("utf-8-sig", errors="replace")
            return APP_STORE if '"customerReviews"' in start and '"data"' in start else None
        if suffix == ".csv":
            first = _decode(path, limit=4096).splitlines()[:1]
            names = {name.strip().casefold() for name in next(csv.reader(first), [])}
            return GOOGLE_PLAY if names >= _PLAY_COLUMNS else None
    except OSError:
        return None
    return None


def read_store_file(path: Path, store: str) -> Iterator[FeedbackRecord | InputError]:
    return read_app_store(path) if store == APP_STORE else read_google_play(path)


def redacted(
    records: Iterable[FeedbackRecord | InputError], pii: RedactionPolicy | None
) -> Iterator[FeedbackRecord | InputError]:
    """``records`` with PII redacted from their text (as they are when ``pii`` is None)."""
    for record in records:
        if isinstance(record, InputError) or pii is None:
            yield record
            continue
        found = redact(record.text, pii)
        yield FeedbackRecord(
            line=record.line,
            external_id=record.external_id,
            text=found.text,
            created_at=record.created_at,
            customer=record.customer,
            redacted=dict(found.found),
            kind=record.kind,
            details=record.details,
        )


def _record(
    line: int, identity: str, text: str, written: Any, details: dict[str, str | int]
) -> FeedbackRecord | InputError:
    if is_blank(text):
        return InputError("has no title or text", line=line)
    if len(identity) > MAX_ID_LENGTH:
        return InputError(f"its id is longer than {MAX_ID_LENGTH} characters", line=line)
    created_at = None
    if isinstance(written, str) and written:
        try:
            created_at = parse_datetime(written)
        except ValueError as exc:
            return InputError(str(exc), line=line, field="date")
    return FeedbackRecord(
        line=line,
        external_id=identity,
        text=text,
        created_at=created_at,
        customer=None,
        details=details,
    )


def _text(title: Any, body: Any) -> str:
    parts = [str(part).strip() for part in (title, body) if isinstance(part, str)]
    return "\n\n".join(part for part in parts if part)


def _located(item: FeedbackRecord | InputError, path: Path) -> FeedbackRecord | InputError:
    if isinstance(item, InputError):
        return InputError(item.reason, file=path, line=item.line, field=item.field)
    return item


def _json(path: Path) -> Any:
    try:
        return json.loads(_decode(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not JSON: {exc.msg}", file=path, line=exc.lineno) from None


def _decode(path: Path, limit: int | None = None) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read() if limit is None else handle.read(limit)
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if limit is not None:
            data = data[: len(data) // 2 * 2]
        return data.decode("utf-16", errors="replace" if limit else "strict")
    return data.decode("utf-8-sig", errors="replace")
