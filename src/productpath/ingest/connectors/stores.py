"""App store reviews through the stores' APIs, mapped by :mod:`productpath.ingest.app_reviews`
(the same mapping as the stores' export files).

**App Store Connect**: ``GET /v1/apps/APP/customerReviews?sort=-createdDate&limit=200``, newest
first, following ``links.next``. Auth: a Bearer JSON Web Token signed with the team's API key
(the source reads it from ``--token-env`` or the keyring; App Store Connect tokens live up to 20
minutes, so whatever refreshes it writes it there).

**Google Play**: ``GET /androidpublisher/v3/applications/PACKAGE/reviews?maxResults=100``,
newest change first, following ``tokenPagination.nextPageToken``; the API serves the reviews of
the last week only (older ones come from the monthly export file). Auth: a Bearer OAuth 2.0
access token for the ``androidpublisher`` scope.

Both are read newest first, so a sync stops at the first page that reaches the newest review
the last finished sync saw (the cursor, moved only when a sync ends: a sync cut off midway reads
from the top again and finds what it stored already there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from productpath.ingest.app_reviews import app_store_review, google_play_review
from productpath.ingest.connectors.http import ApiReader, Batch, ConnectorError
from productpath.ingest.feedback_files import FeedbackRecord

APP_STORE_API = "https://api.appstoreconnect.apple.com"
GOOGLE_PLAY_API = "https://androidpublisher.googleapis.com"


def headers(token: str) -> dict[str, str]:
    return {"Accept": "application/json", "Authorization": f"Bearer {token}"}


def app_store_batches(
    reader: ApiReader, api_url: str, app: str, cursor: dict[str, Any]
) -> Iterator[Batch]:
    url = f"{api_url.rstrip('/')}/v1/apps/{app}/customerReviews?" + urlencode(
        {"sort": "-createdDate", "limit": "200"}
    )
    yield from _newest_first(reader, url, cursor, _app_store_page)


def google_play_batches(
    reader: ApiReader, api_url: str, package: str, cursor: dict[str, Any]
) -> Iterator[Batch]:
    url = f"{api_url.rstrip('/')}/androidpublisher/v3/applications/{package}/reviews?" + urlencode(
        {"maxResults": "100"}
    )
    yield from _newest_first(reader, url, cursor, _google_play_page)


def _app_store_page(url: str, body: Any) -> tuple[list[Any], str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ConnectorError(f"{url.split('?')[0]} did not answer a JSON:API 'data' list")
    records = [app_store_review(resource, n) for n, resource in enumerate(body["data"], 1)]
    following = (body.get("links") or {}).get("next")
    return records, following if isinstance(following, str) else None


def _google_play_page(url: str, body: Any) -> tuple[list[Any], str | None]:
    if not isinstance(body, dict):
        raise ConnectorError(f"{url.split('?')[0]} did not answer a JSON object")
    reviews = body.get("reviews") or []  # an app without reviews answers {}
    records = [google_play_review(review, n) for n, review in enumerate(reviews, 1)]
    token = (body.get("tokenPagination") or {}).get("nextPageToken")
    if not isinstance(token, str) or not token:
        return records, None
    base = url.split("&token=")[0]
    return records, f"{base}&{urlencode({'token': token})}"


def _newest_first(
    reader: ApiReader, first: str, cursor: dict[str, Any], read: Any
) -> Iterator[Batch]:
    seen = cursor.get("newest")
    seen_at = dt.datetime.fromisoformat(seen) if isinstance(seen, str) else None
    newest = seen_at
    url: str | None = first
    pages = 0
    while url is not None:
        records, following = read(url, reader.get(url).body)
        pages += 1
        reached = False
        for record in records:
            if isinstance(record, FeedbackRecord) and record.created_at is not None:
                if seen_at is not None and record.created_at <= seen_at:
                    reached = True
                if newest is None or record.created_at > newest:
                    newest = record.created_at
        done = reached or following is None
        state = {"newest": (newest if done else seen_at)}
        yield Batch(
            records,
            {key: value.isoformat() for key, value in state.items() if value is not None},
            pages,
            pages if done else None,
        )
        url = None if done else following
