"""The demo season as ``loaddata`` fixtures, and straight into the database for benchmarks."""

from pathlib import Path

from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction

from drivers.demo.season import DemoSeason

# Fixture file -> the DemoSeason groups it holds. Load them together (one loaddata call) or in
# this order: each file only refers to rows of the files before it.
FIXTURE_FILES = {
    "tracks.json": ("tracks", "corners"),
    "model.json": ("factors", "variables", "model_versions", "coefficients"),
    "demo_season.json": (
        "drivers", "races", "entries", "season_stats", "factor_scores", "variable_values", "track_demands",
    ),
}


def demo_fixtures_write(*, season: DemoSeason, directory: Path) -> dict[Path, int]:
    """Write the fixture files (stable key order, two-space indent); return rows written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    groups = season.groups()
    written = {}
    for name, group_names in FIXTURE_FILES.items():
        rows = [row for group in group_names for row in groups[group]]
        path = directory / name
        path.write_text(serializers.serialize("json", rows, indent=2) + "\n", encoding="utf-8")
        written[path] = len(rows)
    return written


@transaction.atomic
def demo_season_load(*, season: DemoSeason, batch_size: int = 2000) -> dict[str, int]:
    """Insert every row into an empty database (bulk, in dependency order); return rows per model.

    The rows carry explicit primary keys, so the id sequences are moved past them afterwards.
    """
    created = {}
    for rows in season.groups().values():
        if rows:
            model = type(rows[0])
            model.objects.bulk_create(rows, batch_size=batch_size)
            created[model._meta.label] = len(rows)
    models = {type(rows[0]) for rows in season.groups().values() if rows}
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    return created
