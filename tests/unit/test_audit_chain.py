"""The audit hash chain: every kind of tampering is found, at the first bad row."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from phytowatch.domain.audit import (
    GENESIS,
    Anchor,
    AuditEntry,
    AuditRecord,
    Tampering,
    canonical_json,
    chain,
    entry_hash,
    verify,
)
from phytowatch.domain.messages import Code, Instant, Kind, say
from refusals import refused

T0 = 1_780_000_000_000_000  # 2026-05-28


def trail(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        record = AuditRecord(
            at=T0 + i * 1_000_000,
            actor="cli:root",
            action="facility.added",
            object_type="facility",
            object_id=f"K{i + 1}",
            before=None if i % 2 else canonical_json({"kind": "kiln"}),
            after=canonical_json({"kind": "kiln", "name": f"窑 {i + 1}"}),
        )
        entries.append(chain(record, entries[-1] if entries else None))
    return entries


def rehashed(entry: AuditEntry, **changes: Any) -> AuditEntry:
    """The row changed and its hash recomputed, as a careful forger would."""
    changed = replace(entry, **changes)
    fields = {k: v for k, v in vars(changed).items() if k != "hash"}
    return replace(changed, hash=entry_hash(**fields))


def _content_hash(entry: AuditEntry) -> str:
    """What the row's content hashes to, whatever its ``hash`` says."""
    return entry_hash(**{k: v for k, v in vars(entry).items() if k != "hash"})


def test_an_untouched_trail_is_intact_and_counted() -> None:
    entries = trail(10)
    report = verify(entries)
    assert report.intact
    assert report.count == 10
    assert report.head == entries[-1]


def test_the_first_entry_chains_from_genesis_and_the_seqs_count_from_one() -> None:
    entries = trail(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert len({e.hash for e in entries}) == 3


def test_an_empty_trail_is_intact() -> None:
    report = verify([])
    assert report.intact
    assert report.count == 0
    assert report.head is None


def test_the_hash_covers_every_field() -> None:
    entry = trail(1)[0]
    for name, value in [
        ("seq", 2),
        ("at", entry.at + 1),
        ("actor", "user:mallory"),
        ("action", "facility.removed"),
        ("object_type", "enterprise"),
        ("object_id", "K9"),
        ("before", None),
        ("after", '{"kind":"oven"}'),
        ("prev_hash", "0" * 64),
    ]:
        fields = {k: v for k, v in vars(entry).items() if k != "hash"}
        fields[name] = value
        assert entry_hash(**fields) != entry.hash, name


def test_an_edited_row_is_named_with_its_seq() -> None:
    entries = trail(6)
    entries[3] = replace(entries[3], after='{"kind":"kiln","name":"forged"}')
    report = verify(entries)
    assert report.problem is not None
    assert report.problem.seq == 4
    assert report.problem.kind is Tampering.EDITED
    assert report.problem.at == entries[3].at
    message = report.problem.message
    assert message.code is Code.AUDIT_CHANGED
    assert dict(message.params) == {
        "seq": 4,
        "action": "facility.added",
        "object": "facility K4",
        "expected": _content_hash(entries[3]),
        "found": trail(6)[3].hash,
    }
    assert report.count == 6


def test_an_edited_actor_or_time_is_caught_too() -> None:
    for change in ({"actor": "user:someone-else"}, {"at": T0 - 1}):
        entries = trail(4)
        entries[1] = replace(entries[1], **change)
        problem = verify(entries).problem
        assert problem is not None
        assert (problem.seq, problem.kind) == (2, Tampering.EDITED)


def test_an_edited_row_with_its_hash_recomputed_breaks_the_link_of_the_next() -> None:
    entries = trail(6)
    entries[2] = rehashed(entries[2], actor="user:mallory")
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.EDITED)
    assert problem.message == say(
        Code.AUDIT_REWRITTEN,
        seq=3,
        next=4,
        expected=entries[2].hash,
        found=trail(6)[2].hash,  # seq 4 still follows the row as it was recorded
    )


def test_a_removed_middle_row_is_a_gap() -> None:
    entries = trail(6)
    del entries[2]
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.REMOVED)
    assert problem.message == say(
        Code.AUDIT_MISSING, seq=3, before=Instant(entries[1].at), after=Instant(entries[2].at)
    )
    assert problem.at == entries[1].at
    assert problem.message.english() == (
        "seq 3 is missing: a row was removed between the entries of 2026-05-28T20:26:41Z "
        "and 2026-05-28T20:26:43Z"
    )


