"""Importing published forms into the database, and the JSON round trip."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from accounts.models import Organisation
from attachments import services as attachments
from attachments.models import Attachment
from filings import demo
from filings.checks import run_checks
from filings.models import Filing
from importers.loader import import_file
from importers.published import parse_published
from indicators import editor
from indicators.models import Indicator
from indicators.taxonomy import from_fixture
from review.models import ApprovalNotice, Comment, Reply
from tests.conftest import PUBLISHED

SEED_FILES = sorted(PUBLISHED.glob("*.txt"))


@pytest.fixture
def demo_orgs(db):
    demo.load_organisations(demo.read_demo())


def _import_all():
    reports = [import_file(path) for path in SEED_FILES]
    assert [r.error for r in reports] == [""] * len(reports)
    return reports


def test_all_seed_filings_import_with_no_unplaced_row(demo_orgs):
    reports = _import_all()
    counts = {r.path.rsplit("/", 1)[-1][:3]: len(r.filings) for r in reports}
    assert counts == {"000": 1, "002": 1, "003": 1, "004": 12}
    assert Filing.objects.count() == 15
    assert [r.unplaced for r in reports] == [[], [], [], []]
    # Against the files themselves, not against dicts built from the same database.
    taxonomy = from_fixture()
    parsed = [
        f for path in SEED_FILES for f in parse_published(path.read_text(), taxonomy=taxonomy)
    ]
    assert Indicator.objects.count() == sum(len(f["indicators"]) for f in parsed) == 263
    for data in parsed:
        filing = Filing.objects.get(name=data["name"], year=data["year"])
        stored = [
            (i.level2.level1.name, i.level2.name, i.name, i.value) for i in filing.indicators.all()
        ]
        assert stored == [
            (r["level1"], r["level2"], r["name"], r["value"]) for r in data["indicators"]
        ], data["name"]


def test_published_filings_are_approved_and_owned_by_the_named_unit(demo_orgs):
    _import_all()
    owners = dict(Filing.objects.values_list("name", "organisation__name"))
    assert owners["民生保障"] == "服务办"
    assert owners["上海市闵行区老龄事业发展中心"] == "上海市闵行区老龄事业发展中心"
    assert owners["上海市闵行区民政局(汇总)"] == "上海市闵行区民政局"
    assert owners["残疾人权益保障经费"] == "上海市残疾人联合会"
    assert set(Filing.objects.values_list("status", flat=True)) == {"approved"}


def test_imported_money_keeps_blanks_and_units(demo_orgs):
    _import_all()
    rights = Filing.objects.get(name="残疾人权益保障经费")
    assert rights.money_unit == "元"
    assert rights.funds_total is None  # printed blank, not 0
    assert rights.annual_total == Decimal("2013200.00")
    assert rights.annual_carryover == Decimal("0")
    district = Filing.objects.get(name="民生保障")
    assert district.money_unit == "万元"
    assert district.variant == "district"
    assert district.category == "经常性项目"
    assert district.funds_total == Decimal("17594460")
    assert district.annual_carryover is None


def test_imported_overall_filings_keep_their_own_fields(demo_orgs):
    _import_all()
    department = Filing.objects.get(form="department")
    assert department.subordinate_units == 10
    assert department.assets_total == Decimal("117172292.09")
    assert (department.staff_count, department.internal_bodies) == (24, 8)
    assert department.budget_project == Decimal("423453137.50")
    assert department.tasks.count() == 6
    placeholders = department.indicators.filter(level2__level1__name="投入管理指标")
    assert placeholders.count() == 7
    assert department.input_note.startswith("根据沪财绩【2022】13号文")
    unit = Filing.objects.get(form="unit")
    assert unit.funding_mode == "全额"
    assert (unit.staff_count, unit.internal_bodies) == (None, 0)


def test_imported_values_are_parsed(demo_orgs):
    _import_all()
    row = Indicator.objects.get(name="微信公众号满意度")
    assert row.value == "≥85.00%"  # LaTeX repaired
    assert (row.value_type, row.operator, row.number, row.unit) == (
        "quantitative",
        "≥",
        Decimal("85.00"),
        "%",
    )
    assert row.level2.level1.name == "满意度指标"


def test_dry_run_saves_nothing_but_reports_everything(demo_orgs):
    report = import_file(SEED_FILES[-1], dry_run=True)
    assert report.error == ""
    assert len(report.filings) == 12
    assert not Filing.objects.exists()


def test_a_file_is_imported_whole_or_not_at_all(demo_orgs, tmp_path):
    text = (PUBLISHED / "004_74a63c49764ed4be.txt").read_text(encoding="utf-8")
    # The last of its 12 forms names units that do not exist; the first 11 are fine.
    head, _, tail = text.rpartition("主管部门\t上海市残疾人联合会\t实施单位\t上海市残疾人联合会")
    broken = head + "主管部门\t也不存在\t实施单位\t不存在的单位" + tail
    path = tmp_path / "broken.txt"
    path.write_text(broken, encoding="utf-8")
    report = import_file(path)
    assert "不存在的单位" in report.error
    assert "第 316 行《残疾人教育和就业经费》" in report.error  # says where
    assert not Filing.objects.exists()


def test_org_option_overrides_the_names_in_the_form(demo_orgs):
    centre = Organisation.objects.get(name="上海市闵行区老龄事业发展中心")
    import_file(SEED_FILES[0], organisation=centre)
    assert Filing.objects.get().organisation == centre


def test_command_reports_counts_warnings_and_writes_json(demo_orgs, tmp_path):
    out = io.StringIO()
    target = tmp_path / "out.json"
    call_command("import_published", *map(str, SEED_FILES), json=str(target), stdout=out)
    text = out.getvalue()
    assert "已导入 15 份申报，4/4 个文件成功" in text
    assert "双星指标" in text  # a repaired OCR name is reported with its line
    written = json.loads(target.read_text(encoding="utf-8"))
    assert len(written) == 15
    assert {f["form"] for f in written} == {"project", "unit", "department"}


def test_command_fails_when_a_file_cannot_be_imported(db, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("这里没有申报表\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 个文件未导入"):
        call_command("import_published", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_command_rejects_unknown_org(db):
    with pytest.raises(CommandError, match="找不到组织「没有这个单位」"):
        call_command("import_published", str(SEED_FILES[0]), org="没有这个单位")


def test_import_export_import_is_lossless(demo_orgs, tmp_path):
    _import_all()
    first = tmp_path / "first.json"
    call_command("export_json", output=str(first), stderr=io.StringIO())
    exported = json.loads(first.read_text(encoding="utf-8"))
    assert len(exported) == 15

    # A fresh database: no filings and no organisations at all.
    Indicator.objects.all().delete()
    Filing.objects.all().delete()
    for level in ("unit", "department", "bureau"):
        Organisation.objects.filter(level=level).delete()

    call_command("import_json", str(first), stdout=io.StringIO())
    second = tmp_path / "second.json"
    call_command("export_json", output=str(second), stderr=io.StringIO())
    assert json.loads(second.read_text(encoding="utf-8")) == exported


def test_export_json_filters_by_year_and_organisation_subtree(demo_orgs, tmp_path):
    _import_all()
    target = tmp_path / "out.json"
    call_command("export_json", output=str(target), org="上海市闵行区民政局", stderr=io.StringIO())
    names = {f["name"] for f in json.loads(target.read_text(encoding="utf-8"))}
    assert names == {"上海市闵行区民政局(汇总)", "上海市闵行区老龄事业发展中心"}
    call_command("export_json", output=str(target), year=2023, stderr=io.StringIO())
    assert {f["year"] for f in json.loads(target.read_text(encoding="utf-8"))} == {2023}


def test_import_json_rolls_back_the_whole_file_on_a_bad_row(db, tmp_path):
    good = {
        "form": "project",
        "year": 2024,
        "organisation": ["某区财政局", "某局"],
        "name": "好项目",
        "funds": {"total": "100.00"},
        "indicators": [],
    }
    bad = dict(good, name="坏项目", funds={"total": "一百元"})
    path = tmp_path / "in.json"
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 份《坏项目》：「项目资金总额」的值「一百元」"):
        call_command("import_json", str(path), stdout=io.StringIO())
    assert not Filing.objects.exists()
    assert not Organisation.objects.exists()


def test_load_demo_builds_everything_once(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    # The 15 published forms, approved, and drafts started from them for the filers; some of
    # the drafts are sent along the review path (tests/web/test_workflow.py checks where to).
    assert Filing.objects.filter(status="approved").count() == 15
    started = Filing.objects.exclude(status="approved")
    assert {(d.organisation.name, d.year) for d in started} == {
        ("上海市闵行区老龄事业发展中心", 2025),
        ("上海市闵行区民政局", 2025),
        ("上海市残疾人联合会", 2024),
    }
    # All but the 2021 project (written anew, below) are copies with their rows.
    copies = started.exclude(framework__code="2021")
    assert copies.count() == 5
    assert all(d.copied_from_id and d.indicators.exists() for d in copies)
    assert Filing.objects.filter(status="draft").exists()
    assert "perfgoals-demo" in out.getvalue()
    call_command("load_demo", stdout=io.StringIO())  # again: nothing doubles
    assert Filing.objects.count() == 21
    assert Attachment.objects.count() == 1 and ApprovalNotice.objects.count() == 1
    assert Reply.objects.count() == 1
    integrity = io.StringIO()
    call_command("check_integrity", stdout=integrity, stderr=integrity)
    assert "检查了 21 份申报" in integrity.getvalue()
    assert "未发现问题" in integrity.getvalue()


def test_load_demo_shows_the_taxonomy_2021_attachments_replies_and_a_pifu(db):
    call_command("load_demo", stdout=io.StringIO())
    # 1. A project of the filer's unit written to the 2021 edition, every 2021 field in use.
    project = Filing.objects.get(name="老年人助餐服务补贴", year=2025)
    assert (project.framework.code, project.status) == ("2021", "draft")
    assert project.organisation.name == "上海市闵行区老龄事业发展中心"
    rows = list(project.indicators.select_related("level2__level1"))
    assert any(row.level2.level1.name == "成本指标" for row in rows)
    assert all(row.weight is not None and row.basis and row.basis_text for row in rows)
    assert all(row.direction for row in rows)
    assert [row.name for row in rows if row.core] == ["助餐服务人次"]
    assert [row.period_value for row in rows if row.period_value] == ["≥360000(人次)"]
    # The editor's 分值合计 line: rows and 预算执行率 make the 100 points of 财预〔2020〕10号.
    assert Decimal(editor.weights_json(project, rows)["total"]) == 100
    assert not [f for f in run_checks(project) if f.severity == "error"]
    # 2. Its 立项依据: a real PDF, stored privately, that reads back.
    attachment = project.attachments.get()
    assert (attachment.kind, attachment.file_type) == ("basis", "pdf")
    with attachments.storage().open(attachment.stored_name) as stored:
        text = "".join(page.extract_text() for page in PdfReader(stored).pages)
    assert "三年行动计划" in text and "每客不超过5元" in text
    # 3. The returned project: one remark on a row answered and 已处理, one still open.
    returned = Filing.objects.get(name="残疾人事业宣传经费", status="returned")
    remarks = Comment.objects.filter(filing=returned, part="indicators")
    answered = remarks.get(row_key=returned.indicators.get(name="残联微博粉丝量").key)
    waiting = remarks.get(row_key=returned.indicators.get(name="微信公众号满意度").key)
    assert answered.resolved_at and answered.replies.get().author.username == "filer_cdpf"
    assert waiting.resolved_at is None and not waiting.replies.exists()
    # 4. The department's 批复 of the unit's approved 2024 filing.
    notice = ApprovalNotice.objects.get()
    assert (notice.organisation.name, notice.year) == ("上海市闵行区老龄事业发展中心", 2024)
    assert notice.issued_by.username == "dept_reviewer"
    assert [item.filing.name for item in notice.items.all()] == ["上海市闵行区老龄事业发展中心"]


def test_export_json_refuses_an_ambiguous_org_and_takes_a_path(db, tmp_path):
    for bureau_name in ("甲区财政局", "乙区财政局"):
        bureau = Organisation.objects.create(name=bureau_name, level="bureau")
        Organisation.objects.create(name="服务办", level="department", parent=bureau)
    target = tmp_path / "out.json"
    with pytest.raises(CommandError, match="有多个名为「服务办」的组织，请写完整路径"):
        call_command("export_json", output=str(target), org="服务办", stderr=io.StringIO())
    call_command("export_json", output=str(target), org="乙区财政局/服务办", stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == []


def test_importing_the_same_published_file_twice_refuses_and_says_which(demo_orgs):
    assert import_file(SEED_FILES[0]).error == ""
    report = import_file(SEED_FILES[0])
    assert "已有《民生保障》" in report.error and "未重复导入" in report.error
    assert Filing.objects.count() == 1
