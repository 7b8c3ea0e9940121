"""Rate limits for what strangers may write (issue 14): fixed windows counted in Django's
cache, so the embedded mode needs nothing extra to run. With the default per-process cache a
limit is exact per web worker; a shared cache (DatabaseCache, Redis) makes it exact across
workers and machines (docs/security notes in docs/escalation.md and docs/configuration.md).

A limit of 0 turns the check off."""

import hashlib
import time

from django.core.cache import cache


def over_limit(name: str, key: str, *, limit: int, seconds: int) -> int | None:
    """Count one use of `name` by `key`; None while within `limit` uses per window, else the
    seconds until the window ends (for Retry-After)."""
    if limit <= 0 or not key:
        return None
    now = int(time.time())
    window = now // seconds
    digest = hashlib.sha256(key.casefold().encode()).hexdigest()[:32]
    counter = f"loket:limit:{name}:{digest}:{window}"
    cache.add(counter, 0, timeout=seconds + 60)
    try:
        used = cache.incr(counter)
    except ValueError:  # evicted between add and incr: count this use alone
        cache.set(counter, 1, timeout=seconds + 60)
        used = 1
    return seconds - now % seconds if used > limit else None
