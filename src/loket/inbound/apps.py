from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "loket.inbound"
    label = "inbound"
    verbose_name = "Inbound messages"
