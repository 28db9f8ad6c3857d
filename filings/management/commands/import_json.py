import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from filings.money import echo
from filings.serialization import (
    ImportProblem,
    check_shape,
    organisation_from_path,
    save_filing,
)
from indicators.taxonomy import Taxonomy
from review import workflow


class Command(BaseCommand):
    help = "导入 export_json 写出的 JSON 文件；整个文件一个事务，出错则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as source:
                items = json.load(source)
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 {options['file']}：{echo(exc, 120)}") from None
        if not isinstance(items, list):
            raise CommandError("JSON 文件应为申报对象的数组")
        taxonomy = Taxonomy.load()
        try:
            with transaction.atomic():
                for number, data in enumerate(items, start=1):
                    try:
                        check_shape(data)
                        org = organisation_from_path(data.get("organisation"))
                        filing = save_filing(data, org, taxonomy=taxonomy)
                    except ImportProblem as exc:
                        name = data.get("name") if isinstance(data, dict) else None
                        raise ImportProblem(
                            f"第 {number} 份《{echo(name or '')}》：{exc}"
                        ) from None
                    # As the published importer does: an approved filing arrives with its
                    # official version and the IMPORT row that starts its review log.
                    if filing.status == filing.Status.APPROVED:
                        workflow.record_import(
                            filing, source=f"{Path(options['file']).name}:{number}"
                        )
        except ImportProblem as exc:
            raise CommandError(f"{exc}；文件未导入。") from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(items)} 份申报。"))
