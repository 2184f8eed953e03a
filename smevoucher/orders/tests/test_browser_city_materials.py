"""Issue 15.2 in a real browser: a city unit describes a required material with a template; anyone reads the
city's public page without logging in (also at phone size, with no serious accessibility violations) and
downloads the template; a provider opens the list from its menu."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.providers.factories import approved_provider, provider_user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_describes_a_material_and_anyone_reads_it_on_the_citys_public_page(live_server, page, log_in, nav):
    unit = city_unit_user("440100")
    log_in(page, unit)
    nav(page, "本市补充材料")
    page.get_by_label("支付服务券时需另行提交的材料（每行一项）").fill("服务验收单")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="本市要求的材料已保存")).to_be_visible()
    page.get_by_role("link", name="填写说明").click()
    page.get_by_label("材料说明").fill("企业与服务机构双方盖章的服务验收单")
    page.get_by_label("要求原因").fill("证明服务已按合同完成")
    page.get_by_label("模板（可选）").set_input_files(
        [{"name": "验收单模板.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("模板")}]
    )
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="材料说明已保存")).to_be_visible()
    page.get_by_test_id("public-link").click()
    public_url = page.url
    page.get_by_role("button", name="退出").click()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(public_url)  # no login
    material = page.get_by_test_id("city-material")
    expect(material).to_contain_text("服务验收单")
    expect(material).to_contain_text("双方盖章")
    expect(material).to_contain_text("证明服务已按合同完成")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [v["id"] for v in results if v["impact"] in ("critical", "serious")] == []
    with page.expect_download() as download:
        page.get_by_test_id("template-link").click()
    assert download.value.suggested_filename == "验收单模板.pdf"


def test_a_provider_opens_the_cities_requirements_from_its_menu(live_server, page, log_in, nav):
    provider = approved_provider()
    log_in(page, provider_user_of(provider))
    nav(page, "各市补充材料")
    expect(page.get_by_role("heading", name="各市要求的材料")).to_be_visible()
    page.get_by_test_id("city-links").get_by_role("link", name="广州市").click()
    expect(page.get_by_role("heading", name="广州市要求的材料")).to_be_visible()
