"""R1: the name look-up — matching, expired and inactive entries, already registered — on the page and API."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.core import clock
from smevoucher.directory import selectors, services
from smevoucher.directory.factories import directory_entry
from smevoucher.directory.names import name_key
from smevoucher.providers.factories import register_provider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("广州市中小企业服务站(越秀站)", "广州市中小企业服务站（越秀站）"),
        ("  广州市中小企业服务站（越秀站） ", "广州市中小企业服务站(越秀站)"),
        ("广东某某检测认证有限公司，华南分公司", "广东某某检测认证有限公司,华南分公司"),
        ("ＡＢＣ科技（广州）有限公司", "ABC科技(广州)有限公司"),
        ("广东 某某 平台", "广东某某平台"),
    ],
)
def test_names_match_across_widths_brackets_and_spaces(typed, listed):
    assert name_key(typed) == name_key(listed)


def test_different_names_do_not_match():
    assert name_key("广州市中小企业服务站（越秀站）") != name_key("广州市中小企业服务站（天河站）")


def test_listed_valid_name_is_eligible_whatever_the_brackets():
    entry = directory_entry(name="广州市中小企业服务站（越秀站）", level="gz_station")
    result = selectors.eligibility(" 广州市中小企业服务站(越秀站)  ")
    assert result.eligible and result.entry == entry
    assert "继续注册" in result.message


def test_unlisted_name_is_refused_with_a_clear_message():
    directory_entry(name="广东省甲平台")
    result = selectors.eligibility("广东省乙平台")
    assert (result.eligible, result.code) == (False, "not_listed")
    assert "不在" in result.message and "名录" in result.message


def test_expired_entry_is_refused_with_its_date():
    yesterday = clock.today() - timedelta(days=1)
    directory_entry(name="广东省过期平台", recognition_year=2015, valid_until=yesterday)
    result = selectors.eligibility("广东省过期平台")
    assert (result.eligible, result.code) == (False, "expired")
    assert yesterday.isoformat() in result.message


def test_last_day_still_counts():
    directory_entry(name="广东省今天到期平台", valid_until=clock.today())
    assert selectors.eligibility("广东省今天到期平台").eligible


def test_the_2017_provincial_extension_is_data(time_machine):
    """Seed: provincial platforms recognised in 2017 may receive vouchers until 2020-12-31."""
    time_machine.move_to(date(2020, 6, 1))
    directory_entry(name="广东省二〇一七平台", recognition_year=2017, valid_until=date(2020, 12, 31))
    assert selectors.eligibility("广东省二〇一七平台").eligible
    time_machine.move_to(date(2021, 1, 1))
    assert selectors.eligibility("广东省二〇一七平台").code == "expired"


def test_deactivated_entry_is_refused():
    entry = directory_entry(name="广东省停用平台")
    services.entry_set_active(actor=province_user(), entry_id=entry.pk, active=False)
    assert selectors.eligibility("广东省停用平台").code == "inactive"


def test_a_valid_entry_wins_over_an_expired_one_of_the_same_name():
    directory_entry(name="广东省双级平台", level="national", valid_until=clock.today() - timedelta(days=3))
    entry = directory_entry(name="广东省双级平台", level="provincial")
    result = selectors.eligibility("广东省双级平台")
    assert result.eligible and result.entry == entry


def test_registered_name_is_refused():
    entry = directory_entry(name="广东省已注册平台")
    register_provider(entry=entry)
    assert selectors.eligibility("广东省已注册平台（ ）".replace("（ ）", "")).code == "registered"


def test_check_api_is_public_and_answers_each_case():
    directory_entry(name="广东省接口平台（测试）")
    api = APIClient()
    ok = api.get("/api/v1/directory/check/", {"name": "广东省接口平台(测试)"}).json()
    assert ok["eligible"] is True and ok["code"] == "eligible" and ok["entry"]["level"] == "provincial"
    missing = api.get("/api/v1/directory/check/", {"name": "不存在的机构"}).json()
    assert missing["eligible"] is False and missing["code"] == "not_listed" and missing["entry"] is None


def test_check_page_offers_continue_only_when_eligible(client):
    directory_entry(name="广东省页面平台")
    page = client.get("/directory/check/", {"name": "广东省页面平台"}).content.decode()
    assert "继续注册" in page and "/providers/register/?name=" in page
    page = client.get("/directory/check/", {"name": "广东省无此平台"}).content.decode()
    assert "继续注册" not in page and "不在" in page


def test_only_the_province_unit_keeps_the_directory():
    with pytest.raises(Exception) as error:
        directory_entry(actor=city_unit_user("440100"))
    assert error.typename == "Http404"


def test_entry_rules_city_levels_need_a_city_and_duplicates_are_refused():
    from smevoucher.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        services.entry_create(
            actor=province_user(),
            name="广州某市级平台",
            level="municipal",
            city=None,
            recognition_year=2019,
            valid_until=date(2030, 1, 1),
        )
    assert "city" in error.value.fields
    directory_entry(name="广东省重复平台")
    with pytest.raises(ValidationFailed):
        directory_entry(name="广东省重复平台 ")


def test_a_registered_entry_keeps_its_level_and_city():
    from smevoucher.core.errors import ValidationFailed

    entry = directory_entry(name="广东省已注册平台二", level="provincial")
    register_provider(entry=entry)
    arguments = {
        "actor": province_user(),
        "entry_id": entry.pk,
        "name": entry.name,
        "recognition_year": 2019,
        "source": "",
    }
    with pytest.raises(ValidationFailed) as error:
        services.entry_update(**arguments, level="national", city=None, valid_until=entry.valid_until)
    assert "level" in error.value.fields
    extended = date(entry.valid_until.year + 2, 12, 31)
    services.entry_update(**arguments, level="provincial", city=None, valid_until=extended)
    entry.refresh_from_db()
    assert entry.valid_until == extended


def test_check_page_answers_htmx_with_the_result_only(client):
    directory_entry(name="广东省片段平台")
    fragment = client.get("/directory/check/", {"name": "广东省片段平台"}, HTTP_HX_TARGET="check-result")
    text = fragment.content.decode()
    assert "<html" not in text and 'data-code="eligible"' in text
