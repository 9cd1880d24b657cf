"""``phytowatch transfers`` on a real database: listed, shown as the transfer document,
retrieved by the port officer (a wrong password said in one line, exit 2), amended by the
declarant (each refused field on its own line, exit 2; bad --set said, never a traceback)."""

from __future__ import annotations

import json

import pytest
from accountsworld import PASSWORD as WORLD_PASSWORD
from accountsworld import World

from certworld import person
from clirunner import Ran, phytowatch
from phytowatch.bootstrap import Services
from transferworld import PASSWORD, transferred

pytestmark = pytest.mark.integration


def _run(services: Services, *args: str, stdin: str = "") -> Ran:
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "LC_ALL": "C.UTF-8"}
    return phytowatch("transfers", *args, stdin=stdin, env=env)


def test_transfers_are_listed_shown_retrieved_and_amended(world: World) -> None:
    services = world.services
    made, _ = transferred(services)
    listed = _run(services, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split("\t")[:5] == [
        made.number,
        made.consignment_number,
        "E1",
        "CNXMN",
        "PXMN",
    ]
    shown = _run(services, "show", made.number)
    assert shown.returncode == 0 and json.loads(shown.stdout)["format"] == "phytowatch.transfer/1"
    missing = _run(services, "show", "NOPE\x00")
    assert missing.returncode == 2 and missing.stderr.startswith("phytowatch: no transfer")

    secret = services.transfers.password(made, person(services, "declarant"))
    assert secret is not None
    as_port = ("--as", "port_xm", "--password-stdin")
    wrong = _run(services, "retrieve", made.number, *as_port, "--transfer-password", "x",
                 stdin=PASSWORD + "\n")  # fmt: skip
    assert wrong.returncode == 2
    assert wrong.stderr == "phytowatch: the transfer number or password is wrong\n"
    taken = _run(services, "retrieve", made.number, *as_port, "--transfer-password", secret,
                 stdin=PASSWORD + "\n")  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == f"transfer {made.number} taken by the port office PXMN"

    as_declarant = ("--as", "declarant", "--password-stdin")
    refused = _run(services, "amend", made.number, *as_declarant, "--set",
                   "declared_value=20000", "--set", "consignee=Other",
                   stdin=WORLD_PASSWORD + "\n")  # fmt: skip
    assert refused.returncode == 2
    lines = refused.stderr.splitlines()
    assert lines[0].startswith("phytowatch: declared value may change by at most ±10 %")
    assert lines[1].startswith("phytowatch: consignee may not be changed after certification")
    bad = _run(services, "amend", made.number, *as_declarant, "--set", "nothing",
               stdin=WORLD_PASSWORD + "\n")  # fmt: skip
    assert bad.returncode == 2 and "FIELD=VALUE" in bad.stderr
    done = _run(services, "amend", made.number, *as_declarant, "--set",
                "departure_date=2026-03-09", stdin=WORLD_PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert services.transfers.values(made)["departure_date"] == "2026-03-09"
