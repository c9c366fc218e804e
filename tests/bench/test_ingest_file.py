"""bench/ingest_telemetry.py's generated race: at least as many samples as asked for."""

import csv
from collections import Counter

from bench.ingest_telemetry import HZ, _fewest_lap_samples
from telemetry.demo import CornerLayout, DemoCar, demo_telemetry_write

# A 3 km loop with a hairpin and a fast sweeper.
CORNERS = [
    CornerLayout(apex_m=900, start_m=850, exit_m=960, speed_class="low", direction=1),
    CornerLayout(apex_m=2200, start_m=2120, exit_m=2290, speed_class="high", direction=-1),
]
LENGTH = 3000


def test_no_demo_lap_has_fewer_samples_than_the_bound(tmp_path):
    bound = _fewest_lap_samples(CORNERS, LENGTH)
    path = tmp_path / "laps.csv"
    # The fastest car the bench generates, on laps of ordinary draws.
    demo_telemetry_write(out=path, corners=CORNERS, length_m=LENGTH, cars=[DemoCar(number=1, skill=1.0)], laps=4, hz=HZ)
    with open(path, newline="") as handle:
        per_lap = Counter(row["lap"] for row in csv.DictReader(handle))
    assert len(per_lap) == 4
    assert min(per_lap.values()) >= bound
    # A bound, not a guess far below: within 3% of the fastest lap drawn.
    assert bound >= 0.97 * min(per_lap.values())
