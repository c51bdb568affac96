"""Reading feedback files: formats, line numbers, and precise errors. No database here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from productpath.errors import InputError
from productpath.ingest.dates import parse_datetime
from productpath.ingest.feedback_files import (
    FeedbackColumns,
    FeedbackRecord,
    read_feedback,
    row_hash,
)

COLUMNS = FeedbackColumns(text="text", id="id", date="date", customer="customer")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def records(path: Path, columns: FeedbackColumns = COLUMNS, **kw: str) -> list[FeedbackRecord]:
    """Every record; the first bad row raises, as an import without --skip-invalid does."""
    out = []
    for item in read_feedback(path, columns, **kw):
        if isinstance(item, InputError):
            raise item
        out.append(item)
    return out


def errors(path: Path, columns: FeedbackColumns = COLUMNS) -> list[InputError]:
    return [e for e in read_feedback(path, columns) if isinstance(e, InputError)]


def test_csv_with_bom_and_multiline_field_keeps_physical_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "r.csv",
        "\ufeffid,text,date,customer\r\n"
        "1,Card never arrived,2024-03-05,acme\r\n"
        '2,"Two\nlines",2024-03-06T10:00:00+02:00,\r\n'
        "\r\n"
        "3,Third,,beta\r\n",
    )
    got = records(path)
    assert [(r.line, r.external_id, r.customer) for r in got] == [
        (2, "1", "acme"),
        (3, "2", None),
        (6, "3", "beta"),
    ]
    assert got[0].created_at == dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    assert got[1].created_at == dt.datetime(2024, 3, 6, 8, 0, tzinfo=dt.UTC)
    assert got[1].text == "Two\nlines"
    assert got[2].created_at is None


def test_json_array_reports_the_line_of_each_element(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "r.json",
        '[\n  {"id": 7, "text": "first"},\n  {\n    "id": "x",\n    "text": "second"\n  },\n'
        '  {"id": 9, "text": ""}\n]\n',
    )
    items = list(read_feedback(path, FeedbackColumns(text="text", id="id")))
    assert [(r.line, r.external_id) for r in items if isinstance(r, FeedbackRecord)] == [
        (2, "7"),
        (3, "x"),
    ]
    (error,) = [e for e in items if isinstance(e, InputError)]
    assert (error.line, error.field) == (7, "text")


def test_json_must_be_an_array_of_objects(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="array of objects") as caught:
        records(write(tmp_path, "r.json", '{"text": "hi"}'))
    assert caught.value.line == 1
    path = write(tmp_path, "s.json", '[\n{"text": "a"},\n"just a string"\n]')
    (error,) = errors(path, FeedbackColumns(text="text"))
    assert error.line == 3 and "expected a JSON object" in error.reason


def test_json_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", '[\n{"text": "a"},\n{"text": "b",}\n]')
    with pytest.raises(InputError, match="invalid JSON") as caught:
        records(path, FeedbackColumns(text="text"))
    assert caught.value.line == 3


def test_refused_number_followed_by_a_syntax_error_is_one_error(tmp_path: Path) -> None:
    # Found by the fuzzer: skipping the refused element used to raise a bare JSONDecodeError.
    huge = "1" * 5000
    path = write(tmp_path, "r.json", f'[\n{{"text": "hi", "n": {huge}, "x": 1 "y"}}\n]')
    with pytest.raises(InputError, match="invalid JSON") as caught:
        records(path, FeedbackColumns(text="text"))
    assert caught.value.line == 2 and caught.value.file == str(path)


def test_jsonl_skips_blank_lines_and_reports_bad_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "a"}\n\n{"text": \n{"text": "c", "n": 1}\n')
    items = list(read_feedback(path, FeedbackColumns(text="text")))
    assert [i.line for i in items] == [1, 3, 4]
    assert isinstance(items[1], InputError) and "invalid JSON" in items[1].reason


def test_format_from_option_overrides_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "export.txt", '{"text": "a"}\n')
    with pytest.raises(InputError, match="--format"):
        records(path, FeedbackColumns(text="text"))
    assert len(records(path, FeedbackColumns(text="text"), file_format="jsonl")) == 1


def test_bytes_that_are_not_utf8_name_the_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"id,text\n1,fine\n2,caf\xe9 au lait\n3,ok\n")
    items = list(read_feedback(path, FeedbackColumns(text="text", id="id")))
    assert [i.line for i in items] == [2, 3, 4]
    bad = items[1]
    assert isinstance(bad, InputError)
    assert (bad.line, bad.field) == (3, "text") and "UTF-8" in bad.reason


def test_utf16_file_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Google Play exports reviews as UTF-16 with a BOM: the mark says how to decode it."""
    for encoding in ("utf-16", "utf-16-be"):
        data = "text\nhéllo\n".encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        path = write(tmp_path, "r.csv", data)
        (item,) = records(path, FeedbackColumns(text="text"))
        assert isinstance(item, FeedbackRecord) and item.text == "héllo"


