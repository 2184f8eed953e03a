import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from smevoucher.accounts.factories import UserFactory
from smevoucher.documents.tests import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_three_pages_reorder_them_and_download_the_merged_pdf(live_server, page, log_in, nav):
    log_in(page, UserFactory())
    nav(page, "材料管理")
    page.get_by_role("link", name="上传材料").click()
    page.get_by_label("材料类型").select_option(label="发票")
    page.get_by_label("添加文件").set_input_files(
        [
            {"name": "第一页.jpg", "mimeType": "image/jpeg", "buffer": corpus.colour_image("JPEG", size=(800, 1000))},
            {"name": "第二页.png", "mimeType": "image/png", "buffer": corpus.colour_image("PNG", size=(900, 1200))},
        ]
    )
    page.get_by_label("添加文件").set_input_files(
        [
            {"name": "第三页.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf((300, 400))},
        ]
    )
    items = page.locator("[data-list] li")
    expect(items).to_have_count(3)
    items.nth(2).get_by_role("button", name="上移").click()  # 第三页 before 第二页
    items.nth(0).get_by_role("button", name="下移").click()  # 第一页 after 第三页
    expect(items.locator("[data-name]")).to_have_text(["第三页.pdf", "第一页.jpg", "第二页.png"])

    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("合并为一个共 3 页的 PDF")).to_be_visible()
    expect(page.get_by_test_id("page-count")).to_have_text("3")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载").click()
    reader = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    assert sizes[0] == (300, 400)
    assert sizes[1][0] / sizes[1][1] == pytest.approx(800 / 1000, rel=0.01)
    assert sizes[2][0] / sizes[2][1] == pytest.approx(900 / 1200, rel=0.01)


def test_a_bad_file_is_refused_on_the_page_with_its_name(live_server, page, log_in):
    log_in(page, UserFactory())
    page.goto(f"{live_server.url}/documents/upload/")
    page.get_by_label("材料类型").select_option(label="发票")
    page.get_by_label("添加文件").set_input_files(
        [{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": corpus.encrypted_pdf()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-field=files]")).to_contain_text("“发票.pdf”：PDF 文件已加密或设有密码")


def test_a_pdf_with_a_link_and_a_huge_scan_are_refused_with_their_reasons(live_server, page, log_in):
    """Issue 14: active PDF content and costly images are refused, the reason shown beside the file's name."""
    log_in(page, UserFactory())
    page.goto(f"{live_server.url}/documents/upload/")
    page.get_by_label("材料类型").select_option(label="发票")
    page.get_by_label("添加文件").set_input_files(
        [{"name": "带链接.pdf", "mimeType": "application/pdf", "buffer": corpus.uri_link_pdf()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-field=files]")).to_contain_text("“带链接.pdf”：PDF 文件含有打开网址或其他文件的链接")
    page.get_by_label("材料类型").select_option(label="发票")
    page.get_by_label("添加文件").set_input_files(
        [{"name": "超大扫描.png", "mimeType": "image/png", "buffer": corpus.high_pixel_png(7700)}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("[data-field=files]")).to_contain_text("“超大扫描.png”：图片像素过多（7700×7700")


def test_a_sandboxed_preview_still_shows_the_pdf_beside_the_review(live_server, page, log_in):
    """Previews carry `Content-Security-Policy: sandbox` (issue 14); Chromium's viewer still renders them in the
    review page's frame."""
    from smevoucher.accounts.factories import city_unit_user
    from smevoucher.enterprises.factories import sign_up_enterprise

    enterprise = sign_up_enterprise()
    log_in(page, city_unit_user())
    with page.expect_response(lambda r: f"/documents/{enterprise.licence_id}/preview/" in r.url) as preview:
        page.goto(f"{live_server.url}/enterprises/{enterprise.pk}/")
    assert preview.value.all_headers()["content-security-policy"] == "sandbox"
    for _attempt in range(40):  # the built-in PDF viewer (an extension frame) loads inside the preview frame
        if any(frame.url.startswith("chrome-extension://") for frame in page.frames):
            break
        page.wait_for_timeout(250)
    assert any(frame.url.startswith("chrome-extension://") for frame in page.frames), [f.url for f in page.frames]
