from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "loket.notify"
    label = "notify"
