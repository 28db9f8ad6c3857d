"""python manage.py export_pdf / export_excel: one filing, or an organisation's year."""

import io
import subprocess
import sys

import openpyxl
import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from filings.models import Filing
from tests.conftest import ROOT, make_filing
from tests.factories import imported_filing


def _pdf_text(path):
    with pdfplumber.open(path) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _run(command, *args):
    err = io.StringIO()
    call_command(command, *args, stderr=err)
    return err.getvalue()


@pytest.fixture
def civil_year(orgs):
    """The civil affairs bureau's 2024: two projects, one unit's overall filing, one of 2023."""
    return {
        "first": make_filing(orgs.civil_affairs, name="甲项目"),
        "second": make_filing(orgs.elderly_centre, name="乙项目"),
        "overall": make_filing(orgs.elderly_centre, name="老龄中心整体", form=Filing.Form.UNIT),
        "old": make_filing(orgs.civil_affairs, name="去年项目", year=2023),
    }


class TestExportPdf:
    def test_one_filing(self, civil_year, tmp_path):
        out = tmp_path / "one.pdf"
        message = _run("export_pdf", "--filing", str(civil_year["first"].pk), "-o", str(out))
        assert out.read_bytes().startswith(b"%PDF")
        assert "甲项目" in _pdf_text(out)
        assert "已导出「甲项目」" in message

    def test_a_version(self, orgs, tmp_path):
        filing = imported_filing(orgs.elderly_centre, name="批复时的名称")
        Filing.objects.filter(pk=filing.pk).update(name="后来的名称")
        out = tmp_path / "v1.pdf"
        _run("export_pdf", "--filing", str(filing.pk), "--filing-version", "1", "-o", str(out))
        assert "批复时的名称" in _pdf_text(out)

    def test_org_and_year_make_the_project_bundle(self, civil_year, tmp_path):
        out = tmp_path / "bundle.pdf"
        _run(
            "export_pdf",
            *("--org", "上海市闵行区民政局", "--year", "2024", "--status", "all"),
            *("-o", str(out)),
        )
        text = _pdf_text(out)
        assert "上海市闵行区民政局2024年度项目绩效目标汇总表" in text
        # The department's own project first, then its unit's; nothing of 2023, no overall form.
        assert text.rindex("甲项目") < text.rindex("乙项目")
        assert "去年项目" not in text and "老龄中心整体" not in text

    def test_overall_bundle_on_two_processes(self, civil_year, tmp_path):
        out = tmp_path / "overall.pdf"
        _run(
            "export_pdf",
            *("--org", "闵行区财政局/上海市闵行区民政局", "--year", "2024"),
            *("--form", "overall", "--processes", "2", "--status", "all", "-o", str(out)),
        )
        text = _pdf_text(out)
        assert "上海市闵行区民政局2024年度整体支出绩效目标汇总表" in text
        assert "老龄中心整体" in text and "甲项目" not in text

    def test_a_bundle_holds_the_approved_filings_unless_asked_otherwise(
        self, civil_year, orgs, tmp_path
    ):
        imported_filing(orgs.elderly_centre, name="丙项目")
        out = tmp_path / "approved.pdf"
        _run("export_pdf", "--org", "上海市闵行区民政局", "--year", "2024", "-o", str(out))
        text = _pdf_text(out)
        assert "丙项目" in text and "甲项目" not in text and "乙项目" not in text
        assert "已批复" in text and "草稿" not in text

    def test_status_filter(self, civil_year, tmp_path):
        Filing.objects.filter(pk=civil_year["second"].pk).update(status="approved")
        out = tmp_path / "approved.pdf"
        _run(
            "export_pdf",
            *("--org", "上海市闵行区民政局", "--year", "2024", "--status", "approved"),
            *("-o", str(out)),
        )
        text = _pdf_text(out)
        assert "乙项目" in text and "甲项目" not in text


