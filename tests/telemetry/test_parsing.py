"""The pure parsers of the timing exports, on values written out by hand."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from telemetry.parsing import (
    FieldError,
    Record,
    RowError,
    car_number_from_vehicle,
    parse_duration,
    parse_float,
    parse_gap,
    parse_int,
    parse_timestamp,
    read_records,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("33.413", 33.413),
        ("1:54.168", 114.168),
        ("45:15.035", 2715.035),
        ("1:02:03.5", 3723.5),
        ("0:00:35.158", 35.158),
        ("  12.9 ", 12.9),
        ("", None),
    ],
)
def test_durations_in_every_format(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds) if seconds is not None else parse_duration(text) is None


@pytest.mark.parametrize("text", ["1:xx.1", "abc", "1.2.3", "-3.0", "1:75.000"])
def test_bad_durations_are_refused(text):
    with pytest.raises(FieldError, match="not a time"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        ("-", (None, None)),
        ("", (None, None)),
        ("+2.740", (2.74, None)),
        ("+1:02.500", (62.5, None)),
        ("1 Lap", (None, 1)),
        ("3 Laps", (None, 3)),
    ],
)
def test_gaps(text, gap):
    assert parse_gap(text) == gap


def test_whole_numbers_also_written_with_a_zero_fraction():
    assert parse_int("17") == 17
    assert parse_int("1.0") == 1
    assert parse_int("") is None
    with pytest.raises(FieldError, match=r"^not a whole number: '1\.5'$"):
        parse_int("1.5")


@pytest.mark.parametrize(
    ("number", "vehicle_id", "car"),
    [
        ("78", "GR86-004-78", 78),
        ("0", "GR86-004-78", 78),
        ("", "GR86-002-002", 2),
        ("0", "GR86-002-000", None),
        ("78", "GR86-004-12", 78),  # the vehicle number first
    ],
)
def test_car_number_from_the_vehicle(number, vehicle_id, car):
    assert car_number_from_vehicle(vehicle_number=number, vehicle_id=vehicle_id) == car


def test_records_survive_bom_padded_headers_trailing_columns_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffPOS; NUMBER ;TIME;;\r\n1;13;1:36.926;;\r\n\r\n2;72;1:37.112;;\r\n".encode())
    records = list(read_records(path, required=("POS", "NUMBER")))
    assert [(r.line, r.values) for r in records] == [
        (2, {"POS": "1", "NUMBER": "13", "TIME": "1:36.926"}),
        (4, {"POS": "2", "NUMBER": "72", "TIME": "1:37.112"}),
    ]


def test_a_row_shorter_than_the_header_lacks_the_last_values(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("POS;NUMBER;TIME\n1;13\n")
    assert [record.values for record in read_records(path)] == [{"POS": "1", "NUMBER": "13"}]


def test_quoted_comma_files(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"vehicle_id","lap","value"\n"GR86-002-2",3,"2025-04-26T21:43:12.083Z"\n')
    assert next(iter(read_records(path))).values == {
        "vehicle_id": "GR86-002-2",
        "lap": "3",
        "value": "2025-04-26T21:43:12.083Z",
    }


def test_a_missing_column_and_a_value_beyond_the_header_name_file_and_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("POS;NUMBER\n1;13;extra\n")
    beyond = r"x\.csv, line 2, field column 3: value beyond the header's 2 columns: 'extra'$"
    with pytest.raises(RowError, match=beyond):
        list(read_records(path))
    with pytest.raises(RowError, match=r"x\.csv, line 1, field TIME, LAP: column missing from the header$") as error:
        list(read_records(path, required=("POS", "TIME", "LAP")))
    assert (error.value.path, error.value.line, error.value.field) == (str(path), 1, "TIME, LAP")


def test_a_record_knows_its_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("POS;NUMBER\n1;13\n")
    assert [record.path for record in read_records(path)] == [path]


def test_a_header_with_as_many_commas_as_semicolons_is_read_with_semicolons(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("POS;GAP,S\n1;0,4\n")  # the official exports separate with ";"
    assert [record.values for record in read_records(path)] == [{"POS": "1", "GAP,S": "0,4"}]


def test_numbers_and_timestamps():
    assert (parse_float(" 61.3 "), parse_float(""), parse_float("-1.05")) == (61.3, None, -1.05)
    with pytest.raises(FieldError, match=r"^not a number: 'x1'$"):
        parse_float("x1")
    assert parse_timestamp("2025-09-06T18:40:41.775Z") == datetime(2025, 9, 6, 18, 40, 41, 775000, tzinfo=UTC)
    assert parse_timestamp(" ") is None
    with pytest.raises(FieldError, match=r"^not an ISO timestamp: '06/09/2025'$"):
        parse_timestamp("06/09/2025")


def test_a_record_reads_the_first_name_its_file_has_and_requires_values():
    record = Record(path=Path("x.csv"), line=7, values={"INT-1": "12.5", "TIME": ""})

    assert (record.get("IM1", "INT-1"), record.get("IM1"), record.require("INT-1")) == ("12.5", "", "12.5")
    for missing in ("TIME", "LAP"):
        with pytest.raises(RowError, match=rf"^x\.csv, line 7, field {missing}: missing value$"):
            record.require(missing)
