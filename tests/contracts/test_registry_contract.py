"""The Registry port (services.ports): what InMemoryRegistry and SqlRegistry both do, on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from stores import T0, Site

from phytowatch.domain.messages import Code, Kind
from phytowatch.services.ports import EnterpriseRecord, KnownStill
from refusals import refused

pytestmark = pytest.mark.contract


def test_an_enterprise_is_found_by_its_code_as_added_and_added_once(site: Site) -> None:
    added = site.registry.add_enterprise("E2", "南昌木业", "Nanchang Wood", "南昌", "I", now=T0)
    assert added == EnterpriseRecord(added.id, "E2", "南昌木业", "Nanchang Wood", "南昌", "I")
    assert site.registry.enterprise_by_code("E2") == added
    assert site.registry.enterprise_by_code("E9") is None
    with refused(Code.ENTERPRISE_EXISTS, Kind.CONFLICT):
        site.registry.add_enterprise("E2", "另一家", "Another", "九江", "II", now=T0)
    assert site.registry.enterprise_by_code("E2") == added


def test_a_facility_keeps_its_probes_in_the_order_given_and_is_added_once(site: Site) -> None:
    enterprise = site.registry.enterprise_by_code("E1")
    assert enterprise is not None
    probes = [("W2", "water", "left"), ("W1", "water", ""), ("P1", "product", "pulp")]
    tank = site.registry.add_facility(
        "T1", enterprise.id, "hot_water_tank", probes, name="槽", treater_number="T-1", now=T0
    )
    assert (tank.code, tank.enterprise_id, tank.kind) == ("T1", enterprise.id, "hot_water_tank")
    assert [(p.code, p.role) for p in tank.probes.values()] == [
        ("W2", "water"),
        ("W1", "water"),
        ("P1", "product"),
    ]
    ids = [p.id for p in tank.probes.values()]
    assert ids == sorted(ids) and len(set(ids) | {p.id for p in site.k1.probes.values()}) == 6
    assert site.registry.facility_by_code("T1") == tank
    assert site.registry.facility_by_code("K1") == site.k1
    assert site.registry.facility_by_code("T9") is None
    with refused(Code.FACILITY_EXISTS, Kind.CONFLICT):
        site.registry.add_facility(
            "T1", enterprise.id, "kiln", probes[:1], name="", treater_number=None, now=T0
        )
    assert site.registry.facility_by_code("T1") == tank


def test_a_live_device_token_finds_its_facility_as_its_code_does(site: Site) -> None:
    site.registry.add_token(site.k1.id, "hash-1", "pwd_abc", now=T0)
    site.registry.add_token(site.k2.id, "hash-2", "pwd_def", now=T0)
    assert site.registry.facility_by_token_hash("hash-1") == site.k1
    assert site.registry.facility_by_token_hash("hash-2") == site.k2
    assert site.registry.facility_by_token_hash("hash-9") is None


def test_revoking_a_facilitys_tokens_counts_the_live_ones_and_leaves_other_facilities(
    site: Site,
) -> None:
    site.registry.add_token(site.k1.id, "hash-1", "pwd_a", now=T0)
    site.registry.add_token(site.k1.id, "hash-2", "pwd_b", now=T0)
    site.registry.add_token(site.k2.id, "hash-3", "pwd_c", now=T0)
    assert site.registry.revoke_tokens(site.k1.id, now=T0 + 1) == 2
    assert site.registry.revoke_tokens(site.k1.id, now=T0 + 2) == 0
    assert site.registry.facility_by_token_hash("hash-1") is None
    assert site.registry.facility_by_token_hash("hash-2") is None
    assert site.registry.facility_by_token_hash("hash-3") == site.k2


def test_replacing_a_facilitys_tokens_leaves_the_new_one_alone_live(site: Site) -> None:
    site.registry.add_token(site.k1.id, "hash-1", "pwd_a", now=T0)
    site.registry.replace_tokens(site.k1.id, "hash-2", "pwd_b", now=T0 + 1)
    site.registry.replace_tokens(site.k1.id, "hash-3", "pwd_c", now=T0 + 2)
    assert [site.registry.facility_by_token_hash(h) for h in ("hash-1", "hash-2")] == [None, None]
    assert site.registry.facility_by_token_hash("hash-3") == site.k1
    assert site.registry.revoke_tokens(site.k1.id, now=T0 + 3) == 1


def test_a_facilitys_cameras_are_its_own_by_code(site: Site) -> None:
    site.registry.add_camera(site.k1.id, "yard", "堆场", now=T0)
    site.registry.add_camera(site.k1.id, "door", "门口", now=T0)
    site.registry.add_camera(site.k2.id, "door", "K2 门口", now=T0)
    assert list(site.registry.cameras_of(site.k1.id).items()) == [
        ("door", "门口"),
        ("yard", "堆场"),
    ]
    assert site.registry.cameras_of(site.k2.id) == {"door": "K2 门口"}
    assert site.registry.cameras_of(site.k2.id + 1) == {}


def test_a_still_is_found_by_its_facility_and_hash(site: Site) -> None:
    sha = "ab" * 32
    assert site.registry.snapshot_by_hash(site.k1.id, sha) is None
    first = site.registry.add_snapshot(
        site.k1.id, b"\xff\xd8jpeg", sha, "image/jpeg", camera="door", taken_at=None, now=T0
    )
    other = site.registry.add_snapshot(
        site.k2.id, b"\xff\xd8jpeg", sha, "image/jpeg", camera="", taken_at=T0 - 1, now=T0
    )
    assert first != other
    assert site.registry.snapshot_by_hash(site.k1.id, sha) == KnownStill(first, "door", None)
    assert site.registry.snapshot_by_hash(site.k2.id, sha) == KnownStill(other, "", T0 - 1)
    assert site.registry.snapshot_by_hash(site.k1.id, "cd" * 32) is None
