"""Options for the whole suite."""

from __future__ import annotations

import os

import pytest

# Password hashes at scrypt's cheapest accepted cost: the suite stays fast. Production keeps the
# default (15, see docs/accounts.md); subprocesses started by tests inherit this too.
os.environ.setdefault("PHYTOWATCH_PASSWORD_HASH_COST", "10")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--dburl",
        action="append",
        choices=["sqlite", "postgresql"],
        help="database(s) the storage tests run on (default: both)",
    )
