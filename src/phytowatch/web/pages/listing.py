"""What the long lists of the administration and the audit trail share: a page of rows at a
time, its number read leniently from the address, and the links to the other pages that keep
the list's search and filters.

The rows are searched and counted by the database (``LIMIT``/``OFFSET`` with a ``COUNT``), so a
list of 10,000 users costs the page it shows. Not a router: the pages' routers import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # past any list; the offset stays a number every database takes
MAX_SEARCH = 200  # characters of a search that are used


def page_number(text: str | None) -> int:
    """The page asked for (1 for anything that is not a page number: nothing to refuse)."""
    try:
        number = int(text or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def search_text(text: str | None) -> str:
    """What to search for: trimmed, cut to ``MAX_SEARCH``, without a NUL (no column holds one)."""
    return (text or "").replace("\x00", "").strip()[:MAX_SEARCH]


def offset_of(page: int, size: int = PAGE_SIZE) -> int:
    return (page - 1) * size


@dataclass(frozen=True)
class Pager:
    """Where a page of rows is in the list, and the addresses of its neighbours."""

    path: str
    params: Mapping[str, str]  # the list's search and filters, kept by every link
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else min(offset_of(self.page, self.size) + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(offset_of(self.page, self.size) + self.size, self.total)

    def url(self, page: int) -> str:
        kept = {k: v for k, v in self.params.items() if v}
        if page > 1:
            kept["page"] = str(page)
        return self.path + (f"?{urlencode(kept)}" if kept else "")

    @property
    def previous(self) -> str | None:
        return self.url(min(self.page - 1, self.pages)) if self.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.page + 1) if self.page < self.pages else None

    @property
    def beyond(self) -> bool:
        """A page past the end (an old link): the list says so and links to the last page."""
        return self.page > self.pages
