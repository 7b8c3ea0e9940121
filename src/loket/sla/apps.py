from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "loket.sla"
    label = "sla"
