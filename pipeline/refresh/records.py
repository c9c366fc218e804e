"""The season's races as the skill model learns from them (factors.learning): the warehouse's
per-entry variables, each result under the driver PostgreSQL links it to, in date order."""

from __future__ import annotations

from datetime import date

from drivers.models import RaceEntry
from factors.learning import RaceRecord, ResultRecord
from pipeline.refresh.warehouse import (
    ENTRY_VARIABLES,
    warehouse_braking,
    warehouse_entries,
    warehouse_race_dates,
)

BRAKING = "braking_consistency"


def entry_links(*, season: int) -> dict[tuple, int]:
    """The links as stored (a curator's locked entry included): (season, track, race, car, group) -> driver."""
    linked = RaceEntry.objects.filter(race__season=season, driver__isnull=False).values_list(
        "race__season", "race__track_id", "race__race_number", "car_number", "group", "driver_id"
    )
    return {tuple(row[:5]): row[5] for row in linked}


def race_records(
    *, rows: list[dict], braking: dict[tuple, float], links: dict[tuple, int], dates: dict[tuple[str, int], date]
) -> list[RaceRecord]:
    """One record per race of the warehouse rows, ordered by date (races without one last). A
    result no driver is linked to stays in its race under a key of its own entry."""
    results: dict[tuple[str, int], list[ResultRecord]] = {}
    for row in rows:
        key = (row["season"], row["track"], row["race_number"], row["car_number"], row["car_group"])
        variables = {name: row[name] for name in ENTRY_VARIABLES}
        # Samples carry no group: a number two cars share in the race has no braking figure.
        variables[BRAKING] = braking.get(key[:4]) if row["same_number"] == 1 else None
        results.setdefault((row["track"], row["race_number"]), []).append(
            ResultRecord(
                driver=links.get(key, ("unlinked", *key)),
                status=row["status"],
                position=row["position"],
                grid=row["grid"],
                variables=variables,
            )
        )
    races = [
        RaceRecord(key=f"{track}:{number}", track=track, date=dates.get((track, number)), results=tuple(entries))
        for (track, number), entries in results.items()
    ]
    return sorted(races, key=lambda race: (race.date is None, race.date or date.min, race.key))


def season_races(*, season: int) -> list[RaceRecord]:
    """The season's races read now: three warehouse queries and one PostgreSQL query."""
    return race_records(
        rows=warehouse_entries(season=season),
        braking=warehouse_braking(season=season),
        links=entry_links(season=season),
        dates=warehouse_race_dates(season=season),
    )
