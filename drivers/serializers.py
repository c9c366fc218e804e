"""The driver-number path parameter (the skill model's driver routes use it too), and the answers
of the legacy API's season-statistics and race-result endpoints."""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema_field
from rest_framework import serializers

from drivers.models import DriverSeasonStats, RaceEntry
from drivers.race_times import format_gap, format_lap_time, format_sector_time
from hackthetrack.validation import validated

# Examples name a ranked driver of the demo season (fixtures/), so they answer on what bin/serve loads.
DEMO_DRIVER_NUMBER = 59


class DriverNumberParameter(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=32767)


def parse_driver_number(raw: str) -> int:
    """The path's driver number: a positive integer, else 400 naming ``number``."""
    return validated(DriverNumberParameter, {"number": raw})["number"]


# The path parameter as the schema documents it.
DRIVER_NUMBER = OpenApiParameter(
    "number",
    # As DriverNumberParameter validates it (the database keeps car numbers as small integers).
    {"type": "integer", "minimum": 1, "maximum": 32767},
    OpenApiParameter.PATH,
    description="Car number the driver races with (400 if not an integer)",
    examples=[OpenApiExample("A driver of the demo season", value=DEMO_DRIVER_NUMBER)],
)


class DriverSeasonStatsSerializer(serializers.ModelSerializer):
    driver_number = serializers.IntegerField(source="driver.number")
    pole_positions = serializers.IntegerField(source="poles")
    total_races = serializers.IntegerField(source="races")
    avg_qualifying = serializers.FloatField(source="avg_grid", allow_null=True)

    class Meta:
        model = DriverSeasonStats
        fields = [
            "driver_number",
            "wins",
            "podiums",
            "top5",
            "top10",
            "pole_positions",
            "total_races",
            "dnfs",
            "fastest_laps",
            "avg_finish",
            "avg_qualifying",
            "avg_positions_gained",
            "points",
            "championship_position",
        ]


@extend_schema_field(serializers.CharField(allow_null=True))
class RaceTimeField(serializers.Field):
    """Seconds written in race notation (lap ``1:38.326``, sector ``26.842``, gap ``+0.432``)."""

    def __init__(self, formatter: Callable[[float | None], str | None], **kwargs):
        self.formatter = formatter
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return self.formatter(value)


class DriverResultSerializer(serializers.ModelSerializer):
    race_id = serializers.IntegerField(source="season_race_ordinal", help_text="The driver's n-th race of the season")
    track_id = serializers.CharField(source="race.track_id")
    track_name = serializers.CharField(source="race.track.name")
    round = serializers.SerializerMethodField(help_text="The race's number in the season: 1, 2 at round 1; 3, 4 ...")
    race_number = serializers.IntegerField(source="race.race_number")
    date = serializers.DateField(source="race.date", allow_null=True)
    start_position = serializers.IntegerField(source="grid_position", allow_null=True)
    positions_gained = serializers.SerializerMethodField()
    fastest_lap = RaceTimeField(format_lap_time, source="fastest_lap_s")
    gap_to_winner = serializers.SerializerMethodField()
    qualifying_time = RaceTimeField(format_lap_time, source="qualifying_time_s")
    gap_to_pole = RaceTimeField(format_gap, source="gap_to_pole_s")
    s1_best_time = serializers.SerializerMethodField()
    s2_best_time = serializers.SerializerMethodField()
    s3_best_time = serializers.SerializerMethodField()
    total_laps = serializers.IntegerField(source="laps", allow_null=True)
    avg_lap_time = RaceTimeField(format_lap_time, source="avg_lap_s")
    best_lap_time = RaceTimeField(format_lap_time, source="best_lap_s")
    worst_lap_time = RaceTimeField(format_lap_time, source="worst_lap_s")
    lap_time_std_dev = serializers.FloatField(source="lap_time_std_s", allow_null=True)
    driver_fastest_lap = RaceTimeField(format_lap_time, source="best_lap_s")
    gap_to_fastest_lap = RaceTimeField(format_gap, source="gap_to_fastest_lap_s")
    driver_s1_best = RaceTimeField(format_sector_time, source="best_s1_s")
    gap_to_s1_best = RaceTimeField(format_gap, source="gap_to_best_s1_s")
    driver_s2_best = RaceTimeField(format_sector_time, source="best_s2_s")
    gap_to_s2_best = RaceTimeField(format_gap, source="gap_to_best_s2_s")
    driver_s3_best = RaceTimeField(format_sector_time, source="best_s3_s")
    gap_to_s3_best = RaceTimeField(format_gap, source="gap_to_best_s3_s")

    class Meta:
        model = RaceEntry
        fields = [
            "race_id",
            "track_id",
            "track_name",
            "round",
            "race_number",
            "date",
            "start_position",
            "finish_position",
            "positions_gained",
            "fastest_lap",
            "gap_to_winner",
            "status",
            "qualifying_time",
            "gap_to_pole",
            "s1_best_time",
            "s2_best_time",
            "s3_best_time",
            "total_laps",
            "avg_lap_time",
            "best_lap_time",
            "worst_lap_time",
            "lap_time_std_dev",
            "driver_fastest_lap",
            "gap_to_fastest_lap",
            "driver_s1_best",
            "gap_to_s1_best",
            "driver_s2_best",
            "gap_to_s2_best",
            "driver_s3_best",
            "gap_to_s3_best",
        ]

    def get_round(self, entry: RaceEntry) -> int:
        # Race.round numbers events, each of two races; the legacy API numbered the races.
        return 2 * (entry.race.round - 1) + entry.race.race_number

    def get_positions_gained(self, entry: RaceEntry) -> int | None:
        if entry.grid_position is None or entry.finish_position is None:
            return None
        return entry.grid_position - entry.finish_position

    def get_gap_to_winner(self, entry: RaceEntry) -> str | None:
        return entry.gap_to_winner or None

    # The legacy API declared these and never filled them; kept (null) so the shape stays the same.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_s1_best_time(self, entry: RaceEntry) -> None:
        return None

    get_s2_best_time = get_s3_best_time = get_s1_best_time
