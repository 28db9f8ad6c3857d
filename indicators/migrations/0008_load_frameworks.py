"""Load the two editions of the taxonomy (indicators.Framework) from fixtures/taxonomy.json.

Like 0002, reads the fixture with the historical models and only adds what is
missing, so an admin's edits to an edition survive a re-run.
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "taxonomy.json"


def load_frameworks(apps, schema_editor):
    Framework = apps.get_model("indicators", "Framework")
    Level2 = apps.get_model("indicators", "Level2")
    for obj in json.loads(FIXTURE.read_text(encoding="utf-8")):
        if obj["model"] != "indicators.framework":
            continue
        fields = dict(obj["fields"])
        names = fields.pop("level2s")
        framework, created = Framework.objects.get_or_create(code=fields["code"], defaults=fields)
        if created:
            level2s = [Level2.objects.get(level1__name=l1, name=l2) for l1, l2 in names]
            framework.level2s.set(level2s)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_frameworks_and_2021_fields")]

    operations = [migrations.RunPython(load_frameworks, migrations.RunPython.noop)]
