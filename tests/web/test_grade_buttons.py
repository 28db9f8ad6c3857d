"""The 审核表's buttons say which grades they take (review.js disables the others), read
from the one table of the grades (review/grades.py): a button pressed with a grade that
does not allow it opened a dialog promising what the workflow then refused.

Found by the browser journey of a 中 (tests/browser/test_journey_grade_zhong.py).
"""

import re

from django.urls import reverse

from tests.factories import do, ready_filing


def _buttons(client, user, filing):
    client.force_login(user)
    page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    return dict(re.findall(r'data-testid="(\w+)-button" data-grades="([^"]*)"', page))


def test_each_button_takes_the_grades_that_decide_it(client, personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="按等级办理")
    do("submit", filing, personas.filer)
    assert _buttons(client, personas.department_reviewer, filing) == {
        "approve": "优",
        "return": "良 中",
        "reject": "差",
    }


def test_confirming_a_liang_approves_with_liang_too(client, personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="确认修改")
    do("submit", filing, personas.filer)
    do("amend", filing, personas.department_reviewer)  # 良: the same stage confirms
    do("submit", filing, personas.filer)
    assert _buttons(client, personas.department_reviewer, filing) == {
        "approve": "优 良",
        "return": "良 中",
        "reject": "差",
    }
