"""Issue 13, point 11: the home page shows the batch open now (or the next) with its window, the help centre names
each unit's contact person, and its help text does not speak of 2020 as the current year."""

from datetime import timedelta

import pytest
from django.urls import reverse

from smevoucher.accounts.models import Organisation
from smevoucher.core import clock
from smevoucher.vouchers.factories import open_batch

pytestmark = pytest.mark.django_db


def test_home_shows_the_batch_open_now_with_its_window(client):
    batch = open_batch(name="广州市测试批次")
    html = client.get(reverse("core:home")).content.decode()
    assert "正在申领的批次" in html and "广州市测试批次" in html
    assert batch.claim_start.astimezone(clock.now().tzinfo).strftime("%Y-%m-%d %H:%M") in html
    assert batch.claim_end.astimezone(clock.now().tzinfo).strftime("%Y-%m-%d %H:%M") in html


def test_home_shows_the_next_batch_when_none_is_open(client):
    start = clock.now() + timedelta(days=3)
    batch = open_batch(name="下一批测试批次", start=start)
    html = client.get(reverse("core:home")).content.decode()
    assert "即将开放申领的批次" in html and "下一批测试批次" in html
    assert batch.claim_start.astimezone(clock.now().tzinfo).strftime("%Y-%m-%d %H:%M") in html


def test_home_says_so_when_no_batch_is_announced(client):
    assert "目前没有开放申领的批次" in client.get(reverse("core:home")).content.decode()


def test_help_centre_names_the_contact_person_and_no_2020_as_this_year(client):
    Organisation.objects.create(kind="province_unit", name="省级承办单位", contact_person="何锦贤", phone="020-1")
    html = client.get(reverse("notices:help")).content.decode()
    assert "联系人：何锦贤" in html
    assert "收券时间延长至 2020 年底。" not in html  # the 2017 → 2020 extension is told as past practice
    assert "2020 年的做法" in html
