"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.base")

application = get_wsgi_application()

# Cached anonymous GETs answered before Django builds a request (imported once Django is set up).
from hackthetrack.edge_cache import edge_cache_wrap  # noqa: E402

application = edge_cache_wrap(application)
