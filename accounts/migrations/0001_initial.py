"""Organisation and User move here from the filings app: the models' state only, not the tables.

The tables ``filings_organisation`` and ``filings_user`` (and the user's groups and
permissions) hold the rows already written; this migration tells Django the models
now belong to ``accounts`` and still live there (``db_table``). ``filings.0013`` drops
them from the filings app's state, ``0002`` renames the tables. On a site installed
before the move, ``manage.py migrate`` records this migration before anything else
(accounts/management/commands/migrate.py): Django's admin app, already migrated,
depends on whichever app holds the user model.
"""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        # The last migration of filings that changed these models: the state copied below.
        # (Not a later one: a site may be taken back to any later point, e.g. before the
        # audit app's move, without taking Django's admin app, which depends on this, with it.)
        ('filings', '0003_identity_lock_version_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='名称')),
                        ('level', models.CharField(choices=[('bureau', '财政局'), ('department', '主管部门'), ('unit', '预算单位')], max_length=20, verbose_name='层级')),
                        ('code', models.CharField(blank=True, help_text='如预算单位编码 510001，可不填', max_length=30, verbose_name='单位编码')),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='accounts.organisation', verbose_name='上级')),
                    ],
                    options={
                        'db_table': 'filings_organisation',
                        'verbose_name': '组织',
                        'verbose_name_plural': '组织',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='User',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('password', models.CharField(max_length=128, verbose_name='password')),
                        ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                        ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                        ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                        ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                        ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                        ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                        ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                        ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                        ('role', models.CharField(choices=[('filer', '填报人'), ('department_reviewer', '主管部门审核人'), ('finance_reviewer', '财政审核人'), ('admin', '管理员')], default='filer', max_length=30, verbose_name='角色')),
                        ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                        ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='accounts.organisation', verbose_name='所属组织')),
                    ],
                    options={
                        'db_table': 'filings_user',
                        'verbose_name': '用户',
                        'verbose_name_plural': '用户',
                    },
                    managers=[
                        ('objects', django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.AddConstraint(
                    model_name='organisation',
                    constraint=models.UniqueConstraint(fields=('parent', 'name'), name='unique_organisation_name_under_parent', violation_error_message='同一上级组织下已有同名组织。'),
                ),
                migrations.AddConstraint(
                    model_name='organisation',
                    constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name',), name='unique_bureau_name', violation_error_message='已有同名的财政局。'),
                ),
                migrations.AddConstraint(
                    model_name='organisation',
                    constraint=models.UniqueConstraint(condition=models.Q(('code', ''), _negated=True), fields=('parent', 'code'), name='unique_organisation_code_under_parent', violation_error_message='同一上级组织下已有相同的单位编码。'),
                ),
            ],
            database_operations=[],
        ),
    ]
