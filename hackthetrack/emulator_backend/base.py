"""django-snowflake, for the fakesnow emulator: the same backend, with test-database creation
adapted to two gaps of the emulator. After ``CREATE DATABASE`` Snowflake makes the new database
current and django-snowflake relies on it; the emulator does not, and it has no ``DROP DATABASE``.
Everything else (queries, migrations, bulk loads) is django-snowflake unchanged.
"""

from django_snowflake.base import DatabaseWrapper as SnowflakeDatabaseWrapper
from django_snowflake.creation import DatabaseCreation as SnowflakeDatabaseCreation


class DatabaseCreation(SnowflakeDatabaseCreation):
    def _execute_create_test_db(self, cursor, parameters, keepdb=False):
        # Each test session has its own emulator (hackthetrack/settings/test.py), so the test
        # database never pre-exists there and nothing needs dropping.
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {parameters['dbname']}")
        cursor.execute(f"USE DATABASE {parameters['dbname']}")
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {self._quote_name(self.connection.settings_dict['SCHEMA'])}")


class DatabaseWrapper(SnowflakeDatabaseWrapper):
    creation_class = DatabaseCreation
