"""Race timing and car telemetry, stored in the warehouse (Snowflake; see hackthetrack/routers.py).

Snowflake enforces no primary-key, unique or foreign-key constraint, so identity never relies on
them nor on ``SELECT MAX(pk)``: every row carries the id of the load that wrote it (a UUID, one
per ingested file) and its position in that load (the source line for timing files, the sample's
sequence number for telemetry). Loads are idempotent because a load first deletes the rows of the
same race and kind, in the same transaction (telemetry/services.py).

A race is addressed by ``season``, ``track`` (the drivers.Track slug, e.g. ``barber``) and
``race_number`` (1 or 2), the same keys as drivers.Race in PostgreSQL; no join crosses databases.
Times are seconds, speeds km/h. Column names avoid SQL keywords (GROUP, ROWS) so hand-written
warehouse SQL needs no quoting.
"""

from django.db import models


class Load(models.Model):
    """One ingested file (or generated batch): the audit trail and the id that its rows carry."""

    class Kind(models.TextChoices):
        LAPS = "laps"
        RESULTS = "results"
        QUALIFYING = "qualifying"
        BEST_LAPS = "best_laps"
        LAP_EVENTS = "lap_events"
        SAMPLES = "samples"

    id = models.CharField(primary_key=True, max_length=32, help_text="uuid4 hex")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=500, help_text="File name (or generator) the rows came from")
    season = models.PositiveSmallIntegerField()
    track = models.CharField(max_length=50)
    race_number = models.PositiveSmallIntegerField()
    row_count = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()

    class Meta:
        db_table = "telemetry_load"

    def __str__(self):
        return f"{self.kind} {self.track} R{self.race_number} ({self.row_count} rows from {self.source})"


class RaceRow(models.Model):
    """Columns every warehouse row has: which load wrote it, where, and which race it belongs to."""

    pk = models.CompositePrimaryKey("load_id", "line")
    load_id = models.CharField(max_length=32)
    line = models.PositiveIntegerField(help_text="Line in the source file (timing) or sequence number in the load")
    season = models.PositiveSmallIntegerField()
    track = models.CharField(max_length=50)
    race_number = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Which race the row is of, and where it came from (its load and line there).
        return f"{type(self).__name__} {self.track}:{self.race_number} ({self.season}), {self.load_id}:{self.line}"


class Lap(RaceRow):
    """One car's lap (analysis_endurance). ``flag`` GF is green, FCY a full-course yellow."""

    car_number = models.PositiveSmallIntegerField()
    car_group = models.CharField(max_length=40, blank=True, help_text="GROUP (e.g. Legends)")
    driver_number = models.PositiveSmallIntegerField(null=True)
    lap_number = models.PositiveSmallIntegerField()
    lap_time_s = models.FloatField(null=True)
    lap_improvement = models.SmallIntegerField(null=True)
    crossing_finish_line_in_pit = models.BooleanField(default=False)
    s1_s = models.FloatField(null=True)
    s2_s = models.FloatField(null=True)
    s3_s = models.FloatField(null=True)
    kph = models.FloatField(null=True)
    elapsed_s = models.FloatField(null=True)
    hour = models.CharField(max_length=20, blank=True, help_text="Time of day at the line, as exported")
    top_speed_kph = models.FloatField(null=True)
    pit_time_s = models.FloatField(null=True)
    car_class = models.CharField(max_length=40, blank=True)
    manufacturer = models.CharField(max_length=80, blank=True)
    flag = models.CharField(max_length=10, blank=True)
    im1a_s = models.FloatField(null=True)
    im1a_elapsed_s = models.FloatField(null=True)
    im1_s = models.FloatField(null=True)
    im1_elapsed_s = models.FloatField(null=True)
    im2a_s = models.FloatField(null=True)
    im2a_elapsed_s = models.FloatField(null=True)
    im2_s = models.FloatField(null=True)
    im2_elapsed_s = models.FloatField(null=True)
    im3a_s = models.FloatField(null=True)
    im3a_elapsed_s = models.FloatField(null=True)
    fl_s = models.FloatField(null=True)
    fl_elapsed_s = models.FloatField(null=True)

    class Meta:
        db_table = "telemetry_lap"


