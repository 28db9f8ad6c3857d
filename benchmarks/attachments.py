"""Reading an attachment's type from its content: the time of the largest real files.

    .venv/bin/python -m benchmarks.attachments [--small]

The checks of ``attachments.filetypes.identify`` run in the upload's request, so
their time is the page's: each file below is read as an upload would be, a few
times, and the median CPU and wall time written. The files are the largest of
each kind a filer sends, made here as the real programs make them: a 立项依据 of
200 pages printed by WeasyPrint (text and tables, every page its own objects),
a scanned page as a 5-megapixel JPEG, a 测算明细 workbook of 5,000 rows
(openpyxl), a 实施方案 .docx, and the refused ones that cost the most to refuse
(a zip bomb, a PDF whose script hides in an escaped name). No database is used.
"""

import statistics
import sys
import time
from io import BytesIO

from benchmarks import runner

DATABASES = ("sqlite",)
TARGET_S = 1.0


def _long_pdf(pages):
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>{n}</td><td>社区养老服务第{n}项</td><td>≥30(人)</td></tr>" for n in range(40)
    )
    body = "".join(
        f"<h2>第{page}页 项目立项依据</h2><p>{'闵行区老龄事业发展中心项目实施方案。' * 30}</p>"
        f"<table>{rows}</table><div style='page-break-after: always'></div>"
        for page in range(pages)
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def _photo():
    from PIL import Image

    image = Image.effect_noise((2592, 1944), 64).convert("RGB")  # 5 MP, noisy like a scan
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _workbook(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for n in range(rows):
        sheet.append([n, f"测算项目{n}", 1200.5 * n, "元", f"=C{n + 1}*2"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _files(small):
    from tests.helpers import attachment_files as files

    return [
        (
            "立项依据.pdf",
            f"{20 if small else 200} 页 PDF（WeasyPrint）",
            _long_pdf(20 if small else 200),
        ),
        ("扫描件.jpg", "500 万像素 JPEG", _photo()),
        ("测算明细.xlsx", f"{500 if small else 5000} 行工作簿", _workbook(500 if small else 5000)),
        ("实施方案.docx", "Word 文档", files.docx()),
        ("炸弹.docx", "压缩炸弹（拒绝）", files.docx_bomb()),
        ("隐藏动作.pdf", "转义名称中的启动动作（拒绝）", files.pdf_with_hidden_launch()),
    ]


def _time(name, content, runs):
    from attachments.filetypes import AttachmentRefused, identify

    walls, cpus, answer = [], [], ""
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            answer = str(identify(name, content))
        except AttachmentRefused:
            answer = "refused"
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), answer


def run(context):
    runs = context.setting("BENCH_RUNS", 5, small=1)
    lines = [
        f"attachments.filetypes.identify on each file, median of {runs} runs; target {TARGET_S:g} s"
    ]
    worst = 0.0
    for name, what, content in _files(context.small):
        wall, cpu, answer = _time(name, content, runs)
        worst = max(worst, wall)
        lines.append(
            f"{what:<28} {len(content) / 1024 / 1024:6.2f} MB  {answer:<8} "
            f"wall {wall:.3f} s  cpu {cpu:.3f} s"
        )
    lines.append(f"slowest {worst:.3f} s: {'within' if worst < TARGET_S else 'ABOVE'} the target")
    context.write("attachment type checks", lines)


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