def test_several_removed_rows_are_counted() -> None:
    entries = trail(8)
    del entries[2:5]
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.REMOVED)
    assert problem.message == say(
        Code.AUDIT_MISSING_MANY,
        first=3,
        last=5,
        count=3,
        before=Instant(entries[1].at),
        after=Instant(entries[2].at),
    )


def test_a_removed_first_row_is_caught() -> None:
    entries = trail(3)[1:]
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (1, Tampering.REMOVED)


def test_a_removed_row_with_the_rest_renumbered_is_a_removal() -> None:
    entries = trail(6)
    del entries[2]
    entries[2:] = [replace(e, seq=e.seq - 1) for e in entries[2:]]
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.REMOVED)
    assert problem.message == say(Code.AUDIT_RENUMBERED, seq=3, original=4)


def test_two_rows_with_their_seqs_swapped_are_reordered() -> None:
    entries = trail(6)
    a, b = entries[2], entries[3]
    entries[2], entries[3] = replace(b, seq=3), replace(a, seq=4)
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.REORDERED)
    assert problem.message == say(Code.AUDIT_MOVED, seq=3, original=4)


def test_swapping_the_first_two_rows_is_reordered() -> None:
    entries = trail(3)
    entries[0], entries[1] = replace(entries[1], seq=1), replace(entries[0], seq=2)
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (1, Tampering.REORDERED)


def test_rows_given_out_of_order_are_reordered() -> None:
    entries = trail(4)
    entries[1], entries[2] = entries[2], entries[1]
    problem = verify(entries).problem
    assert problem is not None
    # seq 3 comes second: seqs 2 looks missing first, which is where the trail first goes wrong
    assert problem.seq == 2


def test_a_replaced_first_row_is_caught() -> None:
    entries = trail(3)
    entries[0] = rehashed(entries[0], prev_hash="f" * 64)
    problem = verify(entries).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (1, Tampering.EDITED)
    assert problem.message == say(Code.AUDIT_NOT_GENESIS, seq=1, found="f" * 64)


def test_only_the_first_problem_is_reported() -> None:
    entries = trail(8)
    entries[5] = replace(entries[5], actor="x")
    entries[2] = replace(entries[2], actor="y")
    problem = verify(entries).problem
    assert problem is not None
    assert problem.seq == 3


def test_rows_removed_from_the_end_are_caught_by_the_anchored_head() -> None:
    entries = trail(6)
    anchor = Anchor(6, entries[5].hash)
    assert verify(entries, anchor=anchor).intact
    problem = verify(entries[:4], anchor=anchor).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (5, Tampering.REMOVED)
    assert problem.message == say(Code.AUDIT_CUT_MANY, end=4, head=6, first=5)
    assert problem.message.english().endswith("seq 5…6 were removed from the end")
    one = verify(entries[:5], anchor=anchor).problem
    assert one is not None and one.message == say(Code.AUDIT_CUT, end=5, head=6)


def test_a_full_rewrite_is_caught_by_the_anchored_head() -> None:
    entries = trail(4)
    anchor = Anchor(3, entries[2].hash)
    forged: list[AuditEntry] = []
    for entry in entries:
        record = AuditRecord(
            entry.at, "user:mallory", entry.action, entry.object_type, entry.object_id, None, None
        )
        forged.append(chain(record, forged[-1] if forged else None))
    assert verify(forged).intact  # a chain alone cannot tell
    problem = verify(forged, anchor=anchor).problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.EDITED)
    assert problem.message == say(
        Code.AUDIT_ANCHOR_MISMATCH, seq=3, anchored=entries[2].hash, found=forged[2].hash
    )


def test_the_trail_is_read_once_as_a_stream() -> None:
    entries = trail(5)
    entries[2] = replace(entries[2], actor="y")
    report = verify(iter(entries))
    assert report.problem is not None
    assert report.count == 5
    assert report.head == entries[-1]


def test_an_anchor_is_parsed_from_what_audit_head_prints() -> None:
    digest = "ab" * 32
    assert Anchor.parse(f"42:{digest}") == Anchor(42, digest)
    assert Anchor.parse(f" 42:{digest.upper()} ") == Anchor(42, digest)
    assert str(Anchor(42, digest)) == f"42:{digest}"
    for bad in ("42", f"x:{digest}", "42:abc", f"0:{digest}", f"42:{'g' * 64}"):
        with refused(Code.AUDIT_HEAD_FORMAT, Kind.INVALID) as caught:
            Anchor.parse(bad)
        assert caught.value.message.params["text"] == bad


def test_canonical_json_is_one_text_per_value() -> None:
    assert canonical_json({"b": 1, "a": "温度"}) == '{"a":"温度","b":1}'
    with pytest.raises(ValueError):
        canonical_json({"v": float("nan")})
