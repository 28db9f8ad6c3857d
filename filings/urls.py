from django.urls import path

from filings import (
    changes_views,
    dashboard_views,
    notification_views,
    review_views,
    round_views,
    views,
    workflow_views,
)
from filings.wizard import views as wizard_views

app_name = "filings"
urlpatterns = [
    path("", views.filing_list, name="list"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    # The filer's pages and the wizard (filings/wizard/views.py).
    path("mine/", wizard_views.mine, name="mine"),
    path("new/", wizard_views.new, name="new"),
    path("new/<str:form>/", wizard_views.create, name="create"),
    path("<int:pk>/copy/", wizard_views.copy, name="copy"),
    path("<int:pk>/delete/", wizard_views.delete, name="delete"),
    path("<int:pk>/edit/<slug:step>/", wizard_views.wizard, name="wizard"),
    # The filer's transitions on the review path (filings/workflow_views.py).
    path("<int:pk>/submit/", workflow_views.submit, name="submit"),
    path("<int:pk>/withdraw/", workflow_views.withdraw, name="withdraw"),
    path("<int:pk>/adjust/", workflow_views.adjust, name="adjust"),
    # What changed: versions side by side, comments marked resolved (filings/changes_views.py).
    path("<int:pk>/diff/", changes_views.diff, name="diff"),
    path(
        "<int:pk>/comments/<int:comment_id>/resolve/",
        changes_views.resolve_comment,
        name="resolve_comment",
    ),
    # The reviewer's pages (filings/review_views.py).
    path("queue/", review_views.queue, name="queue"),
    path("<int:pk>/review/", review_views.review, name="review"),
    path("<int:pk>/review/comments/", review_views.add_comment, name="add_comment"),
    path("<int:pk>/review/decide/", review_views.decide, name="decide"),
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
]
