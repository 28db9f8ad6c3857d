"""Versions go with their filing: RESTRICT instead of PROTECT (no change in the database).

A version still cannot be deleted on its own, but deleting a filing (a withdrawn draft,
a wipe before re-importing) takes its versions and everything that cites them along.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0005_log_imported_filings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="comments",
                to="filings.filingversion",
                verbose_name="针对版本",
            ),
        ),
        migrations.AlterField(
            model_name="filing",
            name="approved_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="+",
                to="filings.filingversion",
                verbose_name="批复版本",
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="reviews",
                to="filings.filingversion",
                verbose_name="审核版本",
            ),
        ),
        migrations.AlterField(
            model_name="transition",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="transitions",
                to="filings.filingversion",
                verbose_name="版本",
            ),
        ),
    ]
