#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys


def main():
    if sys.argv[1:2] == ["test"]:
        # The suite is pytest's (pytest-django, settings from pyproject.toml): Django's own runner
        # would find no unittest cases in it and report "Ran 0 tests ... OK". Arguments go to pytest.
        print("manage.py test: running pytest (as bin/test does)", file=sys.stderr)
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[2:]])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
