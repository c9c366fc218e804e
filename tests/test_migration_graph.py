"""The apps depend in one direction (drivers <- factors <- pipeline; import-linter's contracts in
pyproject.toml hold the imports to it), and so do their migrations: the season's tables can be
migrated without any migration of the apps above it."""

from django.db.migrations.loader import MigrationLoader

# The apps above drivers (pipeline has no models today; a migration of it counts all the same).
ABOVE_DRIVERS = {"factors", "telemetry", "pipeline"}


def test_no_drivers_migration_needs_a_migration_of_an_app_above_it():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph  # the files only, no database
    drivers_migrations = [node for node in graph.nodes if node[0] == "drivers"]
    assert drivers_migrations, "no drivers migration found: the check would pass on nothing"

    needed_above = {
        node: [ancestor for ancestor in graph.forwards_plan(node) if ancestor[0] in ABOVE_DRIVERS]
        for node in drivers_migrations
    }

    assert {node: above for node, above in needed_above.items() if above} == {}
