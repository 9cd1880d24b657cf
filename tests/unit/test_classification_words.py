"""The words classification and bases show by their code are in the catalogue, in Chinese."""

from __future__ import annotations

from phytowatch.domain.supervision.classification import ProposalState
from phytowatch.domain.supervision.registry import BaseEventKind, BaseStatus
from phytowatch.i18n import catalogue, words
from phytowatch.rules import load_shipped


def test_every_status_event_state_and_measure_is_marked_and_said_in_chinese() -> None:
    assert {s.value for s in BaseStatus} <= set(words.BASE_STATUSES)
    assert {k.value for k in BaseEventKind} <= set(words.BASE_EVENTS)
    assert {s.value for s in ProposalState} <= set(words.PROPOSAL_STATES)
    measures = {rule.measure for rule in load_shipped().classification.rules}
    assert measures <= set(words.MEASURES)
    zh = catalogue.translations("zh_CN").entries
    shown = (*words.BASE_STATUSES, *words.BASE_EVENTS, *words.PROPOSAL_STATES, *words.MEASURES)
    assert [word for word in shown if not zh.get(word)] == []
    assert zh["suspended"] == "暂停" and zh["failed_runs"] == "不合格处理"
