from django.urls import path

from loket.portal import views

app_name = "portal"
urlpatterns = [
    path("new-link/", views.new_link, name="new_link"),
    # The link in a mail (its token is masked in every log line: loket/ops/logs.py) ...
    path("t/<str:token>/", views.open_link, name="open"),
    path("t/<str:token>/new-link/", views.resend_link, name="resend"),
    # ... opens the ticket's pages at addresses without it, for the browser that opened it.
    path("ticket/<str:reference>/", views.ticket_page, name="ticket"),
    path("ticket/<str:reference>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("ticket/<str:reference>/escalate/", views.ask_for_escalation, name="escalate"),
    path("ticket/<str:reference>/sign-out/", views.sign_out_everywhere, name="sign_out"),
    path("verify/<str:reference>/<str:token>/", views.verify, name="verify"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
