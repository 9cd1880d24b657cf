"""The JSON API, one router per concept; each route declares who may call it."""