class TestExportExcel:
    def test_one_filing(self, civil_year, tmp_path):
        out = tmp_path / "one.xlsx"
        _run("export_excel", "--filing", str(civil_year["first"].pk), "-o", str(out))
        workbook = openpyxl.load_workbook(out)
        assert len(workbook.sheetnames) == 1
        values = {c.value for row in workbook.active.iter_rows() for c in row}
        assert "甲项目" in values

    def test_org_and_year_one_sheet_per_filing(self, civil_year, tmp_path):
        out = tmp_path / "year.xlsx"
        _run("export_excel", "--org", "上海市闵行区民政局", "--year", "2024", "-o", str(out))
        workbook = openpyxl.load_workbook(out)
        # The 目录, then two projects and the unit's overall filing.
        assert workbook.sheetnames[0] == "目录"
        assert len(workbook.sheetnames) == 1 + 3
        names = [
            {c.value for row in sheet.iter_rows() for c in row}
            & {"甲项目", "乙项目", "老龄中心整体"}
            for sheet in workbook.worksheets[1:]
        ]
        # The department first, then its unit: its overall filing before its projects.
        assert names == [{"甲项目"}, {"老龄中心整体"}, {"乙项目"}]

    def test_form_filter_and_flat(self, civil_year, tmp_path):
        out = tmp_path / "flat.xlsx"
        _run(
            "export_excel",
            *("--org", "上海市闵行区民政局", "--year", "2024", "--form", "project", "--flat"),
            *("-o", str(out)),
        )
        workbook = openpyxl.load_workbook(out)
        values = {c.value for sheet in workbook for row in sheet.iter_rows() for c in row}
        assert {"甲项目", "乙项目", "培训人数"} <= values
        assert "老龄中心整体" not in values


class TestErrors:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ([], "请用 --filing ID 指定一份申报"),
            (["--org", "上海市闵行区民政局"], "请用 --filing ID"),
            (["--filing", "1", "--org", "x", "--year", "2024"], "只能选一种"),
            (
                ["--org", "上海市闵行区民政局", "--year", "2024", "--filing-version", "1"],
                "--filing-version 只能",
            ),
        ],
    )
    def test_selection_mistakes(self, args, message, tmp_path):
        with pytest.raises(CommandError, match=message):
            call_command("export_pdf", *args, "-o", str(tmp_path / "x.pdf"))

    def test_unknown_things_are_named(self, civil_year, tmp_path):
        out = str(tmp_path / "x.pdf")
        with pytest.raises(CommandError, match="找不到编号为 999999 的申报"):
            call_command("export_pdf", "--filing", "999999", "-o", out)
        with pytest.raises(CommandError, match="没有第 7 版"):
            call_command(
                "export_pdf",
                "--filing",
                str(civil_year["first"].pk),
                "--filing-version",
                "7",
                "-o",
                out,
            )
        with pytest.raises(CommandError, match="找不到组织「不存在的局」"):
            call_command("export_excel", "--org", "不存在的局", "--year", "2024", "-o", out)
        with pytest.raises(CommandError, match="2031年度没有符合条件的申报"):
            call_command("export_pdf", "--org", "上海市闵行区民政局", "--year", "2031", "-o", out)
        with pytest.raises(CommandError, match="--flat 只能与 --org/--year 同用"):
            call_command(
                "export_excel", "--filing", str(civil_year["first"].pk), "--flat", "-o", out
            )

    def test_missing_output_folder(self, civil_year, tmp_path):
        out = str(tmp_path / "nowhere" / "x.pdf")
        with pytest.raises(CommandError, match="输出文件夹不存在"):
            call_command("export_pdf", "--filing", str(civil_year["first"].pk), "-o", out)

    def test_exit_code_is_not_zero(self, tmp_path):
        # Refused before the database is read: runs without the test database.
        result = subprocess.run(
            [sys.executable, "manage.py", "export_excel", "-o", str(tmp_path / "x.xlsx")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert "请用 --filing ID 指定一份申报" in result.stderr
        assert not (tmp_path / "x.xlsx").exists()
