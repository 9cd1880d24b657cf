"""``phytowatch inspections redraw`` on a real database: a recorded route recomputed from its
recorded inputs matches (exit 0); one whose record was altered is said to differ (exit 1); an
unknown number is one line and exit 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from acting import ctx_at
from clirunner import phytowatch
from phytowatch.bootstrap import Services
from phytowatch.services.provisioning import add_enterprise
from routingworld import submitted

pytestmark = pytest.mark.integration
T0 = 1_772_361_600_000_000


def _redraw(services: Services, *args: str):  # type: ignore[no-untyped-def]
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "PHYTOWATCH_LANG": "en"}
    return phytowatch("inspections", "redraw", *args, env=env)


def test_a_recorded_route_is_recomputed_and_matches(services: Services) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "南昌", "II", ctx=ctx_at(T0))
    submitted(services, "E1", "C-1", "mango", at=T0)
    ran = _redraw(services, "C-1", "--json")
    assert ran.returncode == 0, ran.stderr
    [row] = json.loads(ran.stdout)["routes"]
    assert row["matches"] is True and row["outcome"] == "inspect"
    assert row["draw"] == row["recorded_draw"]
    said = _redraw(services, "C-1")
    assert said.returncode == 0 and said.stdout.startswith("✓")


def test_an_altered_record_is_said_to_differ(services: Services) -> None:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "南昌", "II", ctx=ctx_at(T0))
    submitted(services, "E1", "C-1", "mango", at=T0)
    with services.engine.begin() as conn:  # what only the database's owner can do
        if services.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE consignment_routes DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER consignment_routes_no_update"))
        conn.execute(text("UPDATE consignment_routes SET draw = '0.999999'"))
    ran = _redraw(services, "C-1", "--json")
    assert ran.returncode == 1
    [row] = json.loads(ran.stdout)["routes"]
    assert row["matches"] is False and row["recorded_draw"] == "0.999999"


def test_an_unknown_consignment_is_one_line_and_exit_2(services: Services) -> None:
    ran = _redraw(services, "NOPE-1")
    assert ran.returncode == 2
    assert ran.stderr.strip().splitlines() == ["phytowatch: no consignment NOPE-1"]
