"""The committed catalogs hold exactly the strings the source marks for translation.

`makemessages` runs over a copy of the package, as `make messages` would run it in the tree, so
a new `_()` string missing from a catalog, or an entry left behind after its string went away,
fails here instead of reaching a requester in English.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "loket"
LANGUAGES = ("ja", "id", "en")

type Key = tuple[str | None, str]


def catalog_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package copied aside with its catalogs refreshed from the source."""
    copy = tmp_path_factory.mktemp("catalogs") / "loket"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    assert shutil.which("xgettext"), "xgettext is missing: install Debian's gettext"
    arguments = [f"-l{language}" for language in LANGUAGES]
    # -P and no DJANGO_SETTINGS_MODULE, as in the Makefile's `messages`: the package's own
    # calendar/ must not shadow the standard library's, and makemessages needs no settings.
    command = [sys.executable, "-P", "-m", "django", "makemessages", *arguments]
    environment = {
        key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"
    }
    result = subprocess.run(
        [*command, "--no-obsolete", "-v", "0"],
        cwd=copy, env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return copy


def keys(catalog: polib.POFile) -> set[Key]:
    return {(entry.msgctxt, entry.msgid) for entry in catalog if not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_source_string_is_in_the_committed_catalog(regenerated: Path, language: str) -> None:
    wanted = keys(polib.pofile(str(catalog_path(regenerated, language))))
    committed = keys(polib.pofile(str(catalog_path(PACKAGE, language))))
    missing = sorted(wanted - committed, key=str)
    assert missing == [], (
        f"not in the catalog (run makemessages in src/loket, then translate): {missing}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_committed_entry_is_obsolete(regenerated: Path, language: str) -> None:
    committed_catalog = polib.pofile(str(catalog_path(PACKAGE, language)))
    wanted = keys(polib.pofile(str(catalog_path(regenerated, language))))
    obsolete = sorted(keys(committed_catalog) - wanted, key=str)
    kept_as_obsolete = [entry.msgid for entry in committed_catalog.obsolete_entries()]
    assert obsolete == [], f"no source string uses these any more: {obsolete}"
    assert kept_as_obsolete == [], f"remove the #~ entries: {kept_as_obsolete}"


@pytest.mark.parametrize("language", ["ja", "id"])
def test_every_source_string_is_translated(regenerated: Path, language: str) -> None:
    wanted = keys(polib.pofile(str(catalog_path(regenerated, language))))
    committed = polib.pofile(str(catalog_path(PACKAGE, language)))
    untranslated = [
        entry.msgid
        for entry in committed
        if (entry.msgctxt, entry.msgid) in wanted and (not entry.translated() or entry.fuzzy)
    ]
    assert untranslated == [], f"translate these (and clear fuzzy): {untranslated}"
