"""The season as it happened: people, circuits, races and the entries that connect them."""

from django.db import models
from django.db.models import Q

from hackthetrack.seasons import current_season


class Driver(models.Model):
    """A person. ``number`` is the car number they race with and how the API addresses them;
    it is not their identity in a race (see RaceEntry.car_number)."""

    number = models.PositiveSmallIntegerField(unique=True, null=True, blank=True)
    # Blank when no source names the driver (legacy car 61 has values but no name anywhere).
    name = models.CharField(max_length=120, blank=True)
    nationality = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["number", "name"]
        constraints = [models.CheckConstraint(condition=Q(number__gt=0), name="driver_number_positive")]

    def __str__(self):
        return f"#{self.number} {self.name}" if self.number else self.name


class Track(models.Model):
    class Direction(models.TextChoices):
        CLOCKWISE = "clockwise"
        COUNTERCLOCKWISE = "counterclockwise"

    id = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=120)
    location = models.CharField(max_length=120, blank=True)
    length_miles = models.FloatField(null=True, blank=True)
    length_m = models.PositiveIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=20, choices=Direction.choices, blank=True)
    description = models.TextField(blank=True)
    image = models.CharField(max_length=200, blank=True)
    demand_r_squared = models.FloatField(
        null=True, blank=True, help_text="R² of the regression that produced the circuit's demand profile"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(length_miles__gt=0), name="track_length_miles_positive"),
        ]

    def __str__(self):
        return self.name