def test_nul_characters_inside_text_are_removed_and_counted(tmp_path: Path) -> None:
    """Real exports carry stray NULs inside quoted fields: the text is kept without them."""
    path = write(tmp_path, "r.csv", 'id,text\n1,fine\n2,"hel\x00lo, \x00\nworld"\n3,"a\x00"\n')
    reading = read_feedback(path, FeedbackColumns(text="text", id="id"))
    items = list(reading)
    assert [i.text for i in items if isinstance(i, FeedbackRecord)] == [
        "fine",
        "hello, \nworld",
        "a",
    ]
    removed = reading.removed_nuls
    assert (removed.characters, removed.rows, removed.first_line) == (3, 2, 3)
    json_path = write(tmp_path, "r.jsonl", '{"text": "x\\u0000y"}\n')
    reading = read_feedback(json_path, FeedbackColumns(text="text"))
    assert [i.text for i in reading if isinstance(i, FeedbackRecord)] == ["xy"]
    assert reading.removed_nuls.characters == 1


def test_a_file_mostly_of_nul_is_refused_as_binary_or_utf16(tmp_path: Path) -> None:
    # UTF-16 without its byte-order mark: every other byte of the header is NUL.
    utf16 = write(tmp_path, "a.csv", "text\nhello there\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="binary or UTF-16"):
        records(utf16, FeedbackColumns(text="text"))
    binary = write(tmp_path, "b.csv", b"text\n" + b"\x00\x01\x00\x02" * 50 + b"\n")
    with pytest.raises(InputError, match="binary or UTF-16") as caught:
        records(binary, FeedbackColumns(text="text"))
    assert caught.value.line == 2


def test_malformed_csv_rows_are_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", 'id,text\n1,"quoted"tail\n2,a,extra\n3\n4,good\n')
    items = list(read_feedback(path, FeedbackColumns(text="text", id="id")))
    assert [i.line for i in items] == [2, 3, 4, 5]
    assert [isinstance(i, InputError) for i in items] == [True, True, True, False]
    assert "expected 2 fields" in str(items[1])
    assert str(items[1]).startswith(f"{path}:3")


def test_unterminated_quote_stops_reading_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", 'id,text\n1,ok\n2,"never closed\n3,more\n')
    with pytest.raises(InputError, match="unterminated") as caught:
        records(path, FeedbackColumns(text="text", id="id"))
    assert caught.value.line == 3


def test_missing_text_and_bad_date_name_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,text,date,customer\n1,   ,2024-01-01,a\n2,hi,soon,b\n")
    first, second = errors(path)
    assert str(first) == f"{path}:2, field 'text': the text is missing or empty"
    assert (second.line, second.field) == (3, "date") and "not a date" in second.reason


def test_unknown_column_lists_the_available_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,body\n1,hi\n")
    with pytest.raises(InputError) as caught:
        read_feedback(path, FeedbackColumns(text="text"))
    assert caught.value.field == "text"
    assert "'id', 'body'" in caught.value.reason


def test_column_names_match_case_insensitively(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "ID,Text\n1,hi\n")
    assert records(path, FeedbackColumns(text="text", id="id"))[0].external_id == "1"


def test_hash_ids_are_stable_when_rows_are_reordered(tmp_path: Path) -> None:
    columns = FeedbackColumns(text="text", date="date")
    a = write(tmp_path, "a.csv", "text,date\nalpha,2024-01-01\nbeta,2024-01-02\n")
    b = write(tmp_path, "b.csv", "date,text\r\n2024-01-02,beta\r\n2024-01-01,alpha\r\n")
    ids_a = {r.text: r.external_id for r in records(a, columns)}
    ids_b = {r.text: r.external_id for r in records(b, columns)}
    assert ids_a == ids_b
    assert all(i.startswith("h:") for i in ids_a.values())
    assert ids_a["alpha"] != ids_a["beta"]
    assert row_hash({"text": "x  y", "empty": ""}) == row_hash({"Text": " x y "})


def test_duplicate_ids_first_wins_and_conflicts_name_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,text\n1,same\n1,same\n1,different\n")
    items = list(read_feedback(path, FeedbackColumns(text="text", id="id")))
    assert [type(i).__name__ for i in items] == ["FeedbackRecord", "FeedbackRecord", "InputError"]
    conflict = items[2]
    assert isinstance(conflict, InputError)
    assert conflict.line == 4 and "line 2" in conflict.reason


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.csv", "", "the file is empty (no header row)"),
        ("e.json", " \n", "the file is empty (expected a JSON array of objects)"),
        ("e.jsonl", "", "the file is empty (expected one JSON object per line)"),
        ("blank.jsonl", "\n \r\n\n", "the file is empty (expected one JSON object per line)"),
        ("header.csv", "id,text\n", "no rows: the file has a header and nothing under it"),
        (
            "header.csv",
            "id,text\r\n\r\n\r\n",
            "no rows: the file has a header and nothing under it",
        ),
        ("array.json", "[ ]", "no rows: the JSON array is empty"),
    ],
)
def test_a_file_without_rows_is_refused_in_every_format(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    """Nothing to import is a mistake (a wrong or truncated file), never "Imported 0"."""
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        read_feedback(path, FeedbackColumns(text="text"))
    assert caught.value.reason == message and caught.value.line == 1


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_feedback(tmp_path / "nope.csv", FeedbackColumns(text="text"))


def test_rows_that_are_all_bad_still_count_as_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,text\n1,\n")
    [bad] = errors(path, FeedbackColumns(text="text", id="id"))
    assert (bad.line, bad.reason) == (2, "the text is missing or empty")


@pytest.mark.parametrize(
    "invisible",
    ["\u200b\u200b", "\ufeff", "\u200d \u2060", "\u00ad", "\u200e\u200f", "\u3164", "\t\x0b"],
)
def test_text_of_invisible_characters_is_empty(tmp_path: Path, invisible: str) -> None:
    path = write(tmp_path, "r.jsonl", json.dumps({"id": "1", "text": invisible}) + "\n")
    [bad] = errors(path, FeedbackColumns(text="text", id="id"))
    assert (bad.line, bad.field, bad.reason) == (1, "text", "the text is missing or empty")


def test_text_with_an_invisible_character_among_letters_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,text\n1,zero\u200bwidth\n")
    assert records(path, FeedbackColumns(text="text", id="id"))[0].text == "zero\u200bwidth"


def test_a_repeated_column_that_is_not_read_is_no_problem(tmp_path: Path) -> None:
    """Jira-style exports repeat some columns (Labels); only reading one of them is refused."""
    path = write(tmp_path, "r.csv", "id,text,Labels,Labels\n1,hello,ux,mobile\n")
    [record] = records(path, FeedbackColumns(text="text", id="id"))
    assert (record.external_id, record.text) == ("1", "hello")
    with pytest.raises(InputError) as caught:
        read_feedback(path, FeedbackColumns(text="labels", id="id"))
    assert str(caught.value) == f"{path}:1, field 'Labels': column appears twice in the header"


def test_a_repeated_column_is_refused_when_rows_have_no_id(tmp_path: Path) -> None:
    """Without an id column a row is identified by all its values, the repeated ones too."""
    path = write(tmp_path, "r.csv", "text,Labels,Labels\nhello,ux,mobile\n")
    with pytest.raises(InputError) as caught:
        read_feedback(path, FeedbackColumns(text="text"))
    assert caught.value.field == "Labels" and "without --id-column" in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("2024-03-05T14:30:00Z", dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
        ("2024-03-05 14:30:00-05:00", dt.datetime(2024, 3, 5, 19, 30, tzinfo=dt.UTC)),
        ("2024/3/5 14:30", dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
        ("5 Mar 2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("March 5, 2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("Tue, 05 Mar 2024 14:30:00 +0100", dt.datetime(2024, 3, 5, 13, 30, tzinfo=dt.UTC)),
        ("1709649000", dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
    ],
)
def test_dates(raw: str, expected: dt.datetime) -> None:
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["03/04/2024", "yesterday", "2024-13-01", "32/13/2024"])
def test_dates_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(raw)


def test_dates_out_of_range_are_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "id,text,date,customer\n1,hi,0001-01-01T00:00:00+01:00,c\n")
    [problem] = errors(path)
    assert (problem.line, problem.field) == (2, "date")
    assert "out of range" in problem.reason


def test_json_that_cannot_be_stored_is_a_row_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.json",
        '[\n{"id": "1", "text": "a\\ud800"},\n{"id": "2", "text": "ok", "text": "twice"},\n'
        '{"id": "3", "text": NaN},\n{"id": "4", "text": "fine"}\n]\n',
    )
    columns = FeedbackColumns(text="text", id="id")
    found = {(e.line, e.field) for e in errors(path, columns)}
    assert found == {(2, "text"), (3, None), (4, None)}
    kept = [r.text for r in read_feedback(path, columns) if isinstance(r, FeedbackRecord)]
    assert kept == ["fine"]


