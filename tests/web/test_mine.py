"""我的申报: the filer's landing page."""

import re
from decimal import Decimal

from django.urls import reverse

from filings.models import Filing
from tests.conftest import make_filing
from tests.factories import filing_in


def _names(response):
    return [entry["filing"].name for entry in response.context["entries"]]


def test_drafts_and_returned_come_first_then_by_year(client, personas, orgs):
    filing_in("approved", orgs.elderly_centre, personas, name="2025已批复", year=2025)
    make_filing(orgs.elderly_centre, name="2023草稿", year=2023)
    filing_in("returned", orgs.elderly_centre, personas, name="2024已退回", year=2024)
    filing_in("department_review", orgs.elderly_centre, personas, name="2022已提交", year=2022)
    make_filing(orgs.civil_affairs, name="别的单位")
    client.force_login(personas.filer)
    response = client.get(reverse("filings:mine"))
    assert _names(response) == ["2024已退回", "2023草稿", "2025已批复", "2022已提交"]


def test_drafts_show_checker_counts_and_a_resume_link(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, funds_total=Decimal("10"), funds_fiscal=Decimal("1"))
    client.force_login(personas.filer)
    response = client.get(reverse("filings:mine"))
    entry = response.context["entries"][0]
    assert entry["errors"] > 0
    page = response.content.decode()
    assert "处错误" in page and "继续填写" in page
    assert reverse("filings:wizard", args=[filing.pk, entry["resume"].slug]) in page


def test_a_submitted_filings_check_cell_is_not_left_blank(client, personas, orgs):
    # On a phone each cell is a labelled line: 检查 stood there with nothing after it.
    filing_in("department_review", orgs.elderly_centre, personas, name="已提交项目")
    client.force_login(personas.filer)
    page = client.get(reverse("filings:mine")).content.decode()
    cell = re.search(r'data-label="检查">(.*?)</td>', page, re.S).group(1)
    assert cell.strip() == '<span class="text-muted">—</span>'


def test_query_count_does_not_grow_with_the_rows(
    client, personas, orgs, django_assert_max_num_queries
):
    client.force_login(personas.filer)
    for number in range(3):
        make_filing(orgs.elderly_centre, name=f"项目{number}")
    # 12: the page's ten, the bureau's rule profile and the taxonomy's editions (the checker)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("filings:mine"))
    for number in range(3, 25):
        make_filing(orgs.elderly_centre, name=f"项目{number}", form="project")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("filings:mine"))
    assert len(response.context["entries"]) == 20  # paginated


def test_empty_page_says_what_to_do_next(client, personas):
    client.force_login(personas.filer)
    page = client.get(reverse("filings:mine")).content.decode()
    assert 'data-testid="empty"' in page and reverse("filings:new") in page


def test_reviewer_gets_an_explanation_not_a_403(client, personas, filings):
    client.force_login(personas.department_reviewer)
    response = client.get(reverse("filings:mine"))
    assert response.status_code == 200
    assert reverse("filings:list") in response.content.decode()
    assert 'data-testid="not-a-filer"' in response.content.decode()


def test_home_sends_filers_to_mine_and_reviewers_to_the_list(client, personas):
    client.force_login(personas.filer)
    assert client.get(reverse("home"))["Location"] == reverse("filings:mine")
    client.force_login(personas.finance_reviewer)
    assert client.get(reverse("home"))["Location"] == reverse("filings:list")


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("filings:mine"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_on_mine_is_405(client, personas):
    client.force_login(personas.filer)
    assert client.post(reverse("filings:mine")).status_code == 405
    assert Filing.objects.count() == 0
