"""Options for the whole suite."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--dburl",
        action="append",
        choices=["sqlite", "postgresql"],
        help="database(s) the storage tests run on (default: both)",
    )
