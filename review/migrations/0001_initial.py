"""The review log's models move here from the filings app: state only; ``0002`` renames the tables.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('filings', '0012_auditevent_moves_to_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Comment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('part', models.CharField(choices=[('general', '总体'), ('basic', '基本信息'), ('funds', '资金'), ('goals', '绩效目标'), ('tasks', '年度重点任务'), ('indicators', '绩效指标')], default='general', max_length=20, verbose_name='部分')),
                        ('row_key', models.UUIDField(blank=True, null=True, verbose_name='指标行')),
                        ('body', models.TextField(verbose_name='意见')),
                        ('internal', models.BooleanField(default=False, verbose_name='仅审核人可见')),
                        ('author_name', models.CharField(blank=True, max_length=150, verbose_name='提出人姓名')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='提出人')),
                        ('filing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='filings.filing', verbose_name='申报')),
                        ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='comments', to='filings.filingversion', verbose_name='针对版本')),
                    ],
                    options={
                        'db_table': 'filings_comment',
                        'verbose_name': '审核意见',
                        'verbose_name_plural': '审核意见',
                        'ordering': ['created_at', 'pk'],
                        'indexes': [models.Index(fields=['filing', 'created_at'], name='comment_filing_at')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('queued', '待审核'), ('returned', '已退回'), ('approved', '已批复'), ('deadline', '截止提醒')], max_length=20, verbose_name='类型')),
                        ('message', models.CharField(max_length=300, verbose_name='内容')),
                        ('url', models.CharField(blank=True, max_length=300, verbose_name='链接')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                        ('filing', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='filings.filing', verbose_name='申报')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='收件人')),
                    ],
                    options={
                        'db_table': 'filings_notification',
                        'verbose_name': '通知',
                        'verbose_name_plural': '通知',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['recipient', 'read_at', '-created_at'], name='notification_inbox')],
                    },
                ),
                migrations.CreateModel(
                    name='Review',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(choices=[('department', '主管部门审核'), ('finance', '财政审核')], max_length=20, verbose_name='审核环节')),
                        ('reviewer_name', models.CharField(blank=True, max_length=150, verbose_name='审核人姓名')),
                        ('opinion_goals', models.TextField(blank=True, verbose_name='总体目标')),
                        ('opinion_outputs', models.TextField(blank=True, verbose_name='产出指标')),
                        ('opinion_outcomes', models.TextField(blank=True, verbose_name='效益指标')),
                        ('opinion_satisfaction', models.TextField(blank=True, verbose_name='满意度指标')),
                        ('opinion_funds', models.TextField(blank=True, verbose_name='资金')),
                        ('to_improve', models.TextField(blank=True, verbose_name='需补充完善事项')),
                        ('grade', models.CharField(blank=True, choices=[('优', '优'), ('良', '良'), ('中', '中'), ('差', '差')], max_length=1, verbose_name='审核等级')),
                        ('completeness', models.CharField(blank=True, choices=[('优', '优'), ('良', '良'), ('中', '中'), ('差', '差')], max_length=1, verbose_name='完整性')),
                        ('relevance', models.CharField(blank=True, choices=[('优', '优'), ('良', '良'), ('中', '中'), ('差', '差')], max_length=1, verbose_name='相关性')),
                        ('appropriateness', models.CharField(blank=True, choices=[('优', '优'), ('良', '良'), ('中', '中'), ('差', '差')], max_length=1, verbose_name='适当性')),
                        ('feasibility', models.CharField(blank=True, choices=[('优', '优'), ('良', '良'), ('中', '中'), ('差', '差')], max_length=1, verbose_name='可行性')),
                        ('decision', models.CharField(blank=True, choices=[('approve', '审核通过'), ('return', '退回修改')], max_length=10, verbose_name='审核结论')),
                        ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='开始审核')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审核完成')),
                        ('filing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='filings.filing', verbose_name='申报')),
                        ('reviewer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='reviews', to='filings.filingversion', verbose_name='审核版本')),
                    ],
                    options={
                        'db_table': 'filings_review',
                        'verbose_name': '绩效目标审核表',
                        'verbose_name_plural': '绩效目标审核表',
                        'ordering': ['opened_at', 'pk'],
                        'constraints': [models.UniqueConstraint(fields=('version', 'stage'), name='one_review_per_version_and_stage'), models.CheckConstraint(condition=models.Q(models.Q(('decision', 'approve'), _negated=True), models.Q(('grade', ''), _negated=True), _connector='OR'), name='approval_has_a_grade', violation_error_message='审核通过时须评定等级（优/良/中/差）。')],
                    },
                ),
                migrations.CreateModel(
                    name='Round',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('title', models.CharField(default='年度绩效目标申报', max_length=100, verbose_name='名称')),
                        ('opens_on', models.DateField(verbose_name='开始日期')),
                        ('deadline', models.DateField(verbose_name='截止日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('bureau', models.ForeignKey(limit_choices_to={'level': 'bureau'}, on_delete=django.db.models.deletion.PROTECT, related_name='rounds', to='accounts.organisation', verbose_name='财政局')),
                    ],
                    options={
                        'db_table': 'filings_round',
                        'verbose_name': '申报批次',
                        'verbose_name_plural': '申报批次',
                        'ordering': ['-year', 'bureau_id'],
                        'constraints': [models.UniqueConstraint(fields=('bureau', 'year'), name='one_round_per_bureau_year', violation_error_message='该财政局本年度已有申报批次。'), models.CheckConstraint(condition=models.Q(('opens_on__lte', models.F('deadline'))), name='round_opens_before_deadline', violation_error_message='开始日期不能晚于截止日期。')],
                    },
                ),
                migrations.CreateModel(
                    name='Transition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('import', '导入'), ('submit', '提交'), ('withdraw', '撤回'), ('department_approve', '主管部门审核通过'), ('department_return', '主管部门退回修改'), ('finance_approve', '财政批复'), ('finance_return', '财政退回修改'), ('adjust', '发起调整')], max_length=30, verbose_name='操作')),
                        ('from_status', models.CharField(choices=[('draft', '草稿'), ('department_review', '待主管部门审核'), ('finance_review', '待财政审核'), ('approved', '已批复'), ('returned', '已退回')], max_length=30, verbose_name='原状态')),
                        ('to_status', models.CharField(choices=[('draft', '草稿'), ('department_review', '待主管部门审核'), ('finance_review', '待财政审核'), ('approved', '已批复'), ('returned', '已退回')], max_length=30, verbose_name='新状态')),
                        ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='操作人姓名')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                        ('comment', models.TextField(blank=True, verbose_name='说明')),
                        ('spent', models.DurationField(blank=True, null=True, verbose_name='停留时长')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('filing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='filings.filing', verbose_name='申报')),
                        ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='transitions', to='filings.filingversion', verbose_name='版本')),
                    ],
                    options={
                        'db_table': 'filings_transition',
                        'verbose_name': '状态变更记录',
                        'verbose_name_plural': '状态变更记录',
                        'ordering': ['at', 'pk'],
                        'indexes': [models.Index(fields=['filing', 'at'], name='transition_filing_at')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
