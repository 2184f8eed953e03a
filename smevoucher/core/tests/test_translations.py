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


def test_a_string_has_one_translation_across_apps():
    """Django merges every app's catalogue into one: the same English string cannot read differently in two apps
    (one of them would silently show the other's wording). Use distinct English strings instead."""
    seen: dict[str, dict[str, str]] = {}
    for config in PROJECT_APPS:
        path = Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        for entry in polib.pofile(str(path)):
            seen.setdefault(entry.msgid, {})[config.label] = entry.msgstr or entry.msgstr_plural.get(0, "")
    clashes = {msgid: apps for msgid, apps in seen.items() if len(set(apps.values())) > 1}
    assert clashes == {}
