"""``phytowatch classify`` and ``phytowatch bases`` on a real database (both kinds): each change
recorded as ``cli:<user>``, wrong input a coded line on stderr with exit 2 and nothing changed."""

from __future__ import annotations

from acting import ctx_at
from clirunner import Ran
from clirunner import phytowatch as run
from phytowatch.bootstrap import Services
from phytowatch.services.provisioning import add_enterprise

T = 1_772_446_620_000_000


def phytowatch(*args: str) -> Ran:
    """In English, whatever the locale of the machine running the tests."""
    return run(*args, env={"LC_ALL": "C.UTF-8"})


def _world(services: Services) -> None:
    for code, city in (("E1", "赣州"), ("E2", "南昌")):
        add_enterprise(services.registry, code, "企业", "Enterprise", city, "II", ctx=ctx_at(T))


def test_classify_set_show_propose_confirm_and_dismiss(services: Services, db_url: str) -> None:
    _world(services)
    db = ("--database-url", db_url)
    ran = phytowatch(
        "classify", "set", "E1", "--class", "III", "--key-list", "--reason", "interceptions",
        *db,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "E1: class III" in ran.stdout and "key list yes" in ran.stdout
    shown = phytowatch("classify", "show", "E1", *db)
    lines = shown.stdout.splitlines()
    assert lines[0].split("\t")[2:5] == ["III", "no", "yes"] and len(lines) == 2
    proposed = phytowatch("classify", "propose", "--end", "2026-03-01", *db)
    assert proposed.returncode == 0, proposed.stderr
    rows = [line.split("\t") for line in proposed.stdout.splitlines() if "\t" in line]
    # no failed run and no returned declaration in a year: both rules move each up one class
    assert sorted((r[1], r[2], r[3], r[4]) for r in rows) == [
        ("E1", "III", "II", "up-clean-year"),
        ("E1", "III", "II", "up-no-returned"),
        ("E2", "II", "I", "up-clean-year"),
        ("E2", "II", "I", "up-no-returned"),
    ]
    assert "not counted by any store" not in proposed.stdout  # every measure has its counter
    again = phytowatch("classify", "propose", "--end", "2026-03-01", *db)
    assert "0 new proposals" in again.stdout
    ids = {r[1]: r[0] for r in rows if r[4] == "up-clean-year"}
    confirmed = phytowatch("classify", "confirm", ids["E1"], *db)
    assert confirmed.returncode == 0 and confirmed.stdout.split("\t")[2] == "II"
    refused = phytowatch("classify", "dismiss", ids["E2"], "--comment", " ", *db)
    assert refused.returncode == 2 and "comment: required" in refused.stderr
    assert phytowatch("classify", "dismiss", ids["E2"], "--comment", "later", *db).returncode == 0
    listed = phytowatch("classify", "list", "--state", "dismissed", *db)
    assert [line.split("\t")[1] for line in listed.stdout.splitlines()] == ["E2"]
    actions = [e.action for e in services.audit.latest(limit=10)]
    assert "classification.confirmed" in actions and "enterprise.standing_set" in actions
    assert {e.actor for e in services.audit.latest(limit=10)} == {
        e.actor for e in services.audit.latest(limit=1)
    }


def test_bases_add_list_suspend_and_reinstate(services: Services, db_url: str) -> None:
    _world(services)
    db = ("--database-url", db_url)
    added = phytowatch(
        "bases", "add", "GZ-1", "--enterprise", "E1", "--name", "安远基地", "--product",
        "citrus-navel-orange", "--product", "mango", "--location", "安远县", *db,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "raw-material base GZ-1: valid" in added.stdout
    bad = phytowatch(
        "bases", "add", "GZ-2", "--enterprise", "E1", "--name", "x", "--product", "durian",
        "--location", "y", *db,
    )  # fmt: skip
    assert (
        bad.returncode == 2 and "products: 'durian'" in bad.stderr and "Traceback" not in bad.stderr
    )
    assert phytowatch("bases", "suspend", "GZ-1", "--reason", " ", *db).returncode == 2
    suspended = phytowatch("bases", "suspend", "GZ-1", "--reason", "pests", *db)
    assert "GZ-1: suspended" in suspended.stdout
    listed = phytowatch("bases", "list", *db)
    assert listed.stdout.splitlines() == [
        "GZ-1\tE1\tsuspended\tcitrus-navel-orange,mango\t安远基地\t安远县"
    ]
    assert phytowatch("bases", "reinstate", "GZ-1", *db).returncode == 0
    assert phytowatch("bases", "reinstate", "GZ-1", *db).returncode == 2  # valid already
    assert phytowatch("bases", "list", "--enterprise", "E2", *db).stdout == ""
