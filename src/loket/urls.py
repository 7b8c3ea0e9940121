from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from loket.api.api import api
from loket.ops import views as ops_views
from loket.policy import views as policy_views


def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the trivial view the intake benchmark uses as ceiling."""
    return HttpResponse("ok", content_type="text/plain")


# The 500 page shows the request id, so a requester can quote it (docs/operations.md).
handler500 = ops_views.server_error

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="intake:contact", permanent=False)),
    path("health/", health, name="health"),
    path("ready/", ops_views.ready, name="ready"),
    path("metrics", ops_views.metrics, name="metrics"),
    # The unprefixed public addresses answer as they always did: portal and verification links
    # already mailed out, and integrations posting to /support/contact/ (bench/intake). Their
    # own namespaces make them reachable, never generated: every link Loket builds carries a
    # language prefix (see the i18n patterns below); on these pages a link to the same app stays
    # unprefixed (Django reverses within the current namespace).
    path("support/contact/", include("loket.intake.urls", namespace="intake_unprefixed")),
    path("portal/", include("loket.portal.urls", namespace="portal_unprefixed")),
    path("console/mail/", include("loket.mail.urls")),
    path("whatsapp/", include("loket.whatsapp.urls")),
    path("console/", include("loket.console.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Every public page under each language prefix: /ja/support/, /id/support/contact/,
    # /en/portal/t/<token>/, ...; a bare /support/ is redirected by the locale middleware to the
    # visitor's language.
    *i18n_patterns(
        path("support/", policy_views.support_page, name="support_page"),
        path("support/contact/", include("loket.intake.urls")),
        path("portal/", include("loket.portal.urls")),
    ),
]
