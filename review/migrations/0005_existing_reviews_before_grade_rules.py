"""Reviews decided before the grade decided keep their decisions (issue 15).

An approval graded 良, 中 or 差, and a return graded anything but 中 (or not
graded), were made when the grade did not decide: they are marked
``before_grade_rules`` and stand as they were — an approved filing stays
approved with its official version, a returned one goes through a full new
review on resubmission (no confirmation step is invented for an old 良).
check_integrity accepts their grades for that reason. Undecided 审核表 are
left alone: they will be decided under the new rules.
"""

from django.db import migrations
from django.db.models import Q


def mark(apps, schema_editor):
    Review = apps.get_model("review", "Review")
    Review.objects.filter(
        Q(decision="approve") & ~Q(grade="优") | Q(decision="return") & ~Q(grade="中")
    ).update(before_grade_rules=True)


def unmark(apps, schema_editor):
    Review = apps.get_model("review", "Review")
    Review.objects.update(before_grade_rules=False)


class Migration(migrations.Migration):
    dependencies = [("review", "0004_grades_decide_and_final_approver")]

    operations = [migrations.RunPython(mark, unmark)]
