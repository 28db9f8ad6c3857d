"""Transition actions and notification kinds of both the adjustment applications and the grades that decide (two branches, one list)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0005_existing_reviews_before_grade_rules'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('queued', '待审核'), ('returned', '已退回'), ('approved', '已批复'), ('not_approved', '不予通过'), ('deadline', '截止提醒'), ('adjustment', '调整申请')], max_length=20, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='transition',
            name='action',
            field=models.CharField(choices=[('import', '导入'), ('submit', '提交'), ('withdraw', '撤回'), ('department_approve', '主管部门审核通过'), ('department_return', '主管部门退回修改'), ('finance_approve', '财政批复'), ('finance_return', '财政退回修改'), ('department_final_approve', '主管部门批复'), ('department_reject', '主管部门审核不予通过'), ('finance_reject', '财政审核不予通过'), ('reopen', '财政局重新开放'), ('adjust', '发起调整'), ('cancel_adjustment', '撤回调整')], max_length=30, verbose_name='操作'),
        ),
    ]
