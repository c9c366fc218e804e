"""WSGI entry point for gunicorn.

The settings are chosen explicitly: DJANGO_SETTINGS_MODULE, which the Procfile sets to
``hackthetrack.settings.production`` and bin/serve to ``hackthetrack.settings.development``. There
is no default, so a forgotten variable stops the start instead of serving with other settings."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    raise ImproperlyConfigured(
        "DJANGO_SETTINGS_MODULE is not set: hackthetrack.settings.production to serve, "
        "hackthetrack.settings.development for local use"
    )

application = get_wsgi_application()

# Cached anonymous GETs answered before Django builds a request (imported once Django is set up).
from hackthetrack.edge_cache import edge_cache_wrap  # noqa: E402

application = edge_cache_wrap(application)
