"""The official policy in force, as the chain's use cases read it (``PolicySource``)."""

from __future__ import annotations

from dataclasses import dataclass

from phytowatch.domain.supervision.policy import Policy


@dataclass(frozen=True)
class StaticPolicy:
    """A policy that does not change while the process runs: the shipped files."""

    fixed: Policy

    def policy(self) -> Policy:
        return self.fixed
