"""Use cases and the ports they need. No SQLAlchemy, no web framework, no files here."""
