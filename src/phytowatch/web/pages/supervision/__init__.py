"""The e-supervision chain's pages: one router per concern; templates in templates/supervision/."""
