"""The library's user and organisation are the accounts app's now: state only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('indicators', '0005_library'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='libraryentry',
                    name='created_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人'),
                ),
                migrations.AlterField(
                    model_name='libraryentry',
                    name='organisation',
                    field=models.ForeignKey(blank=True, help_text='个性指标必填；共性指标留空', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='library_entries', to='accounts.organisation', verbose_name='所属单位'),
                ),
            ],
            database_operations=[],
        ),
    ]
