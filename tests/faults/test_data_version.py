"""The data version lives in PostgreSQL and moves with every write to a served table, in the
write's own transaction, whatever writes it."""

import pytest
from django.db import connection, transaction

from drivers.models import Track
from hackthetrack.data_version import served_tables, tables_with_bump_trigger, version_read

pytestmark = pytest.mark.django_db


def test_every_served_table_moves_the_version():
    tables = served_tables()

    assert "drivers_track" in tables and "factors_driverfactorscore" in tables
    assert tables_with_bump_trigger() >= set(tables)


@pytest.mark.parametrize(
    "write",
    [
        lambda: Track.objects.create(id="cota", name="Circuit of the Americas"),
        lambda: Track.objects.filter(id="barber").update(name="Barber"),  # no save(), no signal
        lambda: Track.objects.filter(id="barber").delete(),
        lambda: connection.cursor().execute("UPDATE drivers_track SET name = 'raw' WHERE id = 'barber'"),
    ],
    ids=["create", "queryset update", "delete", "raw SQL"],
)
def test_any_write_moves_the_version(write):
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    before = version_read()

    write()

    assert version_read() > before


def test_a_rolled_back_write_leaves_the_version():
    before = version_read()

    with transaction.atomic():
        Track.objects.create(id="cota", name="Circuit of the Americas")
        assert version_read() > before  # the transaction reads its own
        transaction.set_rollback(True)

    assert version_read() == before
