"""telemetry.lap_delta on constructed laps: bins made from a known speed profile, so every time and
delta is worked out by hand (metres, seconds; 36 km/h is 10 m/s)."""

import pytest

from telemetry.lap_delta import (
    MIN_SPEED_MS,
    LapTimes,
    delta_at,
    lap_times,
    sector_boundaries,
    sector_deltas,
    time_lost,
)

WIDTH = 100.0
LENGTH = 1000.0


def bins_at(speeds_ms: list[float], *, before_start_s: float = 0.0) -> list[dict]:
    """One bin per ``WIDTH`` metres driven at the given speeds, each bin's samples averaging at its
    centre; the lap's clock started ``before_start_s`` before the car crossed distance 0."""
    bins, crossed = [], before_start_s
    for index, speed in enumerate(speeds_ms):
        centre = (index + 0.5) * WIDTH
        bins.append({"bin": index, "distance": centre, "elapsed": crossed + WIDTH / 2 / speed, "speed": speed * 3.6})
        crossed += WIDTH / speed
    return bins


def lap(speeds_ms: list[float], **options) -> LapTimes:
    return lap_times(bins=bins_at(speeds_ms, **options), bin_width=WIDTH, length_m=LENGTH)


def test_a_steady_lap_takes_distance_over_speed_from_zero_to_the_line():
    times = lap([10.0] * 10)

    assert times.centres == [0.0, *(50.0 + 100 * i for i in range(10)), LENGTH]
    assert times.times == pytest.approx([0.0, *(5.0 + 10 * i for i in range(10)), 100.0])


def test_the_time_before_crossing_zero_is_taken_off():
    assert lap([10.0] * 10, before_start_s=7.0).times == pytest.approx(lap([10.0] * 10).times)


def test_a_bin_mean_off_its_centre_is_moved_there_at_the_bin_speed():
    bins = bins_at([10.0] * 10)
    bins[3] = {**bins[3], "distance": 330.0, "elapsed": 33.0}  # 20 m short of the centre: 2 s more

    assert lap_times(bins=bins, bin_width=WIDTH, length_m=LENGTH).at(350.0) == pytest.approx(35.0)


def test_a_standing_car_keeps_its_bin_time():
    bins = bins_at([10.0] * 10)
    bins[3] = {**bins[3], "distance": 330.0, "elapsed": 33.0, "speed": MIN_SPEED_MS * 3.6 / 2}

    assert lap_times(bins=bins, bin_width=WIDTH, length_m=LENGTH).at(350.0) == pytest.approx(33.0)


def test_no_bins_no_times():
    times = lap_times(bins=[], bin_width=WIDTH, length_m=LENGTH)
    assert (times.centres, times.times, times.at(0.0)) == ([], [], None)


def test_times_between_centres_are_interpolated_and_none_outside():
    times = LapTimes(centres=[0.0, 100.0, 300.0], times=[0.0, 10.0, 30.0])

    assert [times.at(d) for d in (0.0, 50.0, 100.0, 200.0, 300.0)] == [0.0, 5.0, 10.0, 20.0, 30.0]
    assert times.at(-0.1) is None and times.at(300.1) is None
    assert times.distance_at(25.0) == 250.0 and times.distance_at(31.0) is None


def test_the_delta_is_driver_1_minus_driver_2():
    slower, faster = lap([8.0] * 10), lap([10.0] * 10)

    assert delta_at(slower, faster, 400.0) == pytest.approx(400 / 8 - 400 / 10)
    assert delta_at(faster, slower, 400.0) == pytest.approx(-10.0)
    assert delta_at(slower, faster, LENGTH + 1) is None


def test_time_lost_puts_the_slow_segment_first_and_adds_up_to_the_lap_delta():
    steady = [10.0] * 10
    slow_in_the_fourth = [10.0, 10.0, 10.0, 5.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]  # 300..400 m: 10 s lost
    first, second = lap(slow_in_the_fourth), lap(steady)

    segments = time_lost(first=first, second=second, end_m=LENGTH)

    # Times are known at bin centres: the 10 s lost between 300 and 400 m show as 2.5 s in each
    # neighbouring segment and 5 s in its own.
    assert [(s["from_m"], s["to_m"]) for s in segments[:3]] == [(300.0, 400.0), (200.0, 300.0), (400.0, 500.0)]
    assert [s["seconds"] for s in segments[:3]] == pytest.approx([5.0, 2.5, 2.5])
    assert [s["seconds"] for s in segments[3:]] == pytest.approx([0.0] * 7)
    assert [s["from_m"] for s in segments[3:]] == [0.0, 100.0, 500.0, 600.0, 700.0, 800.0, 900.0]  # ties in lap order
    assert sum(s["seconds"] for s in segments) == pytest.approx(delta_at(first, second, LENGTH)) == pytest.approx(10.0)


def test_sector_boundaries_are_where_each_lap_reaches_its_timed_sectors_averaged():
    fast, slow = lap([10.0] * 10), lap([8.0] * 10)

    # S1 = 30 s: 300 m at 10 m/s, 240 m at 8 m/s; S1 + S2 = 60 s: 600 and 480 m.
    boundaries = sector_boundaries(laps=[(fast, [30.0, 30.0, 40.0]), (slow, [30.0, 30.0, 65.0])])
    assert boundaries == pytest.approx([270.0, 540.0])
    # A lap without its sector times, or timed beyond its telemetry, is left out.
    assert sector_boundaries(laps=[(fast, [None, 30.0, 40.0]), (slow, [30.0, None, 65.0])]) == [
        pytest.approx(240.0),
        None,
    ]
    assert sector_boundaries(laps=[(fast, [500.0, 1.0, 1.0])]) == [None, None]


