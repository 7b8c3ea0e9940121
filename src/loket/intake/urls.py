from django.urls import path

from loket.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/<str:token>/", views.thanks, name="thanks"),
]