def test_jsonl_refuses_duplicate_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "f.jsonl", '{"id": "1", "text": "a", "id": "2"}\n')
    [problem] = errors(path, FeedbackColumns(text="text", id="id"))
    assert problem.line == 1
    assert "appears twice" in problem.reason


def test_very_long_csv_fields_are_read(tmp_path: Path) -> None:
    long_text = "word " * 60_000  # 300,000 characters, past the csv module's default limit
    path = write(tmp_path, "f.csv", f'id,text\n1,"{long_text}"\n')
    [record] = records(path, FeedbackColumns(text="text", id="id"))
    assert len(record.text) >= 299_000


def test_text_is_redacted_as_it_is_read_and_ids_stay(tmp_path: Path) -> None:
    content = "text,date\nWrite to ann@example.com or 020 7946 0958,2024-03-05\n"
    path = write(tmp_path, "r.csv", content)
    columns = FeedbackColumns(text="text", date="date")
    [redacted] = [r for r in read_feedback(path, columns) if isinstance(r, FeedbackRecord)]
    [kept] = [
        r for r in read_feedback(path, columns, redact_pii=False) if isinstance(r, FeedbackRecord)
    ]
    assert redacted.text == "Write to [EMAIL] or [PHONE]"
    assert {kind.value: n for kind, n in redacted.redacted.items()} == {"email": 1, "phone": 1}
    assert (kept.text, kept.redacted) == ("Write to ann@example.com or 020 7946 0958", {})
    # The hash id is taken from the row as read, so both modes name the same item.
    assert redacted.external_id == kept.external_id


def test_repeated_id_compares_the_redacted_text(tmp_path: Path) -> None:
    content = "id,text\n1,call 020 7946 0958\n1,call 020 7946 0959\n"
    path = write(tmp_path, "r.csv", content)
    assert [r.text for r in records(path, FeedbackColumns(text="text", id="id"))] == [
        "call [PHONE]",
        "call [PHONE]",
    ]
    raw = read_feedback(path, FeedbackColumns(text="text", id="id"), redact_pii=False)
    assert [type(r) for r in raw] == [FeedbackRecord, InputError]
