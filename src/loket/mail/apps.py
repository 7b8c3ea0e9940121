from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "loket.mail"
    label = "mail"
    verbose_name = "E-mail channel"
