"""Batch review in a real browser: the department returns three filings from 待我审核 in one
step; one changed after the list was loaded and is left out, named on the page.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing
from review.models import Transition
from tests.factories import do, fresh, ready_filing


@pytest.fixture
def three(orgs, personas):
    filings = [ready_filing(orgs.elderly_centre, name=f"批量退回项目{n}") for n in (1, 2, 3)]
    for filing in filings:
        do("submit", filing, personas.filer)
    return filings


def test_batch_return_of_three_one_left_out(page, login, shot, personas, three):
    login(page, personas.department_reviewer)
    page.goto("/filings/queue/")
    queue = page.get_by_test_id("queue")
    for filing in three:
        queue.locator(f"tr[data-filing='{filing.pk}'] input[type=checkbox]").check()
    page.get_by_label("操作").select_option(label="退回修改")
    page.get_by_label("审核等级（优：通过；良、中：退回）").select_option(label="中")
    page.get_by_label("审核意见（退回修改时必填）").fill("请补充满意度指标的取值依据。")
    shot(page, "reviewer-batch-selected")

    # Meanwhile the filer withdraws the third and submits it again: the page is stale for it.
    do("withdraw", three[2], personas.filer)
    do("submit", three[2], personas.filer)

    page.get_by_test_id("batch-submit").click()
    # confirm.js says what will happen; the reviewer agrees.
    page.get_by_role("dialog").get_by_role("button", name="批量办理").click()
    expect(page.get_by_text("已退回修改 2 份")).to_be_visible()
    expect(page.get_by_text("以下 1 份未处理")).to_contain_text("批量退回项目3")
    shot(page, "reviewer-batch-done")
    assert [fresh(f).status for f in three] == [
        Filing.Status.RETURNED,
        Filing.Status.RETURNED,
        Filing.Status.DEPARTMENT_REVIEW,
    ]
    assert Transition.objects.filter(action="department_return").count() == 2


def test_on_a_phone_the_batch_opinion_has_a_line_of_its_own(page, login, personas, three):
    # Beside the two selects the opinion box was about 80 pixels wide on a 390-pixel phone.
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, personas.department_reviewer)
    page.goto("/filings/queue/")
    opinion = page.get_by_label("审核意见（退回修改时必填）")
    panel = page.get_by_test_id("batch-panel")
    width = opinion.evaluate("(el) => el.getBoundingClientRect().width")
    inner = panel.evaluate("(el) => el.clientWidth")
    assert width > inner * 0.8, (width, inner)
