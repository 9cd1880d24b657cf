"""The official treatment schedules as versioned data files: their format and their catalog."""

from phytowatch.schedules.catalog import Catalog, load_catalog, load_one
from phytowatch.schedules.format import ScheduleFileError, load_file, parse_schedule

__all__ = [
    "Catalog",
    "ScheduleFileError",
    "load_catalog",
    "load_file",
    "load_one",
    "parse_schedule",
]
