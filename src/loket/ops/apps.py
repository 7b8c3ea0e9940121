from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "loket.ops"
    label = "ops"
    verbose_name = "Operations"
