"""The HTTP side: ``create_app(settings)`` builds the API (and, later, the pages)."""
