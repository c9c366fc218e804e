#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

The settings are chosen explicitly, with no default: DJANGO_SETTINGS_MODULE is
``hackthetrack.settings.development`` for local use (bin/serve exports it) and
``hackthetrack.settings.production`` on Heroku (the Procfile and the app's config set it)."""

import os
import sys


def main():
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        sys.exit(
            "DJANGO_SETTINGS_MODULE is not set: export DJANGO_SETTINGS_MODULE=hackthetrack.settings.development "
            "for local use, hackthetrack.settings.production on Heroku."
        )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
