"""Rate limits for what strangers may write (issue 14): fixed windows counted in Django's
cache, so the embedded mode needs nothing extra to run. With the default per-process cache a
limit is exact per web worker; a shared cache (DatabaseCache, Redis) makes it exact across
workers and machines (docs/security notes in docs/escalation.md and docs/configuration.md).

A limit of 0 turns the check off."""

import contextlib
import hashlib
import time

from django.core.cache import cache


def counter_of(name: str, key: str, seconds: int) -> tuple[str, int]:
    """The cache key of this window's counter, and the seconds until the window ends."""
    now = int(time.time())
    digest = hashlib.sha256(key.casefold().encode()).hexdigest()[:32]
    return f"loket:limit:{name}:{digest}:{now // seconds}", seconds - now % seconds


def exceeded(name: str, key: str, *, limit: int, seconds: int) -> int | None:
    """Like `over_limit`, without counting a use: for limits that count only failures."""
    if limit <= 0 or not key:
        return None
    counter, left = counter_of(name, key, seconds)
    return left if (cache.get(counter) or 0) >= limit else None


def over_limit(name: str, key: str, *, limit: int, seconds: int) -> int | None:
    """Count one use of `name` by `key`; None while within `limit` uses per window, else the
    seconds until the window ends (for Retry-After)."""
    if limit <= 0 or not key:
        return None
    used, left = count_use(name, key, seconds=seconds)
    return left if used > limit else None


def count_use(name: str, key: str, *, seconds: int) -> tuple[int, int]:
    """Count one use of `name` by `key`: the uses in this window so far, this one included,
    and the seconds until the window ends."""
    counter, left = counter_of(name, key, seconds)
    cache.add(counter, 0, timeout=seconds + 60)
    try:
        used = cache.incr(counter)
    except ValueError:  # evicted between add and incr: count this use alone
        cache.set(counter, 1, timeout=seconds + 60)
        used = 1
    return used, left


def take_allowance(name: str, key: str, amount: int, *, limit: int, seconds: int) -> int | None:
    """Count `amount` (bytes, say) against `key`'s allowance of `limit` a window: None when it
    fits, else the seconds until the window ends - and then nothing is counted, so what was
    refused does not use up the allowance."""
    if limit <= 0 or not key or amount <= 0:
        return None
    counter, left = counter_of(name, key, seconds)
    cache.add(counter, 0, timeout=seconds + 60)
    try:
        used = cache.incr(counter, amount)
    except ValueError:  # evicted between add and incr
        cache.set(counter, amount, timeout=seconds + 60)
        used = amount
    if used <= limit:
        return None
    give_back(name, key, amount, seconds=seconds)
    return left


def give_back(name: str, key: str, amount: int, *, seconds: int) -> None:
    """Undo `take_allowance` (a form refused as a whole keeps nothing it counted)."""
    if amount <= 0 or not key:
        return
    counter, _ = counter_of(name, key, seconds)
    # The window ended or was evicted (ValueError): nothing left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(counter, amount)
