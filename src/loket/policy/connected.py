"""Whether a channel the policy names is connected on this installation: the policy file says
what the public page promises, the settings hold what makes it work (secrets never live in the
policy file or the database)."""

from django.conf import settings


def whatsapp_connected() -> bool:
    """The Cloud API's phone number id, access token, app secret and verify token are all set."""
    return all(
        (
            settings.LOKET_WHATSAPP_PHONE_NUMBER_ID,
            settings.LOKET_WHATSAPP_ACCESS_TOKEN,
            settings.LOKET_WHATSAPP_APP_SECRET,
            settings.LOKET_WHATSAPP_VERIFY_TOKEN,
        )
    )
