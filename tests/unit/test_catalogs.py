import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "loket" / "locale"


def statistics(language: str) -> str:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install Debian's gettext (make system-packages)"
    catalog = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize("language", ["ja", "id"])
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    report = statistics(language)
    assert re.fullmatch(r"\d+ translated messages?\.", report), report
    assert int(report.split()[0]) >= 90, "a catalog lost its messages"


def test_the_catalogs_hold_the_same_messages() -> None:
    def message_ids(language: str) -> set[str]:
        text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        return set(re.findall(r'^msgid "(.+)"$', text, flags=re.M))

    assert message_ids("ja") == message_ids("id") == message_ids("en")
