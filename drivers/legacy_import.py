"""Service: migrate the legacy application's JSON stores into the drivers and factors models.

``legacy_stores_import(directory=...)`` validates every file first (drivers.legacy_import_read),
then writes everything in one transaction, creating or updating rows by their natural keys, so a
second run changes nothing. Rows a curator locked (``is_locked``) are left as they are.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, models, transaction

from drivers.legacy_import_read import LEGACY_MODEL_NAME, LegacyRows, read_legacy_stores
from drivers.legacy_json import LegacyDataError
from drivers.models import Corner, Driver, DriverSeasonStats, LegacyScoreComponent, Race, RaceEntry, Track
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from hackthetrack.cache import invalidate_api_cache


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: int = 0  # would have changed, but a curator locked the row

    @property
    def changed(self) -> int:
        return self.created + self.updated


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
            elif report.changed:
                transaction.on_commit(invalidate_api_cache)
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
    sync(
        RaceEntry,
        ("race_id", "car_number", "group"),
        {
            (race_ids[race_key], car_number, group): {
                "driver_id": driver_ids[values["driver_number"]],
                **{name: value for name, value in values.items() if name != "driver_number"},
            }
            for (race_key, car_number, group), values in rows.entries.items()
        },
    )
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


def rows_sync(
    *,
    model: type[models.Model],
    key_fields: tuple[str, ...],
    keyed_values: dict[Hashable, dict],
    report: LegacyImportReport,
) -> dict[Hashable, int]:
    """Create or update one row per natural key (a value, or a tuple for several key fields) with
    the given field values; fields not given are left alone. Returns primary keys by natural key."""
    counts = report.counts.setdefault(model._meta.verbose_name_plural.capitalize(), ModelCounts())
    as_tuple = (lambda key: key) if len(key_fields) > 1 else (lambda key: (key,))
    existing = {tuple(getattr(obj, name) for name in key_fields): obj for obj in model.objects.all()}
    lockable = any(f.name == "is_locked" for f in model._meta.fields)
    ids, new_keys, to_create, to_update, changed_fields = {}, [], [], [], set()
    for key, values in keyed_values.items():
        obj = existing.get(as_tuple(key))
        if obj is None:
            new_keys.append(key)
            to_create.append(model(**dict(zip(key_fields, as_tuple(key))), **values))
            continue
        ids[key] = obj.pk
        differing = {name for name, value in values.items() if getattr(obj, name) != value}
        if not differing:
            counts.unchanged += 1
        elif lockable and obj.is_locked:
            counts.locked += 1
        else:
            for name in differing:
                setattr(obj, name, values[name])
            to_update.append(obj)
            changed_fields |= differing
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    counts.created += len(to_create)
    counts.updated += len(to_update)
    ids.update((key, obj.pk) for key, obj in zip(new_keys, to_create))
    return ids
