"""``manage.py migrate_databases``: the Procfile's release step."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS


class Command(BaseCommand):
    help = (
        "Migrate every configured database: PostgreSQL first, then the warehouse where there is one "
        "(none with TELEMETRY_ENABLED=false)."
    )

    def handle(self, *args, **options):
        for alias in sorted(settings.DATABASES, key=lambda alias: alias != DEFAULT_DB_ALIAS):
            self.stdout.write(f"Migrating the database '{alias}'")
            call_command("migrate", database=alias, interactive=False, verbosity=options["verbosity"])
