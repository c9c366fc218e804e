"""Entries the refresh could not link to a driver are one filter away for the curators."""

import pytest

from drivers.models import Driver, RaceEntry

pytestmark = pytest.mark.django_db


def test_the_entry_list_filters_entries_without_a_driver(curator_client, season):
    linked = RaceEntry.objects.create(
        race=season.race, car_number=3, group="", driver=Driver.objects.create(number=3, name="Karl Forman")
    )
    unlinked = RaceEntry.objects.create(race=season.race, car_number=3, group="Legends")
    page = curator_client.get("/admin/drivers/raceentry/", {"driver__isempty": "1"})
    assert page.status_code == 200
    shown = {row.pk for row in page.context["cl"].result_list}
    assert unlinked.pk in shown and linked.pk not in shown
