"""Users and organisations, the review log and export jobs leave this app's state for their own apps.

State only: the tables stay where they are until the new apps' ``0002`` migrations
rename them. Undone, the models come back into this app's state, again without a
change to the database.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('filings', '0012_auditevent_moves_to_audit'),
        # Each model exists in its new app's state before it leaves this one, and every
        # foreign key of the other apps points there.
        ('accounts', '0001_initial'),
        ('review', '0001_initial'),
        ('exports', '0001_initial'),
        ('audit', '0003_user_and_organisation_in_accounts'),
        ('indicators', '0006_user_and_organisation_in_accounts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='exportchunk',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='exportjob',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='exportjob',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='filing',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='recipient',
                ),
                migrations.RemoveField(
                    model_name='organisation',
                    name='parent',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='round',
                    name='bureau',
                ),
                migrations.AlterField(
                    model_name='filing',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='filings', to='accounts.organisation', verbose_name='填报单位'),
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='filing',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='reviewer',
                ),
                migrations.RemoveField(
                    model_name='review',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='transition',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='transition',
                    name='filing',
                ),
                migrations.RemoveField(
                    model_name='transition',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='groups',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='user_permissions',
                ),
                migrations.AlterField(
                    model_name='filingversion',
                    name='created_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='提交人'),
                ),
                migrations.DeleteModel(
                    name='Comment',
                ),
                migrations.DeleteModel(
                    name='ExportChunk',
                ),
                migrations.DeleteModel(
                    name='ExportJob',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='Round',
                ),
                migrations.DeleteModel(
                    name='Organisation',
                ),
                migrations.DeleteModel(
                    name='Review',
                ),
                migrations.DeleteModel(
                    name='Transition',
                ),
                migrations.DeleteModel(
                    name='User',
                ),
            ],
            database_operations=[],
        ),
    ]
