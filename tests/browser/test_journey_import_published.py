"""An admin imports published forms in a real browser: upload, preview, confirm.

The file is a seed saved as GB18030, as a Chinese Windows machine saves text;
the preview lists what would be created and its warnings before anything is
saved, and the confirmation lands on the list with the imported filing.
"""

from playwright.sync_api import expect

from filings import demo
from filings.models import Filing
from tests.conftest import PUBLISHED


def test_admin_previews_then_imports_a_gb18030_text_file(page, login, shot, personas, tmp_path):
    demo.load_organisations(demo.read_demo())
    seed = sorted(PUBLISHED.glob("*.txt"))[0]
    path = tmp_path / "民生保障.txt"
    path.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))

    login(page, personas.admin)
    page.get_by_test_id("nav-import-published").click()
    expect(page.get_by_role("heading", name="导入已公开的申报表")).to_be_visible()
    page.get_by_label("文件（PDF、Excel 工作簿或文本）").set_input_files(str(path))
    shot(page, "upload")
    page.get_by_test_id("upload-published").click()

    expect(page.get_by_role("heading", name="导入已公开的申报表：确认")).to_be_visible()
    preview = page.get_by_test_id("published-preview")
    expect(preview).to_contain_text("民生保障")
    expect(preview).to_contain_text("服务办")
    expect(page.get_by_test_id("published-warnings").first).to_contain_text("像是时效指标")
    shot(page, "preview")
    assert not Filing.objects.exists()

    page.get_by_test_id("confirm-published").click()
    expect(page.get_by_text("已从文件「民生保障.txt」导入 1 份申报。")).to_be_visible()
    expect(page.get_by_role("link", name="民生保障")).to_be_visible()
    shot(page, "imported")
    assert Filing.objects.get().indicators.count() == 62
