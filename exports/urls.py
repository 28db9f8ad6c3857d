from django.urls import path

from exports import views as export_views

# Under /filings/, where these pages were before the exports app had its own (bookmarks).
app_name = "exports"
urlpatterns = [
    # Downloads and batch exports (exports/views.py).
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
]
