"""``phytowatch certificates`` on a real database: an office's keys created, rotated, listed and
exported (a PEM X.509 certificate naming the office), its numbering pattern shown and set (a
bad one refused in one line, exit 2), an issued certificate listed and shown with its signature
verified."""

from __future__ import annotations

import json

import pytest
from accountsworld import World

from acting import ctx_of
from certworld import T0, assessed, passed_run, person
from clirunner import Ran, phytowatch
from phytowatch.bootstrap import Services
from phytowatch.domain.certificates.model import CertificateKind

pytestmark = pytest.mark.integration


def _run(services: Services, *args: str, lang: str = "C.UTF-8") -> Ran:
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "LC_ALL": lang}
    return phytowatch("certificates", *args, env=env)


def test_keys_are_created_rotated_listed_and_exported(world: World) -> None:
    services = world.services
    none = _run(services, "keys", "export", "--office", "GZ")
    assert none.returncode == 2
    assert "phytowatch certificates keys create --office GZ" in none.stderr
    rotate_none = _run(services, "keys", "rotate", "--office", "GZ")
    assert rotate_none.returncode == 2
    made = _run(services, "keys", "create", "--office", "GZ")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("office GZ: key ")
    rotated = _run(services, "keys", "rotate", "--office", "GZ")
    assert rotated.returncode == 0, rotated.stderr
    listed = _run(services, "keys", "list", "--office", "GZ").stdout.splitlines()
    assert [line.split("\t")[3] for line in listed] == ["in use", "retired"]
    assert "Ed25519" in listed[0]
    exported = _run(services, "keys", "export", "--office", "GZ")
    assert exported.returncode == 0
    assert exported.stdout.startswith("-----BEGIN CERTIFICATE-----")
    from cryptography import x509

    published = x509.load_pem_x509_certificate(exported.stdout.encode())
    assert "OU=GZ" in published.subject.rfc4514_string()
    unknown = _run(services, "keys", "create", "--office", "XX")
    assert unknown.returncode == 2 and "XX" in unknown.stderr
    zh = _run(services, "keys", "list", "--office", "GZ", lang="zh_CN.UTF-8")
    assert "已停用" in zh.stdout


def test_a_numbering_pattern_is_shown_set_and_a_bad_one_refused(world: World) -> None:
    services = world.services
    shown = _run(services, "numbering", "show", "--office", "GZ")
    assert shown.returncode == 0
    assert "{office}{yy}{kind}{seq:06d}" in shown.stdout and "GZ26P000001" in shown.stdout
    done = _run(services, "numbering", "set", "--office", "GZ", "{office}/{yyyy}/{kind}{seq:05d}")
    assert done.returncode == 0, done.stderr
    assert "GZGZ" not in done.stdout and "GZ/2026/P00001" in done.stdout
    for bad in ("{office}{seq}", "{office}{yy}{colour}{seq}", "{office} {yy}{seq}", ""):
        refused = _run(services, "numbering", "set", "--office", "GZ", bad)
        assert refused.returncode == 2, bad
        assert refused.stderr.startswith("phytowatch: ") and len(refused.stderr.splitlines()) == 1
    unknown = _run(services, "numbering", "show", "--office", "XX")
    assert unknown.returncode == 2 and "XX" in unknown.stderr
    still = _run(services, "numbering", "show", "--office", "GZ")
    assert "{office}/{yyyy}/{kind}{seq:05d}" in still.stdout


def test_an_issued_certificate_is_listed_and_shown_with_its_signature(world: World) -> None:
    services = world.services
    assert _run(services, "keys", "create", "--office", "GZ").returncode == 0
    consignment = assessed(services, runs=(passed_run(services),))
    certificates = services.certificates
    declarant = ctx_of(person(services, "declarant"), T0 + 10)
    certifier = ctx_of(person(services, "certifier"), T0 + 11)
    draft = certificates.draft(consignment.id, CertificateKind.PHYTOSANITARY, ctx=declarant)
    certificates.submit(draft.id, ctx=declarant)
    certificates.approve(draft.id, ctx=certifier)
    certificates.issue(draft.id, ctx=certifier)
    listed = _run(services, "list", "--state", "issued")
    assert listed.stdout.split("\t")[:3] == ["GZ26P000001", "phytosanitary", "issued"]
    shown = _run(services, "show", "GZ26P000001")
    assert shown.returncode == 0
    body = json.loads(shown.stdout)
    assert body["signature"] == {"valid": True, "hash_matches": True, "key_known": True}
    assert body["content"]["treatments"][0]["method"] == "heat treatment"
    missing = _run(services, "show", "GZ26P999999")
    assert missing.returncode == 2 and "GZ26P999999" in missing.stderr
    bad_state = _run(services, "list", "--state", "lost")
    assert bad_state.returncode == 2
    none = _run(services, "list", "--state", "cancelled", lang="zh_CN.UTF-8")
    assert none.returncode == 0 and none.stdout == ""  # a script reading stdout gets nothing
    assert "没有符合条件的证书" in none.stderr
