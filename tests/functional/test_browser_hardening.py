"""Browser hardening (issue 14, item 4): a strict Content-Security-Policy on every page,
`Cache-Control: no-store` on ticket pages and files, sessions that end when idle and after a
fixed lifetime. (`check --deploy` with the production profile: test_behind_a_proxy.py.)"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.utils.csp import LazyNonce

from loket.ops.views import server_error
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PNG, build_ticket, fresh_link, open_portal

pytestmark = pytest.mark.django_db


def policy_of(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in header.split(";")
        if directive.strip()
    }


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_every_kind_of_page_gets_a_strict_policy(client: Client, agent: User) -> None:
    ticket = build_ticket()
    public = ["/support/contact/", "/console/login/", "/admin/login/", "/en/support/"]
    public.append(fresh_link(build_ticket()))  # the button of a link to a ticket not held
    public.append(open_portal(client, ticket))
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = policy_of(response)
        assert policy["default-src"] == ["'self'"], path
        # Only Loket's files, and inline code with this response's nonce (the admin has some).
        assert policy["script-src"][0] == "'self'", path
        assert all(value.startswith("'nonce-") for value in policy["script-src"][1:]), path
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    page = signed_in(client, agent).get(f"/console/t/{ticket.reference}/")
    assert page.status_code == 200
    assert policy_of(page)["style-src"] == ["'self'"]


def test_the_500_page_styles_itself_with_the_nonce_of_its_response() -> None:
    request: HttpRequest = RequestFactory().get("/anything/")
    request._csp_nonce = LazyNonce()  # type: ignore[attr-defined]  # what the middleware sets
    page = server_error(request).content.decode()
    assert f'<style nonce="{request._csp_nonce}">' in page  # type: ignore[attr-defined]
    assert "style=" not in page


def test_ticket_pages_and_files_are_never_stored(client: Client, agent: User) -> None:
    ticket = build_ticket(attachments=(IncomingFile("proof.png", "image/png", PNG),))
    attachment = ticket.messages.get().attachments.get()
    portal = open_portal(client, ticket)  # the link's pages: tests/functional/test_portal_access.py
    private = [portal, f"{portal}files/{attachment.pk}/", "/support/contact/"]
    for path in private:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    signed_in(client, agent)
    for path in [
        f"/console/t/{ticket.reference}/",
        f"/console/t/{ticket.reference}/files/{attachment.pk}/",
        "/console/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    # The public policy page may be cached.
    assert "no-store" not in client.get("/en/support/").get("Cache-Control", "")


def test_a_session_ends_after_eight_idle_hours(client: Client, agent: User) -> None:
    with time_machine.travel(NOW, tick=False):
        assert signed_in(client, agent).get("/console/").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=7, minutes=59), tick=False):
        assert client.get("/console/").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=16), tick=False):
        response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_a_busy_session_still_ends_a_day_after_signing_in(client: Client, agent: User) -> None:
    with time_machine.travel(NOW, tick=False):
        assert signed_in(client, agent).get("/console/").status_code == 200
    for hours in range(2, 24, 2):
        with time_machine.travel(NOW + timedelta(hours=hours), tick=False):
            assert client.get("/console/").status_code == 200, hours
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert client.get("/console/").status_code == 302
