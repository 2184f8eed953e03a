"""Every page and message is in Chinese: each app's catalogue, re-extracted from the current code, must have
a translation for every string."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.core.management import call_command

PROJECT_APPS = [c for c in apps.get_app_configs() if c.name.startswith("smevoucher.")]


@pytest.mark.parametrize("config", PROJECT_APPS, ids=lambda c: c.label)
def test_every_string_of_the_app_is_translated_to_chinese(config, tmp_path):
    source = Path(config.path)
    assert (source / "locale").is_dir(), f"{config.label} has no locale directory"
    copy = tmp_path / config.label
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "migrations"))
    start = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    finally:
        os.chdir(start)
    catalogue = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue if "fuzzy" in e.flags or not (e.msgstr or e.msgstr_plural.get(0))]
    assert missing == [], f"untranslated in {config.label} (run `make messages`, then translate): {missing}"
