"""WSGI entry point (``coopcis.site.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
application = get_wsgi_application()
