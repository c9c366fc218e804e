"""The pure parsers of the timing exports, on values written out by hand."""

import pytest

from telemetry.parsing import (
    FieldError,
    RowError,
    car_number_from_vehicle,
    parse_duration,
    parse_gap,
    parse_int,
    read_records,
)


@pytest.mark.parametrize(("text", "seconds"), [
    ("33.413", 33.413), ("1:54.168", 114.168), ("45:15.035", 2715.035), ("1:02:03.5", 3723.5),
    ("0:00:35.158", 35.158), ("  12.9 ", 12.9), ("", None),
])
def test_durations_in_every_format(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds) if seconds is not None else parse_duration(text) is None


@pytest.mark.parametrize("text", ["1:xx.1", "abc", "1.2.3", "-3.0", "1:75.000"])
def test_bad_durations_are_refused(text):
    with pytest.raises(FieldError, match="not a time"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "gap"), [
    ("-", (None, None)), ("", (None, None)), ("+2.740", (2.74, None)), ("+1:02.500", (62.5, None)),
    ("1 Lap", (None, 1)), ("3 Laps", (None, 3)),
])
def test_gaps(text, gap):
    assert parse_gap(text) == gap


def test_whole_numbers_also_written_with_a_zero_fraction():
    assert parse_int("17") == 17
    assert parse_int("1.0") == 1
    assert parse_int("") is None
    with pytest.raises(FieldError):
        parse_int("1.5")


@pytest.mark.parametrize(("number", "vehicle_id", "car"), [
    ("78", "GR86-004-78", 78), ("0", "GR86-004-78", 78), ("", "GR86-002-002", 2), ("0", "GR86-002-000", None),
])
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


def test_quoted_comma_files(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"vehicle_id","lap","value"\n"GR86-002-2",3,"2025-04-26T21:43:12.083Z"\n')
    assert list(read_records(path))[0].values == {"vehicle_id": "GR86-002-2", "lap": "3",
                                                  "value": "2025-04-26T21:43:12.083Z"}


def test_a_missing_column_and_a_value_beyond_the_header_name_file_and_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("POS;NUMBER\n1;13;extra\n")
    with pytest.raises(RowError, match=r"x\.csv, line 2, field column 3"):
        list(read_records(path))
    with pytest.raises(RowError, match=r"x\.csv, line 1, field TIME: column missing"):
        list(read_records(path, required=("TIME",)))
