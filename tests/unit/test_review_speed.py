"""How long each stay lasted (Transition.spent), and small fixes from the speed round."""

import datetime
import io
import json

from django.core.management import call_command
from django.utils import timezone

from filings.models import Filing
from review import workflow
from review.models import Round, Transition
from tests.conftest import make_filing
from tests.factories import GOOD_JSON

DAY = datetime.timedelta(days=1)


def test_a_first_transition_records_the_time_since_the_filing_was_created(orgs, personas):
    filing = make_filing(orgs.elderly_centre, status=Filing.Status.DEPARTMENT_REVIEW)
    Filing.objects.filter(pk=filing.pk).update(created_at=timezone.now() - 3 * DAY)
    workflow.withdraw(filing, personas.filer)
    transition = Transition.objects.get(filing=filing)
    assert abs(transition.spent - 3 * DAY) < datetime.timedelta(minutes=1)


def test_a_later_transition_records_the_time_since_the_previous_one(orgs):
    filing = make_filing(orgs.elderly_centre)
    start = timezone.now() - 10 * DAY
    Filing.objects.filter(pk=filing.pk).update(created_at=start)
    first = Transition.objects.create(
        filing=filing,
        action="submit",
        from_status="draft",
        to_status="department_review",
        at=start + 2 * DAY,
    )
    second = Transition.objects.create(
        filing=filing,
        action="department_return",
        from_status="department_review",
        to_status="returned",
        at=start + 7 * DAY,
    )
    assert first.spent == 2 * DAY
    assert second.spent == 5 * DAY


def test_import_json_logs_approved_filings_like_the_published_importer(tmp_path, db):
    path = tmp_path / "in.json"
    items = [{**GOOD_JSON, "status": "approved"}, {**GOOD_JSON, "name": "草稿项目"}]
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    call_command("import_json", str(path), stdout=io.StringIO())
    approved = Filing.objects.get(name="好项目")
    assert approved.approved_version is not None
    assert approved.transitions.get().action == Transition.Action.IMPORT
    draft = Filing.objects.get(name="草稿项目")
    assert not draft.transitions.exists() and not draft.versions.exists()


def test_a_round_names_its_year_once(orgs):
    round_ = Round.objects.create(
        bureau=orgs.minhang_bureau,
        year=2024,
        opens_on=datetime.date(2024, 1, 1),
        deadline=datetime.date(2024, 3, 31),
    )
    assert str(round_).endswith("2024年度绩效目标申报")
    round_.title = "追加绩效目标申报"
    assert str(round_).endswith("2024年度追加绩效目标申报")
