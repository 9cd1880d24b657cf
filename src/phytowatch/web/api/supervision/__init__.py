"""The e-supervision chain's JSON API: one router per concern."""
