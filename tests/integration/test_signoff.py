"""Sign-off of finished runs: who may, which runs, when a comment is needed, what it backs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from accountsworld import ADMIN, PASSWORD, T0, World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from clirunner import Ran, phytowatch
from phytowatch.domain.messages import Code, say
from phytowatch.services.runs import start_run
from phytowatch.services.signoff import run_backs_certificate

pytestmark = pytest.mark.integration
FINDINGS = {
    "verdict": "PASS",
    "findings": [{"kind": "flatline", "probe": "C2"}],
    "review_required": True,
}


def _closed_run(world: World, verdict: str, judgement: dict[str, object]) -> int:
    """A run on K1, closed with this verdict (the open one is closed first)."""
    services = world.services
    for record in services.runs.runs_of("K1", 50):
        if record.closed_at is None:
            services.runs.close_run(record.id, T0 + 2, "operator", "INDETERMINATE", "{}")
    run = start_run(services.runs, "K1", "ispm15-ht", load="x", ctx=ctx_at(T0 + 3)).id
    services.runs.close_run(run, T0 + 4, "pass", verdict, json.dumps(judgement))
    return run


def test_an_inspector_of_the_office_signs_off_a_pass_run_which_then_backs_a_certificate(
    world: World, client: TestClient
) -> None:
    run = world.objects["K1"].pass_run
    before = run_backs_certificate(world.services.runs, world.services.accounts, run)
    assert (before.ok, before.reason) == (False, say(Code.BACKING_NOT_SIGNED))
    headers = login(client, "inspector")
    answer = client.post(f"/api/v1/runs/{run}/signoff", headers=headers, json={})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["signoff"]["decision"] == "signed_off"
    assert (body["signoff"]["by"], body["signoff"]["office"]) == ("inspector", "GZ")
    assert body["backs_certificate"] is True
    after = run_backs_certificate(world.services.runs, world.services.accounts, run)
    assert after.ok and after.reason == say(Code.BACKING_OK, by="inspector", office="GZ")
    # final: a second decision is refused, and anyone who may see the run reads the first
    again = client.post(f"/api/v1/runs/{run}/signoff", headers=headers, json={})
    assert again.status_code == 409 and "final" in again.json()["error"]
    shown = client.get(f"/api/v1/runs/{run}/signoff", headers=login(client, "declarant"))
    assert shown.json()["backs_certificate"] is True
    entries = world.services.audit.latest(limit=50, object_type="run", object_id=str(run))
    assert [(e.actor, e.action) for e in entries] == [("user:inspector", "run.signed_off")]


def test_a_rejected_run_never_backs_a_certificate_and_a_rejection_says_why(
    world: World, client: TestClient
) -> None:
    run = world.objects["K1"].pass_run
    headers = login(client, "inspector")
    terse = client.post(
        f"/api/v1/runs/{run}/signoff", headers=headers, json={"decision": "rejected"}
    )
    assert terse.status_code == 422 and "rejection needs a written comment" in terse.json()["error"]
    answer = client.post(
        f"/api/v1/runs/{run}/signoff",
        headers=headers,
        json={"decision": "rejected", "comment": "probe C2 was not in the core of the stack"},
    )
    assert answer.status_code == 201
    assert answer.json()["backs_certificate"] is False
    backing = run_backs_certificate(world.services.runs, world.services.accounts, run)
    assert (backing.ok, backing.reason) == (False, say(Code.BACKING_REJECTED, by="inspector"))


def test_a_run_with_findings_needs_a_written_comment(world: World, client: TestClient) -> None:
    run = _closed_run(world, "PASS", FINDINGS)
    headers = login(client, "inspector")
    for comment in ("", "ok"):
        answer = client.post(
            f"/api/v1/runs/{run}/signoff", headers=headers, json={"comment": comment}
        )
        assert answer.status_code == 422
        assert "findings or notes for review" in answer.json()["error"]
    comment = "flatline on C2 checked on site: probe replaced, other probes agree"
    answer = client.post(f"/api/v1/runs/{run}/signoff", headers=headers, json={"comment": comment})
    assert answer.status_code == 201
    assert answer.json()["signoff"]["comment"] == comment


@pytest.mark.parametrize("verdict", ["FAIL", "INDETERMINATE"])
def test_a_run_that_did_not_pass_cannot_be_signed_off(
    world: World, client: TestClient, verdict: str
) -> None:
    run = _closed_run(world, verdict, {"verdict": verdict, "findings": []})
    headers = login(client, "inspector")
    for decision in ("signed_off", "rejected"):
        answer = client.post(
            f"/api/v1/runs/{run}/signoff",
            headers=headers,
            json={"decision": decision, "comment": "a comment long enough"},
        )
        assert answer.status_code == 409
        assert f"is {verdict}: only a PASS run is signed off" in answer.json()["error"]
    assert world.services.accounts.signoff_of(run) is None
    assert not run_backs_certificate(world.services.runs, world.services.accounts, run).ok


def test_an_open_run_cannot_be_signed_off(world: World, client: TestClient) -> None:
    run = world.objects["K1"].open_run
    answer = client.post(f"/api/v1/runs/{run}/signoff", headers=login(client, "inspector"), json={})
    assert answer.status_code == 409 and "still open" in answer.json()["error"]
    backing = run_backs_certificate(world.services.runs, world.services.accounts, run)
    assert (backing.ok, backing.reason) == (False, say(Code.BACKING_OPEN))


def test_only_an_inspector_of_the_right_office_signs_off(world: World, client: TestClient) -> None:
    run = world.objects["K1"].pass_run
    for who, status in (
        ("insp_nc", 404),  # an inspector, but K1 is outside office NC
        ("certifier", 403),
        ("operator", 403),
        ("admin", 403),  # an administrator is not an inspector
    ):
        answer = client.post(f"/api/v1/runs/{run}/signoff", headers=login(client, who), json={})
        assert answer.status_code == status, who
    assert client.post(f"/api/v1/runs/{run}/signoff", headers=ADMIN, json={}).status_code == 403
    assert world.services.accounts.signoff_of(run) is None


def test_the_cli_signs_off_as_an_inspector_after_their_password(
    world: World, tmp_path: Path
) -> None:
    url = world.services.settings.database_url
    run = world.objects["K1"].pass_run

    def signoff(password: str, *extra: str) -> Ran:
        return phytowatch(
            "runs",
            "signoff",
            str(run),
            "--as",
            "inspector",
            "--password-stdin",
            "--database-url",
            url,
            *extra,
            stdin=password + "\n",
        )

    wrong = signoff("not the password")
    assert wrong.returncode == 2
    assert wrong.stderr == "phytowatch: wrong login or password\n"
    assert "not the password" not in wrong.stdout + wrong.stderr
    done = signoff(PASSWORD, "--comment", "checked the curve")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"run {run}: signed off by inspector",
        "backs a certificate: yes (signed off by inspector (GZ))",
    ]
    assert PASSWORD not in done.stdout + done.stderr


def test_the_cli_says_no_run_for_a_number_no_run_can_have(world: World) -> None:
    url = world.services.settings.database_url
    answer = phytowatch(
        "runs",
        "signoff",
        "99999999999999999999",
        "--as",
        "inspector",
        "--password-stdin",
        "--database-url",
        url,
        stdin=PASSWORD + "\n",
    )
    assert (answer.returncode, answer.stderr) == (
        2,
        "phytowatch: no run 99999999999999999999\n",
    )
