from django.urls import path

from loket.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("<int:pk>/", views.record_page, name="record"),
    path("<int:pk>/file/", views.file_record, name="file"),
    path("<int:pk>/discard/", views.discard_record, name="discard"),
    path("<int:pk>/replay/", views.replay_record, name="replay"),
]
