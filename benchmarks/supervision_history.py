"""A province-year of e-supervision history, written in bulk for benchmarks/supervision.py.

Three consignments declared, routed and assessed through the served application are the
templates: one released on documents and assessed from its documents, one routed to inspect and
waiting, one inspected with an interception. Each history consignment is a copy of one of them
(every row of migrations 0012 and 0015: the consignment, its version, lines, run link, timeline,
route, assessment, sample and interception), moved to another enterprise, another number and
another day of the year, with the enterprise's own exporter in its content (and that content's
sha-256) and the enterprise's own signed-off history run. Audit entries are not written for the
copies, and their routes keep the template's inputs and draw (the enterprise code replaced).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Engine

from phytowatch.formats import declaration_json
from phytowatch.storage.supervision.assessment_tables import (
    assessment_samples,
    assessments,
    consignment_routes,
    interceptions,
)
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignment_lines,
    consignment_runs,
    consignments,
    declaration_versions,
)

DAY_US = 86_400_000_000
CHUNK = 2_000
WITH_ID = (consignments, consignment_events, consignment_routes, assessments, interceptions)


@dataclass(frozen=True)
class Enterprise:
    code: str
    id: int
    name: str
    city: str
    history_run: int


@dataclass
class Template:
    """Every row of one consignment, as the application wrote them."""

    enterprise: str
    rows: dict[str, list[dict[str, Any]]]


def read_template(engine: Engine, consignment_id: int, enterprise: str) -> Template:
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in (
            consignments,
            declaration_versions,
            consignment_lines,
            consignment_runs,
            consignment_events,
            consignment_routes,
            assessments,
            interceptions,
        ):
            key = table.c.id if table is consignments else table.c.consignment_id
            found = conn.execute(select(table).where(key == consignment_id)).mappings().all()
            rows[table.name] = [dict(r) for r in found]
        ids = [a["id"] for a in rows["assessments"]]
        found = conn.execute(
            select(assessment_samples).where(assessment_samples.c.assessment_id.in_(ids or [-1]))
        )
        rows["assessment_samples"] = [dict(r) for r in found.mappings().all()]
    return Template(enterprise, rows)


class _Ids:
    def __init__(self, engine: Engine) -> None:
        self.next: dict[str, int] = {}
        with engine.connect() as conn:
            for table in WITH_ID:
                top = conn.execute(select(func.max(table.c.id))).scalar() or 0
                self.next[table.name] = int(top) + 1

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


class _Contents:
    """A template's content with an enterprise's exporter, canonical, with its sha-256."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, str], tuple[str, str]] = {}

    def of(self, template: Template, content: str, enterprise: Enterprise) -> tuple[str, str]:
        key = (id(template), enterprise.code)
        if key not in self.cache:
            declared = declaration_json.loads(content)
            exporter = type(declared.exporter)(name=enterprise.name, address=enterprise.city)
            runs = (enterprise.history_run,) if declared.runs else ()
            text_ = declaration_json.canonical(replace(declared, exporter=exporter, runs=runs))
            self.cache[key] = (text_, declaration_json.content_hash(text_))
        return self.cache[key]


def _moved(template: Template, value: str, enterprise: Enterprise) -> str:
    return value.replace(f'"{template.enterprise}"', f'"{enterprise.code}"')


