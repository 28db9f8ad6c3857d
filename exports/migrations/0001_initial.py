"""Export jobs move here from the filings app: state only; ``0002`` renames the tables.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
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
                    name='ExportJob',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                        ('kind', models.CharField(choices=[('project_bundle', '项目绩效目标汇总表（PDF）'), ('overall_bundle', '整体支出绩效目标汇总表（PDF）'), ('pdf_zip', '每份申报一个PDF（ZIP压缩包）'), ('form_workbook', '申报表（Excel，每份一个工作表）'), ('flat_workbook', '分析用明细（Excel）')], max_length=20, verbose_name='导出内容')),
                        ('form', models.CharField(blank=True, choices=[('project', '财政项目支出绩效目标申报表'), ('unit', '单位整体支出绩效目标申报表'), ('department', '部门（单位）整体支出绩效目标申报表')], help_text='只导出这一表式；空为全部', max_length=20, verbose_name='表式')),
                        ('filing_status', models.CharField(blank=True, help_text='只导出这一状态的申报；空为全部', max_length=30, verbose_name='申报状态')),
                        ('filing_ids', models.JSONField(default=list, verbose_name='申报')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '进行中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                        ('done', models.PositiveIntegerField(default=0, verbose_name='已完成份数')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='总份数')),
                        ('error', models.TextField(blank=True, verbose_name='错误信息')),
                        ('assemble_attempts', models.PositiveIntegerField(default=0, verbose_name='合并次数')),
                        ('output_path', models.CharField(blank=True, max_length=300, verbose_name='文件位置')),
                        ('output_name', models.CharField(blank=True, max_length=200, verbose_name='文件名')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='创建时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='最后进展')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='文件保留至')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='export_jobs', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='export_jobs', to='accounts.organisation', verbose_name='组织')),
                    ],
                    options={
                        'db_table': 'filings_exportjob',
                        'verbose_name': '导出任务',
                        'verbose_name_plural': '导出任务',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ExportChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('index', models.PositiveIntegerField(verbose_name='序号')),
                        ('start', models.PositiveIntegerField(verbose_name='起始位置')),
                        ('size', models.PositiveIntegerField(verbose_name='份数')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='运行次数')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='exports.exportjob')),
                    ],
                    options={
                        'db_table': 'filings_exportchunk',
                        'verbose_name': '导出分批',
                        'verbose_name_plural': '导出分批',
                        'ordering': ['index'],
                    },
                ),
                migrations.AddIndex(
                    model_name='exportjob',
                    index=models.Index(fields=['created_by', '-created_at'], name='exportjob_user_created'),
                ),
                migrations.AddIndex(
                    model_name='exportjob',
                    index=models.Index(fields=['expires_at'], name='exportjob_expires'),
                ),
                migrations.AddConstraint(
                    model_name='exportchunk',
                    constraint=models.UniqueConstraint(fields=('job', 'index'), name='one_chunk_per_job_index'),
                ),
            ],
            database_operations=[],
        ),
    ]
