from django.db import migrations, models


def fill_spent(apps, schema_editor):
    """Each existing transition's stay: since the filing's previous one, or its creation."""
    Transition = apps.get_model("filings", "Transition")
    rows = (
        Transition.objects.order_by("filing_id", "at", "pk")
        .values_list("pk", "filing_id", "at", "filing__created_at")
        .iterator(chunk_size=2000)
    )
    batch, last_filing, last_at = [], None, None
    for pk, filing_id, at, created_at in rows:
        start = last_at if filing_id == last_filing else created_at
        batch.append(Transition(pk=pk, spent=at - start))
        last_filing, last_at = filing_id, at
        if len(batch) >= 2000:
            Transition.objects.bulk_update(batch, ["spent"])
            batch = []
    if batch:
        Transition.objects.bulk_update(batch, ["spent"])


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0006_versions_go_with_their_filing"),
    ]

    operations = [
        migrations.AddField(
            model_name="transition",
            name="spent",
            field=models.DurationField(blank=True, null=True, verbose_name="停留时长"),
        ),
        migrations.RunPython(fill_spent, migrations.RunPython.noop),
    ]
