"""审核规则: a finance bureau's rule profile, edited on a page, read by every check after."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from filings.checks import rules, run_checks
from filings.models import CheckProfile, FilingVersion
from review import workflow
from tests.factories import do, fresh, ready_filing

pytestmark = pytest.mark.web


def _page(bureau):
    return reverse("filings:check_profile", args=[bureau.pk])


def _save(bureau):
    return reverse("filings:check_profile_save", args=[bureau.pk])


def _posted(**changes):
    """The page's form as shown by default (every rule on, at its severity), with ``changes``."""
    data = {}
    for registered in rules():
        data[f"enabled-{registered.code}"] = "on"
        data[f"severity-{registered.code}"] = registered.severity
    for code, setting in changes.items():
        if setting == "off":
            data.pop(f"enabled-{code}")
        else:
            data[f"severity-{code}"] = setting
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("filer", 403),
        ("department_reviewer", 403),
        ("outside_finance_reviewer", 404),  # another bureau's profile does not exist for them
        ("finance_reviewer", 200),
        ("admin", 200),
    ],
)
def test_who_may_open_a_bureaus_profile(client, personas, orgs, who, status):
    client.force_login(getattr(personas, who))
    assert client.get(_page(orgs.minhang_bureau)).status_code == status


@pytest.mark.parametrize("who", ["filer", "outside_finance_reviewer"])
def test_outsiders_and_filers_cannot_save(client, personas, orgs, who):
    client.force_login(getattr(personas, who))
    response = client.post(_save(orgs.minhang_bureau), _posted(VALUE_BASIS_MISSING="error"))
    assert response.status_code == {"filer": 403, "outside_finance_reviewer": 404}[who]
    assert not CheckProfile.objects.exists()


def test_get_on_save_is_405(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    assert client.get(_save(orgs.minhang_bureau)).status_code == 405


def test_the_menu_leads_finance_reviewers_to_their_bureaus_profile(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    page = client.get(reverse("filings:mine"), follow=True).content.decode()
    assert 'data-testid="nav-check-profile"' in page
    response = client.get(reverse("filings:check_profiles"))
    assert response.url == _page(orgs.minhang_bureau)
    client.force_login(personas.filer)
    assert (
        'data-testid="nav-check-profile"'
        not in client.get(reverse("filings:mine")).content.decode()
    )


def test_the_page_lists_every_rule_with_title_basis_and_a_confirmed_save(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    page = client.get(_page(orgs.minhang_bureau)).content.decode()
    for registered in rules():
        assert f'name="enabled-{registered.code}"' in page
        assert escape(registered.title) in page
    assert "财预〔2021〕101号" in page and "默认规则" in page
    assert 'data-confirm="保存后，闵行区财政局所辖全部申报' in page


def test_each_rule_is_listed_under_a_chinese_category(client, personas, orgs):
    # The 类别 column named the 项目库 rules by their module, "library", in English.
    client.force_login(personas.finance_reviewer)
    page = client.get(_page(orgs.minhang_bureau)).content.decode()
    cell = r'<td class="small text-nowrap d-none d-md-table-cell">([^<]*)</td>'
    categories = re.findall(cell, page)
    shown = set(categories) - {"错误", "提示"}
    assert "项目库" in shown
    assert not [label for label in shown if re.search(r"[A-Za-z]", label)], shown


def test_saving_keeps_only_the_changes_and_is_audited(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    posted = _posted(VALUE_BASIS_MISSING="error", STRUCTURE_INPUT_BLOCK="off")
    response = client.post(_save(orgs.minhang_bureau), posted, follow=True)
    assert "已保存审核规则" in response.content.decode()
    profile = CheckProfile.objects.get(bureau=orgs.minhang_bureau)
    assert profile.rules == {
        "STRUCTURE_INPUT_BLOCK": {"enabled": False, "severity": "error"},
        "VALUE_BASIS_MISSING": {"enabled": True, "severity": "error"},
    }
    assert profile.updated_by == personas.finance_reviewer
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHECK_PROFILE)
    assert event.user == personas.finance_reviewer
    assert event.organisation_id == orgs.minhang_bureau.pk
    assert "VALUE_BASIS_MISSING" in event.description and "停用" in event.description
    # Shown again as saved.
    page = client.get(_page(orgs.minhang_bureau)).content.decode()
    assert 'name="enabled-STRUCTURE_INPUT_BLOCK" id="enabled-STRUCTURE_INPUT_BLOCK" ' in page
    assert (
        'aria-label="启用：整体支出表须有投入管理指标的七个二级指标行（沪财绩【2022】13号）">'
        in page
    )


def test_a_warning_made_an_error_blocks_submission_from_then_on(client, personas, orgs):
    submitted_before = ready_filing(orgs.elderly_centre, name="先提交的项目")
    version = do("submit", submitted_before, personas.filer)
    draft = ready_filing(orgs.elderly_centre, name="后提交的项目")
    # make_filing's rows say nothing of their 设定依据: a warning by default.
    assert [f.severity for f in run_checks(draft) if f.code == "VALUE_BASIS_MISSING"] == ["warning"]

    client.force_login(personas.finance_reviewer)
    client.post(_save(orgs.minhang_bureau), _posted(VALUE_BASIS_MISSING="error"))

    (finding,) = [f for f in run_checks(fresh(draft)) if f.code == "VALUE_BASIS_MISSING"]
    assert (finding.severity, finding.profile) == ("error", "闵行区财政局审核规则")
    with pytest.raises(workflow.TransitionRefused):
        do("submit", draft, personas.filer)
    assert fresh(draft).status == "draft"
    # What was submitted before keeps the counts it was judged with.
    assert FilingVersion.objects.get(pk=version.pk).error_count == 0
    # Another bureau's filings follow their own (default) rules.
    outside = ready_filing(orgs.disabled_federation, name="市级项目")
    assert {f.profile for f in run_checks(outside)} == {"默认规则"}


def test_a_rule_turned_off_no_longer_blocks_submission(client, personas, orgs):
    draft = ready_filing(orgs.elderly_centre)
    draft.indicators.filter(level2__level1__name="满意度指标").delete()
    with pytest.raises(workflow.TransitionRefused):
        do("submit", draft, personas.filer)
    client.force_login(personas.finance_reviewer)
    client.post(_save(orgs.minhang_bureau), _posted(STRUCTURE_LEVEL1_MISSING="off"))
    do("submit", fresh(draft), personas.filer)
    assert fresh(draft).status == "department_review"


def test_the_review_page_says_which_profile_and_basis_a_finding_comes_from(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    client.post(_save(orgs.minhang_bureau), _posted(VALUE_DIRECTION="error"))
    filing = ready_filing(orgs.elderly_centre)
    do("submit", filing, personas.filer)
    filing.indicators.filter(name="培训人数").update(value="≤30(人)")
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    assert "闵行区财政局审核规则" in page
    assert (
        "本系统通用审核规则 · 指标值：正向指标（完成率、覆盖率、数量、人次）不宜用 ≤ 或 &lt;"
        in page
    )
    assert "rules.md" not in page  # no internal file name
