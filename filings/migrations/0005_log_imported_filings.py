"""The review log's first row for filings imported before the log existed.

Every imported filing (a published form: no ``copied_from``, a ``source``)
gets its IMPORT transition and a version of reason 导入, and an approved one
its ``approved_version``, exactly as ``review.workflow.record_import`` now
does at import time.
"""

from django.db import migrations


def log_imports(apps, schema_editor):
    HistoricalFiling = apps.get_model("filings", "Filing")
    candidates = HistoricalFiling.objects.filter(copied_from__isnull=True, versions__isnull=True)
    candidates = candidates.exclude(source="")
    # The snapshot is filing_to_dict's format, which needs the real models and their
    # methods. They match the tables only at this point of the history: on a database
    # created later from scratch there are no filings yet, so they are never touched.
    if not candidates.exists():
        return
    from review import workflow
    from filings.models import Filing

    for pk in candidates.values_list("pk", flat=True).order_by("pk"):
        filing = Filing.objects.get(pk=pk)
        workflow.record_import(filing, source=filing.source)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0004_review"),
        ("indicators", "0005_library"),
    ]

    operations = [migrations.RunPython(log_imports, migrations.RunPython.noop)]
