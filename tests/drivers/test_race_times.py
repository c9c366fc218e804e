import pytest

from drivers.race_times import format_gap, format_lap_time, format_sector_time, parse_race_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:38.326", 60 + 38.326),
        ("26.842", 26.842),
        ("83.782", 83.782),  # the first part is not bounded
        ("1:02:03.456", 3600 + 2 * 60 + 3.456),
        ("0:00:35.158", 35.158),
        ("45:15.035", 45 * 60 + 15.035),
        ("  12.9 ", 12.9),
        ("12.", 12.0),
        ("0.000", 0.0),
        ("1:59.999", 119.999),
        ("1:38.3264", 98.326),  # to the millisecond
        ("1:38.3266", 98.327),
    ],
)
def test_parse_race_time(text, seconds):
    assert parse_race_time(text) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("+0.432", 0.432),
        ("+83.782", 83.782),
        ("-1.500", -1.5),
        ("+1:02.500", 62.5),
        ("-0.0004", 0.0),
        ("-0.0006", -0.001),
    ],
)
def test_a_signed_race_time_is_a_gap(text, seconds):
    assert parse_race_time(text, signed=True) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1 Lap",
        "-",
        "+",
        "1:60.000",
        "1:02:60.000",
        "1:60:00.000",
        "1::02.000",
        "a:01.000",
        "1:2:3:4",
        ":01.000",
        ".5",
        "1e3",
        "inf",
        "nan",
        "1_0.5",
        "1:-2.000",
        "1.2.3",
        "+-1.0",
    ],
)
def test_parse_race_time_rejects_what_is_not_a_time(text):
    with pytest.raises(ValueError, match="not a time"):
        parse_race_time(text, signed=True)


@pytest.mark.parametrize("text", ["+0.432", "-1.500"])
def test_a_time_that_is_not_a_gap_has_no_sign(text):
    with pytest.raises(ValueError, match=r"not a time \(ss.sss, m:ss.sss or h:mm:ss.sss\): "):
        parse_race_time(text)


def test_the_error_says_which_rule_was_broken():
    rule = r"minutes and seconds after the first part run to 59"
    with pytest.raises(ValueError, match=rf"^not a time \({rule}\): '1:60.000'$"):
        parse_race_time("1:60.000")
    with pytest.raises(ValueError, match=r"^not a time \(ss.sss, m:ss.sss or h:mm:ss.sss, signed\): 'x'$"):
        parse_race_time("x", signed=True)


@pytest.mark.parametrize("text", ["1:38.326", "2:15.542", "10:12.005", "1:00.000", "1:02:03.456"])
def test_lap_times_read_and_written_give_the_same_text(text):
    assert format_lap_time(parse_race_time(text)) == text


@pytest.mark.parametrize("text", ["26.842", "9.001", "59.999"])
def test_sector_times_read_and_written_give_the_same_text(text):
    assert format_sector_time(parse_race_time(text)) == text


def test_a_sector_of_a_minute_or_more_is_written_as_a_lap_time():
    assert format_sector_time(61.5) == "1:01.500"
    assert format_sector_time(60.0) == "1:00.000"
    assert format_sector_time(59.9994) == "59.999"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.432, "+0.432"), (83.782, "+83.782"), (0.001, "+0.001"), (0.0, "0.000"), (-0.25, "-0.250")]
)
def test_gaps_are_seconds_with_a_plus_when_behind(seconds, text):
    assert format_gap(seconds) == text


def test_missing_times_stay_missing():
    assert format_lap_time(None) is format_sector_time(None) is format_gap(None) is None
