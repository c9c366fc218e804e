"""The one upsert of the pipeline: rows created or updated by natural key, written only where a value
differs, curators' locks kept (import_legacy and refresh_cache write through it alike), and race
entries matched to the stored entry they are (pipeline.race_entry_match)."""

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

from django.db import models

from drivers.models import RaceEntry
from pipeline.race_entry_match import EntryKey, race_entries_match


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: int = 0  # would have changed, but a curator locked the row

    @property
    def changed(self) -> int:
        return self.created + self.updated


class SyncReport(Protocol):
    """What a write reports into: counts per model (by verbose name) and notes for the operator."""

    counts: dict[str, ModelCounts]
    notes: list[str]


def rows_sync(
    *,
    model: type[models.Model],
    key_fields: tuple[str, ...],
    keyed_values: dict[Hashable, dict],
    report: SyncReport,
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
            to_create.append(model(**dict(zip(key_fields, as_tuple(key), strict=True)), **values))
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
    ids.update((key, obj.pk) for key, obj in zip(new_keys, to_create, strict=True))
    return ids


def race_entries_sync(*, entries: dict[EntryKey, dict], regroup: bool, report: SyncReport) -> None:
    """Create or update race entries given as field values (``driver_id`` and ``finish_position``
    among them) by (race id, car number, group), each written to the stored entry it is
    (pipeline.race_entry_match: import_legacy and refresh_cache find entries alike). With
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


def _entries_regroup(*, stored: dict[EntryKey, EntryKey], report: SyncReport) -> None:
    """A stored entry the classification gives another group (import_legacy knows no groups) takes
    the classification's, so it is updated rather than doubled."""
    regrouped = 0
    for (_, _, group), (race_id, number, old_group) in stored.items():
        if group != old_group:
            entry = RaceEntry.objects.filter(race_id=race_id, car_number=number, group=old_group)
            regrouped += entry.update(group=group)
    if regrouped:
        report.notes.append(f"{regrouped} entries took the group the classification gives them")


def _entry_links_free(*, entries: dict[EntryKey, dict], report: SyncReport) -> dict[EntryKey, dict]:
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
