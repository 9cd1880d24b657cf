"""The official treatment schedules as versioned data files, and their loader."""

from phytowatch.schedules.loader import (
    Catalog,
    ScheduleFileError,
    load_catalog,
    load_file,
    load_one,
    parse_schedule,
)

__all__ = [
    "Catalog",
    "ScheduleFileError",
    "load_catalog",
    "load_file",
    "load_one",
    "parse_schedule",
]
