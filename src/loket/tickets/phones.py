"""Phone numbers in one form, E.164 (+6281234567890), whatever the requester or WhatsApp wrote:
"0812-3456-7890" (Indonesian national form), "+62 812 3456 7890", "6281234567890" (a WhatsApp
id). Pure (the `phonenumbers` library, Google's libphonenumber metadata).

`phonenumbers` is imported by each function on its first call, not here: the models import
this module, and its metadata would add 40 ms to every `loket` command (issue 13).
"""

# A WhatsApp id is the number in international form without the plus.
MAX_LENGTH = 32


def normalise(number: str, region: str = "ID") -> str | None:
    """E.164, or None when the text is not a possible phone number."""
    text = number.strip()[:MAX_LENGTH]
    if not text:
        return None
    if text.isdigit() and not text.startswith("0"):
        text = "+" + text  # a WhatsApp id, or a number written with its country code
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(number: str) -> str:
    """+62 812-3456-7890: the international form people read."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def is_valid(number: str) -> bool:
    """The E.164 number fits its country's numbering plan (a real prefix, the right length):
    stricter than `normalise`, for numbers an agent types, where a slip is likelier than an
    unusual number."""
    import phonenumbers

    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False
