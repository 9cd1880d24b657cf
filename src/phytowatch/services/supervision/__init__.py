"""The e-supervision chain's use cases (steps 1-3 here): declare, route, assess, and the
registry and policy they read. Ports in ``ports``."""
