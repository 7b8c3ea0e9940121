from django.urls import path

from loket.portal import views

app_name = "portal"
urlpatterns = [
    path("new-link/", views.new_link, name="new_link"),
    path("t/<str:token>/", views.ticket_page, name="ticket"),
    path("t/<str:token>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("t/<str:token>/escalate/", views.ask_for_escalation, name="escalate"),
    path("verify/<str:reference>/<str:token>/", views.verify, name="verify"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