def test_sector_deltas_set_the_telemetry_beside_the_timing():
    first, second = lap([8.0] * 10), lap([10.0] * 10)

    sectors = sector_deltas(
        first=first,
        second=second,
        boundaries=[300.0, None],
        end_m=LENGTH,
        first_sectors=[37.0, None, 80.0],
        second_sectors=[30.0, 40.0, 30.0],
    )

    assert [(s.sector, s.from_m, s.to_m) for s in sectors] == [(1, 0.0, 300.0), (2, 300.0, None), (3, None, LENGTH)]
    assert sectors[0].telemetry_s == pytest.approx(300 / 8 - 300 / 10)  # 7.5 s lost over 0..300 m
    assert sectors[0].timing_s == pytest.approx(7.0)
    assert sectors[0].difference_s == pytest.approx(0.5)
    assert (sectors[1].telemetry_s, sectors[1].timing_s, sectors[1].difference_s) == (None, None, None)
    assert (sectors[2].telemetry_s, sectors[2].timing_s) == (None, pytest.approx(50.0))


def test_the_start_is_taken_from_the_first_bin_and_the_line_from_the_last():
    # A slow first bin (5 m/s) and a slow last one; the clock ran 7 s before the car crossed 0.
    speeds = [5.0, *[10.0] * 8, 5.0]
    times = lap(speeds, before_start_s=7.0)

    assert times.times == pytest.approx(lap(speeds).times)
    assert times.at(50.0) == pytest.approx(10.0)
    assert times.times[-1] == pytest.approx(120.0)  # 20 + 8 · 10 + 20 s from 0 to the line


def test_a_standing_first_bin_starts_the_clock_at_its_own_time():
    bins = bins_at([10.0] * 10, before_start_s=7.0)
    bins[0] = {**bins[0], "speed": MIN_SPEED_MS * 3.6}  # at the limit: standing

    times = lap_times(bins=bins, bin_width=WIDTH, length_m=LENGTH)

    assert times.at(50.0) == pytest.approx(bins[0]["elapsed"])  # not moved, nothing taken off
    assert times.at(150.0) == pytest.approx(bins[1]["elapsed"])


def test_no_point_is_added_past_a_lap_that_ends_at_its_last_centre():
    times = lap_times(bins=bins_at([10.0] * 10), bin_width=WIDTH, length_m=950.0)

    assert times.centres[-1] == 950.0 and times.centres.count(950.0) == 1


def test_deltas_need_both_laps_to_reach_the_distance():
    long, short = lap([10.0] * 10), lap_times(bins=bins_at([8.0] * 5), bin_width=WIDTH, length_m=500.0)

    assert delta_at(long, short, 800.0) is None and delta_at(short, long, 800.0) is None
    segments = time_lost(first=short, second=long, end_m=LENGTH)
    assert [(s["from_m"], s["to_m"]) for s in segments] == [
        (0.0, 100.0),
        (100.0, 200.0),
        (200.0, 300.0),
        (300.0, 400.0),
        (400.0, 500.0),
    ]
    sectors = sector_deltas(
        first=short,
        second=long,
        boundaries=[300.0, 600.0],
        end_m=LENGTH,
        first_sectors=[None] * 3,
        second_sectors=[None] * 3,
    )
    assert [s.telemetry_s for s in sectors] == [pytest.approx(7.5), None, None]


def test_each_sector_gains_its_own_share_of_the_delta():
    first, second = lap([8.0] * 10), lap([10.0] * 10)  # 2.5 s lost per 100 m

    sectors = sector_deltas(
        first=first,
        second=second,
        boundaries=[300.0, 600.0],
        end_m=LENGTH,
        first_sectors=[None] * 3,
        second_sectors=[None] * 3,
    )

    assert [s.telemetry_s for s in sectors] == pytest.approx([7.5, 7.5, 10.0])


def test_segment_bounds_are_given_to_a_tenth_of_a_metre():
    segments = time_lost(first=lap([8.0] * 10), second=lap([10.0] * 10), end_m=LENGTH, segments=3)

    assert sorted((s["from_m"], s["to_m"]) for s in segments) == [(0.0, 333.3), (333.3, 666.7), (666.7, 1000.0)]


def test_losses_equal_to_the_millisecond_stay_in_lap_order():
    second = LapTimes(centres=[0.0, 100.0, 200.0], times=[0.0, 10.0, 20.0])
    first = LapTimes(centres=[0.0, 100.0, 200.0], times=[0.0, 10.4996, 21.0])  # 0.4996 s, then 0.5004 s

    segments = time_lost(first=first, second=second, end_m=200.0, segments=2)

    assert [s["from_m"] for s in segments] == [0.0, 100.0]


def test_a_bin_at_the_standing_limit_is_neither_moved_nor_carried_to_the_line():
    bins = bins_at([10.0] * 10)
    bins[3] = {**bins[3], "distance": 330.0, "elapsed": 33.0, "speed": MIN_SPEED_MS * 3.6}
    bins[9] = {**bins[9], "speed": MIN_SPEED_MS * 3.6}

    times = lap_times(bins=bins, bin_width=WIDTH, length_m=LENGTH)

    assert times.at(350.0) == pytest.approx(33.0)
    assert times.centres[-1] == 950.0  # no time at the line: the last bin stood
