"""Every page and message is in Chinese: each app's catalogue, re-extracted from the current code, must have
a translation for every string."""

import csv
import os
import re
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
    seen: dict[tuple, dict[str, str]] = {}
    for label, entry in _entries():
        seen.setdefault((entry.msgctxt, entry.msgid), {})[label] = entry.msgstr or entry.msgstr_plural.get(0, "")
    clashes = {msgid: apps for msgid, apps in seen.items() if len(set(apps.values())) > 1}
    assert clashes == {}


def _entries():
    for config in PROJECT_APPS:
        path = Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                yield config.label, entry


GLOSSARY = list(csv.DictReader((Path(__file__).resolve().parents[1] / "glossary.csv").open(encoding="utf-8")))


def test_the_catalogues_use_the_glossarys_terms():
    """One term per concept (issue 13): a glossary string reads as the glossary says in every app, and no
    catalogue uses a wording the glossary replaced (发券城市 for 发放市, …)."""
    wrong, avoided = [], []
    expected = {(row["context"] or None, row["english"]): row["chinese"] for row in GLOSSARY}
    banned = {word: row["chinese"] for row in GLOSSARY for word in row["avoid"].split("|") if word}
    for label, entry in _entries():
        key = (entry.msgctxt, entry.msgid)
        if key in expected and entry.msgstr != expected[key]:
            wrong.append((label, key, entry.msgstr))
        avoided += [(label, entry.msgid, word) for word in banned if word in entry.msgstr]
    assert wrong == [] and avoided == []


def test_the_glossary_terms_exist_in_the_catalogues():
    keys = {(entry.msgctxt, entry.msgid) for _label, entry in _entries()}
    missing = [
        (row["context"], row["english"]) for row in GLOSSARY if (row["context"] or None, row["english"]) not in keys
    ]
    assert missing == []


CJK = r"[\u4e00-\u9fff]"
HALF_WIDTH = re.compile(
    rf"(?<={CJK})[,;:!?]|[,;:!?](?={CJK})|(?<={CJK})\((?!\w+\)s)|(?<!%)\((?={CJK})|(?<={CJK})\)|\)(?={CJK})"
)
YESNO = re.compile(r"^\w+,\w+(,\w+)?$")  # the argument of Django's yesno filter is comma-separated by design


def test_chinese_text_uses_full_width_punctuation():
    """Chinese sentences take ，；：！？（） — a half-width mark next to a Chinese character is a typo."""
    found = [
        (label, text)
        for label, entry in _entries()
        if not YESNO.match(entry.msgid)
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if HALF_WIDTH.search(text)
    ]
    assert found == []


def test_a_choice_label_follows_the_active_language():
    """`get_FOO_display()` reads a {value: label} dict kept per field (core.apps.choice_label): the labels in it stay
    lazy, so a page in English after one in Chinese shows English; a value outside the choices shows as it is."""
    from django.utils import translation

    from smevoucher.orders.models import Order

    order = Order(status=Order.Status.PLACED)
    assert Order.__dict__["get_status_display"].func.__name__ == "choice_label"
    with translation.override("zh-hans"):
        chinese = order.get_status_display()
    with translation.override("en"):
        english = order.get_status_display()
    assert english == "Placed, waiting for the provider"
    assert chinese != english and chinese
    order.status = "no-such-status"
    assert order.get_status_display() == "no-such-status"
