"""App store review exports through ``feedback import``: the App Store Connect JSON:API
document and Google Play's UTF-16 CSV, found by their shape, with rating, version and territory
or language kept beside the text (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from helpers import invoke
from productpath.ingest.app_reviews import google_play_review
from productpath.store.models import FeedbackItem

DATA = Path(__file__).parent / "data" / "app-stores"


def stored(handle: Any) -> dict[str, tuple[str, dict[str, Any] | None]]:
    with handle.store.read() as session:
        rows = session.execute(
            select(FeedbackItem.external_id, FeedbackItem.text, FeedbackItem.details)
        )
        return {
            key: (text, json.loads(details) if details else None) for key, text, details in rows
        }


def test_app_store_connect_json_is_read_without_a_format(opened: Any, tmp_path: Path) -> None:
    path = shutil.copy(DATA / "app_store_reviews.json", tmp_path / "reviews.json")
    result = invoke("feedback", "import", str(path))
    assert result.exit_code == 0, result.output
    items = stored(opened)
    first = items["app-store:00000041-aa10-0014-0001-000000000001"]
    assert first[0].startswith("Sync keeps failing\n\nSince the last update")
    assert "[EMAIL]" in first[0] and "ana@example.com" not in first[0]
    assert first[1] == {"rating": 2, "territory": "USA"}
    assert items["app-store:00000041-aa10-0014-0001-000000000002"][1] == {
        "rating": 5,
        "territory": "FRA",
    }
    assert len(items) == 3
    again = invoke("feedback", "import", str(path), "--format", "app-store")
    assert again.exit_code == 0 and len(stored(opened)) == 3


def test_google_play_utf16_csv_is_read_with_its_columns(opened: Any, tmp_path: Path) -> None:
    path = shutil.copy(DATA / "google_play_reviews.csv", tmp_path / "reviews_202611.csv")
    assert Path(path).read_bytes()[:2] == b"\xff\xfe"
    result = invoke("feedback", "import", str(path))
    assert result.exit_code == 0, result.output
    items = stored(opened)
    assert items["google-play:gp:AOqpTOEbbb222"] == (
        "Super\n\nSchnell und übersichtlich, danke!",
        {"rating": 5, "version": "4.12.0", "language": "de", "device": "oriole"},
    )
    hashed = [key for key in items if key.startswith("h:")]
    assert len(items) == 3 and len(hashed) == 1
    assert invoke("feedback", "import", str(path)).exit_code == 0
    assert len(stored(opened)) == 3


def test_the_api_and_the_export_give_one_record_per_review() -> None:
    """Google Play's API answer maps like the export's row: same id, text and details."""
    review = {
        "reviewId": "gp:AOqpTOEbbb222",
        "authorName": "Jonas",
        "comments": [
            {
                "userComment": {
                    "text": "Super\tSchnell und übersichtlich, danke!",
                    "lastModified": {"seconds": "1793622600", "nanos": 0},
                    "starRating": 5,
                    "reviewerLanguage": "de",
                    "device": "oriole",
                    "appVersionCode": 412,
                    "appVersionName": "4.12.0",
                }
            },
            {"developerComment": {"text": "Danke!", "lastModified": {"seconds": "1793696400"}}},
        ],
    }
    record = google_play_review(review, 1)
    assert not isinstance(record, Exception)
    assert record.external_id == "google-play:gp:AOqpTOEbbb222"
    assert record.text == "Super\n\nSchnell und übersichtlich, danke!"
    assert record.details == {
        "rating": 5,
        "version": "4.12.0",
        "language": "de",
        "device": "oriole",
    }


def test_a_plain_json_array_still_needs_its_text_column(opened: Any, tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps([{"text": "hello"}]), encoding="utf-8")
    result = invoke("feedback", "import", str(path))
    assert result.exit_code != 0 and "--text-column" in result.output
