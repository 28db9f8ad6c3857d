from django.urls import path

from review.views import adjustments as adjustment_views
from review.views import batch as batch_views
from review.views import changes as changes_views
from review.views import comments as comment_views
from review.views import dashboard as dashboard_views
from review.views import notices as notice_views
from review.views import notifications as notification_views
from review.views import review as review_views
from review.views import rounds as round_views
from review.views import workflow as workflow_views

# Under /filings/, where these pages were before the review app had its own (bookmarks).
app_name = "review"
urlpatterns = [
    # The filer's transitions on the review path (review/views/workflow.py).
    path("<int:pk>/submit/", workflow_views.submit, name="submit"),
    path("<int:pk>/withdraw/", workflow_views.withdraw, name="withdraw"),
    path("<int:pk>/adjust/", workflow_views.adjust, name="adjust"),
    # Adjustments that are asked for (review/views/adjustments.py).
    path("<int:pk>/adjustment/apply/", adjustment_views.apply, name="adjustment_apply"),
    path("<int:pk>/adjustment/withdraw/", adjustment_views.withdraw, name="adjustment_withdraw"),
    path("<int:pk>/adjustment/decide/", adjustment_views.decide, name="adjustment_decide"),
    path("<int:pk>/adjustment/cancel/", adjustment_views.cancel, name="adjustment_cancel"),
    # What changed: versions side by side (review/views/changes.py).
    path("<int:pk>/diff/", changes_views.diff, name="diff"),
    # Comments answered and marked 已处理 (review/views/comments.py).
    path("<int:pk>/comments/<int:comment_id>/reply/", comment_views.reply, name="reply"),
    path(
        "<int:pk>/comments/<int:comment_id>/resolve/",
        comment_views.resolve_comment,
        name="resolve_comment",
    ),
    # The reviewer's pages (review/views/review.py).
    path("queue/", review_views.queue, name="queue"),
    path("queue/batch/", batch_views.batch_decide, name="batch_decide"),
    path("<int:pk>/review/", review_views.review, name="review"),
    path("<int:pk>/review/comments/", review_views.add_comment, name="add_comment"),
    path("<int:pk>/review/decide/", review_views.decide, name="decide"),
    path("<int:pk>/review/reopen/", review_views.reopen, name="reopen"),
    path("<int:pk>/review/level/", review_views.mark_level, name="mark_level"),
    path("<int:pk>/reviews/<int:review_id>/", review_views.review_sheet, name="review_sheet"),
    # Notifications, rounds and the dashboard (notification_views, round_views, dashboard_views).
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.mark_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notification_views.mark_all_read,
        name="notifications_read_all",
    ),
    path("rounds/", round_views.rounds, name="rounds"),
    path("rounds/<int:pk>/", round_views.round_edit, name="round_edit"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    # 批复: issued per organisation and year by the final approver (review/views/notices.py).
    path("approvals/", notice_views.approvals, name="approvals"),
    path(
        "approvals/<int:organisation_id>/<int:year>/",
        notice_views.approval_page,
        name="approval_page",
    ),
    path(
        "approvals/<int:organisation_id>/<int:year>/issue/",
        notice_views.issue,
        name="approval_issue",
    ),
    path("approvals/notices/<int:pk>/pdf/", notice_views.notice_pdf, name="notice_pdf"),
]
