"""是否公开 (绩效目标公开): set by the filer with the filing's header, kept in JSON, shown."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from exports import jobs
from exports.models import ExportJob
from filings import content
from filings.models import Filing, content_hash
from filings.serialization import filing_to_dict
from filings.wizard.forms import ProjectBasicForm
from tests.factories import GOOD_JSON, YEAR, bring_to, fresh, ready_filing
from tests.helpers.pdf import norm, page_texts


def _basic(client, filing, **data):
    """POST the 基本信息 step as the page shows it, with ``data`` typed over it."""
    filing.refresh_from_db()
    form = ProjectBasicForm(instance=filing)
    shown = {name: form[name].value() for name in form.fields}
    payload = {
        name: "" if v is None else form.fields[name].prepare_value(v) for name, v in shown.items()
    }
    payload.update(lock_version=filing.lock_version, nav="save", **data)
    return client.post(reverse("filings:wizard", args=[filing.pk, "basic"]), payload)


class TestTheFilerSetsIt:
    def test_other_without_text_is_refused_naming_the_field_and_nothing_typed_is_lost(
        self, client, personas, orgs
    ):
        filing = ready_filing(orgs.elderly_centre, name="老龄中心项目")
        client.force_login(personas.filer)
        response = _basic(
            client,
            filing,
            name="改过的名称",
            disclosed="False",
            nondisclosure_reason="其他",
            nondisclosure_note="  ",
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "「非公开原因说明」非公开原因为「其他」时，请写明原因。" in page
        assert re.search(r'<input[^>]*name="disclosed"[^>]*value="False"[^>]*checked', page)
        assert re.search(
            r'<input[^>]*name="nondisclosure_reason"[^>]*value="其他"[^>]*checked', page
        )
        filing = fresh(filing)
        # The rest of the step is saved; 是否公开 and its reason only together.
        assert filing.name == "改过的名称"
        assert filing.disclosed is True

    def test_the_service_refuses_other_without_text(self, orgs):
        filing = ready_filing(orgs.elderly_centre)
        filing.disclosed, filing.nondisclosure_reason = False, "其他"
        with pytest.raises(content.ContentRefused, match="「非公开原因说明」"):
            content.save_fields(filing, filing.lock_version, ["disclosed", "nondisclosure_reason"])
        filing.nondisclosure_reason = ""
        with pytest.raises(content.ContentRefused, match="「非公开原因」"):
            content.save_fields(filing, filing.lock_version, ["disclosed", "nondisclosure_reason"])
        assert fresh(filing).disclosed is True

    def test_not_published_as_secret_is_shown_on_the_filing_and_review_pages(
        self, client, personas, orgs
    ):
        filing = ready_filing(orgs.elderly_centre, name="涉密项目")
        client.force_login(personas.filer)
        _basic(client, filing, disclosed="False", nondisclosure_reason="涉密")
        filing = fresh(filing)
        assert (filing.disclosed, filing.nondisclosure_reason) == (False, "涉密")
        page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
        assert "是否公开：不公开（涉密）" in page
        bring_to("department_review", filing, personas.filer, personas)
        client.force_login(personas.department_reviewer)
        page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
        assert "是否公开：不公开（涉密）" in page

    def test_published_by_default(self, client, personas, orgs):
        filing = ready_filing(orgs.elderly_centre)
        client.force_login(personas.filer)
        page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
        assert "是否公开：随预算公开" in page


class TestJson:
    def test_the_flag_goes_out_and_comes_back(self, orgs, tmp_path):
        filing = ready_filing(orgs.elderly_centre, name="其他原因项目")
        Filing.objects.filter(pk=filing.pk).update(
            disclosed=False, nondisclosure_reason="其他", nondisclosure_note="含个人信息"
        )
        data = filing_to_dict(fresh(filing))
        assert data["disclosure"] == {"disclosed": False, "reason": "其他", "note": "含个人信息"}
        data = {**data, "year": 2025}
        path = tmp_path / "in.json"
        path.write_text(json.dumps([data], ensure_ascii=False), encoding="utf-8")
        call_command("import_json", str(path), stdout=io.StringIO())
        imported = Filing.objects.get(year=2025, name="其他原因项目")
        assert (imported.disclosed, imported.nondisclosure_reason, imported.nondisclosure_note) == (
            False,
            "其他",
            "含个人信息",
        )

    def test_a_file_without_the_key_is_published(self, db, tmp_path):
        path = tmp_path / "in.json"
        path.write_text(json.dumps([GOOD_JSON], ensure_ascii=False), encoding="utf-8")
        call_command("import_json", str(path), stdout=io.StringIO())
        assert Filing.objects.get(name="好项目").disclosed is True

    def test_not_part_of_the_content_hash(self, orgs):
        filing = ready_filing(orgs.elderly_centre)
        before = content_hash(filing_to_dict(fresh(filing)))
        Filing.objects.filter(pk=filing.pk).update(disclosed=False, nondisclosure_reason="涉密")
        assert content_hash(filing_to_dict(fresh(filing))) == before


class TestPublicBundle:
    def _run(self, orgs, tmp_path, *extra):
        out = tmp_path / "公开.pdf"
        args = ["--org", orgs.civil_affairs.name, "--year", str(YEAR), "--public", *extra]
        call_command("export_pdf", *args, "-o", str(out), stderr=io.StringIO())
        return norm("".join(page_texts(out.read_bytes())))

    def test_leaves_out_an_undisclosed_filing_and_the_reviewer_copy_lists_it(
        self, personas, orgs, tmp_path
    ):
        shown = ready_filing(orgs.elderly_centre, name="公开的项目")
        hidden = ready_filing(orgs.elderly_centre, name="涉密的项目")
        other = ready_filing(orgs.elderly_centre, name="其他原因的项目")
        Filing.objects.filter(pk=hidden.pk).update(disclosed=False, nondisclosure_reason="涉密")
        Filing.objects.filter(pk=other.pk).update(
            disclosed=False, nondisclosure_reason="其他", nondisclosure_note="含个人信息"
        )
        for filing in (shown, hidden, other):
            bring_to("approved", filing, personas.filer, personas)
        public = self._run(orgs, tmp_path)
        assert "公开的项目" in public and "（公开版）" in public
        assert "涉密的项目" not in public and "其他原因的项目" not in public
        assert "未公开的绩效目标" not in public
        reviewer = self._run(orgs, tmp_path, "--reviewer-copy")
        left_out = reviewer[reviewer.index("未公开的绩效目标") :]
        assert "涉密涉密的项目" in left_out
        assert "其他其他原因的项目" in left_out and "含个人信息" in left_out

    def test_nothing_to_publish_is_a_message(self, personas, orgs, tmp_path):
        hidden = ready_filing(orgs.elderly_centre, name="涉密的项目")
        Filing.objects.filter(pk=hidden.pk).update(disclosed=False, nondisclosure_reason="涉密")
        bring_to("approved", hidden, personas.filer, personas)
        with pytest.raises(CommandError, match="没有随预算公开的已批复申报"):
            self._run(orgs, tmp_path)


def _job_text(user, organisation, status):
    bundle = ExportJob.Kind.PROJECT_BUNDLE
    job = jobs.create_job(user, organisation, YEAR, bundle, filing_status=status)
    jobs.run_inline(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    return jobs.output_name(job), norm("".join(page_texts(jobs.output_file(job).read_bytes())))


class TestTheExportPage:
    @pytest.fixture
    def approved(self, personas, orgs):
        shown = ready_filing(orgs.elderly_centre, name="公开的项目")
        hidden = ready_filing(orgs.elderly_centre, name="涉密的项目")
        Filing.objects.filter(pk=hidden.pk).update(disclosed=False, nondisclosure_reason="涉密")
        for filing in (shown, hidden):
            bring_to("approved", filing, personas.filer, personas)

    def test_the_public_copy_leaves_out_the_undisclosed_and_names_none(
        self, personas, orgs, approved
    ):
        name, text = _job_text(personas.filer, orgs.elderly_centre, "public")
        assert "公开版" in name
        assert "公开的项目" in text and "涉密的项目" not in text
        assert "未公开的绩效目标" not in text

    def test_the_reviewers_copy_lists_them_by_reason(self, personas, orgs, approved):
        _name, text = _job_text(personas.finance_reviewer, orgs.civil_affairs, "public_reviewer")
        left_out = text[text.index("未公开的绩效目标") :]
        assert "涉密涉密的项目" in left_out
        assert "涉密的项目" not in text[: text.index("未公开的绩效目标")]

    def test_only_reviewers_and_admins_are_offered_the_reviewers_copy(
        self, client, personas, orgs, approved
    ):
        client.force_login(personas.filer)
        page = client.get(reverse("exports:exports")).content.decode()
        assert 'value="public"' in page and 'value="public_reviewer"' not in page
        with pytest.raises(jobs.JobRefused, match="审核人员"):
            jobs.create_job(
                personas.filer,
                orgs.elderly_centre,
                YEAR,
                ExportJob.Kind.PROJECT_BUNDLE,
                filing_status="public_reviewer",
            )
        client.force_login(personas.department_reviewer)
        page = client.get(reverse("exports:exports")).content.decode()
        assert 'value="public_reviewer"' in page
