from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class OpsConfig(AppConfig):
    name = "loket.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Imported here: loket.logins uses the auth backends and models, which need the app
        # registry loaded, and this module is imported while it loads.
        from loket.logins import start_session_clock

        # The session limits count from signing in, whichever login page it was.
        user_logged_in.connect(start_session_clock, dispatch_uid="loket-session-clock")
