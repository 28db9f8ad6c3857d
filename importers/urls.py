from django.urls import path

from importers import published_views
from importers import views as upload_views

# Under /filings/, where these pages were before the importers app had its own (bookmarks).
app_name = "importers"
urlpatterns = [
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
