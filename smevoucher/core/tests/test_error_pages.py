"""Error pages in production settings (DEBUG off): Chinese, with the site's header and a way back (issue 13)."""

from unittest import mock

import pytest
from django.test import Client

from smevoucher.accounts.factories import login_verified
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise

pytestmark = pytest.mark.django_db


def _is_site_page(html: str) -> bool:
    return 'class="site-header' in html and "广东省中小微企业服务券平台" in html and 'href="/"' in html


def test_404_is_chinese_with_header_and_a_way_back(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and _is_site_page(html)
    assert "返回首页" in html


def test_403_is_chinese_and_offers_the_workbench_to_a_logged_in_user(client, settings):
    settings.DEBUG = False
    login_verified(client, enterprise_user(sign_up_enterprise()))
    response = client.get("/orders/refunds/")  # city units only
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and _is_site_page(html)
    assert 'href="/workbench/"' in html


def test_500_is_chinese_with_header_and_a_way_back(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch("smevoucher.core.flow.steps", side_effect=RuntimeError("boom")):
        response = client.get("/flow/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in html and _is_site_page(html)
    assert "boom" not in html and "Traceback" not in html
