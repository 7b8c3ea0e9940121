from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from loket.api.api import api


def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the trivial view the intake benchmark uses as ceiling."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="intake:contact", permanent=False)),
    path("health/", health, name="health"),
    path("support/contact/", include("loket.intake.urls")),
    path("portal/", include("loket.portal.urls")),
    path("console/", include("loket.console.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
