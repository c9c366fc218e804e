"""Query parameters of the telemetry API (validated here) and its answers (documented here)."""

from django.conf import settings
from rest_framework import serializers

from hackthetrack.fields import QueryIntegerField

TRACE_POINTS_DEFAULT, TRACE_POINTS_MAX = 500, 2000
# Bounds that keep every parameter inside the warehouse columns' types (small integers).
CAR_NUMBER_MAX, LAP_MAX, OFFSET_MAX = 9999, 9999, 1_000_000
SUPPORTED_DATA_TYPES = ("speed_trace",)


class RaceQuery(serializers.Serializer):
    track_id = serializers.SlugField(max_length=50, help_text="Circuit id, e.g. barber")
    race_num = QueryIntegerField(min_value=1, max_value=2, default=1, help_text="Race 1 or 2 of the event")
    season = QueryIntegerField(
        min_value=1950,
        max_value=2100,
        required=False,
        help_text="Default: the latest season loaded for the track and race",
    )


class PageQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "csv"], default="json", help_text="csv: the rows, streamed")
    limit = QueryIntegerField(
        min_value=1, required=False, help_text="Rows per page (more than TELEMETRY_MAX_ROWS gives that many)"
    )
    offset = QueryIntegerField(min_value=0, max_value=OFFSET_MAX, default=0)

    def validate_limit(self, value):
        # Capped as DRF's paginations cap a page, not refused: the cap is a setting the schema can't carry.
        return min(value, settings.TELEMETRY_MAX_ROWS)


class DriversQuery(PageQuery):
    # track_id= (empty) is no track filter, as an absent parameter.
    track_id = serializers.SlugField(max_length=50, required=False, allow_blank=True)
    race_num = QueryIntegerField(min_value=1, max_value=2, required=False)
    season = QueryIntegerField(min_value=1950, max_value=2100, required=False)


class LapsQuery(RaceQuery, PageQuery):
    driver_number = QueryIntegerField(min_value=1, max_value=CAR_NUMBER_MAX, required=False, help_text="Car number")


class TraceQuery(RaceQuery):
    format = serializers.ChoiceField(choices=["json", "csv"], default="json", help_text="csv: the bins, streamed")
    driver_number = QueryIntegerField(min_value=1, max_value=CAR_NUMBER_MAX, help_text="Car number")
    lap = QueryIntegerField(
        min_value=0, max_value=LAP_MAX, required=False, help_text="Default: the car's fastest complete lap"
    )
    points = QueryIntegerField(
        min_value=1,
        max_value=TRACE_POINTS_MAX,
        default=TRACE_POINTS_DEFAULT,
        help_text="Distance bins (at most this many rows)",
    )


class CompareQuery(RaceQuery):
    driver_1 = QueryIntegerField(min_value=1, max_value=CAR_NUMBER_MAX, help_text="Car number")
    driver_2 = QueryIntegerField(min_value=1, max_value=CAR_NUMBER_MAX, help_text="Car number")
    lap_1 = QueryIntegerField(
        min_value=0, max_value=LAP_MAX, required=False, help_text="Default: driver 1's fastest lap"
    )
    lap_2 = QueryIntegerField(
        min_value=0, max_value=LAP_MAX, required=False, help_text="Default: driver 2's fastest lap"
    )
    points = QueryIntegerField(min_value=1, max_value=TRACE_POINTS_MAX, default=TRACE_POINTS_DEFAULT)


class DetailedQuery(RaceQuery):
    race_num = QueryIntegerField(min_value=1, max_value=2)
    driver_number = QueryIntegerField(min_value=1, max_value=CAR_NUMBER_MAX)
    lap_number = QueryIntegerField(
        min_value=0, max_value=LAP_MAX, required=False, help_text="Default: each driver's fastest complete lap"
    )
    data_type = serializers.ChoiceField(
        choices=SUPPORTED_DATA_TYPES,
        default="speed_trace",
        help_text="speed_trace (the only one)",
        # The legacy's message.
        error_messages={
            "invalid_choice": f"Unsupported data_type: {{input}}. Supported: {', '.join(SUPPORTED_DATA_TYPES)}"
        },
    )
    points = QueryIntegerField(min_value=1, max_value=TRACE_POINTS_MAX, default=TRACE_POINTS_DEFAULT)


# --- Answers (for the OpenAPI schema; views build plain dicts) ---


class TelemetryCarSerializer(serializers.Serializer):
    season = serializers.IntegerField()
    track_id = serializers.CharField()
    race_num = serializers.IntegerField()
    driver_number = serializers.IntegerField(help_text="Car number")
    laps = serializers.IntegerField()
    samples = serializers.IntegerField()


class TelemetryDriversSerializer(serializers.Serializer):
    drivers_with_telemetry = serializers.ListField(child=serializers.IntegerField(), help_text="Car numbers")
    count = serializers.IntegerField()
    cars = TelemetryCarSerializer(many=True)


class LapSummarySerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    lap = serializers.IntegerField()
    lap_time = serializers.FloatField(allow_null=True, help_text="s")
    lap_time_source = serializers.ChoiceField(choices=["timing", "telemetry"], allow_null=True)
    s1 = serializers.FloatField(allow_null=True)
    s2 = serializers.FloatField(allow_null=True)
    s3 = serializers.FloatField(allow_null=True)
    flag = serializers.CharField(allow_null=True)
    top_speed = serializers.FloatField(allow_null=True, help_text="km/h")
    avg_speed = serializers.FloatField(allow_null=True, help_text="km/h, time-weighted")
    brake_share = serializers.FloatField(allow_null=True, help_text="Share of the lap's samples braking")
    max_brake = serializers.FloatField(allow_null=True, help_text="bar, front")
    throttle_avg = serializers.FloatField(allow_null=True, help_text="%")
    full_throttle_share = serializers.FloatField(allow_null=True)
    samples = serializers.IntegerField()
    distance = serializers.FloatField(allow_null=True, help_text="m covered by the lap's samples")
    complete = serializers.BooleanField()


class TraceBinSerializer(serializers.Serializer):
    bin = serializers.IntegerField()
    distance = serializers.FloatField(help_text="Bin centre, m")
    samples = serializers.IntegerField()
    elapsed = serializers.FloatField(help_text="Mean time since the lap's first sample, s")
    speed = serializers.FloatField(allow_null=True)
    throttle = serializers.FloatField(allow_null=True)
    brake_front = serializers.FloatField(allow_null=True)
    brake_rear = serializers.FloatField(allow_null=True)
    steering = serializers.FloatField(allow_null=True)
    accel_long = serializers.FloatField(allow_null=True)
    accel_lat = serializers.FloatField(allow_null=True)
    rpm = serializers.FloatField(allow_null=True)
    gear = serializers.IntegerField(allow_null=True, help_text="Most frequent gear in the bin")


class TraceSerializer(serializers.Serializer):
    track_id = serializers.CharField()
    race_num = serializers.IntegerField()
    driver_number = serializers.IntegerField()
    lap = serializers.IntegerField()
    lap_time = serializers.FloatField(allow_null=True)
    points = serializers.IntegerField(help_text="Bins asked for; rows are at most this many")
    bin_width = serializers.FloatField(help_text="m")
    length = serializers.FloatField(help_text="Longest distance of the lap's samples, m")
    resampling = serializers.CharField()
    trace = TraceBinSerializer(many=True)


class LegacyLapSerializer(serializers.Serializer):
    lap_number = serializers.IntegerField()
    lap_time = serializers.FloatField()
    sector_1 = serializers.FloatField(allow_null=True)
    sector_2 = serializers.FloatField(allow_null=True)
    sector_3 = serializers.FloatField(allow_null=True)
    flag_status = serializers.CharField()


class SectorDeltaSerializer(serializers.Serializer):
    sector = serializers.IntegerField()
    from_m = serializers.FloatField(allow_null=True)
    to_m = serializers.FloatField(allow_null=True)
    telemetry_s = serializers.FloatField(allow_null=True, help_text="Delta gained over the sector along the distance")
    timing_s = serializers.FloatField(allow_null=True, help_text="Sector time of driver 1 minus driver 2")
    difference_s = serializers.FloatField(allow_null=True)


class TimeLostSerializer(serializers.Serializer):
    from_m = serializers.FloatField()
    to_m = serializers.FloatField()
    seconds = serializers.FloatField(help_text="Time driver 1 loses over the segment (negative: gains)")


class TelemetryComparisonSerializer(serializers.Serializer):
    lap_1 = serializers.IntegerField()
    lap_2 = serializers.IntegerField()
    points = serializers.IntegerField()
    bin_width = serializers.FloatField()
    length = serializers.FloatField()
    delta_method = serializers.CharField()
    distance = serializers.ListField(child=serializers.FloatField())
    speed_1 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    speed_2 = serializers.ListField(child=serializers.FloatField(allow_null=True))
    time_delta = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text="s, approximate")
    sector_deltas = SectorDeltaSerializer(many=True)
    time_lost = TimeLostSerializer(many=True)


class CompareSerializer(serializers.Serializer):
    track_id = serializers.CharField()
    driver_1 = serializers.IntegerField()
    driver_2 = serializers.IntegerField()
    driver_1_laps = LegacyLapSerializer(many=True)
    driver_2_laps = LegacyLapSerializer(many=True)
    sector_deltas = serializers.DictField(child=serializers.FloatField(allow_null=True))
    insights = serializers.ListField(child=serializers.CharField())
    race_num = serializers.IntegerField()
    telemetry = TelemetryComparisonSerializer(allow_null=True)


class DetailedTraceSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    lap = serializers.IntegerField()
    speed = serializers.ListField(child=serializers.FloatField(allow_null=True))
    distance = serializers.ListField(child=serializers.FloatField(), help_text="m (legacy: sample index)")
    brake_pressure = serializers.ListField(child=serializers.FloatField(allow_null=True))
    steering_angle = serializers.ListField(child=serializers.FloatField(allow_null=True), required=False)


class ComparisonDriversSerializer(serializers.Serializer):
    next_tier = serializers.IntegerField(allow_null=True)
    leader = serializers.IntegerField(allow_null=True)
    user_position = serializers.IntegerField(allow_null=True)


class DetailedSerializer(serializers.Serializer):
    track_id = serializers.CharField()
    race_num = serializers.IntegerField()
    data_type = serializers.CharField()
    comparison_drivers = ComparisonDriversSerializer()
    traces = serializers.DictField(child=DetailedTraceSerializer(), help_text="user, next_tier, leader")
    metadata = serializers.DictField()
