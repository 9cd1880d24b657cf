"""Received ePhytos on a real database (SQLite and PostgreSQL): the store keeps the raw XML and
its fields once, the database refuses to change or remove one (append-only); the API, the pages
and the CLI import, refuse a broken document naming line and element, and show it read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from accountsworld import World, login
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from acting import ctx_at
from clirunner import phytowatch
from phytowatch.bootstrap import Services

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).parents[1] / "ephyto_samples"
GOOD = SAMPLES / "co-pe-reference.xml"
SOAP = SAMPLES / "bo-ar-hub-envelope-soap.xml"
BAD = SAMPLES / "ar-ec-test-out-of-order.xml"
XML = {"Content-Type": "application/xml"}


def test_the_store_keeps_a_document_once_and_reads_it_back(services: Services) -> None:
    done = services.ephyto.import_xml(GOOD.read_bytes(), ctx=ctx_at(7, "cli:ops"))
    again = services.ephyto.import_xml(GOOD.read_bytes(), ctx=ctx_at(8, "cli:ops"))
    assert done.created and not again.created and again.stored.id == done.stored.id
    assert services.ephyto.raw(done.stored.id) == GOOD.read_bytes()
    stored = services.ephyto.received(done.stored.id)
    assert stored.received == done.stored.received  # every field, through its JSON
    assert stored.received.lines[0].treatments[0].value("TTL1") == "CHT"
    found = services.ephyto.find(offset=0, limit=10)
    assert found.total == 1 and found.items[0].imported_by == "cli:ops"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE received_ephyto SET number = 'forged'",
        "UPDATE received_ephyto SET raw = :raw",
        "DELETE FROM received_ephyto",
    ],
)
def test_the_database_refuses_to_change_or_remove_a_received_ephyto(
    services: Services, statement: str
) -> None:
    done = services.ephyto.import_xml(GOOD.read_bytes(), ctx=ctx_at(7, "cli:ops"))
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
        conn.execute(text(statement), {"raw": b"<forged/>"} if ":raw" in statement else {})
    assert services.ephyto.raw(done.stored.id) == GOOD.read_bytes()
    assert services.ephyto.received(done.stored.id).received.number == "123456789CO"


def test_the_api_imports_refuses_a_broken_one_and_lists(client: TestClient, world: World) -> None:
    port = login(client, "port")
    made = client.post("/api/v1/ephyto", content=SOAP.read_bytes(), headers={**port, **XML})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (
        body["created"] and body["number"] == "BO-5845145424" and body["code"] == "ephyto.imported"
    )
    assert body["certificate"]["envelope"]["sender"] == "BO"
    again = client.post("/api/v1/ephyto", content=SOAP.read_bytes(), headers={**port, **XML})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    broken = client.post("/api/v1/ephyto", content=BAD.read_bytes(), headers={**port, **XML})
    assert broken.status_code == 422
    problems = broken.json()["problems"]
    assert [(p["line"], p["element"]) for p in problems] == [
        (84, "ReferenceSPSReferencedDocument"),
        (127, "TransitSPSCountry"),
    ]
    assert broken.json()["code"] == "ephyto.invalid"
    hostile = client.post(
        "/api/v1/ephyto",
        content=b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        headers={**port, **XML},
    )
    assert hostile.status_code == 422 and hostile.json()["code"] == "ephyto.doctype"
    inspector = login(client, "inspector")
    listed = client.get("/api/v1/ephyto", headers=inspector)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    one = client.get(f"/api/v1/ephyto/{body['id']}", headers=inspector)
    assert one.json()["certificate"]["lines"][0]["scientific_name"] == "Elymus elongatus"
    raw = client.get(f"/api/v1/ephyto/{body['id']}/xml", headers=inspector)
    assert raw.content == SOAP.read_bytes() and "attachment" in raw.headers["content-disposition"]
    missing = client.get("/api/v1/ephyto/999", headers=inspector)
    assert missing.status_code == 404 and missing.json()["code"] == "ephyto.no_received"
    declarant = client.post(
        "/api/v1/ephyto", content=GOOD.read_bytes(), headers={**login(client, "declarant"), **XML}
    )
    assert declarant.status_code == 403


def _multipart(data: bytes, name: str = "file") -> tuple[bytes, str]:
    boundary = "----phytowatchtest"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="cert.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_pages_import_an_upload_and_show_every_field_in_both_languages(
    client: TestClient, world: World
) -> None:
    certifier = login(client, "certifier")
    body, kind = _multipart(GOOD.read_bytes())
    made = client.post(
        "/ephyto", content=body, headers={**certifier, "Content-Type": kind}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    assert page_url.startswith("/ephyto/1?imported=1")
    zh = client.get(
        page_url, headers={**certifier, "Cookie": certifier["Cookie"] + "; phytowatch_lang=zh_CN"}
    )
    assert "授权官员" in zh.text and "John Doe" in zh.text and "附加声明" in zh.text
    en = client.get(
        page_url, headers={**certifier, "Cookie": certifier["Cookie"] + "; phytowatch_lang=en"}
    )
    assert "Authorized officer" in en.text and "Widgeticus" in en.text
    listed = client.get("/ephyto", headers=certifier)
    assert "123456789CO" in listed.text
    raw = client.get("/ephyto/1/received.xml", headers=certifier)
    assert raw.content == GOOD.read_bytes()
    body, kind = _multipart(BAD.read_bytes())
    refused = client.post("/ephyto", content=body, headers={**certifier, "Content-Type": kind})
    assert refused.status_code == 422
    assert "TransitSPSCountry" in refused.text and "127" in refused.text
    body, kind = _multipart(b"", name="other")
    empty = client.post("/ephyto", content=body, headers={**certifier, "Content-Type": kind})
    assert empty.status_code == 422


def test_the_cli_validates_and_imports(services: Services, tmp_path: Path) -> None:
    env = {"PHYTOWATCH_DATABASE_URL": services.settings.database_url, "LANG": "en_US.UTF-8"}
    checked = phytowatch("ephyto", "validate", str(GOOD), str(SOAP), str(BAD), env=env)
    assert checked.returncode == 2
    lines = checked.stdout.splitlines()
    assert f"{GOOD}: valid (certificate)" in lines and f"{SOAP}: valid (soap)" in lines
    assert any(
        line.startswith(f"{BAD}:84: element 'ReferenceSPSReferencedDocument': ") for line in lines
    )
    assert any(line.startswith(f"{BAD}:127: element 'TransitSPSCountry': ") for line in lines)
    assert phytowatch("ephyto", "validate", str(GOOD), env=env).returncode == 0
    made = phytowatch("ephyto", "import", str(GOOD), env=env)
    assert made.returncode == 0, made.stderr
    assert "imported as received ePhyto 1" in made.stdout
    again = phytowatch("ephyto", "import", str(GOOD), env=env)
    assert again.returncode == 0 and "imported already" in again.stdout
    broken = phytowatch("ephyto", "import", str(BAD), env=env)
    assert broken.returncode == 2 and "TransitSPSCountry" in broken.stderr
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE a [<!ENTITY a "aaaa">]><a>&a;</a>')
    refused = phytowatch("ephyto", "import", str(bomb), env=env)
    assert refused.returncode == 2 and "DOCTYPE" in refused.stderr
    assert services.ephyto.find(offset=0, limit=10).total == 1
