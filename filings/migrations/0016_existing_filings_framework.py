"""Give every existing filing the edition its rows follow.

A filing with a row under the 一级 成本指标 was written to the 2021 edition
(an imported form keeps what was printed); every other filing to the classic
one, which is what the editor offered before editions existed.
"""

from django.db import migrations


def set_frameworks(apps, schema_editor):
    Filing = apps.get_model("filings", "Filing")
    Framework = apps.get_model("indicators", "Framework")
    Indicator = apps.get_model("indicators", "Indicator")
    editions = {framework.code: framework for framework in Framework.objects.all()}
    cost_first = Indicator.objects.filter(level2__level1__name="成本指标").values("filing_id")
    Filing.objects.filter(pk__in=cost_first).update(framework=editions["2021"])
    Filing.objects.filter(framework__isnull=True).update(framework=editions["classic"])


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0015_filing_framework_and_execution_weight"),
        ("indicators", "0008_load_frameworks"),
    ]

    operations = [migrations.RunPython(set_frameworks, migrations.RunPython.noop)]