def copies(
    template: Template,
    enterprise: Enterprise,
    created: int,
    number: str,
    ids: _Ids,
    contents: _Contents,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of one copy of ``template`` for ``enterprise``, created at ``created``."""
    rows = template.rows
    base = rows["consignments"][0]
    shift = created - int(base["created_at"])
    new_id = ids.take(consignments)

    def at(value: Any) -> Any:
        return None if value is None else int(value) + shift

    out: dict[str, list[dict[str, Any]]] = {}
    out["consignments"] = [
        {
            **base,
            "id": new_id,
            "number": number,
            "enterprise_id": enterprise.id,
            "created_at": at(base["created_at"]),
            "submitted_at": at(base["submitted_at"]),
            "updated_at": at(base["updated_at"]),
        }
    ]
    out["declaration_versions"] = []
    for row in rows["declaration_versions"]:
        content, digest = contents.of(template, row["content"], enterprise)
        out["declaration_versions"].append(
            {
                **row,
                "consignment_id": new_id,
                "content": content,
                "content_hash": digest,
                "submitted_at": at(row["submitted_at"]),
            }
        )
    out["consignment_lines"] = [{**r, "consignment_id": new_id} for r in rows["consignment_lines"]]
    out["consignment_runs"] = [
        {**r, "consignment_id": new_id, "run_id": enterprise.history_run}
        for r in rows["consignment_runs"]
    ]
    out["consignment_events"] = [
        {**r, "id": ids.take(consignment_events), "consignment_id": new_id, "at": at(r["at"])}
        for r in rows["consignment_events"]
    ]
    out["consignment_routes"] = [
        {
            **r,
            "id": ids.take(consignment_routes),
            "consignment_id": new_id,
            "inputs": _moved(template, r["inputs"], enterprise),
            "at": at(r["at"]),
        }
        for r in rows["consignment_routes"]
    ]
    assessment_ids: dict[int, int] = {}
    out["assessments"] = []
    for r in rows["assessments"]:
        assessment_ids[r["id"]] = ids.take(assessments)
        out["assessments"].append(
            {**r, "id": assessment_ids[r["id"]], "consignment_id": new_id, "at": at(r["at"])}
        )
    out["assessment_samples"] = [
        {**r, "assessment_id": assessment_ids[r["assessment_id"]]}
        for r in rows["assessment_samples"]
    ]
    out["interceptions"] = [
        {
            **r,
            "id": ids.take(interceptions),
            "assessment_id": assessment_ids[r["assessment_id"]],
            "consignment_id": new_id,
            "enterprise": enterprise.code,
            "city": enterprise.city,
            "at": at(r["at"]),
        }
        for r in rows["interceptions"]
    ]
    return out


ORDER = (
    consignments,
    declaration_versions,
    consignment_lines,
    consignment_runs,
    consignment_events,
    consignment_routes,
    assessments,
    assessment_samples,
    interceptions,
)


def _plan(
    total: int, waiting: int, inspected: int, intercepted: int, seed: int
) -> Iterator[tuple[str, int]]:
    """(kind, days ago) of each history consignment, oldest first; the waiting ones are the
    newest (routed in the last fortnight)."""
    rng = random.Random(seed)
    released = total - waiting - inspected - intercepted
    older = ["documents"] * released + ["inspected"] * inspected + ["intercepted"] * intercepted
    rng.shuffle(older)
    spread = [(kind, 365 - (365 - 15) * k / max(1, len(older))) for k, kind in enumerate(older)]
    spread += [("waiting", 15 - 14 * k / max(1, waiting)) for k in range(waiting)]
    for kind, days in spread:
        yield kind, int(days * DAY_US) + rng.randrange(DAY_US // 2)


def load(
    engine: Engine,
    templates: dict[str, Template],
    enterprises: Sequence[Enterprise],
    *,
    now: int,
    total: int,
    waiting: int,
    inspected: int,
    intercepted: int,
    seed: int = 2026,
) -> dict[str, int]:
    """Write ``total`` history consignments; how many rows of each table were written."""
    ids, contents = _Ids(engine), _Contents()
    serials: dict[int, int] = {}
    rng = random.Random(seed + 1)
    written = {table.name: 0 for table in ORDER}
    batch: dict[str, list[dict[str, Any]]] = {table.name: [] for table in ORDER}

    def flush() -> None:
        with engine.begin() as conn:
            for table in ORDER:
                if batch[table.name]:
                    conn.execute(insert(table), batch[table.name])
                    written[table.name] += len(batch[table.name])
                    batch[table.name] = []

    for n, (kind, ago) in enumerate(_plan(total, waiting, inspected, intercepted, seed)):
        created = now - ago
        year = datetime.fromtimestamp(created / 1e6, UTC).year
        serials[year] = serials.get(year, 100_000) + 1
        enterprise = enterprises[rng.randrange(len(enterprises))]
        rows = copies(
            templates[kind], enterprise, created, f"CD{year}-{serials[year]:06d}", ids, contents
        )
        for name, values in rows.items():
            batch[name].extend(values)
        if (n + 1) % CHUNK == 0:
            flush()
    flush()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in WITH_ID:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    return written


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
            for table in ORDER
        }


def as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
