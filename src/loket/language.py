"""Which language a request is answered in (issue 3):

1. the URL prefix (/ja/support/),
2. an explicit switch (the language buttons set Django's language cookie),
3. the requester's stored language (the portal applies the ticket's language, see
   `use_requester_language`),
4. the browser's Accept-Language,
5. the active policy's default language.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.urls import is_valid_path, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

from loket.policy.queries import NoActivePolicy, default_language


def supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def from_accept_language(header: str) -> str | None:
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code != "*" and (language := supported(code)):
            return language
    return None


def policy_default_language() -> str:
    # A database that does not answer must not fail every request here: /health/ and
    # /ready/ (which reports it) and the error page have to answer all the same.
    try:
        return default_language()
    except (NoActivePolicy, DatabaseError):
        return settings.LANGUAGE_CODE


def explicit_language(request: HttpRequest) -> str | None:
    return translation.get_language_from_path(request.path_info) or supported(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    )


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (URL prefixes, redirects) with Loket's order of choice."""

    def process_request(self, request: HttpRequest) -> None:
        explicit = explicit_language(request)
        request.language_is_explicit = explicit is not None  # type: ignore[attr-defined]
        language = (
            explicit
            or from_accept_language(request.headers.get("accept-language", ""))
            or policy_default_language()
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # A 404 from a view on an unprefixed route that exists (an unknown portal token) is the
        # answer: Django would otherwise redirect it under a language prefix to 404 there.
        if response.status_code == 404 and is_valid_path(
            request.path_info, getattr(request, "urlconf", None)
        ):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


def reverse_here(request: HttpRequest, name: str, **kwargs: str) -> str:
    """`name`'s path in the namespace the request came by: a page reached unprefixed (a link
    mailed before the language prefixes, an integration posting to /support/contact/) goes on
    unprefixed as it always did, /ja/... stays under /ja/."""
    namespace = request.resolver_match.namespace if request.resolver_match else None
    return reverse(name, kwargs=kwargs, current_app=namespace)


def use_requester_language(request: HttpRequest, language: str) -> None:
    """On a requester's own pages, their stored language wins over the browser's guess,
    but not over a language they chose on purpose."""
    if getattr(request, "language_is_explicit", False) or not supported(language):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()
