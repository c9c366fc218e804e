"""The demo season as ``loaddata`` fixtures, and straight into the database for benchmarks."""

import json
from pathlib import Path

from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from drivers.models import Driver
from factors.definitions import MODEL_VERSION_NAME
from factors.models import ModelVersion
from hackthetrack.cache import invalidate_api_cache
from pipeline.demo.season import DemoSeason

# Fixture file -> the DemoSeason groups it holds. Load them together (one loaddata call) or in
# this order: each file only refers to rows of the files before it.
FIXTURE_FILES = {
    "tracks.json": ("tracks", "corners"),
    "model.json": ("factors", "variables", "model_versions", "coefficients"),
    "demo_season.json": (
        "drivers",
        "races",
        "entries",
        "season_stats",
        "factor_scores",
        "variable_values",
        "track_demands",
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


def demo_fixtures_foreign_data(*, directory: Path) -> str | None:
    """What in the database is not demo data (loading the demo over it would overwrite or clash),
    or None when the database is empty or holds exactly the demo."""
    demo_drivers = {
        (row["pk"], row["fields"]["number"], row["fields"]["name"])
        for row in json.loads((directory / "demo_season.json").read_text(encoding="utf-8"))
        if row["model"] == "drivers.driver"
    }
    stored_drivers = set(Driver.objects.values_list("pk", "number", "name"))
    if stored_drivers and stored_drivers != demo_drivers:
        return f"{len(stored_drivers)} drivers that are not the demo's"
    other_versions = list(ModelVersion.objects.exclude(name=MODEL_VERSION_NAME).values_list("name", flat=True))
    if other_versions:
        return f"model versions {', '.join(other_versions)}"
    return None


def demo_fixtures_load(*, directory: Path) -> str | None:
    """Load the fixture files in one transaction, unless the database holds other data (say, the
    real season from import_legacy): then load nothing and return what was found."""
    with transaction.atomic():
        foreign = demo_fixtures_foreign_data(directory=directory)
        if foreign is None:
            call_command("loaddata", *(str(directory / name) for name in FIXTURE_FILES), verbosity=0)
            # Reloading undoes edits to demo rows: answers computed from them must go too.
            transaction.on_commit(invalidate_api_cache)
    return foreign
