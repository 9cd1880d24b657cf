"""Official policy of the e-supervision chain as versioned data files (``data/*.json``), read
into ``domain.supervision.policy`` values: products, destination requirements, the routing
matrix and its ratios, the classification scheme and its rules. Like ``phytowatch.schedules``:
official policy is data, not code."""

from phytowatch.rules.format import SHIPPED, load_shipped

__all__ = ["SHIPPED", "load_shipped"]
