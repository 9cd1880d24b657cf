"""What the stores' searches share: a column that holds a text, in any case, with the text's
``%``, ``_`` and ``\\`` taken literally (``ILIKE`` on PostgreSQL, ``lower() LIKE lower()`` on
SQLite)."""

from __future__ import annotations

from typing import Any


def like(text: str) -> str:
    """A ``LIKE`` pattern that finds ``text`` anywhere, its ``%``, ``_`` and ``\\`` literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def holds(column: Any, text: str) -> Any:
    """``column`` holds ``text``, in any case (ASCII; Chinese has none)."""
    return column.ilike(like(text), escape="\\")
