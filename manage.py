#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

The settings are chosen explicitly, with no default: DJANGO_SETTINGS_MODULE is
``hackthetrack.settings.development`` for local use (bin/serve exports it) and
``hackthetrack.settings.production`` on Heroku (the Procfile and the app's config set it)."""

import os
import sys


def main():
    if sys.argv[1:2] == ["test"]:
        # The suite is pytest's (pytest-django): Django's own runner would find no unittest case in
        # it and report "Ran 0 tests ... OK". Arguments go to pytest; the settings are the tests'.
        print("manage.py test: running pytest (as bin/test does)", file=sys.stderr)
        os.environ["DJANGO_SETTINGS_MODULE"] = "hackthetrack.settings.test"
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[2:]])
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        sys.exit(
            "DJANGO_SETTINGS_MODULE is not set: export DJANGO_SETTINGS_MODULE=hackthetrack.settings.development "
            "for local use, hackthetrack.settings.production on Heroku."
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