class Result(RaceRow):
    """The provisional classification. Gaps keep their text (``+2.740``, ``1 Lap``, ``-``) and are
    also split into seconds or laps."""

    position = models.PositiveSmallIntegerField(null=True)
    car_number = models.PositiveSmallIntegerField()
    car_group = models.CharField(max_length=40, blank=True, help_text="GROUP (e.g. Legends)")
    status = models.CharField(max_length=40)
    laps = models.PositiveSmallIntegerField(null=True)
    total_time_s = models.FloatField(null=True)
    gap_first = models.CharField(max_length=20, blank=True)
    gap_first_s = models.FloatField(null=True)
    gap_first_laps = models.PositiveSmallIntegerField(null=True)
    gap_previous = models.CharField(max_length=20, blank=True)
    gap_previous_s = models.FloatField(null=True)
    gap_previous_laps = models.PositiveSmallIntegerField(null=True)
    fastest_lap_number = models.PositiveSmallIntegerField(null=True)
    fastest_lap_s = models.FloatField(null=True)
    fastest_lap_kph = models.FloatField(null=True)
    car_class = models.CharField(max_length=40, blank=True)
    division = models.CharField(max_length=40, blank=True)
    vehicle = models.CharField(max_length=80, blank=True)
    driver_first_name = models.CharField(max_length=80, blank=True)
    driver_last_name = models.CharField(max_length=80, blank=True)

    class Meta:
        db_table = "telemetry_result"


class Qualifying(RaceRow):
    position = models.PositiveSmallIntegerField(null=True)
    car_number = models.PositiveSmallIntegerField()
    car_group = models.CharField(max_length=40, blank=True, help_text="GROUP (e.g. Legends)")
    best_lap_number = models.PositiveSmallIntegerField(null=True)
    best_lap_s = models.FloatField(null=True)
    gap_first_s = models.FloatField(null=True)
    gap_previous_s = models.FloatField(null=True)
    kph = models.FloatField(null=True)
    laps = models.PositiveSmallIntegerField(null=True)
    team = models.CharField(max_length=120, blank=True)
    car_class = models.CharField(max_length=40, blank=True)
    division = models.CharField(max_length=40, blank=True)
    vehicle = models.CharField(max_length=80, blank=True)
    driver_first_name = models.CharField(max_length=80, blank=True)
    driver_last_name = models.CharField(max_length=80, blank=True)
    driver_country = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "telemetry_qualifying"


class BestLap(RaceRow):
    """One of a car's ten best laps (best_10_laps: one row per car there, one per rank here, so
    the source line and the rank together identify a row)."""

    pk = models.CompositePrimaryKey("load_id", "line", "position")
    car_number = models.PositiveSmallIntegerField()
    vehicle = models.CharField(max_length=80, blank=True)
    car_class = models.CharField(max_length=40, blank=True)
    total_driver_laps = models.PositiveSmallIntegerField(null=True)
    position = models.PositiveSmallIntegerField(help_text="1 for the best lap, up to 10")
    lap_number = models.PositiveSmallIntegerField(null=True)
    lap_time_s = models.FloatField()
    average_s = models.FloatField(null=True, help_text="The export's average of the car's best laps")

    class Meta:
        db_table = "telemetry_best_lap"


class LapEvent(RaceRow):
    """A lap start, end or time event from a car's logger (lap_timing). ``value`` is the lap time
    in milliseconds for ``time`` events and a timestamp (or nothing) for the others, as exported.
    The loggers' lap counter has sentinels (32768): kept as they are."""

    class Kind(models.TextChoices):
        START = "start"
        END = "end"
        TIME = "time"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    vehicle_id = models.CharField(max_length=40)
    original_vehicle_id = models.CharField(max_length=40, blank=True)
    car_number = models.PositiveSmallIntegerField(null=True, help_text="From vehicle_number, else vehicle_id's suffix")
    lap = models.IntegerField(null=True)
    outing = models.IntegerField(null=True)
    value = models.CharField(max_length=40, blank=True, help_text="As exported: ms for time events, else a timestamp")
    timestamp = models.DateTimeField()
    meta_time = models.DateTimeField(null=True)
    meta_event = models.CharField(max_length=40, blank=True)
    meta_session = models.CharField(max_length=20, blank=True)
    meta_source = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "telemetry_lap_event"


class Sample(RaceRow):
    """One car at one instant (the wide format; the long format is pivoted into it on load).
    ``line`` is the sample's sequence number in its load."""

    car_number = models.PositiveSmallIntegerField()
    vehicle_id = models.CharField(max_length=40, blank=True)
    lap = models.IntegerField(null=True)
    timestamp = models.DateTimeField()
    lap_distance_m = models.FloatField(null=True, help_text="Laptrigger_lapdist_dls")
    speed_kph = models.FloatField(null=True, help_text="speed")
    rpm = models.FloatField(null=True, help_text="nmot")
    gear = models.SmallIntegerField(null=True)
    throttle_pct = models.FloatField(null=True, help_text="aps")
    brake_front_bar = models.FloatField(null=True, help_text="pbrake_f")
    brake_rear_bar = models.FloatField(null=True, help_text="pbrake_r")
    steering_deg = models.FloatField(null=True, help_text="Steering_Angle")
    accel_long_g = models.FloatField(null=True, help_text="accx_can")
    accel_lat_g = models.FloatField(null=True, help_text="accy_can")
    gps_lat = models.FloatField(null=True, help_text="VBOX_Lat_Min")
    gps_long = models.FloatField(null=True, help_text="VBOX_Long_Minutes")

    class Meta:
        db_table = "telemetry_sample"
