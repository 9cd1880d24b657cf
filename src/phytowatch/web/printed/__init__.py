"""The printed certificate on the web: the public verification (no login) and the prints."""
