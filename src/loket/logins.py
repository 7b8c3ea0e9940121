"""Login protection (issue 14, item 2): failed sign-ins are counted per account and per client
address on every login (the console's, the admin's: both go through this authentication
backend); past a limit that account, or that address, is locked out for a while, the right
password included, and the page says so in the reader's language with 429 and Retry-After.

Counters and locks live in Django's cache, like the other rate limits (loket/limits.py): with
the default per-process cache a limit holds per web worker, a shared cache makes it exact.
Every failure, lockout and refusal is a warning on the `loket.security` logger: the audit
trail, with the account name and the address, never the password.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from loket.limits import count_use, counter_of

logger = logging.getLogger("loket.security")


def lock_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.casefold().encode()).hexdigest()[:32]
    return f"loket:login-lock:{kind}:{digest}"


def locked_for(keys: dict[str, str]) -> int | None:
    """Seconds until the longest lock on any of these (kind -> value) ends, or None."""
    now = time.time()
    ends = [cache.get(lock_key(kind, value)) for kind, value in keys.items() if value]
    left = [end - now for end in ends if end is not None and end > now]
    return math.ceil(max(left)) if left else None


def limits() -> dict[str, int]:
    return {
        "account": settings.LOKET_LOGIN_FAILURES_PER_ACCOUNT,
        "address": settings.LOKET_LOGIN_FAILURES_PER_ADDRESS,
    }


def record_failure(keys: dict[str, str]) -> None:
    """Count one failed sign-in against the account and the address; lock what went over."""
    seconds = settings.LOKET_LOGIN_LOCKOUT_SECONDS
    logger.warning("failed sign-in for %r from %s", keys["account"], keys["address"])
    for kind, limit in limits().items():
        if limit <= 0 or not keys[kind]:
            continue
        failures, _ = count_use(f"login-{kind}", keys[kind], seconds=seconds)
        if failures < limit:
            continue
        cache.set(lock_key(kind, keys[kind]), time.time() + seconds, timeout=seconds)
        logger.warning(
            "locked out %s %r for %d s after %d failed sign-ins",
            kind, keys[kind], seconds, limit,
        )  # fmt: skip


def forget_failures(account: str) -> None:
    """A successful sign-in clears the account's count (not the address's: one good password
    must not buy an address more guesses at other accounts)."""
    counter, _ = counter_of("login-account", account, settings.LOKET_LOGIN_LOCKOUT_SECONDS)
    cache.delete(counter)


class LockoutBackend(ModelBackend):
    """Django's model backend behind the lockout: a locked account or address is refused
    before its password is even checked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is None or password is None:  # not a sign-in over HTTP with a password
            return super().authenticate(request, username, password, **kwargs)
        keys = {"account": username or "", "address": request.META.get("REMOTE_ADDR", "")}
        if (left := locked_for(keys)) is not None:
            logger.warning(
                "refused sign-in for %r from %s: locked out for %d s more",
                keys["account"], keys["address"], left,
            )  # fmt: skip
            request.login_locked_for = left  # type: ignore[attr-defined]
            raise PermissionDenied("locked out")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            record_failure(keys)
            if (left := locked_for(keys)) is not None:
                request.login_locked_for = left  # type: ignore[attr-defined]
        else:
            forget_failures(keys["account"])
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """The same checks for an asynchronous sign-in, rather than ModelBackend's own."""
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)


class LockoutMiddleware:
    """Whatever login page was asked, a locked-out attempt gets the lockout page: 429,
    Retry-After, and a sentence in the reader's language instead of "wrong password"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        left = getattr(request, "login_locked_for", None)
        if left is None:
            return response
        locked = render(
            request,
            "login_locked.html",
            {"minutes": max(1, math.ceil(left / 60)), "again": request.get_full_path()},
            status=429,
        )
        locked["Retry-After"] = str(left)
        return locked


SIGNED_IN_AT = "loket:signed_in_at"
SEEN_AT = "loket:seen_at"
# The last request is written at most this often, not on every request: the idle limit is
# hours, and a session write per page would be a database write per page.
SEEN_PRECISION_SECONDS = 60


def start_session_clock(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """On `user_logged_in` (connected in loket.ops.apps): both limits count from here, written
    with the sign-in itself, so the first page after it writes no session."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    """A signed-in session ends after LOKET_SESSION_IDLE_SECONDS without a request and
    LOKET_SESSION_MAX_SECONDS after signing in: the next request is anonymous again, and a
    console page sends the agent to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.check_lifetime(request, now=time.time())
        return self.get_response(request)

    def check_lifetime(self, request: HttpRequest, *, now: float) -> None:
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        idle = now - seen_at > settings.LOKET_SESSION_IDLE_SECONDS
        if idle or now - signed_in_at > settings.LOKET_SESSION_MAX_SECONDS:
            logger.info(
                "ended the session of %r: %s",
                request.user.get_username(),
                "idle too long" if idle else "signed in too long ago",
            )
            logout(request)
        elif now - seen_at >= SEEN_PRECISION_SECONDS:
            session[SEEN_AT] = now
