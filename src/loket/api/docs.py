"""The API's Swagger UI page, from Loket's own static files.

Ninja renders its page from its templates and static files only when "ninja" is an installed
app, and otherwise from a CDN (which the CSP refuses). Loket lists ninja's two folders in its
settings instead of installing the app, so that Django does not import ninja at every start
(issue 13): this class renders the page the way ninja does for an installed app.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
