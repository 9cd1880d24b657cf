"""Our issued certificates as IPPC ePhyto on a real database: the API answers the validated XML
to those who may read the certificate (a 404 for others and for one not issued), and
``phytowatch ephyto export`` writes it; both validate against the shipped schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient

from acting import ctx_at, ctx_of
from certworld import T0, assessed, passed_run, person
from clirunner import phytowatch
from phytowatch.bootstrap import Services
from phytowatch.domain.certificates.model import Certificate, CertificateKind
from phytowatch.ephyto.codec import LxmlEphyto

pytestmark = pytest.mark.integration
CODEC = LxmlEphyto()


def _issued(services: Services) -> tuple[Certificate, int]:
    """An issued phytosanitary certificate of E1 (GZ), and a draft beside it."""
    services.certificates.create_key("GZ", ctx=ctx_at(T0, "cli:ops"))
    consignment = assessed(services, runs=(passed_run(services),))
    declarant = ctx_of(person(services, "declarant"), T0 + 10)
    certifier = ctx_of(person(services, "certifier"), T0 + 20)
    made = services.certificates.draft(consignment.id, CertificateKind.PHYTOSANITARY, ctx=declarant)
    services.certificates.submit(made.id, ctx=declarant)
    services.certificates.approve(made.id, ctx=certifier)
    done = services.certificates.issue(made.id, ctx=certifier)
    other = assessed(services, runs=(passed_run(services, at=T0 + 100),), at=T0 + 100)
    draft = services.certificates.draft(other.id, CertificateKind.PHYTOSANITARY, ctx=declarant)
    return done, draft.id


def test_the_api_answers_an_issued_certificate_as_valid_ephyto(
    client: TestClient, world: World
) -> None:
    done, draft = _issued(world.services)
    assert done.issue is not None
    url = f"/api/v1/certificates/{done.id}/ephyto.xml"
    answer = client.get(url, headers=login(client, "port"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert f'filename="{done.issue.number}.ephyto.xml"' in answer.headers["content-disposition"]
    checked = CODEC.check(answer.content)
    assert checked.problems == () and checked.kind == "envelope"
    assert checked.received is not None
    assert checked.received.number == done.issue.number
    assert checked.received.envelope is not None
    assert checked.received.envelope.receiver == done.content.destination
    bare = client.get(f"{url}?envelope=false", headers=login(client, "certifier"))
    assert CODEC.check(bare.content).kind == "certificate"
    unissued = client.get(
        f"/api/v1/certificates/{draft}/ephyto.xml", headers=login(client, "certifier")
    )
    assert unissued.status_code == 404 and unissued.json()["code"] == "ephyto.no_certificate"
    elsewhere = client.get(url, headers=login(client, "insp_nc"))
    assert elsewhere.status_code == 404


def test_the_cli_writes_an_issued_certificate_and_refuses_an_unknown_number(
    world: World, tmp_path: Path
) -> None:
    services = world.services
    done, _ = _issued(services)
    assert done.issue is not None
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "LANG": "en_US.UTF-8"}
    target = tmp_path / "out.xml"
    ran = phytowatch("ephyto", "export", done.issue.number, "--out", str(target), env=env)
    assert ran.returncode == 0, ran.stderr
    assert f"certificate {done.issue.number} written" in ran.stdout
    checked = phytowatch("ephyto", "validate", str(target), env=env)
    assert checked.returncode == 0 and "valid (envelope)" in checked.stdout
    missing = phytowatch("ephyto", "export", "GZ26P999999", "--out", str(target), env=env)
    assert missing.returncode == 2 and "no issued certificate GZ26P999999" in missing.stderr
