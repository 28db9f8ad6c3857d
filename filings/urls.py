from django.urls import path

from filings import (
    changes_views,
    dashboard_views,
    export_views,
    notification_views,
    published_views,
    review_views,
    round_views,
    upload_views,
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
    # Downloads and batch exports (filings/export_views.py).
    path("<int:pk>/pdf/", export_views.export_pdf, name="export_pdf"),
    path("<int:pk>/excel/", export_views.export_excel, name="export_excel"),
    path(
        "<int:pk>/reviews/<int:review_id>/pdf/",
        export_views.review_sheet_pdf,
        name="review_sheet_pdf",
    ),
    path("exports/", export_views.exports, name="exports"),
    path("exports/start/", export_views.export_start, name="export_start"),
    path("exports/<uuid:pk>/", export_views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", export_views.export_download, name="export_download"),
    # 导入已公开的申报表: admins import published PDFs, workbooks and text (published_views).
    path("import-published/", published_views.upload, name="import_published"),
    path("import-published/confirm/", published_views.confirm, name="import_published_confirm"),
    # 导入Excel: a filled-in form sheet as a new draft or a draft's new content (upload_views).
    path("import-excel/", upload_views.upload_new, name="upload_excel_new"),
    path("import-excel/confirm/", upload_views.confirm_new, name="upload_excel_new_confirm"),
    path("<int:pk>/import-excel/", upload_views.upload_filing, name="upload_excel"),
    path(
        "<int:pk>/import-excel/confirm/", upload_views.confirm_filing, name="upload_excel_confirm"
    ),
]
