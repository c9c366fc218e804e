"""Service: migrate the legacy application's JSON stores into the drivers and factors models.

``legacy_stores_import(directory=...)`` validates every file first (drivers.legacy_import_read),
then writes everything in one transaction, creating or updating rows by their natural keys, so a
second run changes nothing. Race entries are found as refresh_cache finds them
(drivers.race_entry_match), so an import after a refresh updates the refresh's entries. Rows a
curator locked (``is_locked``) are left as they are.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, models, transaction

from drivers.legacy_import_read import LEGACY_MODEL_NAME, LegacyRows, read_legacy_stores
from drivers.legacy_json import LegacyDataError
from drivers.models import Corner, Driver, DriverSeasonStats, LegacyScoreComponent, Race, RaceEntry, Track
from drivers.race_entry_match import EntryKey, EntryMatchError, race_entries_match
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)


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


def race_entries_sync(*, entries: dict[EntryKey, dict], regroup: bool, report: LegacyImportReport) -> None:
    """Create or update race entries given as field values (``driver_id`` and ``finish_position``
    among them) by (race id, car number, group), each written to the stored entry it is
    (drivers.race_entry_match: import_legacy and refresh_cache find entries alike). With
    ``regroup`` a stored entry takes the given group (the timing knows groups), else it keeps its
    own. Raises EntryMatchError when an entry cannot be told apart from another."""
    stored = race_entries_match(entries=entries)
    if regroup:
        _entries_regroup(stored=stored, report=report)
    else:
        entries = {stored.get(key, key): values for key, values in entries.items()}
    rows_sync(
        model=RaceEntry,
        key_fields=("race_id", "car_number", "group"),
        keyed_values=_entry_links_free(entries=entries, report=report),
        report=report,
    )


def _entries_regroup(*, stored: dict[EntryKey, EntryKey], report: LegacyImportReport) -> None:
    """A stored entry the classification gives another group (import_legacy knows no groups) takes
    the classification's, so it is updated rather than doubled."""
    regrouped = 0
    for (_, _, group), (race_id, number, old_group) in stored.items():
        if group != old_group:
            entry = RaceEntry.objects.filter(race_id=race_id, car_number=number, group=old_group)
            regrouped += entry.update(group=group)
    if regrouped:
        report.notes.append(f"{regrouped} entries took the group the classification gives them")


def _entry_links_free(*, entries: dict[EntryKey, dict], report: LegacyImportReport) -> dict[EntryKey, dict]:
    """A driver races once per race: before an entry takes a driver another entry of the race is
    linked to, that entry is unlinked (the unique link would refuse it), unless it is locked: then
    the link stays where the curator left it and the entry does not take it. An entry that is
    locked takes nothing, so it frees nothing. Returns the entries to write."""
    wanted = {(key[0], v["driver_id"]): key for key, v in entries.items() if v["driver_id"] is not None}
    rows = list(
        RaceEntry.objects.filter(race_id__in={key[0] for key in entries}).values_list(
            "pk", "race_id", "car_number", "group", "driver_id", "is_locked"
        )
    )
    locked = {(race_id, number, group) for _, race_id, number, group, _, is_locked in rows if is_locked}
    freed, kept = [], []
    for pk, race_id, number, group, driver_id, is_locked in rows:
        taker = wanted.get((race_id, driver_id))
        if taker is None or taker == (race_id, number, group) or taker in locked:
            continue
        if is_locked:
            entries = {**entries, taker: {n: v for n, v in entries[taker].items() if n != "driver_id"}}
            kept.append(pk)
        else:
            freed.append(pk)
    for entry in RaceEntry.objects.filter(pk__in=freed + kept).select_related("race", "driver"):
        outcome = "locked: its link kept" if entry.pk in kept else "unlinked"
        report.notes.append(f"{entry}: {outcome}; the source gives {entry.driver} another entry of the race")
    RaceEntry.objects.filter(pk__in=freed).update(driver=None)
    return entries
