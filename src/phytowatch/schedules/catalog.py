"""The catalog: every schedule known, the shipped files (``data/*.json``) and a site's own, by
id and version. Each file is read by format.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from phytowatch.domain.messages import Code, say
from phytowatch.domain.schedule import Schedule
from phytowatch.schedules.format import ID_PATTERN, ScheduleFileError, load_file


@dataclass
class Catalog:
    """Every schedule known: shipped ones and a site's own, by id and version."""

    by_id: dict[str, dict[str, Schedule]] = field(default_factory=dict)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, schedule: Schedule, where: str) -> None:
        versions = self.by_id.setdefault(schedule.id, {})
        if schedule.version in versions:
            first = self.origin[(schedule.id, schedule.version)]
            raise ScheduleFileError(
                say(
                    Code.SCHEDULE_FILE_VERSION_TWICE,
                    file=where,
                    field="version",
                    schedule=schedule.id,
                    version=schedule.version,
                    first=first,
                )
            )
        versions[schedule.version] = schedule
        self.origin[(schedule.id, schedule.version)] = where

    def get(self, schedule_id: str, version: str | None = None) -> Schedule:
        """The schedule, its newest version unless one is named; KeyError if unknown."""
        versions = self.by_id.get(schedule_id)
        if not versions:
            raise KeyError(schedule_id)
        if version is None:
            version = max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))
        return versions[version]

    def ids(self) -> list[str]:
        return sorted(self.by_id)

    def latest(self) -> list[Schedule]:
        return [self.get(i) for i in self.ids()]


SHIPPED = Path(__file__).resolve().parent / "data"  # installed with the package


def _shipped_files() -> list[Path]:
    return sorted(SHIPPED.glob("*.json"))


def load_catalog(extra_dirs: Iterable[Path] = ()) -> Catalog:
    """The shipped schedules plus every ``*.json``/``*.yaml``/``*.yml`` in ``extra_dirs``."""
    catalog = Catalog()
    files = _shipped_files()
    for directory in extra_dirs:
        if not directory.is_dir():
            raise ScheduleFileError(say(Code.SCHEDULE_FILE_NOT_DIRECTORY, file=str(directory)))
        files.extend(
            sorted(p for p in directory.iterdir() if p.suffix in {".json", ".yaml", ".yml"})
        )
    for path in files:
        catalog.add(load_file(path), path.name)
    return catalog


def load_one(schedule_id: str, extra_dirs: Iterable[Path] = ()) -> Schedule:
    """Just the named schedule: the shipped file by its name when there is no site directory.

    The fast path of ``phytowatch evaluate``: it parses one file, not the whole catalog.
    """
    extra = list(extra_dirs)
    if not extra and ID_PATTERN.match(schedule_id):
        path = SHIPPED / f"{schedule_id}.json"
        if path.is_file():
            schedule = load_file(path)
            if schedule.id == schedule_id:
                return schedule
    return load_catalog(extra).get(schedule_id)
