"""Django project: settings, URLs, WSGI."""
