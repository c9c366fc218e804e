"""Service: migrate the legacy application's JSON stores into the drivers and factors models.

``legacy_stores_import(directory=...)`` validates every file first (pipeline.legacy_import_read),
then writes everything in one transaction, creating or updating rows by their natural keys, so a
second run changes nothing. Race entries are found as refresh_cache finds them
(pipeline.race_entry_match), so an import after a refresh updates the refresh's entries. Rows a
curator locked (``is_locked``) are left as they are.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from drivers.models import Corner, Driver, DriverSeasonStats, Race, Track
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    LegacyScoreComponent,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from pipeline.legacy_import_read import LEGACY_MODEL_NAME, LegacyRows, read_legacy_stores
from pipeline.legacy_json import LegacyDataError
from pipeline.race_entry_match import EntryMatchError
from pipeline.upsert import ModelCounts, race_entries_sync, rows_sync


@dataclass
class LegacyImportReport:
    counts: dict[str, ModelCounts] = field(default_factory=dict)
    activated_model_version: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.activated_model_version is not None or any(c.changed for c in self.counts.values())


def legacy_stores_import(*, directory: Path, dry_run: bool = False) -> LegacyImportReport:
    """Raises LegacyDataError, with nothing written, when a store is malformed or inconsistent
    or conflicts with rows already in the database."""
    rows = read_legacy_stores(directory)
    report = LegacyImportReport(notes=rows.notes)
    try:
        with transaction.atomic():
            _write(rows, report)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        raise LegacyDataError(f"the legacy stores conflict with rows already in the database: {exc}") from exc
    return report


def _write(rows: LegacyRows, report: LegacyImportReport) -> None:
    def sync(model, key_fields, keyed_values):
        return rows_sync(model=model, key_fields=key_fields, keyed_values=keyed_values, report=report)

    sync(Factor, ("id",), rows.factors)
    sync(Variable, ("id",), rows.variables)
    sync(Track, ("id",), rows.tracks)
    sync(Corner, ("track_id", "number"), rows.corners)
    sync(TrackDemand, ("track_id", "factor_id"), rows.track_demands)
    driver_ids = sync(Driver, ("number",), rows.drivers)
    race_ids = sync(Race, ("season", "track_id", "race_number"), rows.races)
    entries = {
        (race_ids[race_key], car_number, group): {
            "driver_id": driver_ids[values["driver_number"]],
            **{name: value for name, value in values.items() if name != "driver_number"},
        }
        for (race_key, car_number, group), values in rows.entries.items()
    }
    try:
        race_entries_sync(entries=entries, regroup=False, report=report)  # the stores know no groups
    except EntryMatchError as exc:
        raise LegacyDataError(f"driver_race_results.json: {exc}") from exc
    sync(
        DriverSeasonStats,
        ("driver_id", "season"),
        {(driver_ids[number], season): values for (number, season), values in rows.season_stats.items()},
    )
    sync(
        DriverFactorScore,
        ("driver_id", "factor_id"),
        {(driver_ids[number], factor): values for (number, factor), values in rows.factor_scores.items()},
    )
    sync(
        DriverVariableValue,
        ("driver_id", "variable_id"),
        {(driver_ids[number], variable): values for (number, variable), values in rows.variable_values.items()},
    )
    sync(
        LegacyScoreComponent,
        ("driver_id", "factor_id", "variable_name"),
        {(driver_ids[n], factor, variable): values for (n, factor, variable), values in rows.score_components.items()},
    )
    version_ids = sync(ModelVersion, ("name",), {LEGACY_MODEL_NAME: rows.model_version})
    sync(
        ModelCoefficient,
        ("model_version_id", "factor_id"),
        {(version_ids[LEGACY_MODEL_NAME], factor): values for factor, values in rows.coefficients.items()},
    )
    if not ModelVersion.objects.filter(is_active=True).exists():
        ModelVersion.objects.filter(name=LEGACY_MODEL_NAME).update(is_active=True)
        report.activated_model_version = LEGACY_MODEL_NAME
