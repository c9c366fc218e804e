"""The season the commands act on without --season, and a new row's season, is the SEASON setting,
not a literal."""

import pytest
from django.core.management import get_commands, load_command_class

from drivers.models import DriverSeasonStats, Race
from factors.models import ModelVersion

COMMANDS = {  # command -> its required arguments
    "ingest_timing": ["timing"],
    "ingest_telemetry": ["telemetry.csv", "--track", "barber", "--race", "1"],
    "generate_demo_telemetry": ["--track", "barber"],
    "refresh_cache": [],
}


@pytest.mark.parametrize(("name", "arguments"), COMMANDS.items())
def test_the_default_season_is_the_setting(settings, name, arguments):
    settings.SEASON = 2031
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)

    assert parser.parse_args(arguments).season == 2031
    assert parser.parse_args([*arguments, "--season", "2024"]).season == 2024


def test_a_new_row_without_a_season_is_in_the_setting(settings):
    settings.SEASON = 2031

    assert Race().season == DriverSeasonStats().season == ModelVersion().season == 2031
