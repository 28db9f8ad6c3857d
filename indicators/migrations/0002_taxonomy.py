"""Load the indicator taxonomy from fixtures/taxonomy.json.

Reads the fixture with the historical models (not loaddata, which would use
today's models) and only adds what is missing, so admins' additions and
edits survive.
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "taxonomy.json"


def load_taxonomy(apps, schema_editor):
    Level1 = apps.get_model("indicators", "Level1")
    Level2 = apps.get_model("indicators", "Level2")
    for obj in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = obj["fields"]
        if obj["model"] == "indicators.level1":
            Level1.objects.get_or_create(
                name=fields["name"], defaults={"order": fields["order"], "scope": fields["scope"]}
            )
        elif obj["model"] == "indicators.level2":
            level1 = Level1.objects.get(name=fields["level1"][0])
            Level2.objects.get_or_create(
                level1=level1, name=fields["name"], defaults={"order": fields["order"]}
            )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
