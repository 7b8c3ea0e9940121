from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "loket.whatsapp"
    label = "whatsapp"
    verbose_name = "WhatsApp channel"
