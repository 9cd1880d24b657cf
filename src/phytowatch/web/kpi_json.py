"""The bureau's figures as JSON (the API's answer and the page's charts) and as CSV tables.

Durations are whole seconds; rates carry their numerator and denominator (``share`` is null
when nothing was counted); money and quantities are decimal text, as declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from phytowatch.services.kpi import Answer, Durations, Figures, Rate


def seconds(value: int | None) -> int | None:
    return None if value is None else value // 1_000_000


def rate_json(rate: Rate) -> dict[str, Any]:
    share = rate.share
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "share": None if share is None else round(share, 4),
    }


def durations_json(times: Durations) -> dict[str, Any]:
    return {"count": times.count, "median_s": seconds(times.median), "p90_s": seconds(times.p90)}


def figures_json(answer: Answer) -> dict[str, Any]:
    f = answer.figures
    return {
        "office": answer.scope.office,
        "port_office": answer.scope.port_office,
        "from": answer.period.first.isoformat(),
        "to": answer.period.last.isoformat(),
        "zone": "+08:00",
        "facilities": {
            "registered": f.facilities,
            "monitored": f.facilities_monitored,
            "online_now": f.facilities_online,
        },
        "enterprises": {"registered": f.enterprises, "e_supervised": f.enterprises_e_supervised},
        "e_declaration": rate_json(f.e_declaration),
        "e_certificate": rate_json(f.e_certificate),
        "e_transfer": rate_json(f.e_transfer),
        "declaration_to_release": {
            **durations_json(f.release_times),
            "by_mode": [
                {"mode": m.mode, **durations_json(m.times)} for m in f.release_times_by_mode
            ],
            "by_day": [{"day": d.day, **durations_json(d.times)} for d in f.release_times_by_day],
        },
        "released_on_documents": rate_json(f.released_on_documents),
        "runs": {
            "pass_rate": rate_json(f.runs_pass_rate),
            "by_schedule": [
                {
                    "schedule": r.schedule,
                    "started": r.started,
                    "closed": r.closed,
                    "passed": r.passed,
                    "pass_rate": rate_json(r.pass_rate),
                }
                for r in f.runs
            ],
        },
        "alarms": [
            {
                "kind": a.kind,
                "raised": a.raised,
                "acknowledged": a.acknowledged,
                "to_acknowledge": durations_json(a.to_acknowledge),
            }
            for a in f.alarms
        ],
        "interceptions": [
            {
                "pest": i.pest,
                "origin": i.origin,
                "batches": i.batches,
                "species_times": i.species_times,
            }
            for i in f.interceptions
        ],
        "exports": [
            {
                "product": e.product,
                "destination": e.destination,
                "unit": e.unit,
                "consignments": e.consignments,
                "quantity": str(e.quantity),
            }
            for e in f.exports
        ],
        "export_values": [
            {
                "destination": v.destination,
                "currency": v.currency,
                "consignments": v.consignments,
                "declared_value": str(v.declared_value),
            }
            for v in f.export_values
        ],
    }


def _share(rate: Rate) -> str:
    share = rate.share
    return "" if share is None else f"{share:.4f}"


Table = tuple[Sequence[str], Callable[[Figures], Iterator[Sequence[Any]]]]

# each table of the page, as its CSV (stable column names, machine values)
TABLES: dict[str, Table] = {
    "release": (
        ("mode", "released", "median_s", "p90_s"),
        lambda f: (
            (m.mode, m.times.count, seconds(m.times.median), seconds(m.times.p90))
            for m in f.release_times_by_mode
        ),
    ),
    "release-days": (
        ("day", "released", "median_s", "p90_s"),
        lambda f: (
            (d.day, d.times.count, seconds(d.times.median), seconds(d.times.p90))
            for d in f.release_times_by_day
        ),
    ),
    "runs": (
        ("schedule", "started", "closed", "passed", "pass_rate"),
        lambda f: (
            (r.schedule, r.started, r.closed, r.passed, _share(r.pass_rate)) for r in f.runs
        ),
    ),
    "alarms": (
        ("kind", "raised", "acknowledged", "ack_median_s", "ack_p90_s"),
        lambda f: (
            (
                a.kind,
                a.raised,
                a.acknowledged,
                seconds(a.to_acknowledge.median),
                seconds(a.to_acknowledge.p90),
            )
            for a in f.alarms
        ),
    ),
    "interceptions": (
        ("pest", "origin", "batches", "species_times"),
        lambda f: ((i.pest, i.origin, i.batches, i.species_times) for i in f.interceptions),
    ),
    "exports": (
        ("product", "destination", "unit", "consignments", "quantity"),
        lambda f: (
            (e.product, e.destination, e.unit, e.consignments, str(e.quantity)) for e in f.exports
        ),
    ),
    "export-values": (
        ("destination", "currency", "consignments", "declared_value"),
        lambda f: (
            (v.destination, v.currency, v.consignments, str(v.declared_value))
            for v in f.export_values
        ),
    ),
}