class Corner(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="corners")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)
    type = models.CharField(max_length=30, blank=True)
    distance_start_m = models.FloatField()
    distance_apex_m = models.FloatField()
    distance_exit_m = models.FloatField()
    speed_class = models.CharField(max_length=20, blank=True)
    typical_gear = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["track", "number"]
        constraints = [
            models.UniqueConstraint(fields=["track", "number"], name="corner_unique_number_per_track"),
            models.CheckConstraint(
                condition=Q(distance_start_m__lte=models.F("distance_apex_m"))
                & Q(distance_apex_m__lte=models.F("distance_exit_m")),
                name="corner_start_apex_exit_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.track_id} T{self.number}"


class Race(models.Model):
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="races")
    season = models.PositiveSmallIntegerField(default=current_season)
    round = models.PositiveSmallIntegerField(help_text="Event round of the season, in date order")
    race_number = models.PositiveSmallIntegerField(help_text="Race 1 or 2 of the event")
    date = models.DateField(null=True, blank=True, help_text="The day most of its lap-timing events carry")

    class Meta:
        ordering = ["season", "round", "race_number"]
        constraints = [
            models.UniqueConstraint(fields=["season", "track", "race_number"], name="race_unique_per_track_season"),
            models.UniqueConstraint(fields=["season", "round", "race_number"], name="race_unique_per_round"),
            models.CheckConstraint(condition=Q(race_number__in=[1, 2]), name="race_number_1_or_2"),
        ]

    def __str__(self):
        return f"{self.track_id} R{self.race_number} ({self.season})"


class RaceEntry(models.Model):
    """One car in one race, with its result. Car number plus group identify the entry: in cota
    race 1 two different drivers raced car 3 (group ``Legends`` and no group)."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="entries")
    car_number = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=40, blank=True)
    driver = models.ForeignKey(Driver, on_delete=models.PROTECT, related_name="entries", null=True, blank=True)
    car_class = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True)
    grid_position = models.PositiveSmallIntegerField(null=True, blank=True)
    finish_position = models.PositiveSmallIntegerField(null=True, blank=True)
    laps = models.PositiveSmallIntegerField(null=True, blank=True)
    total_time_s = models.FloatField(null=True, blank=True)
    gap_to_winner = models.CharField(max_length=30, blank=True, help_text="As classified: +2.740, 1 Lap or -")
    gap_to_previous = models.CharField(max_length=30, blank=True)
    fastest_lap_s = models.FloatField(null=True, blank=True, help_text="As classified (FL_TIME)")
    fastest_lap_number = models.PositiveSmallIntegerField(null=True, blank=True)
    fastest_lap_kph = models.FloatField(null=True, blank=True)
    qualifying_time_s = models.FloatField(null=True, blank=True)
    gap_to_pole_s = models.FloatField(null=True, blank=True)
    best_s1_s = models.FloatField(null=True, blank=True)
    best_s2_s = models.FloatField(null=True, blank=True)
    best_s3_s = models.FloatField(null=True, blank=True)
    # The lap analysis' view of the race: it can differ from the classification's fastest lap.
    best_lap_s = models.FloatField(null=True, blank=True, help_text="Best lap in the lap analysis")
    gap_to_fastest_lap_s = models.FloatField(null=True, blank=True, help_text="best_lap_s minus the race's best lap")
    gap_to_best_s1_s = models.FloatField(null=True, blank=True, help_text="best_s1_s minus the race's best S1")
    gap_to_best_s2_s = models.FloatField(null=True, blank=True, help_text="best_s2_s minus the race's best S2")
    gap_to_best_s3_s = models.FloatField(null=True, blank=True, help_text="best_s3_s minus the race's best S3")
    avg_lap_s = models.FloatField(null=True, blank=True)
    worst_lap_s = models.FloatField(null=True, blank=True)
    lap_time_std_s = models.FloatField(null=True, blank=True)
    is_locked = models.BooleanField(default=False, help_text="Curated: refresh_cache leaves this row as it is")

    class Meta:
        ordering = ["race", "finish_position", "car_number"]
        verbose_name_plural = "race entries"
        constraints = [
            models.UniqueConstraint(fields=["race", "car_number", "group"], name="entry_unique_car_group_per_race"),
            models.UniqueConstraint(
                fields=["race", "driver"], condition=Q(driver__isnull=False), name="entry_unique_driver_per_race"
            ),
            models.CheckConstraint(condition=Q(finish_position__gte=1), name="entry_finish_position_positive"),
            models.CheckConstraint(condition=Q(grid_position__gte=1), name="entry_grid_position_positive"),
        ]

    def __str__(self):
        return f"{self.race} car {self.car_number}{' ' + self.group if self.group else ''}"


class DriverSeasonStats(models.Model):
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="season_stats")
    season = models.PositiveSmallIntegerField(default=current_season)
    races = models.PositiveSmallIntegerField(default=0)
    wins = models.PositiveSmallIntegerField(default=0)
    podiums = models.PositiveSmallIntegerField(default=0)
    top5 = models.PositiveSmallIntegerField(default=0)
    top10 = models.PositiveSmallIntegerField(default=0)
    poles = models.PositiveSmallIntegerField(default=0)
    fastest_laps = models.PositiveSmallIntegerField(default=0)
    dnfs = models.PositiveSmallIntegerField(default=0)
    avg_finish = models.FloatField(null=True, blank=True)
    avg_grid = models.FloatField(null=True, blank=True)
    avg_positions_gained = models.FloatField(null=True, blank=True)
    points = models.PositiveIntegerField(null=True, blank=True)
    championship_position = models.PositiveSmallIntegerField(null=True, blank=True)
    is_locked = models.BooleanField(default=False, help_text="Curated: refresh_cache leaves this row as it is")

    class Meta:
        ordering = ["season", "driver"]
        verbose_name_plural = "driver season stats"
        constraints = [
            models.UniqueConstraint(fields=["driver", "season"], name="season_stats_unique_per_driver"),
            models.CheckConstraint(condition=Q(wins__lte=models.F("podiums")), name="season_stats_wins_le_podiums"),
            models.CheckConstraint(condition=Q(podiums__lte=models.F("top5")), name="season_stats_podiums_le_top5"),
            models.CheckConstraint(condition=Q(top5__lte=models.F("top10")), name="season_stats_top5_le_top10"),
        ]

    def __str__(self):
        return f"{self.driver} {self.season}"
