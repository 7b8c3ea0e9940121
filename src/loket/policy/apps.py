from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "loket.policy"
    label = "policy"
