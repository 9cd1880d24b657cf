"""The public verification's rate limit (web/printed/ratelimit.py): a sliding window per
address, with the seconds to wait."""

from __future__ import annotations

from phytowatch.web.printed.ratelimit import RateLimiter

S = 1_000_000


def test_the_limit_counts_per_address_and_says_how_long_to_wait() -> None:
    limiter = RateLimiter(limit=3, window_us=60 * S)
    assert [limiter.check("a", now=t * S) for t in (0, 10, 20)] == [None, None, None]
    assert limiter.check("a", now=30 * S) == 30  # the first check leaves the window at 60 s
    assert limiter.check("b", now=30 * S) is None  # another address has its own count


def test_the_window_slides_the_oldest_check_out() -> None:
    limiter = RateLimiter(limit=2, window_us=60 * S)
    limiter.check("a", now=0)
    limiter.check("a", now=50 * S)
    assert limiter.check("a", now=59 * S) == 1
    assert limiter.check("a", now=60 * S) is None  # the check at 0 s has left
    assert limiter.check("a", now=61 * S) == 49


def test_a_refused_check_is_not_counted() -> None:
    limiter = RateLimiter(limit=1, window_us=10 * S)
    limiter.check("a", now=0)
    for t in range(1, 10):
        assert limiter.check("a", now=t * S) is not None
    assert limiter.check("a", now=10 * S) is None
