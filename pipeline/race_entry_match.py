"""Selector: which stored race entry an incoming one is. import_legacy and refresh_cache both ask it.

A RaceEntry is keyed (race, car number, group), but the sources disagree on groups. The timing gives
each car its classification's group, and that alone tells apart two drivers who share a number in a
race (car 3 at cota and sonoma in 2025). The legacy stores know no groups: one result per driver
and race, stored with the empty group. So, within one race and car number, an incoming entry is the
stored one when:

- the number is there once on both sides: the same car, whatever the groups;
- it is there several times on both sides: the one with the same group (the timing's key);
- it is there once on one side and several times on the other (the legacy's one result against the
  timing's cars): the one with the same finish position, unless linked to another driver (the legacy's
  finish positions agree with the timing's on every 2025 result; a driver link may be a guess, see
  refresh_cache's linking by name), else the one linked to the same driver. When neither tells
  exactly one: EntryMatchError, never a guess or a merge.

Anything else is a new entry (incoming) or one the source does not have (stored).
"""

from collections import defaultdict
from collections.abc import Mapping

from drivers.models import Driver, Race, RaceEntry

EntryKey = tuple[int, int, str]  # (race id, car number, group)
Facts = tuple[int | None, int | None]  # (driver id, finish position)


class EntryMatchError(Exception):
    """An entry whose number is shared in its race matches no single entry on the other side."""


def race_entries_match(*, entries: Mapping[EntryKey, Mapping]) -> dict[EntryKey, EntryKey]:
    """The stored entry's key for each incoming entry that is one (keys of new entries are left out).
    ``entries``: field values by key, with ``driver_id`` and ``finish_position`` among them."""
    incoming: dict[tuple[int, int], dict[EntryKey, Facts]] = defaultdict(dict)
    for key, values in entries.items():
        incoming[key[:2]][key] = (values["driver_id"], values["finish_position"])
    stored: dict[tuple[int, int], dict[EntryKey, Facts]] = defaultdict(dict)
    rows = RaceEntry.objects.filter(race_id__in={race_id for race_id, _ in incoming}).values_list(
        "race_id", "car_number", "group", "driver_id", "finish_position"
    )
    for race_id, number, group, driver_id, finish in rows:
        stored[race_id, number][race_id, number, group] = (driver_id, finish)
    matched = {}
    for car, new in incoming.items():
        old = stored.get(car, {})
        if len(new) == 1 and len(old) == 1:
            matched[next(iter(new))] = next(iter(old))
        elif len(new) > 1 and len(old) > 1:
            matched.update((key, key) for key in new if key in old)
        elif old:
            matched.update(_one_among_several(new=new, old=old))
    return matched


def _one_among_several(*, new: dict[EntryKey, Facts], old: dict[EntryKey, Facts]) -> dict[EntryKey, EntryKey]:
    one_is_new = len(new) == 1
    [(one, (driver, finish))] = (new if one_is_new else old).items()
    several = old if one_is_new else new
    by_finish = [
        key
        for key, (other, position) in several.items()
        if finish is not None and position == finish and (None in (driver, other) or other == driver)
    ]
    by_driver = [key for key, (other, _) in several.items() if driver is not None and other == driver]
    for found in (by_finish, by_driver):
        if len(found) == 1:
            return {one: found[0]} if one_is_new else {found[0]: one}
    raise EntryMatchError(_ambiguity(one=one, facts=(driver, finish), several=several, one_is_new=one_is_new))


def _ambiguity(*, one: EntryKey, facts: Facts, several: dict[EntryKey, Facts], one_is_new: bool) -> str:
    race_id, number, group = one
    driver_id, finish = facts
    driver = Driver.objects.get(pk=driver_id) if driver_id is not None else "none"
    one_side, other_side = ("incoming", "stored") if one_is_new else ("stored", "incoming")
    return (
        f"{Race.objects.get(pk=race_id)} car {number}: cannot tell which of the {len(several)} {other_side} "
        f"entries (groups {', '.join(repr(key[2]) for key in several)}) is the {one_side} one (group {group!r}, "
        f"driver {driver}, finish {finish}): none or several have its finish position or driver; correct the "
        "stored entry's finish position or driver in the admin"
    )
